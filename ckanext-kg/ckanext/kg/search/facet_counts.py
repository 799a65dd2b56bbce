"""Facet counts of the whole catalogue, kept exact in each write's transaction.

The busiest page, `/dataset` with no query, asks for the number of datasets
and the facet counts over everything its reader may see. Counting them from
the index reads every row; this table holds them instead: per visibility
(the filter columns CKAN adds to every query and the dataset's permission
labels) and facet entry (`organization=agency`, ...; `''` counts the
datasets themselves), how many datasets have it. A query whose condition is
only on those columns is answered by summing these rows, with the very
condition it has on the index (the columns have the same names), so it
counts exactly the datasets its reader may see.

Writes never wait for each other here until they commit: a statement
trigger on the index appends its changes (+1/-1 per entry, from its
transition tables) to `DELTAS`, rows no other transaction can see; at
commit, a deferred trigger adds the transaction's deltas, summed, to the
counts in one statement (locking its rows in one order, so commits do not
deadlock) and deletes them. A rollback, of the transaction or of a
savepoint, takes its deltas with it. A reader in a transaction that has
written adds its own deltas, not yet committed, to the counts; any other
reader skips the deltas table.
"""
from __future__ import annotations

TABLE = "kg_search_index"
COUNTS = f"{TABLE}_facet_counts"
DELTAS = f"{TABLE}_facet_deltas"
PENDING = f"{TABLE}_facet_pending"
KEY = "site_id, capacity, state, dataset_type, permission_labels, term"
_FLAG = "kg_search.facet_deltas"


def _changes(sources: list[tuple[str, int]]) -> str:
    selects = " UNION ALL ".join(
        f"SELECT site_id, capacity, state, dataset_type, permission_labels, "
        f"entry AS term, {sign} AS d "
        f"FROM {rows}, unnest(array_append(facet_terms, ''::text)) AS entry"
        for rows, sign in sources)
    return f"""
        INSERT INTO {DELTAS} ({KEY}, n)
        SELECT {KEY}, sum(d) FROM ({selects}) AS changes
        GROUP BY {KEY} HAVING sum(d) <> 0"""


def _on_change(name: str, sources: list[tuple[str, int]]) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_changes(sources)};
            IF coalesce(current_setting('{_FLAG}', true), '') = '' THEN
                INSERT INTO {PENDING} (xid) VALUES (txid_current())
                    ON CONFLICT DO NOTHING;
                PERFORM set_config('{_FLAG}', 'pending', true);
            END IF;
            RETURN NULL;
        END $$"""


_APPLY = f"""
    CREATE OR REPLACE FUNCTION {COUNTS}_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {COUNTS} AS c ({KEY}, n)
        SELECT {KEY}, sum(n) FROM {DELTAS}
        GROUP BY {KEY} HAVING sum(n) <> 0
        ORDER BY {KEY}
        ON CONFLICT ({KEY}) DO UPDATE SET n = c.n + EXCLUDED.n;
        DELETE FROM {DELTAS};
        DELETE FROM {PENDING} WHERE xid = NEW.xid;
        PERFORM set_config('{_FLAG}', '', true);
        RETURN NULL;
    END $$"""

_KEY_COLUMNS = """site_id text, capacity text, state text, dataset_type text,
        permission_labels text[] NOT NULL, term text NOT NULL, n bigint NOT NULL"""
# small tables updated often: vacuumed often, room for updates in place
_OFTEN_VACUUMED = ("autovacuum_vacuum_scale_factor = 0, "
                   "autovacuum_vacuum_threshold = 1000, "
                   "autovacuum_analyze_scale_factor = 0.05")

DDL = [
    f"DROP TABLE IF EXISTS {COUNTS}, {DELTAS}, {PENDING}",
    f"""CREATE TABLE {COUNTS} ({_KEY_COLUMNS},
        UNIQUE NULLS NOT DISTINCT ({KEY}))
        WITH (fillfactor = 70, {_OFTEN_VACUUMED})""",
    f"CREATE TABLE {DELTAS} ({_KEY_COLUMNS}) WITH ({_OFTEN_VACUUMED})",
    f"CREATE TABLE {PENDING} (xid bigint PRIMARY KEY)",
    _on_change(f"{COUNTS}_on_insert", [("new_rows", 1)]),
    _on_change(f"{COUNTS}_on_update", [("new_rows", 1), ("old_rows", -1)]),
    _on_change(f"{COUNTS}_on_delete", [("old_rows", -1)]),
    _APPLY,
    f"""CREATE TRIGGER {COUNTS}_insert AFTER INSERT ON {TABLE}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {COUNTS}_on_insert()""",
    f"""CREATE TRIGGER {COUNTS}_update AFTER UPDATE ON {TABLE}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {COUNTS}_on_update()""",
    f"""CREATE TRIGGER {COUNTS}_delete AFTER DELETE ON {TABLE}
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {COUNTS}_on_delete()""",
    f"""CREATE CONSTRAINT TRIGGER {COUNTS}_at_commit AFTER INSERT ON {PENDING}
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION {COUNTS}_apply()""",
]

# The deltas are read only by a transaction that wrote some: a long write
# (a whole `search-index rebuild`) fills the table with rows every other
# reader would scan and find invisible.
_VISIBLE = f"""(SELECT {KEY}, n FROM {COUNTS}
                UNION ALL SELECT {KEY}, n FROM {DELTAS}
                WHERE current_setting('{_FLAG}', true) = 'pending')"""


def count_sql(where: str) -> str:
    """The number of datasets matching `where` (a condition on the
    visibility columns only)."""
    return (f"SELECT coalesce(sum(n), 0)::bigint FROM {_VISIBLE} AS c "
            f"WHERE term = '' AND {where}")


def facets_sql(where: str) -> str:
    """field, value, n of the wanted facet fields (`:_fields`) over the
    datasets matching `where`."""
    return f"""
        SELECT split_part(term, '=', 1) AS field,
               substr(term, strpos(term, '=') + 1) AS value, n
        FROM (SELECT term, sum(n)::bigint AS n FROM {_VISIBLE} AS c
              WHERE term <> '' AND {where}
              GROUP BY term) AS entries
        WHERE split_part(term, '=', 1) = ANY(CAST(:_fields AS text[]))"""
