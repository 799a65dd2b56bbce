"""The gate's own tables in CKAN's database, created when first needed
(CKAN's test fixtures drop every table), by one transaction at a time.

PostgreSQL's `CREATE TABLE IF NOT EXISTS` is not safe against another
transaction creating the same table: the second one fails on the catalogue's
unique index once the first commits. A fresh portal does exactly that when
the jobs worker stores the first report while a page asks for it.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

_EXISTS = sa.text("SELECT to_regclass(:t) IS NOT NULL")


def exists(connection: Any, table: str) -> bool:
    return bool(connection.execute(_EXISTS, {"t": table}).scalar())


def ensure(connection: Any, table: str, ddl: str) -> None:
    """Create `table` with `ddl` unless it exists; a transaction creating
    it meanwhile is waited for (an advisory lock held until commit)."""
    if exists(connection, table):
        return
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": table})
    if not exists(connection, table):
        connection.execute(sa.text(ddl))
