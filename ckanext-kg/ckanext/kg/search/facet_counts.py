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

from . import fields

TABLE = "kg_search_index"
COUNTS = f"{TABLE}_facet_counts"
DELTAS = f"{TABLE}_facet_deltas"
PENDING = f"{TABLE}_facet_pending"
WORDS = f"{TABLE}_words"  # the frequent words kept (`frequent_words.py`)
_VISIBILITY = ("site_id", "capacity", "state", "dataset_type", "permission_labels")
# word_id 0 counts the whole catalogue; any other, the datasets matching
# that frequent word
_SCOPE = ("word_id",) + _VISIBILITY
KEY = ", ".join(_SCOPE) + ", term"
_FIELD_OF_TERM = "split_part(term, '=', 1)"
_DEPTH = 2  # candidates per visibility, in multiples of facet.limit
_FLAG = "kg_search.facet_deltas"
# The index's version: a new number from the index's sequence at the
# commit of every transaction that wrote to the index (by the trigger that
# applies its counts), never one a rolled-back transaction took. A search
# answer read under a version holds for as long as the version is the
# committed one (`result_cache.py`). Outside the layout's tables: dropping
# and rebuilding them must not give an old number again; and should the
# table and the sequence be made anew (`ckan db clean`), `made` differs.
VERSION = f"{TABLE}_version"
# Each permission label's version: a new number from the same sequence at
# the commit of every transaction that wrote an index row having that
# label before or after the write. A search that requires its rows to have
# one of some labels (CKAN's filter on the reader's labels) depends on no
# row having none of them, so the sum of those labels' versions changes
# whenever a row it could see does, and only then: a private dataset's
# write leaves an anonymous reader's answers standing. A sum, not the
# greatest: transactions bumping two labels may commit in the other order
# than they took their numbers, but each label's own number only grows,
# its row being locked from the number's taking to the commit.
LABEL_VERSIONS = f"{TABLE}_label_versions"
# the labels this transaction's writes touched, not yet committed (as
# `DELTAS`, rows no other transaction sees; no unique key, so writers of
# the same label never wait for each other before they commit)
TOUCHED = f"{TABLE}_touched_labels"
VERSION_DDL = [
    f"""CREATE TABLE IF NOT EXISTS {VERSION} (
        n bigint NOT NULL, made uuid NOT NULL DEFAULT gen_random_uuid())""",
    f"""INSERT INTO {VERSION} SELECT nextval('{TABLE}_seq')
        WHERE NOT EXISTS (SELECT FROM {VERSION})""",
]
LABEL_VERSIONS_DDL = [
    f"""CREATE TABLE IF NOT EXISTS {LABEL_VERSIONS} (
        label text PRIMARY KEY, n bigint NOT NULL)
        WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0,
              autovacuum_vacuum_threshold = 1000)""",
    f"""CREATE TABLE IF NOT EXISTS {TOUCHED} (label text NOT NULL)
        WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000)""",
]
# every label's version and the index's: after what changes answers
# without writing rows (the kept words, a table made anew); labels first,
# in their order, as a commit takes them
VERSION_RENEW = f"UPDATE {VERSION} SET n = nextval('{TABLE}_seq')"
EVERY_VERSION_RENEWED = [
    f"""UPDATE {LABEL_VERSIONS} AS v SET n = nextval('{TABLE}_seq')
        FROM (SELECT label FROM {LABEL_VERSIONS} ORDER BY label FOR UPDATE) AS l
        WHERE v.label = l.label""",
    VERSION_RENEW,
]
# the committed version, and whether this transaction's own index writes
# are still uncommitted (its answers hold for it alone)
VERSION_READ = (f"SELECT made, n, current_setting('{_FLAG}', true) = 'pending' "
                f"FROM {VERSION}")
# the same with the sum of the versions of the labels `:labels`
LABELLED_VERSION_READ = (
    f"SELECT made, (SELECT coalesce(sum(n), 0) FROM {LABEL_VERSIONS} "
    f"WHERE label = ANY(CAST(:labels AS text[]))), "
    f"current_setting('{_FLAG}', true) = 'pending' FROM {VERSION}")


def counted_entries(row: str) -> str:
    """The entries of the index row `row` that are counted: its
    `facet_terms`, those of `fields.COUNTED_ONLY_FIELDS` from its `terms`,
    and `''` (the dataset itself)."""
    return (f"array_append({row}.facet_terms || ARRAY(SELECT t FROM unnest({row}.terms) "
            f"AS t WHERE {_counted_only('t')}), ''::text)")


def _counted_only(entry: str) -> str:
    """Whether the `terms` entry `entry` is one of `fields.COUNTED_ONLY_FIELDS`."""
    return " OR ".join(f"starts_with({entry}, '{field}{fields.TERM_SEPARATOR}')"
                       for field in sorted(fields.COUNTED_ONLY_FIELDS))


def _changes(sources: list[tuple[str, int]]) -> str:
    # each row counts for the whole catalogue (word 0) and for every
    # frequent word it matches, exactly as a search for that word tests it
    selects = " UNION ALL ".join(
        f"SELECT s.word_id, r.site_id, r.capacity, r.state, r.dataset_type, "
        f"r.permission_labels, entry AS term, {sign} AS d "
        f"FROM {rows} AS r CROSS JOIN LATERAL ("
        f"SELECT 0 AS word_id UNION ALL "
        f"SELECT w.word_id FROM {WORDS} AS w WHERE r.tsv @@ w.query) AS s, "
        f"unnest({counted_entries('r')}) AS entry"
        for rows, sign in sources)
    return f"""
        INSERT INTO {DELTAS} ({KEY}, n)
        SELECT {KEY}, sum(d) FROM ({selects}) AS changes
        GROUP BY {KEY} HAVING sum(d) <> 0"""


def _touched(sources: list[tuple[str, int]]) -> str:
    """Every label the written rows had, before or after the write."""
    rows = " UNION ALL ".join(f"SELECT permission_labels FROM {r}" for r, _ in sources)
    return (f"INSERT INTO {TOUCHED} (label) "
            f"SELECT DISTINCT unnest(permission_labels) FROM ({rows}) AS r")


def _on_change(name: str, sources: list[tuple[str, int]]) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_changes(sources)};
            {_touched(sources)};
            IF coalesce(current_setting('{_FLAG}', true), '') = '' THEN
                INSERT INTO {PENDING} (xid) VALUES (txid_current())
                    ON CONFLICT DO NOTHING;
                PERFORM set_config('{_FLAG}', 'pending', true);
            END IF;
            RETURN NULL;
        END $$"""


# at commit: the versions of the labels this transaction touched, in their
# order (so that commits do not deadlock), each a new number taken once
# its row is locked
LABELS_RENEW = f"""
        INSERT INTO {LABEL_VERSIONS} AS v (label, n)
        SELECT label, nextval('{TABLE}_seq')
        FROM (SELECT DISTINCT label FROM {TOUCHED} ORDER BY label) AS t
        ON CONFLICT (label) DO UPDATE SET n = nextval('{TABLE}_seq');
        DELETE FROM {TOUCHED}"""
APPLY = f"""
    CREATE OR REPLACE FUNCTION {COUNTS}_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {COUNTS} AS c ({KEY}, n)
        SELECT {KEY}, sum(n) FROM {DELTAS}
        GROUP BY {KEY} HAVING sum(n) <> 0
        ORDER BY {KEY}
        ON CONFLICT ({KEY}) DO UPDATE SET n = c.n + EXCLUDED.n;
        DELETE FROM {DELTAS};
        DELETE FROM {PENDING} WHERE xid = NEW.xid;
        {LABELS_RENEW};
        {VERSION_RENEW};
        PERFORM set_config('{_FLAG}', '', true);
        RETURN NULL;
    END $$"""

# what each write to the index adds to the deltas
CHANGE_FUNCTIONS = [
    _on_change(f"{COUNTS}_on_insert", [("new_rows", 1)]),
    _on_change(f"{COUNTS}_on_update", [("new_rows", 1), ("old_rows", -1)]),
    _on_change(f"{COUNTS}_on_delete", [("old_rows", -1)]),
]


def counted_only_sql(hits: str) -> str:
    """The counts of the entries of `fields.COUNTED_ONLY_FIELDS`, for an
    index whose counts have none of them (layouts before 10): over the
    whole catalogue (word 0) and over each kept word's hits (`hits`, the
    table of `frequent_words.HITS`). Run with writes to the index held
    back, in the transaction that makes the triggers count them."""
    visibility = "r.site_id, r.capacity, r.state, r.dataset_type, r.permission_labels"
    return f"""
        INSERT INTO {COUNTS} ({KEY}, n)
        SELECT s.word_id, {visibility}, entry, count(*)
        FROM (SELECT 0 AS word_id, index_id FROM {TABLE}
              UNION ALL SELECT word_id, index_id FROM {hits}) AS s
        JOIN {TABLE} AS r USING (index_id), unnest(r.terms) AS entry
        WHERE {_counted_only('entry')}
        GROUP BY s.word_id, {visibility}, entry"""


_KEY_COLUMNS = """word_id int NOT NULL, site_id text, capacity text, state text, dataset_type text,
        permission_labels text[] NOT NULL, term text NOT NULL, n bigint NOT NULL"""
# small tables updated often: vacuumed often, room for updates in place
_OFTEN_VACUUMED = ("autovacuum_vacuum_scale_factor = 0, "
                   "autovacuum_vacuum_threshold = 1000, "
                   "autovacuum_analyze_scale_factor = 0.05")

# The visibilities a reader may see, and their numbers of datasets (the
# rows of term ''), without the rest of the counts: a member's filter does
# not name a `capacity`, and the key's index, which has it second, was
# searched 64 times to find 4 visibilities at 100,000 datasets.
VISIBILITIES_INDEX = f"""CREATE INDEX IF NOT EXISTS {COUNTS}_visibilities_idx ON {COUNTS}
    (word_id, site_id, state, dataset_type) INCLUDE (capacity, permission_labels, n)
    WHERE term = ''"""

DDL = [
    f"DROP TABLE IF EXISTS {COUNTS}, {DELTAS}, {PENDING}",
    f"""CREATE TABLE {COUNTS} ({_KEY_COLUMNS},
        UNIQUE NULLS NOT DISTINCT ({KEY}))
        WITH (fillfactor = 70, {_OFTEN_VACUUMED})""",
    # each visibility's values of each field in count order: a page's
    # facets read the first rows of each (see `facets_sql`)
    f"""CREATE INDEX {COUNTS}_by_field_idx ON {COUNTS}
        ({", ".join(_SCOPE)}, ({_FIELD_OF_TERM}), n DESC)""",
    VISIBILITIES_INDEX,
    f"CREATE TABLE {DELTAS} ({_KEY_COLUMNS}) WITH ({_OFTEN_VACUUMED})",
    f"CREATE TABLE {PENDING} (xid bigint PRIMARY KEY)",
    *VERSION_DDL,
    *LABEL_VERSIONS_DDL,
    *CHANGE_FUNCTIONS,
    APPLY,
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


def count_sql(where: str, term: str = "''") -> str:
    """The number of datasets matching `where` (a condition on the
    visibility columns only) and the frequent word `:_word` (0: any) that
    have the counted entry `term` (SQL: '' counts them all)."""
    return (f"SELECT coalesce(sum(n), 0)::bigint FROM {_VISIBLE} AS c "
            f"WHERE term = {term} AND word_id = :_word AND {where}")


def facets_sql(where: str) -> str:
    """field, value, n of the wanted facet fields (`:_fields`) over the
    datasets matching `where` and the frequent word `:_word` (0: any):
    every value that can be among the first `:_limit` with at least
    `:_min` datasets, and maybe a few more.

    Each visibility matching `where` (one for an anonymous reader, a few
    for a member) keeps each field's values in count order (the
    `by_field` index): the first `_DEPTH` times `:_limit` of each are the
    candidates, summed over the visibilities. A candidate's count in a
    visibility is read among that visibility's candidates, when it is one
    of them or when the visibility has fewer values of the field than
    that (then it has no other); only otherwise is the visibility's count
    probed (for an anonymous reader, never), and only for a candidate that
    may be among the first `:_limit`: its known counts plus, for each
    visibility not read, that visibility's last candidate count, reach
    the `:_limit`-th largest sum known. Any other candidate has fewer
    datasets than `:_limit` values have, and is left out of the answer.
    A value that is no candidate has at most the sum of each visibility's
    last candidate count (the threshold). When at least `:_limit`
    candidates have more than that, or the threshold is below `:_min`,
    the candidates hold the answer exactly, ties and their order
    included; otherwise that field is summed over all of its entries, as
    is everything inside a transaction with deltas of its own. Reading
    twice as deep as the answer lets a member's small private
    visibilities add their counts to the public one's without pushing the
    threshold above its first `:_limit` values.
    """
    same_visibility = " AND ".join(f"c.{k} = g.{k}" for k in _SCOPE)
    return f"""
        WITH visibilities AS MATERIALIZED (
            SELECT {", ".join(_SCOPE)}, row_number() OVER () AS v
            FROM {COUNTS} AS c WHERE term = '' AND word_id = :_word AND {where}),
        in_order AS (
            SELECT current_setting('{_FLAG}', true) IS DISTINCT FROM 'pending'
                   AND :_limit > 0
                   AND NOT EXISTS (SELECT FROM visibilities WHERE {
                       " OR ".join(f"{k} IS NULL" for k in _VISIBILITY)}) AS usable),
        candidates AS MATERIALIZED (
            SELECT f.field, g.v, top.term, top.n, top.r
            FROM visibilities AS g
            CROSS JOIN unnest(CAST(:_fields AS text[])) AS f(field)
            CROSS JOIN LATERAL (
                SELECT c.term, c.n, row_number() OVER (ORDER BY c.n DESC) AS r
                FROM {COUNTS} AS c
                WHERE {same_visibility} AND {_FIELD_OF_TERM} = f.field
                ORDER BY c.n DESC LIMIT {_DEPTH} * :_limit) AS top
            WHERE (SELECT usable FROM in_order)),
        deepest AS (
            -- each visibility whose values of a field go beyond its
            -- candidates, and its last candidate's count: a value that
            -- is none of its candidates has at most that many there
            SELECT field, v, n FROM candidates WHERE r = {_DEPTH} * :_limit),
        thresholds AS (
            SELECT field, sum(n) AS t FROM deepest GROUP BY field),
        known AS MATERIALIZED (
            SELECT field, term, sum(n) AS n FROM candidates GROUP BY field, term),
        unseen AS MATERIALIZED (
            -- each candidate and each such visibility where it is no
            -- candidate: its count there is not known, only its bound
            SELECT e.field, e.term, d.v, d.n AS at_most
            FROM known AS e JOIN deepest AS d ON d.field = e.field
            WHERE NOT EXISTS (SELECT FROM candidates AS k WHERE k.v = d.v
                              AND k.field = e.field AND k.term = e.term)),
        floors AS (
            -- the `:_limit`-th largest count known so far: at least
            -- `:_limit` values have that many or more
            SELECT field, n AS floor FROM (
                SELECT field, n, row_number() OVER (
                    PARTITION BY field ORDER BY n DESC) AS r FROM known) AS o
            WHERE r = :_limit),
        open AS MATERIALIZED (
            -- the candidates that may still be among the first `:_limit`:
            -- what is known of them, plus every bound, reaches the floor
            -- (a tie too, its order being the value's); the others have
            -- fewer datasets than `:_limit` values have, and are left out
            SELECT e.field, e.term, e.n FROM known AS e
            LEFT JOIN (SELECT field, term, sum(at_most) AS at_most FROM unseen
                       GROUP BY field, term) AS b
              ON b.field = e.field AND b.term = e.term
            LEFT JOIN floors AS f ON f.field = e.field
            WHERE e.n + coalesce(b.at_most, 0) >= coalesce(f.floor, 0)),
        probed AS (
            -- their counts where they are no candidate: one probe of the
            -- counts' key each
            SELECT u.field, u.term, sum((
                SELECT c.n FROM {COUNTS} AS c
                WHERE {same_visibility} AND c.term = u.term)) AS n
            FROM unseen AS u
            JOIN open AS o ON o.field = u.field AND o.term = u.term
            JOIN visibilities AS g ON g.v = u.v
            GROUP BY u.field, u.term),
        sums AS MATERIALIZED (
            -- each open candidate summed over the visibilities: its counts
            -- among their candidates, and the probes above; a visibility
            -- with fewer values than it has candidates holds no other
            SELECT o.field, o.term, (o.n + coalesce(p.n, 0))::bigint AS n
            FROM open AS o LEFT JOIN probed AS p
              ON p.field = o.field AND p.term = o.term),
        exact AS (
            SELECT f.field FROM unnest(CAST(:_fields AS text[])) AS f(field)
            LEFT JOIN thresholds AS th ON th.field = f.field
            WHERE (SELECT usable FROM in_order)
              AND (coalesce(th.t, 0) < :_min
                   OR (SELECT count(*) FROM sums AS s WHERE s.field = f.field
                       AND s.n > coalesce(th.t, 0)) >= :_limit)),
        summed AS (
            SELECT array_agg(field) AS fields
            FROM unnest(CAST(:_fields AS text[])) AS f(field)
            WHERE field NOT IN (SELECT field FROM exact))
        SELECT field, substr(term, strpos(term, '=') + 1) AS value, n
        FROM sums WHERE field IN (SELECT field FROM exact)
        UNION ALL
        SELECT split_part(term, '=', 1) AS field,
               substr(term, strpos(term, '=') + 1) AS value, n
        FROM (SELECT term, sum(n)::bigint AS n FROM {_VISIBLE} AS c
              WHERE term <> '' AND word_id = :_word AND {where}
                AND (SELECT fields FROM summed) IS NOT NULL
                AND {_FIELD_OF_TERM} = ANY(CAST((SELECT fields FROM summed) AS text[]))
              GROUP BY term) AS entries"""
