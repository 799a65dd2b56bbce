"""Downloads of a DataStore table: CSV, CSV for Excel, XLSX, Parquet, JSON.

Rows come from `datastore_search` page by page (keyset pagination, as
CKAN's own dump does), so the caller's permissions, `q`, `filters`,
`fields` and `sort` apply, and memory stays bounded by one page; rows
come in the table's order unless `sort` is given, with `q` too. A whole
table (none of those) is served from its stored files instead (`stored`):
CSV and Parquet as they are, CSV for Excel transcoded from the stored CSV,
XLSX and JSON written from the stored CSV's rows read as the DataStore
returns them (`stored_rows`), by the same writers.

"CSV for Excel" is what Excel with Russian or Kyrgyz regional settings
opens correctly: UTF-8 with a BOM, `;` between cells, decimal commas, and
text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return
prefixed with an apostrophe so that they can never run as formulas. The
column names are neutralised the same way there and in XLSX: a header
is a cell like any other to a spreadsheet.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import tempfile
from typing import Any, Callable, Iterator

import ckan.plugins.toolkit as tk

# one rule for both writers: the streamed ones here and the files' (`export_writers`)
from ckanext.kg.publishing.files.export_writers import FORMULA_START, neutralise  # noqa: F401
from ckanext.kg.publishing.files.export_writers import as_number as _number

PAGE = 10_000
NUMERIC = ("int", "int4", "int8", "float8", "numeric")

SEARCH = ("q", "filters", "fields", "sort")  # a download with none is the whole table
# whole-table downloads served from the stored files (`stored`)
STORED_FILE = {"csv": "csv", "parquet": "parquet"}  # format -> file served as it is
FROM_STORED = ("csv", "parquet", "excel", "xlsx", "json")

FORMATS = {  # name -> (file extension, Content-Type)
    "csv": ("csv", "text/csv; charset=utf-8"),
    "excel": ("excel.csv", "text/csv; charset=utf-8"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": ("parquet", "application/vnd.apache.parquet"),
    "json": ("json", "application/json"),
}


def pages(context: dict[str, Any], resource_id: str,
          search: dict[str, Any]) -> tuple[list[dict[str, Any]], Iterator[list[list[Any]]]]:
    """The table's fields, and its rows in pages (lists of values)."""
    search_action = tk.get_action("datastore_search")
    params = {"resource_id": resource_id, "limit": PAGE, "records_format": "lists",
              "include_total": False, "include_next_page": True, **search}
    if search.get("q"):
        params.update(_full_text_order(context, resource_id, search))
    first = search_action(dict(context), params)
    fields = [f for f in first["fields"] if f["id"] != "_id" or "fields" in search]

    def rest() -> Iterator[list[list[Any]]]:
        result, offset = first, 0
        while True:
            records = result["records"]
            if records:
                yield [row[-len(fields):] if len(row) > len(fields) else row
                       for row in records]
            if len(records) < PAGE:
                return
            next_page = result.get("next_page")
            if next_page:  # keyset: no growing offset
                page = dict(params, offset=0,
                            filters=dict(search.get("filters") or {}, **next_page))
            else:
                offset += PAGE
                page = dict(params, offset=offset)
            result = search_action(dict(context), page)
    return fields, rest()


def _full_text_order(context: dict[str, Any], resource_id: str,
                     search: dict[str, Any]) -> dict[str, Any]:
    """The columns and order of a download with a full-text query (`q`).

    `q` adds CKAN's `rank` column, which CKAN 2.12 cannot write into
    `lists` records (its statement does not parse), so the table's own
    columns are named; and rows come in the table's order unless `sort`
    is given, paged by `_id` like any other download (rank alone would
    page rows that tie in an unstable order)."""
    extra: dict[str, Any] = {}
    if not search.get("fields"):
        info = tk.get_action("datastore_search")(dict(context), {
            "resource_id": resource_id, "limit": 0, "include_total": False})
        extra["fields"] = [f["id"] for f in info["fields"] if f["id"] != "_id"]
    if not search.get("sort"):
        extra["sort"] = "_id"
    return extra


def stored_csv_pages(source: Any) -> Iterator[list[list[Any]]]:
    """The rows of a stored CSV file (header skipped), in pages."""
    with io.TextIOWrapper(source, encoding="utf-8", newline="") as text:
        reader = csv.reader(text)
        next(reader, None)
        while page := list(itertools.islice(reader, PAGE)):
            yield page


def spreadsheet_header(fields: list[dict[str, Any]]) -> list[Any]:
    """The column names as a spreadsheet's first row, neutralised like cells."""
    return [neutralise(f["id"]) for f in fields]


def _text_rows(fields, rows, delimiter: str, excel: bool) -> Iterator[bytes]:
    numeric = [f["type"] in NUMERIC for f in fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n" if excel else "\n")
    if excel:
        buffer.write("\ufeff")
    writer.writerow(spreadsheet_header(fields) if excel else [f["id"] for f in fields])
    for page in rows:
        for row in page:
            if excel:
                row = [str(v).replace(".", ",") if is_num and v is not None
                       else neutralise(v) for v, is_num in zip(row, numeric, strict=True)]
            writer.writerow(["" if v is None else v for v in row])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_stream(fields, rows) -> Iterator[bytes]:
    return _text_rows(fields, rows, ",", excel=False)


def excel_csv_stream(fields, rows) -> Iterator[bytes]:
    return _text_rows(fields, rows, ";", excel=True)


def json_stream(fields, rows) -> Iterator[bytes]:
    names = [f["id"] for f in fields]
    yield b"["
    first = True
    for page in rows:
        chunk = []
        for row in page:
            chunk.append(("" if first else ",") + json.dumps(
                dict(zip(names, row, strict=True)), ensure_ascii=False, default=str))
            first = False
        yield "".join(chunk).encode("utf-8")
    yield b"]\n"


def _spooled(write: Callable[[Any], None]) -> Iterator[bytes]:
    """Write a binary file to a temporary file, then stream it out."""
    with tempfile.TemporaryFile() as target:
        write(target)
        target.seek(0)
        for block in iter(lambda: target.read(1 << 16), b""):
            yield block


def xlsx_stream(fields, rows) -> Iterator[bytes]:
    """XLSX (`xlsx_sheets.write_xlsx`): further sheets past
    `ckanext.kg.xlsx.max_rows`, `CellTooLong` past `max_cell_chars`."""
    from ckanext.kg.publishing.files.xlsx_sheets import write_xlsx

    def write(target):
        write_xlsx(target, fields, rows, tk.config.get("ckanext.kg.xlsx.max_rows"),
                   tk.config.get("ckanext.kg.xlsx.max_cell_chars"))
    return _spooled(write)


ARROW_TYPES = {"int": "int64", "int4": "int32", "int8": "int64", "float8": "float64",
               "numeric": "float64", "bool": "bool", "date": "date32",
               "timestamp": "timestamp[us]", "text": "string"}


def parquet_stream(fields, rows) -> Iterator[bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq
    schema = pa.schema([(f["id"], pa.type_for_alias(ARROW_TYPES.get(f["type"], "string")))
                        for f in fields])

    def write(target):
        with pq.ParquetWriter(target, schema) as writer:
            for page in rows:
                columns = list(zip(*page, strict=True)) or [[] for _ in fields]
                arrays = [_arrow_array(list(column), arrow_type) for column, arrow_type
                          in zip(columns, schema.types, strict=True)]
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
    return _spooled(write)


def _arrow_array(values: list[Any], arrow_type: Any):
    import datetime as dt

    import pyarrow as pa
    if pa.types.is_date(arrow_type):
        values = [dt.date.fromisoformat(v[:10]) if isinstance(v, str) else v for v in values]
    elif pa.types.is_timestamp(arrow_type):
        values = [dt.datetime.fromisoformat(v) if isinstance(v, str) else v for v in values]
    elif pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        values = [_number(v) if v is not None else None for v in values]
    elif pa.types.is_string(arrow_type):
        values = [v if v is None or isinstance(v, str) else json.dumps(v, default=str)
                  for v in values]
    return pa.array(values, type=arrow_type)


WRITERS = {"csv": csv_stream, "excel": excel_csv_stream, "xlsx": xlsx_stream,
           "parquet": parquet_stream, "json": json_stream}
