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
from typing import Any, BinaryIO, Callable, Iterator, Optional

import ckan.plugins.toolkit as tk
import isodate
from frictionless.fields.yearmonth import yearmonth as YearMonth

from ckanext.datastore.backend.postgres import identifier
from kg_validation.fast.copy_rows import write_copy_rows
from kg_validation.growing import GrowingFile

log = logging.getLogger(__name__)

# Table Schema field types -> DataStore (PostgreSQL) column types
TYPES = {
    "integer": "int8", "number": "numeric", "string": "text", "boolean": "bool",
    "date": "date", "datetime": "timestamp", "time": "time", "year": "int4",
    "object": "json", "array": "json",
}


PROGRESS_EVERY = 100_000  # rows between two progress reports
# the stage told to `progress` with the rows loaded so far (the gate shows
# it as its own `state.LOADING`; a test holds the two equal)
LOADING = "loading"
COPY_BLOCK = 1 << 20  # bytes handed to COPY at a time


MAX_COLUMN_NAME = 63  # PostgreSQL's limit, in bytes


def refused_columns(schema: dict[str, Any]) -> list[str]:
    """The Table Schema's field names the DataStore cannot have as columns:
    empty, starting with "_" (its own columns), with a double quote,
    surrounding spaces or control characters, or too long."""
    from ckanext.datastore.helpers import is_valid_field_name
    return [f["name"] for f in schema["fields"]
            if not is_valid_field_name(f["name"])
            or len(f["name"].encode("utf-8")) > MAX_COLUMN_NAME]


def datastore_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    from ckanext.kg.publishing.load import dictionary
    fields = []
    for field in schema["fields"]:
        info = dictionary.field_info(field)
        fields.append({"id": field["name"], "type": TYPES.get(field.get("type"), "text"),
                       **({"info": info} if info else {})})
    return fields


def copy_cell(value: Any) -> Any:
    """A value as frictionless read it, in PostgreSQL's COPY syntax (None: NULL)."""
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
    if isinstance(value, YearMonth):  # frictionless's year-month: as written, 2023-01
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, (dt.timedelta, isodate.Duration)):  # ISO 8601: P1Y2M, PT1H30M
        return isodate.duration_isoformat(value)
    return value


def typed_rows(path: Path, schema: dict[str, Any]) -> Iterator[list[Any]]:
    """The table's rows as PostgreSQL reads them, parsed by the schema."""
    import frictionless
    names = [f["name"] for f in schema["fields"]]
    resource = frictionless.Resource(
        path=str(path), schema=frictionless.Schema.from_descriptor(schema))
    with resource:
        for row in resource.row_stream:
            yield [copy_cell(row[name]) for name in names]


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
               progress: Optional[Callable[..., None]] = None,
               gate: Callable[[], None] = lambda: None, declared: bool = False,
               checksum: Optional[Callable[[], str]] = None, row_by_row: bool = True,
               copy_rows: Any = None) -> int:
    """Make the DataStore table of `resource_id` hold exactly this table,
    and its stored CSV and Parquet files (`stored`) those very rows (then
    the files of the other formats, `exports`).

    The canonical CSV goes to PostgreSQL as it is when PostgreSQL reads its
    cells as the schema does (`copies_as_is`); otherwise, or if PostgreSQL
    refuses a value, the rows are read by the schema's rules first.
    `progress` is told the stage ("loading") and the rows read so far.
    `gate` runs before the new rows are swapped in, and may refuse them by
    raising (`early`); `declared` when the caller has declared the table already;
    `checksum` gives the hex SHA-256 of `canonical` when the caller knows it;
    without `row_by_row`, a table PostgreSQL cannot COPY as it is raises
    `RowByRowNeeded` instead of being read by the schema's rules.
    `copy_rows` (kg_validation's `CopyRows`): the rows for PostgreSQL that
    validation wrote in its own pass, COPYed instead of `canonical`, while
    they are written if validation is still running."""
    from ckanext.kg.publishing.files import stored
    report = progress or (lambda stage, rows=None: None)
    fields = datastore_fields(schema)
    if not declared:
        declare(resource_id, fields, schema.get("primaryKey"))
    report(LOADING, 0)
    version = stored.Version(resource_id, fields)
    version.csv_checksum = checksum
    version.schema = schema
    try:
        if copy_rows is not None:
            count = _load_copy_rows(resource_id, copy_rows, schema, fields, version, report,
                                    gate)
        else:
            count = _load(resource_id, canonical, schema, fields, version, report, gate,
                          row_by_row)
    except BaseException:
        version.discard()
        raise
    try:
        version.publish(count)
    except OSError:  # the rows are in: never serve the previous files with them
        log.exception("resource %s: stored files not switched", resource_id)
        (stored.folder(resource_id) / stored.POINTER).unlink(missing_ok=True)
    from ckanext.kg.publishing.files import exports
    exports.after_publication(resource_id, count)  # CSV for Excel, JSON, XLSX files
    return count


class RowByRowNeeded(Exception):
    """The table cannot be COPYed as it is, and reading it row by row was
    not asked for."""


def _load(resource_id: str, canonical: Path, schema: dict[str, Any],
          fields: list[dict[str, Any]], version: Any, report: Callable[..., None],
          gate: Callable[[], None], fallback: bool = True) -> int:
    """COPY the rows into a new table and swap it in, writing the stored CSV
    and Parquet files meanwhile; the files get their final names just
    before the swap commits. Without `fallback`, a table that cannot be
    COPYed as it is raises `RowByRowNeeded`."""
    columns = [f["id"] for f in fields]
    primary_key = schema.get("primaryKey")
    if copies_as_is(schema, canonical):
        from psycopg2 import DataError
        try:
            with canonical.open("rb") as source:  # the stored CSV is this very file,
                # even if a new upload is stored under its path meanwhile
                return _copy_with_files(resource_id, fields, primary_key,
                                        RowCounter(source, report), version, gate,
                                        canonical=source, files_after_gate=not fallback)
        except DataError:
            log.info("resource %s: PostgreSQL read a value differently; "
                     "loading row by row", resource_id)
    if not fallback:
        raise RowByRowNeeded(resource_id)
    version.csv_checksum = None  # the CSV is written anew: a new file, never
    version.csv.unlink(missing_ok=True)  # through a second name of the source
    count = _copy_while_converting(resource_id, canonical, schema, fields, version,
                                   report, gate)
    if count is not None:
        return count
    version.csv.unlink(missing_ok=True)
    with version.csv.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target, lineterminator="\n").writerow(columns)
        write_copy_csv(typed_rows(canonical, schema), target,
                       lambda rows: report(LOADING, rows))
    with version.csv.open("rb") as source:
        return _copy_with_files(resource_id, fields, primary_key, source, version, gate)


def _load_copy_rows(resource_id: str, copy_rows: Any, schema: dict[str, Any],
                    fields: list[dict[str, Any]], version: Any, report: Callable[..., None],
                    gate: Callable[[], None]) -> int:
    """COPY the rows validation writes for PostgreSQL in its own pass
    (`copy_rows.target`), read as they grow until `copy_rows.finished`
    (which raises if validation did not write them whole: the COPY then
    fails and nothing is committed). The stored CSV is that file, and the
    Parquet file the one validation wrote from the same rows meanwhile
    (`rows_parquet`, the reader of `copy_rows`), or, where it could not,
    one read from the CSV (files of a table that fails are removed with
    the version)."""
    version.csv_checksum = lambda: copy_rows.checksum  # hashed as it was written
    version.csv.unlink(missing_ok=True)

    def stored_files() -> None:
        copy_rows.finished.result()
        version.copy_csv(copy_rows.target)
        if getattr(copy_rows.reader, "whole", False):
            version.adopt_parquet(copy_rows.reader.target)

    with GrowingFile(copy_rows.target, copy_rows.finished) as source:
        return _copy_with_files(resource_id, fields, schema.get("primaryKey"),
                                RowCounter(source, report), version, gate,
                                written=stored_files)


class NotConverted(Exception):
    """`write_copy_rows` does not model this table: read it row by row."""


def _copy_while_converting(resource_id: str, canonical: Path, schema: dict[str, Any],
                           fields: list[dict[str, Any]], version: Any,
                           report: Callable[..., None],
                           gate: Callable[[], None]) -> Optional[int]:
    """COPY the rows written for PostgreSQL (`write_copy_rows`, vectorised)
    while they are being written: the conversion runs in this process and
    COPY in PostgreSQL's, on two processors, instead of one after the
    other. None, with nothing committed, when the table is not one
    `write_copy_rows` models."""
    from concurrent.futures import ThreadPoolExecutor

    def convert() -> int:
        rows = write_copy_rows(canonical, schema, version.csv, copy_cell,
                               lambda rows: report(LOADING, rows))
        if rows is None:
            raise NotConverted(resource_id)
        return rows

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-convert") as pool:
        writing = pool.submit(convert)
        try:
            with GrowingFile(version.csv, writing) as source:
                return _copy_with_files(resource_id, fields, schema.get("primaryKey"),
                                        source, version, gate, written=writing.result)
        except Exception:
            # COPY reports the writer's error as its own (QueryCanceled)
            if isinstance(writing.exception(), NotConverted):
                return None
            raise
        finally:
            writing.exception()  # never leave the writer running on a discarded file


def _copy_with_files(resource_id: str, fields: list[dict[str, Any]], primary_key: Any,
                     source: Any, version: Any, gate: Callable[[], None],
                     canonical: Optional[BinaryIO] = None, files_after_gate: bool = False,
                     written: Callable[[], Any] = lambda: None) -> int:
    """COPY `source` and swap, while another thread writes the stored files
    (the CSV copied from the open file `canonical` when given, else written already or,
    when `written` returns, being written meanwhile; the Parquet file read
    from it then, unless `written` gave it too).
    With `files_after_gate` (a load running while its table is validated,
    which has the processor to share already), they are written once the
    gate has let the rows through."""
    from concurrent.futures import ThreadPoolExecutor
    as_is = canonical is not None
    if files_after_gate:
        def files_then_place() -> None:
            gate()
            _write_stored(resource_id, version, canonical, written)
            version.place()
        return _copy_and_swap(resource_id, fields, primary_key, source, as_is,
                              before_swap=files_then_place)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-stored") as pool:
        files = pool.submit(_write_stored, resource_id, version, canonical, written)
        try:
            return _copy_and_swap(resource_id, fields, primary_key, source, as_is,
                                  before_swap=lambda: _place(files, version, gate))
        finally:
            files.exception()  # never leave the thread writing files being discarded


def _write_stored(resource_id: str, version: Any, canonical: Optional[BinaryIO],
                  written: Callable[[], Any] = lambda: None) -> None:
    """The stored files; the time logged is what is left once the CSV is
    complete."""
    written()  # the CSV is complete
    started = time.perf_counter()
    if canonical is not None:
        version.copy_csv(canonical)
    if not version.has_parquet:
        version.write_parquet(empty_is_null=canonical is not None)
    version.compute_names()
    _log_stored(resource_id, started)


def _place(files: Any, version: Any, gate: Callable[[], None]) -> None:
    files.result()  # the stored files are written, or their error raised
    gate()
    version.place()


def _log_stored(resource_id: str, started: float) -> None:
    log.info("resource %s: stored files written in %.2f s", resource_id,
             time.perf_counter() - started)


# Table Schema properties under which a value is read differently from
# PostgreSQL's own input syntax (decimal commas, custom true values, formats)
NOT_AS_IS = ("decimalChar", "groupChar", "bareNumber", "trueValues", "falseValues")


def schema_copies_as_is(schema: dict[str, Any]) -> bool:
    """Whether PostgreSQL reads every valid cell as the Table Schema does:
    its default formats, and "" as the only missing value."""
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
    return True


def copies_as_is(schema: dict[str, Any], canonical: Path) -> bool:
    """Whether PostgreSQL reads every cell of the validated canonical CSV as
    frictionless does: `schema_copies_as_is`, and the header naming the
    fields in order."""
    if not schema_copies_as_is(schema):
        return False
    try:
        with canonical.open(encoding="utf-8", newline="") as stream:
            header = next(csv.reader(stream), [])
    except (UnicodeDecodeError, csv.Error):
        return False
    return header == [f["name"] for f in schema["fields"]]


class RowCounter(io.RawIOBase):
    """A file read by COPY, telling `report` roughly how many rows went by."""

    def __init__(self, source: Any, report: Callable[..., None]) -> None:
        self.source, self.report, self.rows, self.next_report = source, report, 0, \
            PROGRESS_EVERY

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        block = self.source.read(size)
        self.rows += block.count(b"\n")
        if self.rows >= self.next_report:
            self.report(LOADING, self.rows)
            self.next_report += PROGRESS_EVERY
        return block


def current_fields(resource_id: str) -> Optional[list[tuple[str, str, dict[str, Any]]]]:
    """The DataStore table's columns: id, type, data dictionary; None if
    the resource has no table."""
    from ckanext.kg.site_user import site_context
    try:
        current = tk.get_action("datastore_info")(site_context(), {"id": resource_id})
    except tk.ObjectNotFound:
        return None
    return [(f["id"], f["type"], f.get("info", {})) for f in current["fields"]]


def declare(resource_id: str, fields: list[dict[str, Any]], primary_key: Any) -> None:
    """Create the (empty) table through CKAN the first time, so its columns,
    triggers, indexes and data dictionary are CKAN's; update the data
    dictionary in place when only it changed. A table whose columns change
    keeps its rows until the new ones replace them (`swap`)."""
    from ckanext.kg.site_user import site_context
    current = current_fields(resource_id)
    if current is not None:
        if [c[:2] for c in current] != [(f["id"], f["type"]) for f in fields]:
            return
        if [c[2] for c in current] == [f.get("info", {}) for f in fields]:
            return
    data = {"resource_id": resource_id, "fields": fields, "force": True}
    if primary_key and current is None:
        data["primary_key"] = _key_columns(primary_key)
    tk.get_action("datastore_create")(site_context(), data)


def _key_columns(primary_key: Any) -> list[str]:
    if not primary_key:
        return []
    return [primary_key] if isinstance(primary_key, str) else list(primary_key)


def _copy_and_swap(resource_id: str, fields: list[dict[str, Any]], primary_key: Any,
                   source: Any, as_is: bool,
                   before_swap: Callable[[], None] = lambda: None) -> int:
    """COPY a CSV with a header into a new table and swap it in for the live
    one (`swap`); the number of rows loaded. `before_swap` runs once the
    new table is complete, just before the swap. The full-text column
    stays empty: `build_search` fills it once the rows are served."""
    from ckanext.datastore.backend.postgres import get_write_engine
    from ckanext.kg.publishing.load import swap
    columns = [f["id"] for f in fields]
    column_list = ", ".join(identifier(c) for c in columns)
    # as is: "" is missing (NULL) quoted or not; else only unquoted "" is NULL
    options = f"FORMAT csv, HEADER true, FREEZE true, FORCE_NULL ({column_list})" if as_is \
        else "FORMAT csv, HEADER true, FREEZE true"

    def fill(cursor: Any, table: str) -> int:
        cursor.copy_expert(f"COPY {table} ({column_list}) FROM STDIN WITH ({options})",
                           source, size=COPY_BLOCK)
        return cursor.rowcount

    return swap.replace(get_write_engine(), resource_id,
                        [(f["id"], f["type"]) for f in fields],
                        _key_columns(primary_key), fill, before_swap=before_swap)


def build_search(resource_id: str, schema: dict[str, Any]) -> None:
    """Make `datastore_search`'s `q` answer for a table just published:
    rebuild it with its full-text column filled and indexed, swap it in,
    then let CKAN add the full-text indexes of its text columns and its
    statistics. The rows served stay the same throughout."""
    from ckanext.datastore.backend.postgres import get_write_engine
    from ckanext.kg.publishing.load import swap
    from ckanext.kg.site_user import site_context
    fields = datastore_fields(schema)
    columns = [f["id"] for f in fields]
    started = time.perf_counter()

    def fill(cursor: Any, table: str) -> int:
        live = swap.qualified("public", resource_id)
        names = ", ".join(identifier(c) for c in ["_id", *columns])
        cursor.execute(f"LOCK TABLE {live} IN SHARE MODE")  # no writes meanwhile
        cursor.execute(f"INSERT INTO {table} (_full_text, {names}) "
                       f"SELECT {_full_text(columns)}, {names} FROM {live}")
        count = cursor.rowcount
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, '_id'), "
                       f"(SELECT coalesce(max(_id), 0) + 1 FROM {table}), false)",
                       (table,))
        return count

    swap.replace(get_write_engine(), resource_id, [(f["id"], f["type"]) for f in fields],
                 _key_columns(schema.get("primaryKey")), fill, full_text=True)
    data = {"resource_id": resource_id, "fields": fields, "force": True}
    if schema.get("primaryKey"):
        data["primary_key"] = _key_columns(schema["primaryKey"])
    # CKAN's full-text indexes of the table are built here, in the job: its
    # own limit, not the DataStore's 60 s for a request (a GIN index over ten
    # million rows takes longer, and the search was never built)
    tk.get_action("datastore_create")(dict(site_context(), query_timeout=_job_milliseconds()),
                                      data)
    _count_rows(resource_id)
    log.info("resource %s: full-text search built in %.2f s", resource_id,
             time.perf_counter() - started)


def _job_milliseconds() -> int:
    return int(tk.config.get("ckanext.kg.validation.job_timeout")) * 1000


def _full_text(columns: list[str]) -> str:
    """The DataStore's full-text column, computed for all rows at once: the
    text of every column joined by spaces, NULLs left out (what CKAN's
    `populate_full_text_trigger` computes row by row)."""
    texts = ", ".join(f"{identifier(c)}::text" for c in columns)
    return f"to_tsvector(concat_ws(' ', {texts}))"


def _count_rows(resource_id: str) -> None:
    """The DataStore caches each table's row count (`total`) and
    statistics: compute them again."""
    from ckanext.datastore.backend import DatastoreBackend
    backend = DatastoreBackend.get_active_backend()
    backend.clear_table_stats(resource_id)
    backend.calculate_record_count(resource_id)
