"""Validation reports, stored against the checksum of the file they judged.

A report belongs to one file: a resource whose file changes has no report
until the new file has been validated, so an old success can never vouch
for a new file. The table lives in CKAN's database, written in the
caller's transaction, and is created when first needed (CKAN's test
fixtures drop every table).
"""
from __future__ import annotations

import json
from typing import Any, Optional

import sqlalchemy as sa

from ckanext.kg.publishing.gate import tables

TABLE = "kg_validation_report"
_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    resource_id text NOT NULL,
    checksum text NOT NULL,
    status text NOT NULL,
    report jsonb NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (resource_id, checksum))"""

SUCCESS, FAILURE, NEEDS_SCHEMA = "success", "failure", "needs-schema"


def _ensure_table(session: Any) -> None:
    tables.ensure(session, TABLE, _DDL)


def save(session: Any, resource_id: str, checksum: str, status: str,
         report: dict[str, Any]) -> None:
    _ensure_table(session)
    session.execute(sa.text(f"""
        INSERT INTO {TABLE} (resource_id, checksum, status, report)
        VALUES (:r, :c, :s, CAST(:j AS jsonb))
        ON CONFLICT (resource_id, checksum) DO UPDATE
        SET status = EXCLUDED.status, report = EXCLUDED.report, created = now()"""),
        {"r": resource_id, "c": checksum, "s": status,
         "j": json.dumps(report, ensure_ascii=False, default=str)})


def find(session: Any, resource_id: str, checksum: str) -> Optional[dict[str, Any]]:
    if not tables.exists(session, TABLE):  # no report stored yet: nothing to create
        return None
    row = session.execute(sa.text(
        f"SELECT status, report, created FROM {TABLE} "
        "WHERE resource_id = :r AND checksum = :c"),
        {"r": resource_id, "c": checksum}).first()
    if row is None:
        return None
    return {"status": row.status, "report": row.report,
            "created": row.created.isoformat(), "checksum": checksum}


def remove(session: Any, resource_id: str) -> None:
    """Every report of a resource that is no more."""
    if not tables.exists(session, TABLE):
        return
    session.execute(sa.text(f"DELETE FROM {TABLE} WHERE resource_id = :r"),
                    {"r": resource_id})
