"""How results are ordered, and the indexes that give the usual orders.

A sort on a field orders by its value as a time (date fields), then as a
number, then as text (byte order), then by write order (`seq`, Solr's tie
break). Written out in full, that order is what an index holds for the
sorts CKAN's pages use (newest first, title either way, name), so a page
of a sorted listing reads the first rows of an index in order instead of
sorting every dataset the reader may see. A date is turned into a time
when the row is written (`modified_at`: text to time depends on the
session, so it cannot be computed in an index).
"""
from __future__ import annotations

TABLE = "kg_search_index"
# fields with a time column of their own, filled on write
TIME_COLUMNS = {"metadata_modified": "modified_at"}
_DATE_TEXT = "'^\\d{4}-\\d{2}-\\d{2}'"


def time_of(source: str, key: str) -> str:
    """The value of `key` in the jsonb `source` as a time, if it is one."""
    return (f"(CASE WHEN {source}->>{key} ~ {_DATE_TEXT} "
            f"THEN ({source}->>{key})::timestamptz END)")


def number_of(source: str, key: str) -> str:
    return (f"(CASE WHEN jsonb_typeof({source}->{key}) = 'number' "
            f"THEN ({source}->>{key})::numeric END)")


def text_of(source: str, key: str) -> str:
    return f"(({source}->>{key}) COLLATE \"C\")"


def terms(field_sql: str, source: str, direction: str, is_date: bool,
          time_column: str | None = None) -> list[str]:
    """ORDER BY terms for one field (`field_sql`: its quoted name or a
    bound parameter)."""
    out = []
    if time_column:
        out.append(f"{time_column} {direction} NULLS LAST")
    elif is_date:
        out.append(f"{time_of(source, field_sql)} {direction} NULLS LAST")
    out.append(f"{number_of(source, field_sql)} {direction} NULLS LAST")
    out.append(f"{text_of(source, field_sql)} {direction} NULLS LAST")
    return out


# What a page's query reads of each row besides its order: with these in
# the index too, a deep page (`start=5000`) checks the reader's filter on
# index entries alone (an index-only scan, `sort_keys` included since the
# planner wants every column the ORDER BY names), and reads the rows of
# the page only, not the thousands skipped.
COVERED = ("index_id", "sort_keys", "site_id", "capacity", "state", "dataset_type",
           "permission_labels")


def _index(name: str, field: str, direction: str, time_column: str | None = None,
           covering: bool = False) -> str:
    keys = terms(f"'{field}'", "sort_keys", direction, False, time_column)
    include = f" INCLUDE ({', '.join(COVERED)})" if covering else ""
    return f"CREATE INDEX {TABLE}_{name} ON {TABLE} ({', '.join(keys)}, seq){include}"


_INDEXES = {
    # newest first is the default listing, the one paged deep
    "modified_desc_idx": ("metadata_modified", "DESC", "modified_at", True),
    "title_asc_idx": ("title_string", "ASC", None),
    "title_desc_idx": ("title_string", "DESC", None),
    "name_asc_idx": ("name", "ASC", None),
}
# Write order (Solr's index order): what a search with no sort gets, as
# CKAN's count of every agency's and group's datasets does for its one row
# (layout 10; before, a sort of every dataset the reader may see).
WRITE_ORDER_INDEX = f"CREATE INDEX IF NOT EXISTS {TABLE}_seq_idx ON {TABLE} (seq)"
INDEX_NAMES = (*_INDEXES, "seq_idx")
INDEXES = [*(_index(name, *spec) for name, spec in _INDEXES.items()), WRITE_ORDER_INDEX]
