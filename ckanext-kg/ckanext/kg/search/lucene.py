"""Parse the Lucene/dismax query subset that CKAN and its UI emit.

The parser turns a query string into a small tree of nodes; `compiler`
turns the tree into SQL with bound parameters. Nothing here touches the
database, so a query string can never reach SQL as text.

Supported: ``*:*``, ``field:value``, ``field:"a phrase"``, ``field:(a OR b)``,
``field:*``, ``field:pre*``, ranges ``field:[a TO b]`` / ``{a TO b}``,
``+`` / ``-`` / ``!`` prefixes, ``AND`` / ``OR`` / ``NOT`` / ``&&`` / ``||``,
parentheses, boosts (``^2``, ignored) and dismax free text with a
minimum-should-match (``mm``) specification.
"""
from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Iterator, Optional, Union


def N_(message: str) -> str:
    """A message of the translation catalogue, given in English: the search
    refusal translates it into the reader's language (`logic/refusals.py`)."""
    return message


class QuerySyntaxError(ValueError):
    """The query string is not in the supported syntax: `template`, a
    message of the catalogue, with its `values`."""

    def __init__(self, template: str, **values: Any) -> None:
        super().__init__(template.format(**values))
        self.template, self.values = template, values


FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-.]*$")
MAX_NESTING = 50  # parentheses and NOTs inside each other: far beyond any real query


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class Term:
    """A single value; `wildcard` when it holds ``*`` or ``?``."""
    field: Optional[str]
    value: str
    wildcard: bool = False


@dataclass(frozen=True)
class Phrase:
    field: Optional[str]
    value: str


@dataclass(frozen=True)
class Exists:
    field: str


@dataclass(frozen=True)
class Range:
    field: str
    low: Optional[str]  # None for '*'
    high: Optional[str]
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class MinMatch:
    """Dismax: at least `minimum` of `optional` must match."""
    optional: tuple["Node", ...]
    minimum: int
    required: tuple["Node", ...] = ()
    excluded: tuple["Node", ...] = ()


Node = Union[MatchAll, Term, Phrase, Exists, Range, Not, And, Or, MinMatch]


# --------------------------------------------------------------------------
# tokens

_SPECIAL = set('()"[]{}:^~\\ \t\r\n')


@dataclass
class _Token:
    kind: str  # WORD PHRASE LPAREN RPAREN PLUS MINUS NOT AND OR COLON RANGE
    text: str = ""
    quoted: bool = False
    extra: dict = dc_field(default_factory=dict)


def _read_escaped(s: str, i: int, stop: set[str]) -> tuple[str, int, bool]:
    """Read a bare word from s[i:]; returns (text, next index, wildcard)."""
    out: list[str] = []
    wildcard = False
    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 >= len(s):
                raise QuerySyntaxError(N_("a backslash ends the query"))
            out.append(s[i + 1])
            i += 2
            continue
        if c in stop:
            break
        if c in "*?":
            wildcard = True
        out.append(c)
        i += 1
    return "".join(out), i, wildcard


def _read_phrase(s: str, i: int) -> tuple[str, int]:
    """Read a quoted phrase starting at the quote s[i]."""
    out: list[str] = []
    i += 1
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise QuerySyntaxError(N_("a quotation mark is not closed"))


def _skip_boost(s: str, i: int) -> int:
    while i < len(s) and s[i] in "^~":
        i += 1
        while i < len(s) and (s[i].isdigit() or s[i] == "."):
            i += 1
    return i


def _read_range(s: str, i: int) -> tuple[_Token, int]:
    include_low = s[i] == "["
    end = i + 1
    depth_chars = "]}"
    while end < len(s) and s[end] not in depth_chars:
        end += 1
    if end >= len(s):
        raise QuerySyntaxError(N_("a range is not closed"))
    body = s[i + 1:end].strip()
    parts = re.split(r"\s+TO\s+", body)
    if len(parts) != 2:
        raise QuerySyntaxError(N_("a range needs the form [a TO b]"))
    low, high = (p.strip().strip('"') for p in parts)
    token = _Token("RANGE", extra={
        "low": None if low == "*" else low.replace("\\", ""),
        "high": None if high == "*" else high.replace("\\", ""),
        "include_low": include_low,
        "include_high": s[end] == "]",
    })
    return token, end + 1


_PUNCTUATION = {"(": "LPAREN", ":": "COLON", "&&": "AND", "||": "OR"}
_SIGNS = {"+": "PLUS", "-": "MINUS", "!": "NOT"}


def _read_operator(s: str, i: int) -> tuple[_Token | None, int]:
    """An operator or bracket at s[i], or (None, i) when there is none."""
    for text, kind in _PUNCTUATION.items():
        if s.startswith(text, i):
            return _Token(kind), i + len(text)
    c = s[i]
    if c == ")":
        return _Token("RPAREN"), _skip_boost(s, i + 1)
    if c in _SIGNS and i + 1 < len(s) and not s[i + 1].isspace():
        if s[i + 1] in _SIGNS:
            raise QuerySyntaxError(N_("'{text}': two operators in a row"),
                                       text=s[i:i + 2])
        return _Token(_SIGNS[c]), i + 1
    if c in "]}":
        raise QuerySyntaxError(N_("a range bracket is not opened"))
    return None, i


def _read_value(s: str, i: int) -> tuple[_Token | None, int]:
    """A phrase, a range or a bare word at s[i]."""
    c = s[i]
    if c == '"':
        text, i = _read_phrase(s, i)
        return _Token("PHRASE", text, quoted=True), _skip_boost(s, i)
    if c in "[{":
        if s.startswith("{!", i):
            raise QuerySyntaxError(N_("local parameters are not supported"))
        return _read_range(s, i)
    text, i, wildcard = _read_escaped(s, i, _SPECIAL)
    if not text:
        return None, i + 1  # a lone special character such as '^' or '~'
    i = _skip_boost(s, i)
    if text in ("AND", "OR", "NOT"):
        return _Token(text), i
    return _Token("WORD", text, extra={"wildcard": wildcard}), i


def tokenize(s: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(s):
        if s[i].isspace():
            i += 1
            continue
        token, i = _read_operator(s, i)
        if token is None:
            token, i = _read_value(s, i)
        if token is not None:
            tokens.append(token)
    return tokens


# --------------------------------------------------------------------------
# standard (lucene) parser, default operator AND


class _Parser:
    def __init__(self, tokens: list[_Token], default_field: Optional[str]):
        self.tokens = tokens
        self.pos = 0
        self.default_field = default_field
        self.depth = 0

    @contextlib.contextmanager
    def nested(self) -> Iterator[None]:
        """One level deeper: refused beyond `MAX_NESTING`, before the
        parser's recursion could run out of stack."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QuerySyntaxError(
                N_("the query is nested more than {levels} levels deep"), levels=MAX_NESTING)
        try:
            yield
        finally:
            self.depth -= 1

    def peek(self) -> Optional[_Token]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError(N_("the query ends too early"))
        self.pos += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            return MatchAll()
        node = self.or_expr(None)
        if self.peek() is not None:
            raise QuerySyntaxError(N_("a closing parenthesis has no opening one"))
        return node

    def or_expr(self, fld: Optional[str]) -> Node:
        children = [self.and_expr(fld)]
        while self.peek() is not None and self.peek().kind == "OR":
            self.take()
            children.append(self.and_expr(fld))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self, fld: Optional[str]) -> Node:
        children = [self.unary(fld)]
        while True:
            token = self.peek()
            if token is None or token.kind in ("OR", "RPAREN"):
                break
            if token.kind == "AND":
                self.take()
            children.append(self.unary(fld))
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self, fld: Optional[str]) -> Node:
        token = self.take()
        if token.kind in ("NOT", "MINUS", "PLUS"):
            with self.nested():
                node = self.unary(fld)
            return node if token.kind == "PLUS" else Not(node)
        if token.kind in ("AND", "OR"):
            raise QuerySyntaxError(N_("'{operator}' has nothing before it"),
                                   operator=token.kind)
        return self.primary(token, fld)

    def primary(self, token: _Token, fld: Optional[str]) -> Node:
        if token.kind == "LPAREN":
            with self.nested():
                node = self.or_expr(fld)
            closing = self.take()
            if closing.kind != "RPAREN":
                raise QuerySyntaxError(N_("a parenthesis is not closed"))
            return node
        nxt = self.peek()
        if token.kind == "WORD" and nxt is not None and nxt.kind == "COLON":
            self.take()
            return self.fielded(token.text)
        return self.value(token, fld or self.default_field)

    def fielded(self, name: str) -> Node:
        if name == "*":
            value = self.take()
            if value.kind == "WORD" and value.text == "*":
                return MatchAll()
            raise QuerySyntaxError(N_("'*:' must be followed by '*'"))
        if not FIELD_NAME.match(name):
            raise QuerySyntaxError(N_("'{name}' is not a field name"), name=name)
        token = self.take()
        if token.kind == "LPAREN":
            with self.nested():
                node = self.or_expr(name)
            if self.take().kind != "RPAREN":
                raise QuerySyntaxError(N_("a parenthesis is not closed"))
            return node
        if token.kind == "RANGE":
            return Range(name, **token.extra)
        if token.kind in ("PLUS", "MINUS", "NOT"):
            # 'field:-x' is a value that starts with a sign
            following = self.take()
            sign = {"PLUS": "+", "MINUS": "-", "NOT": "!"}[token.kind]
            if following.kind != "WORD":
                raise QuerySyntaxError(N_("'{name}:' has no value"), name=name)
            following = _Token("WORD", sign + following.text,
                               extra=following.extra)
            return self.value(following, name)
        return self.value(token, name)

    def value(self, token: _Token, fld: Optional[str]) -> Node:
        if token.kind == "PHRASE":
            return Phrase(fld, token.text)
        if token.kind != "WORD":
            raise QuerySyntaxError(N_("a value is missing"))
        if token.text == "*" and fld:
            return Exists(fld)
        if token.text == "*":
            return MatchAll()
        return Term(fld, token.text, token.extra.get("wildcard", False))


def parse_standard(query: str, default_field: Optional[str] = "text") -> Node:
    """Parse a Lucene standard-parser query (default operator AND)."""
    return _Parser(tokenize(query), default_field).parse()


# --------------------------------------------------------------------------
# dismax


def minimum_should_match(spec: str, n: int) -> int:
    """How many of n optional clauses must match under a Solr `mm` spec.

    >>> minimum_should_match("2<-1 5<80%", 6)
    4
    """
    spec = (spec or "").strip()
    if not spec or n == 0:
        return n
    if "<" in spec:
        result = n
        for condition in spec.split():
            limit, _, rule = condition.partition("<")
            if not limit.isdigit():
                raise QuerySyntaxError(N_("bad mm condition '{condition}'"),
                                       condition=condition)
            if n > int(limit):
                result = _apply_mm_rule(rule, n)
        return result
    return _apply_mm_rule(spec, n)


def _apply_mm_rule(rule: str, n: int) -> int:
    try:
        if rule.endswith("%"):
            pct = int(rule[:-1])
            k = math.floor(n * abs(pct) / 100)
            value = k if pct >= 0 else n - k
        else:
            k = int(rule)
            value = k if k >= 0 else n + k
    except ValueError:
        raise QuerySyntaxError(N_("bad mm value '{rule}'"), rule=rule) from None
    return max(1, min(n, value))


def parse_dismax(query: str, mm: str = "") -> Node:
    """Parse dismax free text: words, "phrases", +required and -excluded."""
    tokens = tokenize(query.replace(":", " "))
    optional: list[Node] = []
    required: list[Node] = []
    excluded: list[Node] = []
    bucket = optional
    for token in tokens:
        if token.kind == "PLUS":
            bucket = required
            continue
        if token.kind in ("MINUS", "NOT"):
            bucket = excluded
            continue
        if token.kind == "PHRASE":
            bucket.append(Phrase(None, token.text))
        elif token.kind == "WORD" and re.search(r"\w", token.text):
            # a word of punctuation only has no tokens: Solr drops it too
            bucket.append(Term(None, token.text))
        bucket = optional
    if not (optional or required):
        return MatchAll() if not excluded else MinMatch((), 0, (), tuple(excluded))
    return MinMatch(tuple(optional), minimum_should_match(mm, len(optional)),
                    tuple(required), tuple(excluded))
