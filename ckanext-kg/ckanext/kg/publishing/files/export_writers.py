"""Whole-table files in the download formats, written column by column
from record batches (pyarrow), never row by row in Python. No CKAN here:
functions take a stored CSV (`files.stored`), its fields (id and
DataStore type) and how it was read, and yield bytes or write a file.

They keep the rules of the page-by-page writers of `downloads` to the
byte (tests compare both on the same tables):

- CSV for Excel: UTF-8 with a BOM, `;` and CRLF, decimal commas in
  numeric columns (every `.` of their text), a text cell or column name
  that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
  prefixed with an apostrophe, cells quoted as Python's `csv` quotes
  them (only those holding `;`, `"`, CR or LF, and a lone empty cell);
  the cells are the stored CSV's text.
- JSON: `[`, one object per row (`{"id": value, ...}` as `json.dumps`
  writes it), `,` between rows, `]` and a newline; the values those that
  `datastore_search` gives (`stored_rows`).
- XLSX (XlsxWriter, constant memory): typed cells, the header row
  neutralised like the cells; a table with more rows than a sheet holds
  continues on further sheets, each with the header; a cell longer than
  a spreadsheet cell holds raises `CellTooLong` before anything is
  served.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Optional, Union

NUMERIC = ("int", "int4", "int8", "float8", "numeric")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PATTERN = r"^([=+\-@\t\r])"
NEEDS_QUOTES = '[;"\r\n]'  # what Python's csv quotes, with `;` and CRLF
JSON_ESCAPED = r'[\x00-\x1f"\\]'  # what json.dumps escapes (ensure_ascii=False)
BLOCK = 1 << 22  # bytes of CSV per record batch
SHEET_ROWS = 1_048_576  # rows of an Excel sheet, its header included
CELL_CHARS = 32_767  # characters of an Excel cell
Source = Union[str, BinaryIO]
Values = Callable[[str, Any], list[Any]]  # DataStore type, column -> Python values


class CellTooLong(Exception):
    """A cell longer than a spreadsheet cell holds (`CELL_CHARS`)."""

    def __init__(self, column: str, limit: int) -> None:
        super().__init__(f"a cell of column {column!r} is longer than {limit} characters")
        self.column = column
        self.limit = limit


def batches(source: Source, types: list[Any], names: list[str],
            empty_is_null: Optional[bool] = None) -> Iterator[Any]:
    """The stored CSV's record batches, its header skipped. `empty_is_null`
    None: every cell as its text, an empty cell as ""; else with `types`
    and the reading options of the stored Parquet file."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    schema = pa.schema(list(zip(names, types, strict=True)))
    read = pa_csv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK)
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    if empty_is_null is None:
        convert = pa_csv.ConvertOptions(column_types=schema, strings_can_be_null=False)
    else:
        convert = pa_csv.ConvertOptions(
            column_types=schema, null_values=[""], strings_can_be_null=True,
            quoted_strings_can_be_null=empty_is_null)
    with pa_csv.open_csv(source, read_options=read, parse_options=parse,
                         convert_options=convert) as reader:
        yield from reader


def _bytes(lines: Any) -> bytes:
    """The text of a string array without nulls, its values one after another."""
    import pyarrow as pa
    if len(lines) == 0:
        return b""
    offsets = pa.Array.from_buffers(pa.int32(), len(lines) + 1, [None, lines.buffers()[1]],
                                    offset=lines.offset)
    start, end = offsets[0].as_py(), offsets[-1].as_py()
    return memoryview(lines.buffers()[2])[start:end].tobytes()


# -- CSV for Excel ------------------------------------------------------------------

def excel_header(names: list[str]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(
        ["'" + n if n.startswith(FORMULA_START) else n for n in names])
    return buffer.getvalue().encode("utf-8")


def excel_cells(column: Any, numeric: bool, alone: bool) -> Any:
    """A column of the stored CSV's text as CSV for Excel writes it."""
    import pyarrow.compute as pc
    if numeric:
        column = pc.replace_substring(column, ".", ",")
    else:
        column = pc.replace_substring_regex(column, FORMULA_PATTERN, r"'\1",
                                            max_replacements=1)
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")
    column = pc.if_else(pc.match_substring_regex(column, NEEDS_QUOTES), quoted, column)
    if alone:  # a row of one empty cell is written as "" (else it is a blank line)
        column = pc.if_else(pc.equal(column, ""), '""', column)
    return column


def excel_csv(source: Source, fields: list[dict[str, str]]) -> Iterator[bytes]:
    """The stored CSV as CSV for Excel, a record batch at a time."""
    import pyarrow as pa
    import pyarrow.compute as pc
    names = [f["id"] for f in fields]
    yield excel_header(names)
    numeric = [f["type"] in NUMERIC for f in fields]
    for batch in batches(source, [pa.string()] * len(names), names):
        cells = [excel_cells(column, is_num, len(names) == 1)
                 for column, is_num in zip(batch.columns, numeric, strict=True)]
        line = cells[0] if len(cells) == 1 else pc.binary_join_element_wise(*cells, ";")
        yield _bytes(pc.binary_join_element_wise(line, "\r\n", ""))


# -- JSON ---------------------------------------------------------------------------

def _json_strings(column: Any) -> Any:
    """Text values as JSON strings: quoted as they are unless json.dumps
    escapes something in them (those few are written by json.dumps)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    plain = pc.binary_join_element_wise('"', column, '"', "")
    escaped = pc.fill_null(pc.match_substring_regex(column, JSON_ESCAPED), False)
    if pc.any(escaped).as_py():
        written = [json.dumps(v, ensure_ascii=False)
                   for v in pc.filter(column, escaped).to_pylist()]
        plain = pc.replace_with_mask(plain, escaped, pa.array(written, pa.string()))
    return plain


def timestamp_text(column: Any, timespec: str) -> Any:
    """Timestamps as `datetime.isoformat(timespec=...)` writes them."""
    import pyarrow.compute as pc
    text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")  # with microseconds
    return pc.utf8_slice_codeunits(text, 0, 23 if timespec == "milliseconds" else 19)


def _json_timestamps(column: Any, timespec: str) -> Any:
    """Timestamps as `datetime.isoformat(timespec=...)` writes them, quoted."""
    import pyarrow.compute as pc
    return pc.binary_join_element_wise('"', timestamp_text(column, timespec), '"', "")


def json_values(column: Any, datastore_type: str, timespec: str,
                values: Values) -> Any:
    """A column as the JSON text of each value, null as `null`."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if datastore_type in ("int", "int4", "int8", "bool"):
        text = column.cast(pa.string())
    elif datastore_type == "date":
        text = pc.binary_join_element_wise('"', column.cast(pa.string()), '"', "")
    elif datastore_type == "timestamp":
        text = _json_timestamps(column, timespec)
    elif datastore_type in ("text", "time"):  # a time as PostgreSQL writes it
        text = _json_strings(column)
    elif datastore_type == "numeric":  # numbers (and "NaN"): json.dumps of the list
        written = json.dumps(values(datastore_type, column), ensure_ascii=False)
        text = pa.array(written[1:-1].split(", ") if len(column) else [], pa.string())
    else:
        text = pa.array([json.dumps(v, ensure_ascii=False)
                         for v in values(datastore_type, column)], pa.string())
    return pc.fill_null(text, "null")


def json_rows(source: Source, fields: list[dict[str, str]], types: list[Any],
              empty_is_null: bool, timespec: str, values: Values) -> Iterator[bytes]:
    """The stored CSV as the JSON download, a record batch at a time.
    `types`: the pyarrow types the columns are read as; `values`: the
    Python values `datastore_search` gives for a column of a type not
    written here (numeric, json)."""
    import pyarrow.compute as pc
    names = [f["id"] for f in fields]
    keys = [json.dumps(n, ensure_ascii=False) + ": " for n in names]
    yield b"["
    first = True
    for batch in batches(source, types, names, empty_is_null):
        parts: list[Any] = []
        for position, (column, field) in enumerate(zip(batch.columns, fields, strict=True)):
            opening = ",{" if position == 0 else ", "
            parts += [opening + keys[position],
                      json_values(column, field["type"], timespec, values)]
        if not parts:
            continue
        chunk = _bytes(pc.binary_join_element_wise(*parts, "}", ""))
        if first and chunk:
            chunk, first = chunk[1:], False
        yield chunk
    yield b"]\n"


# -- XLSX ---------------------------------------------------------------------------

def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def as_number(value: Any) -> Any:
    """A DataStore number (text for `numeric`) as Python's int or float;
    the text of PostgreSQL's `numeric` has no negative zero."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return float(value) + 0.0
    return value


def write_xlsx(target: BinaryIO, fields: list[dict[str, str]],
               pages: Iterable[Iterable[Iterable[Any]]], sheet_rows: int = SHEET_ROWS,
               cell_chars: int = CELL_CHARS) -> None:
    """The rows (pages of `datastore_search` values) as an XLSX workbook:
    numbers as numbers, booleans as booleans, text as text (never a
    formula or a link). `sheet_rows` rows a sheet, its header included;
    a text longer than `cell_chars` raises `CellTooLong`."""
    write_xlsx_columns(target, fields, (page_columns(page, fields) for page in pages),
                       sheet_rows, cell_chars)


def write_xlsx_columns(target: BinaryIO, fields: list[dict[str, str]],
                       batches: Iterable[list[Any]], sheet_rows: int = SHEET_ROWS,
                       cell_chars: int = CELL_CHARS) -> None:
    """As `write_xlsx`, from batches of columns (`xlsx_sheets`): pyarrow
    arrays of the values `datastore_search` gives, or lists of them."""
    from ckanext.kg.publishing.files import xlsx_sheets
    xlsx_sheets.write(target, fields, batches, sheet_rows, cell_chars)


def page_columns(page: Iterable[Iterable[Any]], fields: list[dict[str, str]]) -> list[Any]:
    """A page of rows as columns: a pyarrow array where every value has the
    column's plain type (int, bool, text), else the list of values."""
    columns = list(zip(*page, strict=True)) or [() for _ in fields]
    return [_typed(list(values), f["type"]) for values, f in zip(columns, fields, strict=True)]


def _typed(values: list[Any], datastore_type: str) -> Any:
    import pyarrow as pa
    if datastore_type in ("int", "int4", "int8"):
        plain, kind = int, pa.int64()
    elif datastore_type == "bool":
        plain, kind = bool, pa.bool_()
    elif datastore_type not in NUMERIC + ("json",):
        plain, kind = str, pa.string()
    else:
        return values
    if all(v is None or type(v) is plain for v in values):
        return pa.array(values, kind)
    return values


def _text(value: Any, column: str, limit: int) -> Any:
    if isinstance(value, str):
        if len(value) > limit:
            raise CellTooLong(column, limit)
        return value
    if isinstance(value, (dict, list)):  # a JSON cell: its text
        text = json.dumps(value, ensure_ascii=False)
        if len(text) > limit:
            raise CellTooLong(column, limit)
        return text
    return value
