"""Load a validated table into the DataStore: typed columns, COPY, one swap.

The DataStore table is declared through `datastore_create` (so CKAN's own
columns, triggers and data dictionary stay CKAN's), with column types and
labels from the Table Schema. The rows are written as a PostgreSQL-ready
CSV (values read with the schema's own rules: decimal and group characters,
true/false values, formats), COPYed into a staging table, and swapped into
the live table in one transaction: readers see the old rows until the new
ones are all there, and a failed load leaves the old rows in place. The
same step writes the table's stored CSV and Parquet files (`stored`),
switched with the rows.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import logging
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

# Table Schema field types -> DataStore (PostgreSQL) column types
TYPES = {
    "integer": "int8", "number": "numeric", "string": "text", "boolean": "bool",
    "date": "date", "datetime": "timestamp", "time": "time", "year": "int4",
    "object": "json", "array": "json",
}


PROGRESS_EVERY = 100_000  # rows between two progress reports


def datastore_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    from ckanext.kg.publishing import dictionary
    fields = []
    for field in schema["fields"]:
        info = dictionary.field_info(field)
        fields.append({"id": field["name"], "type": TYPES.get(field.get("type"), "text"),
                       **({"info": info} if info else {})})
    return fields


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return value


def typed_rows(path: Path, schema: dict[str, Any]) -> Iterator[list[Any]]:
    """The table's rows as PostgreSQL reads them, parsed by the schema."""
    import frictionless
    names = [f["name"] for f in schema["fields"]]
    resource = frictionless.Resource(
        path=str(path), schema=frictionless.Schema.from_descriptor(schema))
    with resource:
        for row in resource.row_stream:
            yield [_cell(row[name]) for name in names]


def write_copy_csv(rows: Iterator[list[Any]], target: io.TextIOBase,
                   progress: Callable[[int], None] = lambda rows: None) -> int:
    writer = csv.writer(target, lineterminator="\n")
    count = 0
    for row in rows:
        # NULL is an unquoted empty field; an empty string is quoted ""
        writer.writerow(["" if v is None else v for v in row])
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress(count)
    return count


def load_table(resource_id: str, canonical: Path, schema: dict[str, Any],
               progress: Optional[Callable[..., None]] = None) -> int:
    """Make the DataStore table of `resource_id` hold exactly this table,
    and its stored CSV and Parquet files (`stored`) those very rows.

    The canonical CSV goes to PostgreSQL as it is when PostgreSQL reads its
    cells as the schema does (`copies_as_is`); otherwise, or if PostgreSQL
    refuses a value, the rows are read by the schema's rules first.
    `progress` is told the stage ("loading") and the rows read so far."""
    from ckanext.kg.publishing import state, stored
    report = progress or (lambda stage, rows=None: None)
    fields = datastore_fields(schema)
    _declare(resource_id, fields, schema.get("primaryKey"))
    report(state.LOADING, 0)
    version = stored.Version(resource_id, fields)
    try:
        count = _load(resource_id, canonical, schema, fields, version, report)
    except BaseException:
        version.discard()
        raise
    try:
        version.publish(count)
    except OSError:  # the rows are in: never serve the previous files with them
        log.exception("resource %s: stored files not switched", resource_id)
        (stored.folder(resource_id) / stored.POINTER).unlink(missing_ok=True)
    return count


def _load(resource_id: str, canonical: Path, schema: dict[str, Any],
          fields: list[dict[str, Any]], version: Any, report: Callable[..., None]) -> int:
    """Write the stored CSV and Parquet files, COPY the CSV, swap; the files
    get their final names just before the swap commits."""
    from ckanext.kg.publishing import state
    columns = [f["id"] for f in fields]
    if copies_as_is(schema, canonical):
        from psycopg2 import DataError
        started = time.perf_counter()
        version.copy_csv(canonical)
        version.write_parquet(empty_is_null=True)
        _log_stored(resource_id, started)
        try:
            with version.csv.open("rb") as source:
                return _copy_and_swap(resource_id, columns, RowCounter(source, report),
                                      as_is=True, before_commit=version.place)
        except DataError:
            log.info("resource %s: PostgreSQL read a value differently; "
                     "loading row by row", resource_id)
    with version.csv.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target, lineterminator="\n").writerow(columns)
        write_copy_csv(typed_rows(canonical, schema), target,
                       lambda rows: report(state.LOADING, rows))
    started = time.perf_counter()
    version.write_parquet(empty_is_null=False)
    _log_stored(resource_id, started)
    with version.csv.open("rb") as source:
        return _copy_and_swap(resource_id, columns, source, as_is=False,
                              before_commit=version.place)


def _log_stored(resource_id: str, started: float) -> None:
    log.info("resource %s: stored files written in %.2f s", resource_id,
             time.perf_counter() - started)


# Table Schema properties under which a value is read differently from
# PostgreSQL's own input syntax (decimal commas, custom true values, formats)
NOT_AS_IS = ("decimalChar", "groupChar", "bareNumber", "trueValues", "falseValues")


def copies_as_is(schema: dict[str, Any], canonical: Path) -> bool:
    """Whether PostgreSQL reads every cell of the validated canonical CSV as
    frictionless does: the schema's default formats, "" as the only
    missing value, and the header naming the fields in order."""
    if schema.get("missingValues", [""]) != [""]:
        return False
    for field in schema["fields"]:
        if field.get("type", "string") not in TYPES and field.get("type") != "any":
            return False
        if any(key in field for key in NOT_AS_IS):
            return False
        if field.get("format", "default") != "default" and field.get("type") in (
                "date", "datetime", "time"):
            return False
    with canonical.open(encoding="utf-8", newline="") as stream:
        header = next(csv.reader(stream), [])
    return header == [f["name"] for f in schema["fields"]]


class RowCounter(io.RawIOBase):
    """A file read by COPY, telling `report` roughly how many rows went by."""

    def __init__(self, source: Any, report: Callable[..., None]) -> None:
        self.source, self.report, self.rows, self.next_report = source, report, 0, \
            PROGRESS_EVERY

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        from ckanext.kg.publishing import state
        block = self.source.read(size)
        self.rows += block.count(b"\n")
        if self.rows >= self.next_report:
            self.report(state.LOADING, self.rows)
            self.next_report += PROGRESS_EVERY
        return block


def _declare(resource_id: str, fields: list[dict[str, Any]], primary_key: Any) -> None:
    """Create the table, or recreate it when its columns changed."""
    from ckanext.kg.publishing import site_context
    context = site_context()
    try:
        current = tk.get_action("datastore_info")(dict(context), {"id": resource_id})
        existing = [(f["id"], f["type"]) for f in current["fields"]]
    except tk.ObjectNotFound:
        existing = None
    wanted = [(f["id"], f["type"]) for f in fields]
    if existing == wanted:
        if [f.get("info", {}) for f in current["fields"]] != [f.get("info", {}) for f in fields]:
            # same columns, new data dictionary: update it in place
            tk.get_action("datastore_create")(dict(context), {
                "resource_id": resource_id, "fields": fields, "force": True})
        return
    if existing is not None:
        tk.get_action("datastore_delete")(dict(context), {"resource_id": resource_id,
                                                          "force": True})
    data = {"resource_id": resource_id, "fields": fields, "force": True}
    if primary_key:
        data["primary_key"] = [primary_key] if isinstance(primary_key, str) else primary_key
    tk.get_action("datastore_create")(dict(context), data)


def _copy_and_swap(resource_id: str, columns: list[str], source: Any, as_is: bool,
                   before_commit: Callable[[], None] = lambda: None) -> int:
    """COPY a CSV with a header into a staging table, then replace the live
    rows in one transaction; the number of rows loaded. `before_commit`
    runs once the new rows are in, just before they are committed."""
    from ckanext.datastore.backend.postgres import get_write_engine, identifier
    table = identifier(resource_id)
    staging = identifier(f"{resource_id}__kg_staging")
    column_list = ", ".join(identifier(c) for c in columns)
    # as is: "" is missing (NULL) quoted or not; else only unquoted "" is NULL
    options = f"FORMAT csv, HEADER true, FORCE_NULL ({column_list})" if as_is \
        else "FORMAT csv, HEADER true"
    connection = get_write_engine().raw_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE {staging} "
                           f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
            cursor.copy_expert(f"COPY {staging} ({column_list}) FROM STDIN "
                               f"WITH ({options})", source)
            count = cursor.rowcount
            cursor.execute(f"TRUNCATE {table}")
            rebuild = _drop_search_indexes(cursor, table)
            cursor.execute(f"INSERT INTO {table} ({column_list}, _full_text) "
                           f"SELECT {column_list}, {_full_text(columns)} FROM {staging}")
            for definition in rebuild:
                cursor.execute(definition)
        before_commit()
        connection.commit()
    except Exception:
        connection.rollback()
        raise
    finally:
        connection.close()
    _count_rows(resource_id)
    return count


def _drop_search_indexes(cursor: Any, table: str) -> list[str]:
    """Drop the table's non-unique indexes (the full-text index, indexes a
    publisher added); their definitions, to build them again after the
    load, which is faster than keeping them up to date row by row. Unique
    indexes stay: they guard the primary key during the load."""
    cursor.execute("""
        SELECT quote_ident(i.relname), pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisunique""", (table,))
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes]


def _full_text(columns: list[str]) -> str:
    """The DataStore's full-text column, computed for all rows at once.

    What CKAN's `populate_full_text_trigger` computes row by row (the text
    of every column joined by spaces, NULLs left out), which it then skips
    because the value is given: about ten times faster."""
    from ckanext.datastore.backend.postgres import identifier
    texts = ", ".join(f"{identifier(c)}::text" for c in columns)
    return f"to_tsvector(concat_ws(' ', {texts}))"


def _count_rows(resource_id: str) -> None:
    """The DataStore caches each table's row count (`total`): count again."""
    from ckanext.datastore.backend import DatastoreBackend
    backend = DatastoreBackend.get_active_backend()
    backend.clear_table_stats(resource_id)
    backend.calculate_record_count(resource_id)
