"""The search index: one table in CKAN's own database.

Written through CKAN's SQLAlchemy session, so an index entry commits or
rolls back with the dataset change that produced it. There is no foreign
key to ``package``: CKAN indexes documents for packages that are not (yet)
in the database, and its test fixtures drop every table, so the table is
created when it is first needed.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Iterable, Optional

import sqlalchemy as sa

from . import facet_counts, fields, frequent_words, sort_order

log = logging.getLogger(__name__)

TABLE = "kg_search_index"
# Every field name any indexed document has had: what can be sorted on.
FIELDS_TABLE = f"{TABLE}_fields"
# Per visibility (the filter columns and the permission labels) and facet
# entry, how many datasets have it: what a page with no query counts
# (see `facet_counts.py`).
COUNTS_TABLE = f"{TABLE}_facet_counts"
# The layout's version, kept as the table's comment. A table of an older
# layout is rebuilt from the documents it stores, or has what is new added
# to it (`_ADDED_SINCE`; see `ensure_table`).
LAYOUT = "kg-search layout 12"
# Older layouts that become this one by adding to them, not by a rebuild:
# layout 8 added the index of visibilities, layout 9 the index's version,
# layout 10 the counts of `fields.COUNTED_ONLY_FIELDS` (`owner_org`; writes
# wait meanwhile, so that none is counted by the triggers before) and the
# index of write order, layout 11 the permission labels' versions and GIN
# indexes written at once, layout 12 the columns of the dataset's JSON
# (`STORED_APART`) and hits holding one sort key.
_VERSIONED = [*facet_counts.VERSION_DDL, *facet_counts.LABEL_VERSIONS_DDL,
              facet_counts.APPLY]
_OWNERS_COUNTED = [f"LOCK TABLE {TABLE} IN SHARE MODE", *facet_counts.CHANGE_FUNCTIONS,
                   facet_counts.counted_only_sql(frequent_words.HITS),
                   sort_order.WRITE_ORDER_INDEX, *facet_counts.EVERY_VERSION_RENEWED]
# The GIN indexes of words and terms take each write at once, not through
# their pending list (PostgreSQL's `fastupdate`). That list grew with every
# write until a vacuum or its 4 MB limit merged it, and every search of a
# word or a term read all of it: 115 pages after the search benchmark's
# writes at 100,000 datasets, about 1.3 ms of a rare word's search. The
# write that passed the limit merged it in the request: 50 rows took 3.7
# to 4.6 s instead of 0.7 s. Written at once, 50 rows take 0.8 s, every
# time (layout 11; the list left by an older layout is merged once).
_GIN_WRITTEN_AT_ONCE = [
    statement
    for index in (f"{TABLE}_terms_idx", f"{TABLE}_tsv_idx")
    for statement in (f"ALTER INDEX {index} SET (fastupdate = off)",
                      f"SELECT gin_clean_pending_list('{index}'::regclass)")]
_LABELLED = [*facet_counts.LABEL_VERSIONS_DDL, *facet_counts.CHANGE_FUNCTIONS,
             facet_counts.APPLY, *_GIN_WRITTEN_AT_ONCE]
# The dataset's JSON as CKAN stores it in its search documents
# (`fields.STORED_APART`: `validated_data_dict`, which every page of
# results returns, and `data_dict`) has a column each, apart from `doc`.
# Inside `doc` the page read the whole document out of line to return one
# of its fields: 19 kB of JSON at the benchmark's datasets, 6.7 kB
# compressed, of which `validated_data_dict` is 2.5 kB. Rows written
# before keep them in `doc`, and are read as they are (`whole_doc`,
# `stored_apart`): adding the columns writes no row.
_STORED_APART = [f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {name} text"
                 for name in fields.STORED_APART]
# Layout 12 also writes a kept word's hits with the one sort key they are
# ordered by (`frequent_words._sort_keys_served`); hits written before
# hold them all, and are read alike.
_LAYOUT_12 = [*_STORED_APART, *frequent_words.WRITE_FUNCTIONS]
_ADDED_SINCE = {
    "kg-search layout 7": [facet_counts.VISIBILITIES_INDEX, *_VERSIONED, *_OWNERS_COUNTED,
                           *_GIN_WRITTEN_AT_ONCE, *_LAYOUT_12],
    "kg-search layout 8": [*_VERSIONED, *_OWNERS_COUNTED, *_GIN_WRITTEN_AT_ONCE,
                           *_LAYOUT_12],
    "kg-search layout 9": [*_LABELLED, *_OWNERS_COUNTED, *_LAYOUT_12],
    "kg-search layout 10": [*_LABELLED, *_LAYOUT_12],
    "kg-search layout 11": _LAYOUT_12,
}

_DDL = [
    f"CREATE SEQUENCE IF NOT EXISTS {TABLE}_seq",
    f"""CREATE TABLE {TABLE} (
        index_id text PRIMARY KEY,
        id text NOT NULL,
        site_id text,
        capacity text,
        state text,
        dataset_type text,
        permission_labels text[] NOT NULL DEFAULT '{{}}',
        sort_keys jsonb NOT NULL,
        terms text[] NOT NULL,
        facet_terms text[] NOT NULL,
        tsv tsvector NOT NULL,
        seq bigint NOT NULL DEFAULT nextval('{TABLE}_seq'),
        modified_at timestamptz,
        doc jsonb NOT NULL,
        data_dict text,
        validated_data_dict text
    ) WITH (toast_tuple_target = 8160)""",
    # What every search reads for each candidate row (filters, `terms`,
    # `tsv`, `sort_keys`) stays in the row (MAIN), so a scan never has to
    # fetch TOAST chunks. Only `doc`, read for the rows of one page, is
    # moved out of line. With a Zipf vocabulary a row's `tsv` and `terms`
    # alone take about 4 kB: at a lower toast_tuple_target PostgreSQL moved
    # `tsv` (EXTERNAL, layout 4) or `sort_keys` (layout 5) out of line, so a
    # common word's scan, or the sort of its hits, fetched TOAST for each of
    # tens of thousands of rows. A full page's target keeps them all in the
    # row, uncompressed (compression is tried only above the target).
    f"ALTER TABLE {TABLE} ALTER COLUMN terms SET STORAGE MAIN",
    f"ALTER TABLE {TABLE} ALTER COLUMN facet_terms SET STORAGE MAIN",
    f"ALTER TABLE {TABLE} ALTER COLUMN tsv SET STORAGE MAIN",
    f"ALTER TABLE {TABLE} ALTER COLUMN sort_keys SET STORAGE MAIN",
    f"ALTER TABLE {TABLE} ALTER COLUMN permission_labels SET STORAGE MAIN",
    f"ALTER TABLE {TABLE} ALTER COLUMN doc SET STORAGE EXTENDED",
    # written at once (see `_GIN_WRITTEN_AT_ONCE`)
    f"CREATE INDEX {TABLE}_terms_idx ON {TABLE} USING gin (terms) WITH (fastupdate = off)",
    f"CREATE INDEX {TABLE}_tsv_idx ON {TABLE} USING gin (tsv) WITH (fastupdate = off)",
    f"CREATE INDEX {TABLE}_id_idx ON {TABLE} (id)",
    f"CREATE TABLE IF NOT EXISTS {FIELDS_TABLE} (field text PRIMARY KEY)",
    *sort_order.INDEXES,
    *frequent_words.DDL,
    *facet_counts.DDL,
    f"COMMENT ON TABLE {TABLE} IS '{LAYOUT}'",
    # a table made anew holds none of the answers kept before
    *facet_counts.EVERY_VERSION_RENEWED,
]

_COLUMNS = ("index_id, id, site_id, capacity, state, dataset_type, permission_labels, "
            "doc, data_dict, validated_data_dict, sort_keys, terms, facet_terms, tsv, "
            "modified_at")

_UPSERT = sa.text(f"""
INSERT INTO {TABLE} ({_COLUMNS})
VALUES (:index_id, :id, :site_id, :capacity, :state, :dataset_type,
    CAST(:permission_labels AS text[]), CAST(:doc AS jsonb), :data_dict,
    :validated_data_dict, CAST(:sort_keys AS jsonb), CAST(:terms AS text[]),
    CAST(:facet_terms AS text[]),
    setweight(to_tsvector('russian', :a) || to_tsvector('simple', :a), 'A') ||
    setweight(to_tsvector('russian', :b) || to_tsvector('simple', :b), 'B') ||
    setweight(to_tsvector('russian', :c) || to_tsvector('simple', :c), 'C'),
    {sort_order.time_of("CAST(:sort_keys AS jsonb)", "'metadata_modified'")})
ON CONFLICT (index_id) DO UPDATE SET
    id = EXCLUDED.id, site_id = EXCLUDED.site_id, capacity = EXCLUDED.capacity,
    state = EXCLUDED.state, dataset_type = EXCLUDED.dataset_type,
    permission_labels = EXCLUDED.permission_labels, doc = EXCLUDED.doc,
    data_dict = EXCLUDED.data_dict, validated_data_dict = EXCLUDED.validated_data_dict,
    sort_keys = EXCLUDED.sort_keys, terms = EXCLUDED.terms,
    facet_terms = EXCLUDED.facet_terms, tsv = EXCLUDED.tsv,
    modified_at = EXCLUDED.modified_at, seq = nextval('{TABLE}_seq')
""")


def ensure_table(session: Any, settings: Optional[dict[str, str]] = None
                 ) -> Optional[str]:
    """Create the index table if it is not there (cheap when it is), and
    give the transaction `settings` (name: value, as `SET LOCAL`) in the
    same round trip: on a busy server each round trip waits for the
    processor, the database's and then the caller's. Returns the kept
    words' generation (`frequent_words.word_id`) when the table was there.

    Creating it, or rebuilding a table of an older layout from the documents
    it stores, happens in a transaction of its own that commits at once:
    a search request, whose transaction is never committed, must not redo
    it on every request. An upgrade needs no `search-index rebuild`, and a
    failed rebuild leaves the old table as it was. An upgrade waits for the
    transactions that have read the index (layout 11 alters its GIN
    indexes); it is the first thing a request does with the index.
    """
    layout, generation = _layout(session, settings or {})
    if layout == LAYOUT:
        return generation
    with session.get_bind().connect() as connection:
        with connection.begin():
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:t))"),
                               {"t": TABLE})
            layout, _ = _layout(connection)  # another process may have done it
            if layout is None:
                _create(connection)
            elif layout in _ADDED_SINCE:
                for statement in _ADDED_SINCE[layout]:
                    connection.execute(sa.text(statement))
                connection.execute(sa.text(f"COMMENT ON TABLE {TABLE} IS '{LAYOUT}'"))
            elif layout != LAYOUT:
                _rebuild_from_old_layout(connection)
    return None


def _layout(connection: Any, settings: Optional[dict[str, str]] = None
            ) -> tuple[Optional[str], Optional[str]]:
    """The table's layout ("" for an unmarked or incomplete one, None when
    it is absent) and the kept words' generation; sets `settings` for the
    transaction meanwhile."""
    settings = settings or {}
    names = {f"_s{k}": name for k, name in enumerate(settings)}
    values = {f"_v{k}": value for k, value in enumerate(settings.values())}
    exists, complete, comment, generation, *_set = connection.execute(sa.text(
        "SELECT to_regclass(:t) IS NOT NULL, "
        "to_regclass(:f) IS NOT NULL AND to_regclass(:c) IS NOT NULL "
        "AND to_regclass(:w) IS NOT NULL AND to_regclass(:h) IS NOT NULL, "
        f"obj_description(to_regclass(:t), 'pg_class'), {frequent_words.generation_sql('w')}"
        + "".join(f", set_config(:_s{k}, :_v{k}, true)" for k in range(len(settings)))),
        {"t": TABLE, "f": FIELDS_TABLE, "c": COUNTS_TABLE,
         "w": frequent_words.WORDS, "h": frequent_words.HITS, **names, **values}).one()
    if not exists:
        return None, None
    return ((comment or "") if complete else ""), generation


def _create(connection: Any) -> None:
    for statement in _DDL:
        connection.execute(sa.text(statement))


def _rebuild_from_old_layout(connection: Any) -> None:
    old = f"{TABLE}_old_layout"
    connection.execute(sa.text(f"ALTER TABLE {TABLE} RENAME TO {old}"))
    for index in ("terms_idx", "tsv_idx", "id_idx", "pkey", *sort_order.INDEX_NAMES):
        connection.execute(sa.text(
            f"ALTER INDEX IF EXISTS {TABLE}_{index} RENAME TO {old}_{index}"))
    _create(connection)
    # in batches, so that a national catalogue's documents never all sit
    # in memory at once; a layout without the columns of `STORED_APART`
    # has them in `doc`
    present = set(connection.execute(sa.text(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(:t) "
        "AND attnum > 0 AND NOT attisdropped"), {"t": old}).scalars())
    apart = ", ".join(f"o.{name}" if name in present else "NULL"
                      for name in fields.STORED_APART)
    docs = connection.execute(sa.text(f"SELECT o.doc, {apart} FROM {old} AS o ORDER BY seq")
                              .execution_options(stream_results=True))
    count = 0
    for batch in docs.partitions(2000):
        _write(connection, [index_row(_joined(doc, columns)) for doc, *columns in batch])
        count += len(batch)
    connection.execute(sa.text(f"DROP TABLE {old}"))
    log.warning("Search index: rebuilt %d documents in the new layout (%s)",
                count, LAYOUT)


def _joined(doc: dict[str, Any], columns: list[Optional[str]]) -> dict[str, Any]:
    """A document read whole again from `doc` and its `STORED_APART` columns."""
    return {**doc, **{name: value for name, value in zip(fields.STORED_APART, columns,
                                                         strict=True)
                      if value is not None}}


def stored_apart(name: str, alias: str = "t") -> str:
    """SQL of the field `name` of `fields.STORED_APART` of the row `alias`:
    its column, or for a row written before the column (layout 11 and
    older), its place in `doc`."""
    return f"coalesce({alias}.{name}, {alias}.doc ->> '{name}')"


def whole_doc(alias: str = "t") -> str:
    """SQL of the whole document of the row `alias`, as it was indexed."""
    columns = ", ".join(f"'{name}', {alias}.{name}" for name in fields.STORED_APART)
    return f"({alias}.doc || jsonb_strip_nulls(jsonb_build_object({columns})))"


def _json_default(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def index_row(doc: dict[str, Any]) -> dict[str, Any]:
    doc = fields.normalise_dates(doc)
    a, b, c = fields.weighted_text(doc)
    terms = fields.document_terms(doc)
    index_id = doc.get("index_id") or doc.get("id")
    if not index_id or not doc.get("id"):
        raise ValueError("a search document needs an id")
    # CKAN's documents hold them as text; anything else stays in `doc`
    apart = {name: doc.get(name) if isinstance(doc.get(name), str) else None
             for name in fields.STORED_APART}
    return {
        "index_id": str(index_id),
        "id": str(doc["id"]),
        **fields.column_values(doc),
        "doc": json.dumps({k: v for k, v in doc.items()
                           if apart.get(k) is None}, default=_json_default),
        **apart,
        # small and uncompressed: sorting never has to read the whole document
        "sort_keys": json.dumps({k: doc[k] for k in fields.SORT_KEYS if k in doc},
                                default=_json_default),
        "terms": terms,
        "facet_terms": fields.facet_terms(terms),
        "a": a, "b": b, "c": c,
        "field_names": sorted(doc),
    }


def upsert(session: Any, docs: Iterable[dict[str, Any]]) -> None:
    rows = [index_row(doc) for doc in docs]
    if rows:
        ensure_table(session)
        _write(session, rows)


def _write(connection: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    connection.execute(_UPSERT, rows)
    # sorted, so that concurrent writers of new names wait in one order
    names = sorted({name for row in rows for name in row["field_names"]})
    connection.execute(sa.text(
        f"INSERT INTO {FIELDS_TABLE} (field) SELECT unnest(CAST(:names AS text[])) "
        "ON CONFLICT DO NOTHING"), {"names": names})


def has_field(session: Any, field: str) -> bool:
    """Whether any document indexed so far has had the field."""
    ensure_table(session)
    return bool(session.execute(sa.text(
        f"SELECT EXISTS (SELECT 1 FROM {FIELDS_TABLE} WHERE field = :f)"),
        {"f": field}).scalar())


def delete_where(session: Any, condition: str, params: dict[str, Any]) -> int:
    ensure_table(session)
    result = session.execute(
        sa.text(f"DELETE FROM {TABLE} WHERE {condition}"), params)
    return result.rowcount
