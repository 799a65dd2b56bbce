"""Replace a DataStore table whole: build the new one beside it, then swap.

The new table is created in the `kg_staging` schema inside one
transaction, filled (COPY, or a SELECT from the live table), given the
live table's indexes, and then takes the live table's place: the live
table is dropped and the new one moved into `public` under the same
name, with the live table's triggers, column comments (the data
dictionary), grants and dependent views (DataStore aliases). Readers see
the old rows until the commit, then the new ones; a failure, or a process
killed at any point, rolls the whole transaction back and leaves nothing
behind: the new table was never visible to anyone.

Writing a fresh table is PostgreSQL's fastest path: COPY into a table
created in the same transaction (`FREEZE`), unique indexes built once at
the end instead of row by row. Full-text indexes are built separately
(`search_indexes`), after the table is already served.

One table's builds are serialised by an advisory lock, so two loads of
the same resource never interleave.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ckanext.datastore.backend.postgres import identifier

log = logging.getLogger(__name__)

STAGING = "kg_staging"
# what CKAN's DataStore adds to every table besides the publisher's columns
OWN_COLUMNS = ("_id", "_full_text")


class TableGone(Exception):
    """The live table was removed (`datastore_delete`) while a new version
    of it was being loaded."""


@dataclass
class Live:
    """What the swap carries over from the table it replaces."""

    exists: bool = False
    columns: dict[str, str] = field(default_factory=dict)  # name -> type
    comments: dict[str, str] = field(default_factory=dict)
    primary_key: Optional[str] = None  # the `_id` constraint's name
    indexes: list[tuple[str, bool]] = field(default_factory=list)  # definition, full text
    triggers: list[str] = field(default_factory=list)
    views: list[tuple[str, str, list[str]]] = field(default_factory=list)
    grants: list[str] = field(default_factory=list)


def qualified(schema: str, name: str) -> str:
    """`schema.name` quoted, written for `public` as `pg_get_indexdef`
    writes it (`index_beside` finds the table's name in its output)."""
    return f"{identifier(schema)}.{identifier(name)}" if schema != "public" \
        else f"public.{identifier(name)}"


def ensure_staging_schema(engine: Any) -> None:
    """The schema new tables are built in: only its owner (the DataStore's
    write role) can use it."""
    import sqlalchemy as sa
    with engine.connect() as connection:
        if connection.execute(sa.text("SELECT to_regnamespace(:s)"),
                              {"s": STAGING}).scalar() is not None:
            return
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {STAGING}"))
    except sa.exc.IntegrityError:  # created meanwhile by another process
        pass


def describe(cursor: Any, table: str) -> Live:
    """The live table `public.<table>`, as far as a swap must keep it."""
    cursor.execute("SELECT to_regclass(%s)::oid", (qualified("public", table),))
    oid = cursor.fetchone()[0]
    if oid is None:
        return Live()
    live = Live(exists=True)
    cursor.execute("""
        SELECT attname, format_type(atttypid, atttypmod), col_description(attrelid, attnum)
        FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped
        ORDER BY attnum""", (oid,))
    for name, kind, comment in cursor.fetchall():
        live.columns[name] = kind
        if comment is not None:
            live.comments[name] = comment
    cursor.execute("""
        SELECT pg_get_indexdef(x.indexrelid), x.indisprimary, c.conname
        FROM pg_index x LEFT JOIN pg_constraint c
            ON c.conindid = x.indexrelid AND c.contype = 'p'
        WHERE x.indrelid = %s ORDER BY x.indexrelid""", (oid,))
    for definition, primary, constraint in cursor.fetchall():
        if primary:
            live.primary_key = constraint
        else:
            live.indexes.append((definition, _is_full_text(definition)))
    cursor.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                   "WHERE tgrelid = %s AND NOT tgisinternal ORDER BY oid", (oid,))
    live.triggers = [row[0] for row in cursor.fetchall()]
    cursor.execute("""
        SELECT DISTINCT v.oid, v.relname, pg_get_viewdef(v.oid)
        FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
        JOIN pg_class v ON v.oid = r.ev_class
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = %s AND v.oid <> %s
        ORDER BY v.oid""", (oid, oid))
    for view_oid, name, definition in cursor.fetchall():
        live.views.append((name, definition,
                           _grants(cursor, view_oid, qualified("public", name))))
    live.grants = _grants(cursor, oid, qualified("public", table))
    return live


def _is_full_text(definition: str) -> bool:
    return "to_tsvector" in definition or "_full_text" in definition


def _grants(cursor: Any, oid: int, target: str) -> list[str]:
    """GRANT statements giving `target` what `oid` grants to others."""
    cursor.execute("""
        SELECT a.privilege_type,
               CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
        FROM pg_class c, aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE c.oid = %s AND a.grantee <> c.relowner""", (oid,))
    return [f"GRANT {privilege} ON {target} TO {grantee}"
            for privilege, grantee in cursor.fetchall()]


def create_beside(cursor: Any, table: str, columns: list[tuple[str, str]],
                  live: Live) -> str:
    """An empty `kg_staging.<table>` with the DataStore's own columns and
    `columns` (name, type); a column the live table has with the same type
    keeps its comment. Its name, qualified."""
    beside = qualified(STAGING, table)
    cursor.execute(f"DROP TABLE IF EXISTS {beside}")  # only ever uncommitted; to be sure
    definitions = ", ".join(f"{identifier(name)} {kind}" for name, kind in columns)
    cursor.execute(f"CREATE TABLE {beside} (_id serial NOT NULL, _full_text tsvector, "
                   f"{definitions})")
    cursor.execute("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                   "WHERE attrelid = %s::regclass AND attnum > 0", (beside,))
    for name, kind in cursor.fetchall():
        if live.comments.get(name) is not None and live.columns.get(name) == kind:
            comment_on_column(cursor, beside, name, live.comments[name])
    return beside


def comment_on_column(cursor: Any, table: str, column: str, comment: str) -> None:
    """The comment as a literal, never a parameter: a column named like
    `Доля, %` would otherwise be read as a parameter placeholder."""
    from psycopg2 import sql
    cursor.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
        sql.SQL(table), sql.Identifier(column), sql.Literal(comment)))


def index_beside(cursor: Any, table: str, live: Live, primary_key: list[str],
                 full_text: bool) -> None:
    """Give the new table the live table's indexes: the `_id` primary key,
    the unique index of the Table Schema's primary key, and the other
    indexes (full-text ones only when `full_text`). An index naming a
    column the new table lacks is left out."""
    beside = qualified(STAGING, table)
    name = live.primary_key or f"{table}_pkey"
    cursor.execute(f"ALTER TABLE {beside} ADD CONSTRAINT {identifier(name)} "
                   "PRIMARY KEY (_id)")
    live_name = f" ON {qualified('public', table)} "
    for definition, is_full_text in live.indexes:
        if is_full_text and not full_text:
            continue
        cursor.execute("SAVEPOINT kg_index")
        try:
            cursor.execute(definition.replace(live_name, f" ON {beside} ", 1))
            cursor.execute("RELEASE SAVEPOINT kg_index")
        except Exception as error:  # noqa: BLE001 - a column of the old table
            cursor.execute("ROLLBACK TO SAVEPOINT kg_index")
            log.info("table %s: index not carried over (%s)", table, error)
    if primary_key and not _has_unique(cursor, beside, primary_key):
        cursor.execute(f"CREATE UNIQUE INDEX ON {beside} "
                       f"({', '.join(identifier(c) for c in primary_key)})")


def _has_unique(cursor: Any, beside: str, columns: list[str]) -> bool:
    cursor.execute("""
        SELECT array_agg(a.attname::text ORDER BY a.attname)
        FROM pg_index x JOIN pg_attribute a
            ON a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey)
        WHERE x.indrelid = %s::regclass AND x.indisunique AND NOT x.indisprimary
        GROUP BY x.indexrelid""", (beside,))
    return sorted(columns) in [row[0] for row in cursor.fetchall()]


def take_place(cursor: Any, table: str, live: Live) -> None:
    """The new table becomes `public.<table>`, with the live table's
    triggers (CKAN's full-text trigger), grants and views. The caller
    commits."""
    target = qualified("public", table)
    cursor.execute(f"LOCK TABLE {target} IN ACCESS EXCLUSIVE MODE")
    for name, _definition, _grants in live.views:
        cursor.execute(f"DROP VIEW {qualified('public', name)}")
    cursor.execute(f"DROP TABLE {target}")
    cursor.execute(f"ALTER TABLE {qualified(STAGING, table)} SET SCHEMA public")
    for definition in live.triggers:
        cursor.execute(definition)
    for name, definition, grants in live.views:
        cursor.execute(f"CREATE VIEW {qualified('public', name)} AS {definition}")
        for grant in grants:
            cursor.execute(grant)
    for grant in live.grants:
        cursor.execute(grant)


def lock(cursor: Any, table: str) -> None:
    """Wait for any other build of this table; held until commit."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"kg-table:{table}",))


def replace(engine: Any, table: str, columns: list[tuple[str, str]],
            primary_key: list[str], fill: Callable[[Any, str], int],
            full_text: bool = False,
            before_swap: Callable[[], None] = lambda: None) -> int:
    """Build the new `table` with `fill(cursor, name)` (which returns the
    number of rows it wrote) and swap it in; the number of rows. The
    Table Schema's `primary_key` gets a unique index. `before_swap` runs
    once the new table is complete, before the live one is locked (readers
    are held up only by the swap itself), and may refuse it by raising."""
    ensure_staging_schema(engine)
    connection = engine.raw_connection()
    try:
        with connection.cursor() as cursor:
            lock(cursor, table)
            live = describe(cursor, table)
            if not live.exists:  # CKAN declares every table first (its grants,
                raise TableGone(table)  # trigger and dictionary): removed meanwhile
            beside = create_beside(cursor, table, columns, live)
            count = fill(cursor, beside)
            index_beside(cursor, table, live, primary_key, full_text)
            before_swap()
            take_place(cursor, table, live)
            cursor.execute("DELETE FROM _table_stats WHERE resource_id = %s", (table,))
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()
    return count
