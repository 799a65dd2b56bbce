"""A Table Schema ``pattern`` (Python ``re``) as an equivalent RE2 expression.

frictionless matches ``re.compile(f"^{pattern}$").match(cell)``. The
expression is rebuilt from Python's own parse tree, construct by construct,
so RE2 never reads the text differently (``{,3}``, ``\\Z``...). Character
classes (``\\d``, ``\\w``, ``\\s``, ``\\b``) and case-insensitive matching
agree between the two engines on ASCII text only (:attr:`Pattern.ascii_only`),
and Python's ``$`` also matches before a final newline: so only RE2's
*matches* are trusted, and cells it does not match go to Python (see
:mod:`.judge`). A pattern with a construct RE2 lacks (look-around,
back-references) gets ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

try:
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # Python 3.10
    import sre_constants as sre  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

ASCII_CATEGORIES = {
    sre.CATEGORY_DIGIT: "0-9", sre.CATEGORY_WORD: "0-9A-Za-z_",
    sre.CATEGORY_SPACE: r"\t\n\x0b\x0c\r\x1c-\x1f ",
}
NEGATED_CATEGORIES = {
    sre.CATEGORY_NOT_DIGIT: sre.CATEGORY_DIGIT, sre.CATEGORY_NOT_WORD: sre.CATEGORY_WORD,
    sre.CATEGORY_NOT_SPACE: sre.CATEGORY_SPACE,
}
AT = {sre.AT_BEGINNING: "^", sre.AT_BEGINNING_STRING: "^", sre.AT_END: "$",
      sre.AT_END_STRING: "$", sre.AT_BOUNDARY: r"\b", sre.AT_NON_BOUNDARY: r"\B"}


class Untranslatable(Exception):
    """A construct RE2 does not have."""


@dataclass
class Pattern:
    re2: str
    ascii_only: bool  # a match by RE2 is Python's match only on ASCII cells


def translate(pattern: str) -> Pattern | None:
    """The RE2 twin of ``^pattern$`` as frictionless compiles it, or ``None``."""
    try:
        parsed = sre_parse.parse(f"^{pattern}$")
        flags = parsed.state.flags
        if flags & (re.VERBOSE | re.MULTILINE | re.DOTALL):
            raise Untranslatable("flags")
        body = _sequence(list(parsed))
    except (re.error, Untranslatable, RecursionError):
        return None
    ignore_case = bool(flags & re.IGNORECASE)
    classes = any(marker in body for marker in ("0-9", "\\t\\n", "\\b", "\\B"))
    # match_substring_regex searches; Python's match() is anchored at the start
    return Pattern(("(?i)" if ignore_case else "") + f"^(?:{body})", ascii_only=classes or ignore_case)


def _sequence(items) -> str:
    return "".join(_item(op, argument) for op, argument in items)


def _item(op, argument) -> str:
    if op is sre.LITERAL:
        return _literal(argument)
    if op is sre.NOT_LITERAL:
        return f"[^{_literal(argument)}]"
    if op is sre.ANY:
        return "[^\\n]"
    if op is sre.IN:
        return _class(argument)
    if op is sre.AT and argument in AT:
        return AT[argument]
    if op is sre.BRANCH:
        return "(?:" + "|".join(_sequence(list(branch)) for branch in argument[1]) + ")"
    if op is sre.SUBPATTERN:
        return _group(*argument)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        return _repeat(op, *argument)
    raise Untranslatable(str(op))


def _group(group, add_flags, del_flags, inner) -> str:
    if add_flags or del_flags:
        raise Untranslatable("inline flags")
    return ("(" if group else "(?:") + _sequence(list(inner)) + ")"


def _repeat(op, low, high, inner) -> str:
    if low > 1000 or (high is not sre.MAXREPEAT and high > 1000):
        raise Untranslatable("repeat count")  # RE2's limit
    bound = f"{{{low},}}" if high is sre.MAXREPEAT else f"{{{low},{high}}}"
    lazy = "?" if op is sre.MIN_REPEAT else ""
    return f"(?:{_sequence(list(inner))}){bound}{lazy}"


def _class(items) -> str:
    negate, parts = False, []
    for op, argument in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            parts.append(_literal(argument))
        elif op is sre.RANGE:
            parts.append(f"{_literal(argument[0])}-{_literal(argument[1])}")
        elif op is sre.CATEGORY and argument in ASCII_CATEGORIES:
            parts.append(ASCII_CATEGORIES[argument])
        elif op is sre.CATEGORY and argument in NEGATED_CATEGORIES and len(items) == 1:
            return f"[^{ASCII_CATEGORIES[NEGATED_CATEGORIES[argument]]}]"
        else:
            raise Untranslatable(str(op))
    return ("[^" if negate else "[") + "".join(parts) + "]"


def _literal(code: int) -> str:
    return f"\\x{{{code:04X}}}"
