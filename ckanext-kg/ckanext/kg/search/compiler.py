"""Compile a parsed query (`lucene` nodes) into SQL with bound parameters.

Every value and every field name from a query becomes a bound parameter;
only fixed SQL written here is ever concatenated.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Optional

from dateutil.relativedelta import relativedelta

from . import fields
from . import lucene as q

# The text-search configurations: `russian` stems Russian words and (through
# PostgreSQL's english_stem for ASCII words) English ones; `simple` keeps
# every word as it is, which Kyrgyz needs (PostgreSQL has no Kyrgyz stemmer).
STEMMED = "russian"
LITERAL = "simple"
RANK_WEIGHTS = "'{0.1, 0.2, 0.5, 1.0}'"  # ts_rank's weights of D, C, B, A
_PREFIX_MIN = 4  # Cyrillic words this long also match as prefixes (Kyrgyz)
_WORD = re.compile(r"^\w+$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DATE_MATH = re.compile(r"([+-])(\d+)(YEARS?|MONTHS?|DAYS?|HOURS?|MINUTES?|SECONDS?)"
                        r"|/(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)")


class Compiled:
    """SQL condition, its parameters and the full-text queries for ranking."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self.rank_queries: list[str] = []
        # whether the condition tests only the visibility columns
        # (`fields.COLUMN_FIELDS`), so that `facet_counts` can answer it
        self.columns_only = True
        # the filter's one counted entry (`fields.COUNTED_FIELDS`) beside
        # conditions on the columns alone (`columns_condition`), if it is so
        self.counted_term: Optional[str] = None
        self.columns_condition = "TRUE"
        # the permission labels a filter requires every row to have one
        # of (the reader's), if one does: what its answer depends on
        # (`result_cache.py`)
        self.required_labels: Optional[list[str]] = None

    def beyond_columns(self, sql: str) -> str:
        """`sql`, a condition that reads more of the row than its columns."""
        self.columns_only = False
        return sql

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"


def compile_node(node: q.Node, out: Compiled, scoring: bool = True) -> str:
    if isinstance(node, q.MatchAll):
        return "TRUE"
    if isinstance(node, q.And):
        return "(" + " AND ".join(
            compile_node(c, out, scoring) for c in node.children) + ")"
    if isinstance(node, q.Or):
        return _compile_or(node, out, scoring)
    if isinstance(node, q.Not):
        return f"NOT COALESCE({compile_node(node.child, out, False)}, FALSE)"
    if isinstance(node, q.MinMatch):
        return _compile_min_match(node, out, scoring)
    if isinstance(node, q.Exists):
        return _compile_exists(node, out)
    if isinstance(node, q.Range):
        return _compile_range(node, out)
    if isinstance(node, (q.Term, q.Phrase)):
        return _compile_value(node, out, scoring)
    raise q.QuerySyntaxError(q.N_("unsupported query part {part}"), part=repr(node))


def _compile_or(node: q.Or, out: Compiled, scoring: bool) -> str:
    # field:(a OR b OR c) on a string field: one array-overlap test
    plain = [c for c in node.children if isinstance(c, (q.Term, q.Phrase))]
    if (len(plain) == len(node.children)
            and len({c.field for c in plain}) == 1
            and plain[0].field and not fields.is_text_field(plain[0].field)
            and not any(isinstance(c, q.Term) and c.wildcard for c in plain)):
        if plain[0].field in fields.COLUMN_FIELDS:
            return _column_match(plain[0].field, [c.value for c in plain], out)
        values = [fields.term(c.field, c.value) for c in plain]
        return out.beyond_columns(f"(terms && CAST({out.param(values)} AS text[]))")
    return "(" + " OR ".join(
        compile_node(c, out, scoring) for c in node.children) + ")"


def _free_text(nodes: tuple[q.Node, ...]) -> bool:
    return bool(nodes) and all(
        isinstance(n, (q.Term, q.Phrase)) and n.field is None
        and not (isinstance(n, q.Term) and n.wildcard) for n in nodes)


def _all_words(nodes: tuple[q.Node, ...], out: Compiled, scoring: bool) -> str:
    """Every word must match: one tsquery, so each row's tsv is read once."""
    tsqs = [_tsquery(n.value, out, isinstance(n, q.Phrase)) for n in nodes]
    combined = "(" + " && ".join(tsqs) + ")"
    if scoring:
        out.rank_queries.extend(tsqs)
    return out.beyond_columns(f"(tsv @@ {combined})")


def _compile_min_match(node: q.MinMatch, out: Compiled, scoring: bool) -> str:
    if node.minimum >= len(node.optional) and _free_text(node.optional + node.required):
        parts = [_all_words(node.optional + node.required, out, scoring)]
        parts += [f"NOT COALESCE({compile_node(c, out, False)}, FALSE)"
                  for c in node.excluded]
        return "(" + " AND ".join(parts) + ")"
    parts = [compile_node(c, out, scoring) for c in node.required]
    parts += [f"NOT COALESCE({compile_node(c, out, False)}, FALSE)"
              for c in node.excluded]
    optional = [compile_node(c, out, scoring) for c in node.optional]
    if optional and node.minimum >= len(optional):
        parts += optional
    elif optional:
        counted = " + ".join(f"COALESCE(({c})::int, 0)" for c in optional)
        parts.append("(" + " OR ".join(optional) + ")")
        parts.append(f"({counted}) >= {int(node.minimum)}")
    return "(" + " AND ".join(parts or ["TRUE"]) + ")"


def _compile_exists(node: q.Exists, out: Compiled) -> str:
    f = out.param(node.field)
    return out.beyond_columns(f"(doc ? {f} AND jsonb_typeof(doc->{f}) <> 'null' "
                              f"AND doc->{f} <> '[]'::jsonb AND doc->>{f} <> '')")


def word_query(value: str, out: Compiled) -> str:
    """The tsquery one free-text word of a query is matched and ranked by."""
    return _tsquery(value, out, False)


def _tsquery(value: str, out: Compiled, phrase: bool) -> str:
    p = out.param(value)
    fn = "phraseto_tsquery" if phrase else "plainto_tsquery"
    query = f"({fn}('{STEMMED}', {p}) || {fn}('{LITERAL}', {p}))"
    if (not phrase and len(value) >= _PREFIX_MIN and _WORD.match(value)
            and fields.is_cyrillic(value)):
        prefix = out.param(value.lower() + ":*")
        query = f"({query} || to_tsquery('{LITERAL}', {prefix}))"
    return query


def _text_target(field: Optional[str], out: Compiled) -> str:
    if field in (None, "text"):
        return "tsv"
    f = out.param(field)
    return (f"(to_tsvector('{STEMMED}', coalesce(doc->>{f}, '')) || "
            f"to_tsvector('{LITERAL}', coalesce(doc->>{f}, '')))")


def _compile_value(node: q.Term | q.Phrase, out: Compiled, scoring: bool) -> str:
    field = node.field
    wildcard = isinstance(node, q.Term) and node.wildcard
    if field in fields.NGRAM_SOURCES:
        # Solr's n-gram fields: any part of the name or title, any case
        source = out.param(fields.NGRAM_SOURCES[field])
        needle = out.param(node.value.replace("*", "").lower())
        return out.beyond_columns(
            f"(strpos(lower(coalesce(doc->>{source}, '')), {needle}) > 0)")
    if field is None or fields.is_text_field(field):
        target = _text_target(field, out)
        if wildcard:
            stem = node.value.rstrip("*")
            if _WORD.match(stem) and node.value.endswith("*"):
                tsq = f"to_tsquery('{LITERAL}', {out.param(stem.lower() + ':*')})"
            else:
                tsq = _tsquery(node.value.replace("*", " ").replace("?", " "),
                               out, False)
        else:
            tsq = _tsquery(node.value, out, isinstance(node, q.Phrase))
        if scoring and target == "tsv":
            out.rank_queries.append(tsq)
        return out.beyond_columns(f"({target} @@ {tsq})")
    if wildcard:
        pattern = _like_pattern(fields.term(field, ""), node.value)
        return out.beyond_columns(f"EXISTS (SELECT 1 FROM unnest(terms) AS t "
                                  f"WHERE t LIKE {out.param(pattern)})")
    if field in fields.COLUMN_FIELDS:
        return _column_match(field, [node.value], out)
    if field == fields.TYPE_FIELD and node.value == fields.PACKAGE_TYPE:
        return "TRUE"
    return out.beyond_columns(
        f"(terms @> CAST({out.param([fields.term(field, node.value)])} AS text[]))")


def _column_match(field: str, values: list[str], out: Compiled) -> str:
    """field:value (or any of values) on a field with a column of its own.

    `field` is one of the fixed names in `fields.COLUMN_FIELDS`, so naming
    the column is safe; the values are bound.
    """
    texts = [fields.scalar_text(v) for v in values]
    if field in fields.ARRAY_COLUMNS:
        return f"({field} && CAST({out.param(texts)} AS text[]))"
    if len(texts) == 1:
        return f"({field} = {out.param(texts[0])})"
    return f"({field} = ANY(CAST({out.param(texts)} AS text[])))"


def _like_pattern(prefix: str, value: str) -> str:
    escaped = re.sub(r"([\\%_])", r"\\\1", prefix + value)
    return escaped.replace("*", "%").replace("?", "_")


def _compile_range(node: q.Range, out: Compiled) -> str:
    f = out.param(node.field)
    bounds = [b for b in (node.low, node.high) if b is not None]
    if fields.is_date_field(node.field) or any(_looks_like_date(b) for b in bounds):
        value = (f"(CASE WHEN doc->>{f} ~ '^\\d{{4}}-\\d{{2}}-\\d{{2}}' "
                 f"THEN (doc->>{f})::timestamptz END)")
        convert = resolve_date
    elif bounds and all(_NUMBER.match(b) for b in bounds):
        value = (f"(CASE WHEN doc->>{f} ~ '^-?\\d+(\\.\\d+)?$' "
                 f"THEN (doc->>{f})::numeric END)")
        convert = float
    else:
        value = f"(doc->>{f}) COLLATE \"C\""
        convert = str
    parts = [out.beyond_columns(f"doc ? {f}")]
    if node.low is not None:
        op = ">=" if node.include_low else ">"
        parts.append(f"{value} {op} {out.param(convert(node.low))}")
    if node.high is not None:
        op = "<=" if node.include_high else "<"
        parts.append(f"{value} {op} {out.param(convert(node.high))}")
    return "(" + " AND ".join(parts) + ")"


def _looks_like_date(text: str) -> bool:
    return text.startswith("NOW") or bool(_ISO_DATE.match(text))


def resolve_date(expr: str, now: Optional[dt.datetime] = None) -> dt.datetime:
    """A Solr date or date-math expression (``NOW-1DAY/DAY``) as a datetime."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if expr.startswith("NOW"):
        value, rest = now, expr[3:]
    else:
        match = re.match(r"^(\d{4}-\d{2}-\d{2}(?:T[\d:.]+)?Z?)(.*)$", expr)
        if not match:
            raise q.QuerySyntaxError(q.N_("'{expr}' is not a date"), expr=expr)
        try:
            value = dt.datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
        except ValueError:
            raise q.QuerySyntaxError(q.N_("'{expr}' is not a date"), expr=expr) from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        rest = match.group(2)
    position = 0
    for match in _DATE_MATH.finditer(rest):
        if match.start() != position:
            raise q.QuerySyntaxError(q.N_("bad date math in '{expr}'"), expr=expr)
        position = match.end()
        value = _apply_date_math(value, match)
    if position != len(rest):
        raise q.QuerySyntaxError(q.N_("bad date math in '{expr}'"), expr=expr)
    return value


def _apply_date_math(value: dt.datetime, match: re.Match) -> dt.datetime:
    if match.group(4):
        unit = match.group(4).lower()
        keep = ["year", "month", "day", "hour", "minute", "second"]
        zeroed = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0,
                  "microsecond": 0}
        cut = keep.index(unit) + 1
        return value.replace(**{k: zeroed[k] for k in keep[cut:] + ["microsecond"]})
    sign = 1 if match.group(1) == "+" else -1
    unit = match.group(3).lower().rstrip("s") + "s"
    return value + relativedelta(**{unit: sign * int(match.group(2))})
