"""Exact answers for the catalogue's most frequent words, kept at each write.

A word in most of the catalogue (`облус` is in 64% of the benchmark's
datasets) makes a search read every row, rank every hit and count the
facet entries of all of them: its cost follows the number of hits. For a
few such words, chosen by how many datasets have them (`ckan kg
keep-frequent-words`), the answer is kept instead, like the `/dataset`
page's counts:

- `WORDS`: each kept word, with the tsquery a search for it is matched
  and ranked by (`compiler.word_query`, computed by PostgreSQL from the
  same expression a search uses), its key;
- `HITS`: per kept word and matching dataset, its visibility columns, its
  score (`ts_rank` with the search's own weights, computed when the row is
  written) and the one sort key the orders served read, with B-tree
  indexes in those orders (score, then newest first; newest first): a page
  is the first rows of one index;
- the counts and facet counts of each word's datasets: rows of
  `facet_counts` with that `word_id` (0 is the whole catalogue), kept by
  its statement triggers and commit-time apply.

`HITS` rows are written by statement triggers on the index, in the
dataset's own transaction, one row per dataset and word: writers of
different datasets never touch the same row, and a rollback takes them
with it. A search uses them only when its query is exactly one kept word,
its filters are only on the visibility columns, its order is one the
indexes hold and its facets are the usual ones (`client.py`); anything
else is answered from the index as before.
"""
from __future__ import annotations

import uuid
from typing import Any, Optional

import sqlalchemy as sa

from . import compiler, facet_counts, sort_order

TABLE = "kg_search_index"
WORDS = facet_counts.WORDS
HITS = f"{TABLE}_word_hits"
# sort specs (after `client._Order.parse`) whose order an index of HITS holds
SERVED_ORDERS = {
    (("score", "DESC"), ("metadata_modified", "DESC")): "by_score_idx",
    (("metadata_modified", "DESC"),): "by_modified_idx",
}
_NEWEST = ", ".join(sort_order.terms(
    "'metadata_modified'", "sort_keys", "DESC", True, "modified_at"))
_COLUMNS = ("word_id, index_id, site_id, capacity, state, dataset_type, "
            "permission_labels, score, modified_at, sort_keys, seq")


def _sort_keys_served(keys: str) -> str:
    """Of the index row's sort keys `keys`, the one the served orders read
    (`_NEWEST`): a hit holds no more. The others (name, title, numbers of
    resources and tags, times) took 230 of a hit's 420 bytes: at 100,000
    datasets and 20 words, 1.65 million hits in 687 MB."""
    return (f"jsonb_strip_nulls(jsonb_build_object("
            f"'metadata_modified', {keys} -> 'metadata_modified'))")


def _hits_of(rows: str) -> str:
    """Insert the HITS of the index rows `rows` (a table or transition table)."""
    return f"""
        INSERT INTO {HITS} ({_COLUMNS})
        SELECT w.word_id, r.index_id, r.site_id, r.capacity, r.state, r.dataset_type,
               r.permission_labels, ts_rank({compiler.RANK_WEIGHTS}, r.tsv, w.query),
               r.modified_at, {_sort_keys_served("r.sort_keys")}, r.seq
        FROM {rows} AS r JOIN {WORDS} AS w ON r.tsv @@ w.query"""


def _on_change(name: str, old: bool, new: bool) -> str:
    steps = []
    if old:
        steps.append(f"DELETE FROM {HITS} AS h USING old_rows AS o "
                     f"WHERE h.index_id = o.index_id")
    if new:
        steps.append(_hits_of("new_rows"))
    return f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {"; ".join(steps)};
            RETURN NULL;
        END $$"""


# The trigger functions writing HITS (an upgrade replaces them, `index_table`).
WRITE_FUNCTIONS = [_on_change(f"{HITS}_on_insert", False, True),
                   _on_change(f"{HITS}_on_update", True, True),
                   _on_change(f"{HITS}_on_delete", True, False)]

# The words outlive a layout upgrade (the index is rebuilt from its
# documents, and the triggers fill HITS and the counts again).
DDL = [
    f"""CREATE TABLE IF NOT EXISTS {WORDS} (
        word_id int PRIMARY KEY CHECK (word_id > 0),
        word text NOT NULL,
        query tsquery NOT NULL UNIQUE,
        datasets bigint)""",
    f"DROP TABLE IF EXISTS {HITS}",
    f"""CREATE TABLE {HITS} (
        word_id int NOT NULL, index_id text NOT NULL, site_id text, capacity text,
        state text, dataset_type text, permission_labels text[] NOT NULL,
        score real NOT NULL, modified_at timestamptz, sort_keys jsonb NOT NULL,
        seq bigint NOT NULL, PRIMARY KEY (index_id, word_id))""",
    f"CREATE INDEX {HITS}_by_score_idx ON {HITS} (word_id, score DESC, {_NEWEST}, seq)",
    f"CREATE INDEX {HITS}_by_modified_idx ON {HITS} (word_id, {_NEWEST}, seq)",
    *WRITE_FUNCTIONS,
    f"""CREATE TRIGGER {HITS}_insert AFTER INSERT ON {TABLE}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {HITS}_on_insert()""",
    f"""CREATE TRIGGER {HITS}_update AFTER UPDATE ON {TABLE}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {HITS}_on_update()""",
    f"""CREATE TRIGGER {HITS}_delete AFTER DELETE ON {TABLE}
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {HITS}_on_delete()""",
]


# memory for summing the kept words' facet counts (`keep`): 270,000 sums
# of 2.8 million entries at 10,000 datasets took 50 MB
_COUNTING_MEMORY = "512MB"

# (generation, word): the kept word answering it, or None; a process
# remembers it while the words stay the same (see `word_id`)
_REMEMBERED: dict[tuple[str, str], Optional[int]] = {}
_REMEMBERED_AT_MOST = 10_000
# longer words are looked up each time: a word is what a reader sends,
# and 10,000 of any length could fill a process's memory
_REMEMBERED_LENGTH = 64


def word_id(session: Any, word: str, generation: Optional[str] = None) -> Optional[int]:
    """The kept word a search for `word` is answered by, if any: the one
    whose tsquery is the search's own.

    `generation` is the words' generation as the caller's transaction sees
    it (`generation_sql`), a new one at every `keep`: under the same
    generation the same word has the same answer, so it is remembered,
    and a one-word search costs no round trip to find it. Words kept
    before generations existed have none and are always looked up."""
    remembered = bool(generation) and len(word) <= _REMEMBERED_LENGTH
    key = (generation or "", word)
    if remembered and key in _REMEMBERED:
        return _REMEMBERED[key]
    compiled = compiler.Compiled()
    query = compiler.word_query(word, compiled)
    found = session.execute(sa.text(
        f"SELECT word_id FROM {WORDS} WHERE query = {query}"), compiled.params).scalar()
    if remembered:
        if len(_REMEMBERED) >= _REMEMBERED_AT_MOST:
            _REMEMBERED.clear()
        _REMEMBERED[key] = found
    return found


def generation_sql(name: str) -> str:
    """An expression of the words' generation (the words table's comment),
    given the table's name in the parameter `name`."""
    return f"obj_description(to_regclass(:{name}), 'pg_class')"


def page_sql(where: str, order_sql: str) -> str:
    """The CTE `page` (index_id, score, pos) of a kept word's search:
    the first rows of an index of HITS in the wanted order, whose
    visibility columns match `where`."""
    return f"""
        WITH page AS MATERIALIZED (
            SELECT index_id, score, row_number() OVER () AS pos
            FROM (SELECT index_id, score FROM {HITS}
                  WHERE word_id = :_word AND {where} ORDER BY {order_sql}
                  LIMIT :_rows OFFSET :_start) AS ordered)"""


def candidates(connection: Any, limit: int, min_datasets: int) -> list[tuple[str, int]]:
    """The words of the index in at least `min_datasets` datasets, most
    frequent first, without the stems of other candidates (a search is
    typed as words, and a word's stem is matched by it)."""
    rows = connection.execute(sa.text(
        "SELECT word, ndoc, tsvector_to_array(to_tsvector('russian', word)) AS stems "
        "FROM ts_stat('SELECT tsv FROM kg_search_index') "
        "WHERE ndoc >= :min AND word ~ '^\\w+$' ORDER BY ndoc DESC, word LIMIT :n"),
        {"min": min_datasets, "n": max(limit, 0) * 4}).all()
    stems = {stem for word, _, found in rows for stem in found if stem != word}
    return [(word, ndoc) for word, ndoc, _ in rows if word not in stems]


def keep(connection: Any, words: list[str], limit: int) -> list[tuple[str, int]]:
    """Keep the first `limit` of `words` whose searches differ (and no
    other), in the caller's transaction, with index writers held back
    until it commits (a writer that began before would miss the new
    words). A word kept before stays as it is: every write since kept its
    hits and counts exact. Only the words new to the list are computed
    from the index, so keeping the same words again costs little and a
    regular run holds writers back for as long as its new words take.
    Returns each kept word, in the order given, and its number of
    datasets."""
    connection.execute(sa.text(f"LOCK TABLE {TABLE} IN SHARE MODE"))
    kept_before = {query: word_id for word_id, query in connection.execute(sa.text(
        f"SELECT word_id, CAST(query AS text) FROM {WORDS}"))}
    wanted = _searches_of(connection, words, limit)
    gone = [word_id for query, word_id in kept_before.items() if query not in wanted]
    if gone or wanted.keys() - kept_before.keys():
        # a new generation: no process keeps answering from the words before
        connection.execute(sa.text(
            f"COMMENT ON TABLE {WORDS} IS 'kept words {uuid.uuid4().hex}'"))
        # and no kept answer (`result_cache.py`) outlives the words it was read
        # with; the same words again change neither
        for statement in facet_counts.EVERY_VERSION_RENEWED:
            connection.execute(sa.text(statement))
    for table in (HITS, facet_counts.COUNTS, WORDS):
        connection.execute(sa.text(f"DELETE FROM {table} WHERE word_id = ANY(:gone)"),
                           {"gone": gone})
    new = []
    next_id = max(kept_before.values(), default=0) + 1
    for query, word in wanted.items():
        if query not in kept_before:
            connection.execute(sa.text(
                f"INSERT INTO {WORDS} (word_id, word, query) "
                f"VALUES (:_id, :_word, CAST(:_query AS tsquery))"),
                {"_id": next_id, "_word": word, "_query": query})
            new.append(next_id)
            next_id += 1
    if new:
        _count_new_words(connection, new)
    connection.execute(sa.text(f"""
        UPDATE {WORDS} AS w SET datasets = (
            SELECT count(*) FROM {HITS} AS h WHERE h.word_id = w.word_id)"""))
    found = {query: (word, datasets) for query, word, datasets in connection.execute(
        sa.text(f"SELECT CAST(query AS text), word, datasets FROM {WORDS}"))}
    return [found[query] for query in wanted]


def _searches_of(connection: Any, words: list[str], limit: int) -> dict[str, str]:
    """The first `limit` of `words` whose searches differ: each search's
    tsquery, as text, and its first word, in the order given."""
    wanted: dict[str, str] = {}
    for word in words:
        if len(wanted) >= limit:
            break
        compiled = compiler.Compiled()
        query = compiler.word_query(word, compiled)
        wanted.setdefault(connection.execute(sa.text(
            f"SELECT CAST({query} AS text)"), compiled.params).scalar(), word)
    return wanted


def _count_new_words(connection: Any, new: list[int]) -> None:
    """The hits and facet counts of the kept words `new`, from the index."""
    connection.execute(sa.text(_hits_of(TABLE) + " WHERE w.word_id = ANY(:new)"),
                       {"new": new})
    connection.execute(sa.text(f"ANALYZE {HITS}"))  # its size, for the next statement
    # the counts of each word's hits (which hold their rows' visibility),
    # from each dataset's entries listed once, not once per word it has,
    # summed in memory: sorting them spilled millions of entries to disk
    memory = connection.execute(sa.text("SELECT current_setting('work_mem')")).scalar()
    connection.execute(sa.text(f"SET LOCAL work_mem = '{_COUNTING_MEMORY}'"))
    visibility = "h.site_id, h.capacity, h.state, h.dataset_type, h.permission_labels"
    connection.execute(sa.text(f"""
        INSERT INTO {facet_counts.COUNTS} ({facet_counts.KEY}, n)
        SELECT h.word_id, {visibility}, entry, count(*)
        FROM {HITS} AS h
             JOIN (SELECT r.index_id, {facet_counts.counted_entries('r')} AS entries
                   FROM {TABLE} AS r) AS d ON d.index_id = h.index_id,
             unnest(d.entries) AS entry
        WHERE h.word_id = ANY(:new)
        GROUP BY h.word_id, {visibility}, entry"""), {"new": new})
    connection.execute(sa.text("SELECT set_config('work_mem', :memory, true)"),
                       {"memory": memory})
    # statistics of the new size now: with those of an emptier table, the
    # triggers' statements scanned every hit at each write (255 ms a dataset
    # at 20,000 instead of 26)
    connection.execute(sa.text(f"ANALYZE {facet_counts.COUNTS}"))
