"""What an attacker sends, as hypothesis strategies: wrong types, blanks,
huge numbers, NUL and other control characters, deeply nested JSON, SQL and
Lucene metacharacters, very long strings, Cyrillic and Kyrgyz letters, and
the identifiers of objects the portal holds (public and private ones), so
that generated requests reach past "not found" into the code behind it."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

from hypothesis import strategies as st

from kg_fuzz.surfaces import Action, Argument, View

NASTY_STRINGS = (
    "", " ", "\t", "\r\n", "\x00", "a\x00b", "\x00\x01\x02\x1b[31m", "\x7f", "\u202e",
    "\ufeff", "\ud7ff", "\U0010ffff",
    # SQL
    "'", "''", '"', "' OR '1'='1", "1; DROP TABLE package;--", "%", "_", "%_%", "\\",
    "$$", "$1", "/*", "*/", "--", ";", "E'\\x00'", "::text", "ARRAY[1]",
    # Lucene / Solr
    "*:*", "*", "?", 'title:"open', "(", ")", "[* TO *]", "{!lucene}name:*", "AND",
    "OR NOT", "~", "^2", "+-", "&&", "||", "!", ":", "/regex/", "name:[a TO",
    # numbers and flags as text
    "0", "-1", "1e309", "-0", "NaN", "Infinity", "99999999999999999999999999",
    "0x1f", "1_000", "true", "false", "null", "None", "yes", "[]", "{}",
    # paths, markup, templates
    "../../../../etc/passwd", "..%2f..%2f", "/", "//evil.example", "<script>x</script>",
    "{{7*7}}", "${7*7}", "%s%s%s", "%(x)s",
    # Cyrillic and Kyrgyz
    "Кыргызстан", "Ысык-Көл", "ңөү ҢӨҮ", "калк саны", "Доля, %", "ё\u0301",
)
IDENTIFIER_KEYS = {"id", "name", "resource_id", "package_id", "dataset_id", "owner_org",
                   "org_id", "group_id", "organization_id", "user", "user_id", "username",
                   "object", "subject", "view_id", "activity_id", "vocabulary_id",
                   "parent", "entity_id", "resource_ids", "package_ids", "datasets",
                   "object_type", "capacity", "member", "key", "alias", "jti",
                   "new_id", "old_id", "newest_id", "oldest_id", "tag", "tags", "groups"}
COMMON_KEYS = ("id", "q", "fq", "rows", "start", "limit", "offset", "sort", "filters",
               "fields", "resource_id", "sql", "name", "include_private", "include_drafts",
               "facet.field", "facet.mincount", "facet.limit", "all_fields", "callback",
               "records_format", "format", "plain", "distinct", "language")
VIEW_KEYS = ("q", "sort", "page", "tags", "organization", "groups", "res_format",
             "license_id", "format", "limit", "offset", "fields", "filters", "came_from",
             "url", "activity_type", "type", "ext_bbox", "_tags_limit", "before", "after",
             "new_id", "old_id", "newest_id", "oldest_id", "id", "lang", "bom",
             "resource_id", "activity_id", "current_old_id", "current_new_id", "login")
HUGE_NUMBERS = (2**31, 2**31 - 1, 2**63, -(2**63), 10**30, -1, 0, 10**308)
NESTING = (64, 200, 3000)
LONG_SIZES = (1_000, 3_000, 30_000)


@dataclass(frozen=True)
class Known:
    """Identifiers the generated requests name: those of objects the
    portal holds (public and private) and some that exist nowhere."""
    identifiers: tuple[str, ...]
    resource_ids: tuple[str, ...]


@cache
def nasty_text() -> st.SearchStrategy[str]:
    long_text = st.builds(lambda piece, size: (piece * size)[:size],
                          st.sampled_from(["a", "ж", "ң", "\x00", "%", "'", "(", "\\"]),
                          st.sampled_from(LONG_SIZES))
    joined = st.builds(lambda a, b: a + b, st.sampled_from(NASTY_STRINGS),
                       st.sampled_from(NASTY_STRINGS))
    any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
    return st.one_of(st.sampled_from(NASTY_STRINGS), joined, any_text, long_text)


@cache
def nasty_number() -> st.SearchStrategy:
    return st.one_of(st.sampled_from(HUGE_NUMBERS), st.integers(),
                     st.floats(allow_nan=True, allow_infinity=True))


@cache
def nasty_scalar() -> st.SearchStrategy:
    return st.one_of(nasty_text(), nasty_number(), st.booleans(), st.none())


@dataclass(frozen=True)
class Nested:
    """A JSON value nested `depth` times in lists or objects, written out
    without recursion (deeper than Python's json module goes)."""
    depth: int
    shape: str  # "list" or "dict"
    leaf: object

    def json(self) -> str:
        opener, closer = ("[", "]") if self.shape == "list" else ('{"a":', "}")
        return opener * self.depth + to_json(self.leaf) + closer * self.depth


def to_json(value: object) -> str:
    if isinstance(value, Nested):
        return value.json()
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{to_json(v)}"
                              for k, v in value.items()) + "}"
    return json.dumps(value)


def deeply_nested(leaf: st.SearchStrategy | None = None) -> st.SearchStrategy[Nested]:
    return st.builds(Nested, st.sampled_from(NESTING), st.sampled_from(["list", "dict"]),
                     leaf if leaf is not None else st.sampled_from([1, "x", None]))


@cache
def json_values() -> st.SearchStrategy:
    shallow = st.recursive(
        nasty_scalar(),
        lambda children: st.one_of(st.lists(children, max_size=4),
                                   st.dictionaries(nasty_text(), children, max_size=4)),
        max_leaves=6)
    return st.one_of(shallow, shallow, shallow, deeply_nested())


@cache
def identifiers(known: Known) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(known.identifiers), st.sampled_from(known.identifiers),
                     nasty_text())


@cache
def sql_statements(known: Known) -> st.SearchStrategy[str]:
    """SELECTs over the tables the portal holds with expressions that fail
    at run time or cost something; each cheap enough on a portal without
    a statement timeout that the suite stays fast (tests/fuzz/test_findings.py
    holds the expensive ones)."""
    expressions = st.sampled_from([
        "*", "1/0", "count(*)", "'a' || chr(0)", "xmlparse(document '<a')", "1::int/0",
        "repeat('x', 100000)", "(SELECT count(*) FROM generate_series(1, 100000))",
        "upper(region)", "region::int", "pg_sleep(0.01)", "current_setting('is_superuser')",
        "lpad('', 100)", "'\\x00'::bytea", "to_tsvector(region)", "$1",
        "array_agg(region)", "year + 2147483647", "'Кыргыз'"])
    tables = st.one_of(st.sampled_from(known.resource_ids), nasty_text())
    statement = st.builds(lambda e, t, tail: f'SELECT {e} FROM "{t}"{tail}', expressions,
                          tables, st.sampled_from(["", " LIMIT 1", " WHERE", ";", " --",
                                                   "; SELECT 1", " ORDER BY 1/0"]))
    return st.one_of(statement, statement, nasty_text())


@cache
def value_for(key: str, known: Known) -> st.SearchStrategy:
    if key == "sql":
        return sql_statements(known)
    if key in IDENTIFIER_KEYS:
        return st.one_of(identifiers(known), json_values())
    return st.one_of(nasty_text(), json_values())


@cache
def param_names(documented: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(documented or COMMON_KEYS),
                     st.sampled_from(COMMON_KEYS), nasty_text())


@cache
def view_params(known: Known) -> st.SearchStrategy[dict]:
    keys = st.one_of(st.sampled_from(VIEW_KEYS), nasty_text())
    return st.dictionaries(keys, st.one_of(identifiers(known), nasty_text()), max_size=4)


@st.composite
def action_params(draw, action: Action, known: Known) -> dict:
    """A data dict for `action`: some of its documented and common keys,
    maybe unknown ones, each with a hostile value."""
    chosen = draw(st.lists(param_names(action.params), max_size=5, unique=True))
    return {key: draw(value_for(key, known)) for key in chosen}


def as_query_value(value: object) -> str:
    return value if isinstance(value, str) else to_json(value)


@dataclass(frozen=True)
class Request:
    """One request as sent: method, path with query string, body."""
    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str | None = None

    def text(self) -> str:
        """All the caller said, for telling an echo from a disclosure."""
        parts = [self.path] + [f"{k}={v}" for k, v in self.query]
        if self.body is not None:
            parts.append(self.body.decode("utf-8", "replace"))
        return "\n".join(parts)


def as_get(path: str, params: dict) -> Request:
    query = []
    for key, value in params.items():
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            query.extend((key, v) for v in value)  # repeated, as forms send lists
        else:
            query.append((key, as_query_value(value)))
    return Request("GET", path, tuple(query))


@cache
def raw_bodies() -> st.SearchStrategy[bytes]:
    return st.sampled_from([b"", b"{", b"null", b"[]", b'"text"', b"1e999", b"\xff\xfe\x00",
                            b'{"a": 1, "a": 2}', b"{\"id\": \"\x00\"}", b"\x00" * 64,
                            b'{"__proto__": {}}'])


@st.composite
def action_requests(draw, action: Action, known: Known, method: str) -> Request:
    path = "/api/3/action/" + action.name
    params = draw(action_params(action, known))
    if method == "GET":
        return as_get(path, params)
    body = draw(st.one_of(st.just(params), st.just(params), st.just(params),
                          json_values(), deeply_nested(st.just(params))))
    if isinstance(body, dict) and draw(st.integers(0, 9)) == 0:
        return Request("POST", path, body=draw(raw_bodies()), content_type="application/json")
    if draw(st.integers(0, 9)) == 0:  # a form post, as an HTML form would send it
        return Request("POST", path, tuple(as_get(path, params).query),
                       content_type="application/x-www-form-urlencoded")
    return Request("POST", path, body=to_json(body).encode("utf-8"),
                   content_type="application/json")


@cache
def segment(argument: Argument, known: Known) -> st.SearchStrategy[str]:
    if argument.kind == "int":
        low, high = argument.low or 0, argument.high or 10
        return st.integers(low, high).map(str)
    values = st.one_of(identifiers(known), st.sampled_from(["csv", "xlsx", "json", "ttl",
                                                             "rdf", "ky", "ru", "en"]))
    safe = "/" if argument.kind == "path" else ""
    return values.filter(lambda v: v not in ("", ".", "..")).map(
        lambda v: quote(v, safe=safe) or "x")


@st.composite
def view_requests(draw, view: View, known: Known, method: str) -> Request:
    values = {arg.name: draw(segment(arg, known)) for arg in view.arguments}
    locale = draw(st.sampled_from(["", "", "/ru", "/en"]))
    request = as_get(locale + view.path(values), draw(view_params(known)))
    if method == "POST":
        return Request("POST", request.path, request.query,
                       content_type="application/x-www-form-urlencoded")
    return request
