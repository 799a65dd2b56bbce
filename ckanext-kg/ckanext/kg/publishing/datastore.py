"""Load a validated table into the DataStore: typed columns, COPY, one swap.

The DataStore table is declared through `datastore_create` (so CKAN's own
columns, triggers and data dictionary stay CKAN's), with column types and
labels from the Table Schema. The rows are written as a PostgreSQL-ready
CSV (values read with the schema's own rules: decimal and group characters,
true/false values, formats), COPYed into a staging table, and swapped into
the live table in one transaction: readers see the old rows until the new
ones are all there, and a failed load leaves the old rows in place.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import ckan.plugins.toolkit as tk

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
    """Make the DataStore table of `resource_id` hold exactly this table.

    `progress` is told the stage ("loading") and the rows read so far."""
    from ckanext.kg.publishing import state
    report = progress or (lambda stage, rows=None: None)
    fields = datastore_fields(schema)
    _declare(resource_id, fields, schema.get("primaryKey"))
    report(state.LOADING, 0)
    with tempfile.NamedTemporaryFile("w+", suffix=".csv", encoding="utf-8",
                                     newline="") as staging_csv:
        count = write_copy_csv(typed_rows(canonical, schema), staging_csv,
                               lambda rows: report(state.LOADING, rows))
        staging_csv.flush()
        staging_csv.seek(0)
        _copy_and_swap(resource_id, [f["id"] for f in fields], staging_csv)
    return count


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


def _copy_and_swap(resource_id: str, columns: list[str], source: io.TextIOBase) -> None:
    from ckanext.datastore.backend.postgres import get_write_engine, identifier
    table = identifier(resource_id)
    staging = identifier(f"{resource_id}__kg_staging")
    column_list = ", ".join(identifier(c) for c in columns)
    connection = get_write_engine().raw_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE {staging} "
                           f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
            cursor.copy_expert(f"COPY {staging} ({column_list}) FROM STDIN "
                               "WITH (FORMAT csv)", source)
            cursor.execute(f"TRUNCATE {table}")
            cursor.execute(f"INSERT INTO {table} ({column_list}) "
                           f"SELECT {column_list} FROM {staging}")
        connection.commit()
    except Exception:
        connection.rollback()
        raise
    finally:
        connection.close()
    _count_rows(resource_id)


def _count_rows(resource_id: str) -> None:
    """The DataStore caches each table's row count (`total`): count again."""
    from ckanext.datastore.backend import DatastoreBackend
    backend = DatastoreBackend.get_active_backend()
    backend.clear_table_stats(resource_id)
    backend.calculate_record_count(resource_id)
