"""A pysolr-compatible client whose index is a PostgreSQL table.

CKAN talks to its search engine only through a pysolr ``Solr`` object
(``search``, ``add``, ``delete``, ``commit``). `PostgresSolr` answers the
same calls from the ``kg_search_index`` table in CKAN's own database, so
CKAN's document building, permission labels and query assembly all stay
CKAN's. Errors are raised as ``pysolr.SolrError`` with the messages CKAN
recognises, so a bad query becomes CKAN's usual 409, never a 500; a
parameter the index refuses is a `QueryRefused` naming it, which
`package_search` answers without CKAN's dump of the whole query.
"""
from __future__ import annotations

import contextlib
import re
from typing import Any, Iterable, Iterator, Optional

import pysolr
import sqlalchemy as sa

from . import (
    compiler,
    facet_counts,
    fields,
    frequent_words,
    lucene,
    prepared,
    result_cache,
    sort_order,
)
from .index_table import (
    TABLE,
    delete_where,
    ensure_table,
    has_field,
    stored_apart,
    upsert,
    whole_doc,
)
from .lucene import N_

# No JIT: a search would pay for compiling its plan on every request.
# No parallel workers: starting them costs more than a search's short scans
# (15 ms for a branch the page with no query never runs). Memory enough to
# keep tens of thousands of hits out of temp files.
_SEARCH_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0",
                    "work_mem": "32MB"}
# A search for one word that is kept (`frequent_words`) runs a prepared
# statement, planned for the values it is given: PostgreSQL's plan for any
# values guessed that a reader's permission labels (`&&`, an array it does
# not know) leave 49 of a word's hits, and read and sorted all of a
# frequent word's (8,647 at 10,000 datasets) for its page: 9 to 30 ms,
# where the plan for the labels reads the first entries of the word's
# index, in 1.4 to 1.8 ms after 1.1 to 1.5 ms of planning.
_ONE_WORD_SETTINGS = {**_SEARCH_SETTINGS, "plan_cache_mode": "force_custom_plan"}
# facet.limit and facet.mincount beyond this give the answer they give at
# this (no field has so many values, no value so many datasets), and keep
# the statement's arithmetic (twice the limit) within PostgreSQL's integer
_FACET_COUNT_MAX = 10 ** 9
_SORT_SPEC = re.compile(r"^([A-Za-z_][A-Za-z0-9_\-.]*)\s+(asc|desc)$", re.I)
DEFAULT_ROWS = 10
_LABELS = "permission_labels"  # the field of CKAN's filter on its reader's labels


class QueryRefused(pysolr.SolrError):
    """A search parameter the index cannot run, named by `parameter`: why
    is `template`, a message of the catalogue, with its `values`
    (`message` in English)."""

    def __init__(self, parameter: str, template: str, **values: Any) -> None:
        self.message = template.format(**values)
        super().__init__(self.message)
        self.parameter = parameter
        self.template, self.values = template, values


class Results:
    """The parts of ``pysolr.Results`` that CKAN reads."""

    def __init__(self, docs: list[dict[str, Any]], hits: int,
                 facets: dict[str, Any]) -> None:
        self.docs = docs
        self.hits = hits
        self.facets = facets
        self.raw_response: dict[str, Any] = {}
        self.debug: dict[str, Any] = {}
        self.highlighting: dict[str, Any] = {}
        self.spellcheck: dict[str, Any] = {}
        self.stats: dict[str, Any] = {}
        self.grouped: dict[str, Any] = {}
        self.qtime = None
        self.nextCursorMark = None

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.docs)


def _session() -> Any:
    from ckan import model
    return model.Session


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v is not None]
    return [value]


def _int_param(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QueryRefused(name, N_("'{name}' must be an integer, not {value}"),
                           name=name, value=repr(value)) from None


class PostgresSolr:
    """Drop-in for ``pysolr.Solr`` backed by PostgreSQL."""

    url = "postgresql:" + TABLE

    def __init__(self, decode_dates: bool = True) -> None:
        self.decode_dates = decode_dates

    # -- queries -----------------------------------------------------------

    def search(self, q: Optional[str] = None, search_handler: Any = None,
               **params: Any) -> Results:
        params["q"] = q
        where, filters, compiled, word = self._where(params)
        try:
            order = _Order.parse(params.get("sort"), compiled)
        except lucene.QuerySyntaxError as error:
            raise QueryRefused("sort", error.template, **error.values) from None
        rows = _int_param(params, "rows", DEFAULT_ROWS)
        start = _int_param(params, "start", 0)
        for name, value in (("rows", rows), ("start", start)):
            if value < 0:
                raise QueryRefused(name, N_("'{name}' must not be negative"), name=name)
        facet_fields = self._facet_fields(params)
        session = _session()
        generation = ensure_table(
            session, _SEARCH_SETTINGS if word is None else _ONE_WORD_SETTINGS)
        wanted = set(re.split(r"[\s,]+", " ".join(_as_list(params.get("fl")))))
        wanted.discard("")
        kept = (frequent_words.word_id(session, word, generation)
                if word is not None and order.spec in frequent_words.SERVED_ORDERS
                and set(facet_fields) <= fields.COUNTED_FIELDS else None)
        if kept:
            sql = _word_sql(filters, order, facet_fields, _page_doc(wanted))
        elif compiled.counted_term is not None and not facet_fields:
            sql = _term_counted_sql(where, compiled.columns_condition, order,
                                    self._rank(compiled, "t.tsv"), _page_doc(wanted))
        else:
            sql = _search_sql(where, order, self._rank(compiled),
                              self._rank(compiled, "t.tsv"), facet_fields,
                              compiled.columns_only, _page_doc(wanted))
        # a page without words, or of a kept word: the same text for every
        # request of its shape, planned once per connection; any other
        # search is planned for its own words
        same_text = kept or (compiled.columns_only
                             and set(facet_fields) <= fields.COUNTED_FIELDS)
        run = prepared.run if same_text and prepared.enabled() else _run_once
        values = dict(
            compiled.params, _rows=rows, _start=start, _fields=facet_fields,
            _min=min(max(_int_param(params, "facet.mincount", 0), 1), _FACET_COUNT_MAX),
            _limit=max(min(_int_param(params, "facet.limit", 50), _FACET_COUNT_MAX), -1),
            _word=kept or 0, _term=compiled.counted_term or "",
            _fl=sorted(wanted))
        if run is prepared.run:
            sql = _sizes_written(sql, values)
        result = result_cache.rows(session, generation, sql, values,
                                   lambda: run(session, sql, values),
                                   compiled.required_labels)
        hits = result[0].n
        text_names = _text_fields(wanted)  # the order `texts` holds them in
        docs = [self._project(row.doc, row.texts, text_names, row.score, wanted)
                for row in result if row.kind == _PAGE]
        facets: dict[str, list[Any]] = {field: [] for field in facet_fields}
        for row in result:
            if row.kind == _FACET:
                facets[row.field].extend([row.value, row.n])
        return Results(self._decoded(docs), hits, {"facet_fields": facets})

    def _where(self, params: dict[str, Any]
               ) -> tuple[str, str, compiler.Compiled, Optional[str]]:
        """The condition of the search, that of its filters (`fq`) alone,
        and the one word its query is when it is exactly one free-text
        word and every filter is on the visibility columns only."""
        compiled = compiler.Compiled()
        with _refused_as("q"):
            main = self._main_query(params)
            condition = compiler.compile_node(main, compiled)
        query_on_columns, compiled.columns_only = compiled.columns_only, True
        filters, on_columns, counted_terms = [], [], []
        for fq in _as_list(params.get("fq")) + _as_list(params.get("fq_list")):
            if isinstance(fq, str) and fq.strip():
                with _refused_as("fq"):
                    parts = []
                    for part in _conjuncts(lucene.parse_standard(fq)):
                        if compiled.required_labels is None:
                            compiled.required_labels = _required_labels(part)
                        before, compiled.columns_only = compiled.columns_only, True
                        parts.append(compiler.compile_node(part, compiled, False))
                        if compiled.columns_only:
                            on_columns.append(parts[-1])
                        else:
                            counted_terms.append(_counted_term(part))
                        compiled.columns_only = before and compiled.columns_only
                    filters.append("(" + " AND ".join(parts) + ")")
        word = _one_word(main) if compiled.columns_only else None
        # one filter on a counted entry (`owner_org:"…"`), the rest on the
        # visibility columns: counted from `facet_counts` too
        if (query_on_columns and isinstance(main, lucene.MatchAll)
                and len(counted_terms) == 1 and counted_terms[0]):
            compiled.counted_term = counted_terms[0]
            compiled.columns_condition = " AND ".join(on_columns) or "TRUE"
        compiled.columns_only = compiled.columns_only and query_on_columns
        return (" AND ".join([condition] + filters), " AND ".join(filters) or "TRUE",
                compiled, word)

    def _main_query(self, params: dict[str, Any]) -> lucene.Node:
        q = (params.get("q") or "").strip()
        if not q or q in ('""', "''"):
            return lucene.MatchAll()
        if params.get("defType") in ("dismax", "edismax") and ":" not in q:
            return lucene.parse_dismax(q, params.get("mm", ""))
        return lucene.parse_standard(q, params.get("df") or "text")

    @staticmethod
    def _rank(compiled: compiler.Compiled, tsv: str = "tsv") -> str:
        if not compiled.rank_queries:
            return "1.0"
        query = " || ".join(compiled.rank_queries)
        return f"ts_rank({compiler.RANK_WEIGHTS}, {tsv}, {query})"

    @staticmethod
    def _project(doc: Optional[dict[str, Any]], texts: Optional[list[Optional[str]]],
                 text_names: Optional[list[str]], score: float,
                 wanted: set[str]) -> dict[str, Any]:
        if texts is not None:  # the fields `text_names`, in order
            out = {k: v for k, v in zip(text_names or [], texts, strict=True)
                   if v is not None}
        elif not wanted or "*" in wanted:
            out = dict(doc or {})
        else:
            out = {k: v for k, v in (doc or {}).items() if k in wanted}
        if "score" in wanted:
            out["score"] = float(score)
        return out

    def _decoded(self, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Dates as datetimes, as pysolr's date-decoding client gives them."""
        if not self.decode_dates:
            return docs
        from ckan.lib.search.common import solr_datetime_decoder
        return [solr_datetime_decoder(doc) for doc in docs]

    @staticmethod
    def _facet_fields(params: dict[str, Any]) -> list[str]:
        if str(params.get("facet", "false")).lower() != "true":
            return []
        wanted = _facet_fields(params.get("facet.field"))
        for field in wanted:
            if not lucene.FIELD_NAME.match(field):
                raise QueryRefused("facet.field", N_("'{name}' is not a field name"),
                                   name=field)
        return wanted

    # -- writes ------------------------------------------------------------

    def add(self, docs: Iterable[dict[str, Any]], commit: Any = None,
            **kwargs: Any) -> str:
        try:
            upsert(_session(), docs)
        except ValueError as error:
            raise pysolr.SolrError(str(error)) from None
        return ""

    def delete(self, id: Any = None, q: Optional[str] = None,
               commit: Any = None, **kwargs: Any) -> str:
        compiled = compiler.Compiled()
        if q is not None:
            try:
                condition = compiler.compile_node(
                    lucene.parse_standard(q), compiled, False)
            except lucene.QuerySyntaxError as error:
                raise pysolr.SolrError(str(error)) from None
        elif id is not None:
            condition = f"index_id = ANY(CAST({compiled.param(_as_list(id))} AS text[]))"
        else:
            raise ValueError("You must specify 'id' or 'q'.")
        delete_where(_session(), condition, compiled.params)
        return ""

    def commit(self, *args: Any, **kwargs: Any) -> str:
        """Make index changes made outside an action durable (CLI, fixtures).

        Inside an action, index writes are part of the action's own
        transaction and CKAN commits them with the dataset.
        """
        _session().commit()
        return ""

    def optimize(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def ping(self, *args: Any, **kwargs: Any) -> str:
        _session().execute(sa.text("SELECT 1"))
        return "OK"


# Fields CKAN's own pages sort on, whether or not a document has them yet
# (the front page sorts on the tracking field `view_recent`).
_ALWAYS_SORTABLE = frozenset({
    "score", "name", "title", "title_string", "metadata_modified",
    "metadata_created", "view_recent", "views_recent", "views_total"})


class _Order:
    """An ORDER BY over the hits, and what it needs from them."""

    def __init__(self, sql: str, by_score: bool, needs_doc: bool,
                 spec: tuple[tuple[str, str], ...] = ()) -> None:
        self.sql = sql
        self.by_score = by_score
        self.needs_doc = needs_doc
        self.spec = spec  # the (field, direction) ordered by, in order

    @classmethod
    def parse(cls, sort: Optional[str], compiled: compiler.Compiled) -> "_Order":
        terms, used = [], []
        by_score = needs_doc = False
        for spec in (s.strip() for s in (sort or "score desc").split(",")):
            match = _SORT_SPEC.match(spec)
            if not match:
                raise lucene.QuerySyntaxError(N_(
                    "Can't determine a Sort Order (asc or desc) in sort spec '{spec}'"),
                    spec=spec)
            field, direction = match.group(1), match.group(2).upper()
            if not _is_sortable(field):
                raise lucene.QuerySyntaxError(N_(
                    "Unknown sort order: can not sort on undefined field {field}"),
                    field=repr(field))
            if field == "score":
                # without words to rank by, every score is the same
                if compiled.rank_queries:
                    by_score = True
                    terms.append(f"score {direction}")
                    used.append((field, direction))
                continue
            source = "sort_keys" if field in fields.SORT_KEYS else "doc"
            if source == "doc" and not has_field(_session(), field):
                continue  # no document has it (the front page's `view_recent`)
            needs_doc = needs_doc or source == "doc"
            used.append((field, direction))
            # a sort key's name as a literal, as its index has it: a
            # prepared statement (`prepared.py`) has to match that index
            # without knowing its values
            name = f"'{field}'" if source == "sort_keys" else compiled.param(field)
            # Solr's stored form of a time drops trailing zeros (".1Z",
            # ".12Z"), so times compare as times, not as text
            terms.extend(sort_order.terms(
                name, source, direction, fields.is_date_field(field),
                sort_order.TIME_COLUMNS.get(field) if source == "sort_keys" else None))
        terms.append("seq ASC")
        return cls(", ".join(terms), by_score, needs_doc, tuple(used))


_COUNT, _PAGE, _FACET = 0, 1, 2
# fields CKAN's searches ask for (`fl`) that its documents always hold as
# strings (`ckan.lib.search.index`): the dataset's JSON, its id and name
_TEXT_FIELDS = frozenset({"id", "name", "data_dict", "validated_data_dict"})


def _text_fields(wanted: set[str]) -> Optional[list[str]]:
    """The fields asked for (`fl`, besides the score), in order, when each
    is one that CKAN's documents always hold as a string."""
    asked = wanted - {"score"}
    if asked and asked <= _TEXT_FIELDS:
        return sorted(asked)
    return None


def _page_doc(wanted: set[str]) -> str:
    """The documents of the page as read (the columns `doc` and `texts`):
    whole, or with only the fields asked for (`fl`). CKAN's pages ask for
    the id and the dataset's JSON alone, a third of a document that also
    holds every indexed field; leaving the rest in the database spares
    decoding it. Those fields, strings, are read as text: neither the
    database nor the client handles that JSON as JSON, and the id is the
    row's own column, the dataset's JSON a column of its own
    (`fields.STORED_APART`)."""
    if not wanted or "*" in wanted:
        return f"{whole_doc()}, NULL::text[]"
    text_fields = _text_fields(wanted)
    if text_fields:
        values = ", ".join(_text_field(k) for k in text_fields)
        return f"NULL::jsonb, ARRAY[{values}]"
    return f"""(SELECT coalesce(jsonb_object_agg(e.key, e.value), '{{}}'::jsonb)
               FROM jsonb_each({whole_doc()}) AS e
               WHERE e.key = ANY(CAST(:_fl AS text[]))),
              NULL::text[]"""


def _text_field(name: str) -> str:
    """SQL of one of `_TEXT_FIELDS` of the row `t`, as text."""
    if name == "id":
        return "t.id"
    if name in fields.STORED_APART:
        return stored_apart(name)
    return f"t.doc ->> '{name}'"


def _search_sql(where: str, order: _Order, rank: str, page_rank: str,
                facet_fields: list[str], columns_only: bool, doc: str = "t.doc") -> str:
    """One statement: the number of hits, the page of documents in order,
    and the facet counts.

    A condition on the visibility columns alone (the page with no query)
    is counted from `facet_counts`, and its page read from the first rows
    of the index in the wanted order. Otherwise the matching rows are
    collected once, keeping only what ordering and facets need; the
    documents, the large part of a row, are read for the rows of the page
    alone, and so is the score when the order does not depend on it.
    """
    if columns_only and set(facet_fields) <= fields.COUNTED_FIELDS:
        return _counted_sql(where, order, page_rank, facet_fields, doc)
    usual_facets = set(facet_fields) <= fields.FACET_FIELDS
    hit_columns = ["index_id", "seq", "sort_keys", "modified_at"]
    if facet_fields:
        hit_columns.append("facet_terms AS terms" if usual_facets else "terms")
    if order.needs_doc:
        hit_columns.append("doc")
    if order.by_score:
        hit_columns.append(f"{rank} AS score")
    # unnest() in the select list (one pass) costs a quarter of a lateral
    # unnest per hit (a function scan set up for every row)
    counted = ("""
            SELECT split_part(t, '=', 1) AS field,
                   substr(t, strpos(t, '=') + 1) AS value, n
            FROM (SELECT t, count(*) AS n
                  FROM (SELECT unnest(terms) AS t FROM hits) AS entry
                  GROUP BY t) AS entries
            WHERE split_part(t, '=', 1) = ANY(CAST(:_fields AS text[]))"""
               if usual_facets else """
            SELECT split_part(t, '=', 1) AS field,
                   substr(t, strpos(t, '=') + 1) AS value, count(*) AS n
            FROM (SELECT unnest(terms) AS t FROM hits) AS entry
            WHERE split_part(t, '=', 1) = ANY(CAST(:_fields AS text[]))
            GROUP BY 1, 2""")
    page_score = ", score" if order.by_score else ""
    # row_number() over rows already in order numbers them in that order
    ctes = f"""
        WITH hits AS MATERIALIZED (
            SELECT {", ".join(hit_columns)} FROM {TABLE} WHERE {where}),
        page AS MATERIALIZED (
            SELECT index_id{page_score}, row_number() OVER () AS pos
            FROM (SELECT * FROM hits ORDER BY {order.sql}
                  LIMIT :_rows OFFSET :_start) AS ordered)"""
    return _statement(ctes, "(SELECT count(*) FROM hits)",
                      counted if facet_fields else None,
                      "page.score" if order.by_score else page_rank, doc)


def _word_sql(filters: str, order: _Order, facet_fields: list[str], doc: str) -> str:
    """A search for one kept frequent word (`:_word`), filtered on the
    visibility columns (`filters`): its page from the word's hits in
    order, with the scores stored there, and its count and facets from
    `facet_counts`, the rows of that word."""
    return _statement(frequent_words.page_sql(filters, order.sql),
                      f"({facet_counts.count_sql(filters)})",
                      facet_counts.facets_sql(filters) if facet_fields else None,
                      "page.score", doc)


def _first_rows(where: str, order: _Order) -> str:
    """The CTE `page`: the first rows of the index matching `where`, in order."""
    return f"""
        WITH page AS MATERIALIZED (
            SELECT index_id, row_number() OVER () AS pos
            FROM (SELECT index_id FROM {TABLE} WHERE {where} ORDER BY {order.sql}
                  LIMIT :_rows OFFSET :_start) AS ordered)"""


def _counted_sql(where: str, order: _Order, page_rank: str,
                 facet_fields: list[str], doc: str) -> str:
    return _statement(_first_rows(where, order), f"({facet_counts.count_sql(where)})",
                      facet_counts.facets_sql(where) if facet_fields else None,
                      page_rank, doc)


def _term_counted_sql(where: str, columns_where: str, order: _Order, page_rank: str,
                      doc: str) -> str:
    """A condition on the visibility columns and one counted entry
    (`:_term`, e.g. an agency's datasets): its number from `facet_counts`,
    its page from the first rows of the index in order, no facets."""
    return _statement(_first_rows(where, order),
                      f"({facet_counts.count_sql(columns_where, ':_term')})",
                      None, page_rank, doc)


def _conjuncts(node: lucene.Node) -> tuple[lucene.Node, ...]:
    """The parts a filter requires all of (`+capacity:public +owner_org:"…"`,
    as `package_search` writes it), or the filter itself."""
    if isinstance(node, lucene.And):
        return node.children
    if isinstance(node, lucene.MinMatch) and not node.optional and not node.excluded:
        return node.required or (node,)
    return (node,)


def _required_labels(node: lucene.Node) -> Optional[list[str]]:
    """The permission labels a filter's part requires a row to have one
    of (`permission_labels:("public" OR "member-…")`, as `package_search`
    writes it for its reader), or None when it is no such part."""
    values = node.children if isinstance(node, lucene.Or) else (node,)
    if values and all(isinstance(value, (lucene.Term, lucene.Phrase))
                      and value.field == _LABELS
                      and not (isinstance(value, lucene.Term) and value.wildcard)
                      for value in values):
        return sorted({fields.scalar_text(value.value) for value in values})
    return None


def _counted_term(node: lucene.Node) -> Optional[str]:
    """The counted entry a filter is when it is exactly one value of a
    field `facet_counts` counts (`owner_org:"…"`), else None."""
    if (isinstance(node, (lucene.Term, lucene.Phrase)) and node.field in fields.COUNTED_FIELDS
            and not (isinstance(node, lucene.Term) and node.wildcard)):
        return fields.term(node.field, node.value)
    return None


def _statement(ctes: str, count: str, counted: Optional[str], score: str,
               doc: str) -> str:
    """The rows of an answer: its count, its page, its facets (`counted`:
    field, value, n), after the CTEs that define `page`."""
    parts = [f"""
        SELECT {_COUNT} AS kind, 0::bigint AS pos, NULL::jsonb AS doc,
               NULL::text[] AS texts, NULL::real AS score, NULL AS field, NULL AS value,
               {count} AS n""", f"""
        SELECT {_PAGE}, page.pos, {doc}, ({score})::real, NULL, NULL, NULL
        FROM page JOIN {TABLE} AS t ON t.index_id = page.index_id"""]
    if counted:
        ctes += f""",
        counted AS ({counted}),
        ranked AS (
            SELECT field, value, n, row_number() OVER (
                PARTITION BY field ORDER BY n DESC, value COLLATE "C") AS r
            FROM counted WHERE n >= :_min)"""
        parts.append(f"""
        SELECT {_FACET}, r, NULL, NULL, NULL, field, value, n FROM ranked
        WHERE :_limit < 0 OR r <= :_limit""")
    return f"""{ctes}
        {" UNION ALL ".join(parts)}
        ORDER BY kind, pos"""


_SIZES = re.compile(r":(_rows|_start|_limit|_min)\b")


def _sizes_written(sql: str, values: dict[str, Any]) -> str:
    """`sql` with its sizes (rows, facet.limit and .mincount, and a start
    of 0), integers the search has checked, written into its text.

    PostgreSQL keeps a prepared statement's plan for all values only when
    that plan is estimated to cost no more than planning for each value.
    With its LIMIT, OFFSET and facet depth unknown it overestimates, so
    the statements of a kept word and of a sorted page were planned anew
    at every request (2.9 and 1.0 ms of planning at 100,000 datasets),
    and a plan kept regardless read every dataset for a page sorted by
    title. With the sizes in the text, the statement of a page size is
    planned once per connection (pages ask for a few sizes: 20 rows, 50
    facet values). The start of a later page stays a value: each page
    would be a statement of its own."""
    def written(match: re.Match) -> str:
        name = match.group(1)
        if name == "_start" and values[name] != 0:
            return match.group(0)
        return str(int(values[name]))
    return _SIZES.sub(written, sql)


def _run_once(session: Any, sql: str, params: dict[str, Any]) -> list[Any]:
    return session.execute(sa.text(sql), params).all()


@contextlib.contextmanager
def _refused_as(parameter: str) -> Iterator[None]:
    """A query the parser cannot read, refused as the parameter it came in."""
    try:
        yield
    except lucene.QuerySyntaxError as error:
        raise QueryRefused(parameter, error.template, **error.values) from None


def _one_word(node: lucene.Node) -> Optional[str]:
    """The word a query is when it is exactly one free-text word: dismax
    (`q=word`, `q=+word`) or the standard parser's `text:word`."""
    if isinstance(node, lucene.MinMatch) and not node.excluded:
        words = node.optional + node.required
        if len(words) == 1 and node.minimum == len(node.optional):
            node = words[0]
    if (isinstance(node, lucene.Term) and node.field in (None, "text")
            and not node.wildcard):
        return node.value
    return None


def _is_sortable(field: str) -> bool:
    """A known field, or one that some indexed document has."""
    return field in _ALWAYS_SORTABLE or has_field(_session(), field)


def _facet_fields(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            import json
            try:
                value = json.loads(value)
            except ValueError:
                raise QueryRefused("facet.field",
                                   N_("'facet.field' is not valid JSON")) from None
        else:
            value = [value]
    return [str(v) for v in _as_list(value)]
