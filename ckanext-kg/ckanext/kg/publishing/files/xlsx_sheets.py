"""XLSX workbooks whose rows are written a column at a time.

XlsxWriter, in constant-memory mode, writes a cell at a time in Python:
about 150,000 cells a second here, so minutes for a table of a million
rows and twenty columns, while the jobs worker that makes it can do
nothing else. Here XlsxWriter still makes the workbook's package (content
types, relationships, styles, properties, the workbook) and each sheet's
header row, and the data rows of each sheet are written as the XML that
XlsxWriter writes for them in that mode (inline strings, cell references),
built a column at a time with pyarrow compute and streamed into the
package. A test holds both to the byte on every kind of cell. Values whose
text needs Python (numbers as `%.16G`, JSON, control characters) are
written one by one by the same rules.

One difference, on purpose: XlsxWriter writes a text that begins with
`<r>` and ends with `</r>` unescaped, as rich text, so a cell could break
the workbook's XML; here every text is escaped. And the sheets carry no
`<dimension>` (an optional hint of the used range that XlsxWriter writes
from cells it has seen, and this writer would have to know before the
rows): spreadsheets compute the range themselves.

The cells follow the rules of `export_writers.write_xlsx`: numbers as
numbers (NaN as Excel's `#NUM!`, the infinities as `#DIV/0!`), booleans as
booleans, every other value as text, a text that a spreadsheet would run
as a formula prefixed with an apostrophe, an empty or missing value as no
cell, a text longer than `cell_chars` refused (`CellTooLong`).
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from typing import Any, BinaryIO, Iterable, Iterator, Sequence, Union

from ckanext.kg.publishing.files.export_writers import (
    FORMULA_PATTERN,
    NUMERIC,
    CellTooLong,
    _bytes,
    _text,
    neutralise,
)
from ckanext.kg.publishing.files.export_writers import as_number as _number

Column = Union[Any, list]  # a pyarrow Array, or a list of Python values
# what XlsxWriter writes as `_xHHHH_` (and a literal `_xHHHH_`, whose `_` it escapes)
CONTROL = r"_x[0-9a-fA-F]{4}_|[\x{00}-\x{08}\x{0b}-\x{1f}\x{fffe}\x{ffff}]"
PY_CONTROL = re.compile(r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
# what Python's `\s` matches at either end (XlsxWriter then keeps the spaces)
SPACE = r"[\t\n\x{0b}\x{0c}\r \x{1c}-\x{1f}\x{85}\p{Z}]"
EDGE_SPACE = f"^{SPACE}|{SPACE}$"
BIG_INTEGER = 2 ** 53  # from here an integer may be rounded as a float by `%.16G`
# Excel's errors for NaN and the infinities, as XlsxWriter writes them
NOT_A_NUMBER = '" t="e"><f>#NUM!</f><v>#NUM!</v></c>'
INFINITY = '" t="e"><f>{}1/0</f><v>#DIV/0!</v></c>'
LEVEL = 1  # deflate level of the sheets: the rows compress well at the fastest
SHEET = "xl/worksheets/sheet{}.xml"


def write(target: BinaryIO, fields: list[dict[str, str]], batches: Iterable[Sequence[Column]],
          sheet_rows: int, cell_chars: int) -> None:
    """Write the workbook of `batches` (each a column per field, the same
    length) to `target`: `sheet_rows` rows a sheet, its header included,
    further sheets named "data 2", "data 3"..."""
    header = [neutralise(f["id"]) for f in fields]
    ends = _sheet_ends(header)
    letters = [_column_letter(i) for i in range(len(fields))]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=LEVEL) as package:
        sheets = _Sheets(package, ends)
        try:
            for columns in batches:
                length = len(columns[0]) if columns else 0
                start = 0
                while start < length:
                    taken = min(length - start, sheets.room(sheet_rows))
                    part = [column[start:start + taken] for column in columns]
                    sheets.write(_rows(part, fields, letters, sheets.next_row, cell_chars),
                                 taken)
                    start += taken
        except BaseException:
            sheets.abandon()  # the package cannot be closed while a sheet is open
            raise
        count = sheets.close()
        for info, data in _package(header, count):
            if not info.filename.startswith("xl/worksheets/"):
                package.writestr(info, data)


class _Sheets:
    """The sheet being written into the package, and where its next row goes."""

    def __init__(self, package: zipfile.ZipFile, ends: tuple[tuple[str, str], ...]) -> None:
        self.package, self.ends = package, ends
        self.count, self.stream, self.next_row = 0, None, 0

    def room(self, sheet_rows: int) -> int:
        """Rows the sheet being written still takes, after opening a new one if full."""
        if self.stream is None or self.next_row > sheet_rows:
            self._open()
        return sheet_rows - self.next_row + 1

    def write(self, xml: bytes, rows: int) -> None:
        self.stream.write(xml)
        self.next_row += rows

    def close(self) -> int:
        """End the last sheet (a sheet of the header alone if no row came); their count."""
        if self.stream is None:
            self._open()
        self._end()
        return self.count

    def abandon(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None

    def _open(self) -> None:
        if self.stream is not None:
            self._end()
        self.count += 1
        info = zipfile.ZipInfo(SHEET.format(self.count), date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        self.stream = self.package.open(info, "w", force_zip64=True)
        self.stream.write(self.ends[min(self.count, 2) - 1][0].encode("utf-8"))
        self.next_row = 2

    def _end(self) -> None:
        self.stream.write(self.ends[min(self.count, 2) - 1][1].encode("utf-8"))
        self.stream.close()
        self.stream = None


def _package(header: list[Any], sheets: int) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
    """The parts of XlsxWriter's workbook of `sheets` sheets with `header`."""
    import xlsxwriter
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "nan_inf_to_errors": True, "in_memory": False})
    book.set_properties({"created": dt.datetime(2000, 1, 1)})  # the same bytes each time
    for number in range(1, sheets + 1):
        book.add_worksheet("data" if number == 1 else f"data {number}").write_row(0, 0, header)
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as made:
        for info in made.infolist():
            yield info, made.read(info)


def _sheet_ends(header: list[Any]) -> tuple[tuple[str, str], ...]:
    """The XML of the first and of a later sheet before their data rows
    (through the header row) and after them, as XlsxWriter writes them."""
    parts = {info.filename: data.decode("utf-8") for info, data in _package(header, 2)}
    ends = []
    for number in (1, 2):
        xml = parts[SHEET.format(number)]
        cut = xml.index("</sheetData>")
        ends.append((re.sub(r"<dimension [^>]*/>", "", xml[:cut]), xml[cut:]))
    return tuple(ends)


def _column_letter(index: int) -> str:
    from xlsxwriter.utility import xl_col_to_name
    return xl_col_to_name(index)


# -- rows ---------------------------------------------------------------------------

def _rows(columns: Sequence[Column], fields: list[dict[str, str]], letters: list[str],
          first_row: int, cell_chars: int) -> bytes:
    """The `<row>` elements of these rows, numbered from `first_row`."""
    import pyarrow as pa
    import pyarrow.compute as pc
    length = len(columns[0])
    numbers = pa.array(range(first_row, first_row + length), pa.int64()).cast(pa.string())
    cells = [_cells(column, field, letter, numbers, cell_chars)
             for column, field, letter in zip(columns, fields, letters, strict=True)]
    joined = cells[0] if len(cells) == 1 else pc.binary_join_element_wise(*cells, "")
    rows = pc.binary_join_element_wise('<row r="', numbers, '">', joined, "</row>", "")
    return _bytes(pc.if_else(pc.equal(joined, ""), "", rows))


def _cells(column: Column, field: dict[str, str], letter: str, numbers: Any,
           cell_chars: int) -> Any:
    """A column's `<c>` elements, "" where there is no cell."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if isinstance(column, list):
        return pa.array(cells_one_by_one(column, field, letter, numbers.to_pylist(),
                                         cell_chars), pa.string())
    kind = column.type
    if pa.types.is_integer(kind) and field["type"] in NUMERIC:
        return _integer_cells(column, letter, numbers)
    if pa.types.is_boolean(kind):
        value = pc.if_else(column, "1", "0")
        cell = pc.binary_join_element_wise('<c r="', letter, numbers, '" t="b"><v>', value,
                                           "</v></c>", "")
        return pc.fill_null(cell, "")
    if pa.types.is_string(kind) and field["type"] not in NUMERIC + ("json",):
        return _text_cells(column, field["id"], letter, numbers, cell_chars)
    return pa.array(cells_one_by_one(column.to_pylist(), field, letter, numbers.to_pylist(),
                                     cell_chars), pa.string())


def _integer_cells(column: Any, letter: str, numbers: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc
    text = column.cast(pa.string())
    big = pc.fill_null(pc.or_(pc.greater_equal(column, BIG_INTEGER),
                              pc.less_equal(column, -BIG_INTEGER)), False)
    if pc.any(big).as_py():
        written = [f"{v:.16G}" for v in pc.filter(column, big).to_pylist()]
        text = pc.replace_with_mask(text, big, pa.array(written, pa.string()))
    cell = pc.binary_join_element_wise('<c r="', letter, numbers, '"><v>', text, "</v></c>", "")
    return pc.fill_null(cell, "")


def _text_cells(column: Any, name: str, letter: str, numbers: Any, cell_chars: int) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc
    text = pc.replace_substring_regex(column, FORMULA_PATTERN, r"'\1", max_replacements=1)
    longest = pc.max(pc.utf8_length(text)).as_py()
    if longest is not None and longest > cell_chars:
        raise CellTooLong(name, cell_chars)
    control = pc.fill_null(pc.match_substring_regex(text, CONTROL), False)
    if pc.any(control).as_py():
        written = [_escape_control(v) for v in pc.filter(text, control).to_pylist()]
        text = pc.replace_with_mask(text, control, pa.array(written, pa.string()))
    preserve = pc.if_else(pc.match_substring_regex(text, EDGE_SPACE),
                          ' xml:space="preserve"', "")
    for character, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, character, entity)
    cell = pc.binary_join_element_wise('<c r="', letter, numbers, '" t="inlineStr"><is><t',
                                       preserve, ">", text, "</t></is></c>", "")
    return pc.if_else(pc.fill_null(pc.equal(column, ""), True), "", cell)


def cells_one_by_one(values: list[Any], field: dict[str, str], letter: str,
                     numbers: list[str], cell_chars: int) -> list[str]:
    """The `<c>` elements of Python values, a value at a time (the rules
    of `write_xlsx` for values that are not plain typed columns)."""
    numeric = field["type"] in NUMERIC
    cells = []
    for value, number in zip(values, numbers, strict=True):
        if numeric:
            value = _number(value)
        else:
            value = _text(neutralise(value), field["id"], cell_chars)
        cells.append(_cell(value, f"{letter}{number}"))
    return cells


def _cell(value: Any, reference: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        if math.isnan(value):
            return f'<c r="{reference}{NOT_A_NUMBER}'
        if math.isinf(value):
            return f'<c r="{reference}' + INFINITY.format("-" if value < 0 else "")
        return f'<c r="{reference}"><v>{value:.16G}</v></c>'
    text = _escape_control(str(value))
    preserve = ' xml:space="preserve"' if re.search(r"^\s|\s$", text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{reference}" t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def _escape_control(text: str) -> str:
    """Control characters as `_xHHHH_`, a literal `_xHHHH_` with its `_` so
    written (`_x005F_`), as Excel reads them."""
    def escaped(match: re.Match) -> str:
        found = match.group(0)
        return "_x005F" + found if len(found) > 1 else f"_x{ord(found):04X}_"
    return PY_CONTROL.sub(escaped, text)
