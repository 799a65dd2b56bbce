"""The search index: one table in CKAN's own database.

Written through CKAN's SQLAlchemy session, so an index entry commits or
rolls back with the dataset change that produced it. There is no foreign
key to ``package``: CKAN indexes documents for packages that are not (yet)
in the database, and its test fixtures drop every table, so the table is
created when it is first needed.
"""
from __future__ import annotations

import json
from typing import Any, Iterable

import sqlalchemy as sa

from . import fields

TABLE = "kg_search_index"

_DDL = [
    f"CREATE SEQUENCE IF NOT EXISTS {TABLE}_seq",
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        index_id text PRIMARY KEY,
        id text NOT NULL,
        site_id text,
        doc jsonb NOT NULL,
        sort_keys jsonb NOT NULL,
        terms text[] NOT NULL,
        tsv tsvector NOT NULL,
        seq bigint NOT NULL DEFAULT nextval('{TABLE}_seq')
    )""",
    # Every search reads tsv for each matching row: kept uncompressed, it is
    # read without decompressing (about 3x faster matching and ranking).
    f"ALTER TABLE {TABLE} ALTER COLUMN tsv SET STORAGE EXTERNAL",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_terms_idx ON {TABLE} USING gin (terms)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_tsv_idx ON {TABLE} USING gin (tsv)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_id_idx ON {TABLE} (id)",
]

_UPSERT = sa.text(f"""
INSERT INTO {TABLE} (index_id, id, site_id, doc, sort_keys, terms, tsv)
VALUES (:index_id, :id, :site_id, CAST(:doc AS jsonb), CAST(:sort_keys AS jsonb),
    CAST(:terms AS text[]),
    setweight(to_tsvector('russian', :a) || to_tsvector('simple', :a), 'A') ||
    setweight(to_tsvector('russian', :b) || to_tsvector('simple', :b), 'B') ||
    setweight(to_tsvector('russian', :c) || to_tsvector('simple', :c), 'C'))
ON CONFLICT (index_id) DO UPDATE SET
    id = EXCLUDED.id, site_id = EXCLUDED.site_id, doc = EXCLUDED.doc,
    sort_keys = EXCLUDED.sort_keys, terms = EXCLUDED.terms, tsv = EXCLUDED.tsv,
    seq = nextval('{TABLE}_seq')
""")


def ensure_table(session: Any) -> None:
    """Create the index table if it is not there (cheap when it is)."""
    exists = session.execute(
        sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": TABLE}).scalar()
    if not exists:
        for statement in _DDL:
            session.execute(sa.text(statement))


def _json_default(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def index_row(doc: dict[str, Any]) -> dict[str, Any]:
    doc = fields.normalise_dates(doc)
    a, b, c = fields.weighted_text(doc)
    index_id = doc.get("index_id") or doc.get("id")
    if not index_id or not doc.get("id"):
        raise ValueError("a search document needs an id")
    return {
        "index_id": str(index_id),
        "id": str(doc["id"]),
        "site_id": doc.get("site_id"),
        "doc": json.dumps(doc, default=_json_default),
        # small and uncompressed: sorting never has to read the whole document
        "sort_keys": json.dumps({k: doc[k] for k in fields.SORT_KEYS if k in doc},
                                default=_json_default),
        "terms": fields.document_terms(doc),
        "a": a, "b": b, "c": c,
    }


def upsert(session: Any, docs: Iterable[dict[str, Any]]) -> None:
    rows = [index_row(doc) for doc in docs]
    if rows:
        ensure_table(session)
        session.execute(_UPSERT, rows)


def delete_where(session: Any, condition: str, params: dict[str, Any]) -> int:
    ensure_table(session)
    result = session.execute(
        sa.text(f"DELETE FROM {TABLE} WHERE {condition}"), params)
    return result.rowcount
