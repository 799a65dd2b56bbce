"""The column-by-column writers of whole-table files (`export_writers`)
give the very bytes of the page-by-page writers (`downloads`) that serve
filtered downloads, on tables made to catch every rule: formula starts,
quotes, `;`, line breaks and control characters in text and headers,
numbers in every notation PostgreSQL keeps, empty and quoted-empty cells,
dates and timestamps before 1970 and before the year 1000."""
import csv
import io
import random

import pyarrow as pa
import pytest

from ckanext.kg.publishing.files import downloads, export_writers, stored_rows

PIECES = ["a", "Ё", "қ", "ң", " ", ";", ",", '"', "\r", "\n", "\r\n", "=", "+", "-", "@",
          "\t", ".", "\x01", "\x1f", "\\", "/", "\u2028", "'", ""]
NUMBERS = ["", "1.5", "-2.25", "40", "40.0", "0.10", "1e5", "1.5E-3", "NaN", "-0.0",
           "12345678901234567890.123", "-Infinity"]
FIELDS = [{"id": "=title", "type": "text"}, {"id": "share;%", "type": "numeric"},
          {"id": "-year", "type": "int8"}, {"id": "open", "type": "bool"},
          {"id": "day", "type": "date"}, {"id": "at", "type": "timestamp"},
          {"id": "extra", "type": "json"}, {"id": 'note "x"', "type": "text"},
          {"id": "n4", "type": "int4"}]


def text(rng):
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 7)))


def stored_csv(rows=5000, seed=7):
    """A stored CSV as `stored` keeps it: `,`, `\\n`, a header."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([f["id"] for f in FIELDS])
    for _ in range(rows):
        writer.writerow([
            text(rng).replace("\r", ""), rng.choice(NUMBERS),
            rng.choice(["", "-3", "0", "9007199254740993"]), rng.choice(["", "true", "false"]),
            rng.choice(["", "2020-01-31", "0999-12-01", "1969-07-20"]),
            rng.choice(["", "2020-01-31T10:11:12", "2020-01-31 10:11:12.5678",
                        "1960-05-05T00:00:00.999999", "0999-01-01T00:00:00"]),
            rng.choice(["", '{"a": [1, 2.50, "x"], "b": null}', "[]", '"s"', "1.0"]),
            text(rng).replace("\r", ""), rng.choice(["", "7", "-2147483648"])])
    return buffer.getvalue().encode("utf-8")


def test_csv_for_excel_is_byte_for_byte_the_page_by_page_writers():
    data = stored_csv()
    page_by_page = b"".join(downloads.excel_csv_stream(
        FIELDS, downloads.stored_csv_pages(io.BytesIO(data))))
    assert b"".join(export_writers.excel_csv(io.BytesIO(data), FIELDS)) == page_by_page


@pytest.mark.parametrize("data", [b"only\n", b'only\n""\n=a\nb;c\n-1\n'],
                         ids=["empty", "a-lone-empty-cell"])
def test_csv_for_excel_of_a_one_column_table(data):
    """(A stored CSV has no blank line: validation refuses blank rows.)"""
    fields = [{"id": "only", "type": "text"}]
    pages = downloads.stored_csv_pages(io.BytesIO(data))
    assert b"".join(export_writers.excel_csv(io.BytesIO(data), fields)) == \
        b"".join(downloads.excel_csv_stream(fields, pages))


@pytest.mark.parametrize("empty_is_null", [True, False])
@pytest.mark.parametrize("ms_in_timestamp", [True, False])
def test_json_is_byte_for_byte_the_page_by_page_writers(
        monkeypatch, empty_is_null, ms_in_timestamp):
    import ckan.plugins.toolkit as tk
    monkeypatch.setitem(tk.config, "ckan.datastore.ms_in_timestamp", ms_in_timestamp)
    data = stored_csv(seed=11)
    page_by_page = b"".join(downloads.json_stream(
        FIELDS, stored_rows._rows(io.BytesIO(data), FIELDS, empty_is_null)))
    types = [pa.type_for_alias(stored_rows.READ_AS[f["type"]]) for f in FIELDS]
    written = b"".join(export_writers.json_rows(
        io.BytesIO(data), FIELDS, types, empty_is_null,
        "milliseconds" if ms_in_timestamp else "seconds",
        lambda datastore_type, column: stored_rows._values(datastore_type)(column)))
    assert written == page_by_page


def test_json_of_a_table_without_rows():
    fields = [{"id": "a", "type": "text"}]
    assert b"".join(export_writers.json_rows(
        io.BytesIO(b"a\n"), fields, [pa.string()], True, "seconds", None)) == b"[]\n"


def sheets(data):
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
            for sheet in book.worksheets}


def xlsx(fields, rows, **limits):
    target = io.BytesIO()
    export_writers.write_xlsx(target, fields, [rows], **limits)
    return target.getvalue()


XLSX_FIELDS = [{"id": "=name", "type": "text"}, {"id": "n", "type": "numeric"},
               {"id": "ok", "type": "bool"}]


def test_xlsx_cells_are_typed_and_never_formulas_or_links():
    rows = [["=1+2", 12.5, True], ["http://example.kg", "40", False], [None, None, None]]
    assert sheets(xlsx(XLSX_FIELDS, rows)) == {"data": [
        [("'=name", "s"), ("n", "s"), ("ok", "s")],
        [("'=1+2", "s"), (12.5, "n"), (True, "b")],
        [("http://example.kg", "s"), (40, "n"), (False, "b")]]}


def test_a_table_longer_than_a_sheet_continues_on_further_sheets():
    rows = [[f"r{i}", i, True] for i in range(5)]
    found = sheets(xlsx(XLSX_FIELDS, rows, sheet_rows=3))
    header = [("'=name", "s"), ("n", "s"), ("ok", "s")]
    assert list(found) == ["data", "data 2", "data 3"]
    assert [row[0][0] for sheet in found.values() for row in sheet[1:]] == \
        [f"r{i}" for i in range(5)]
    assert all(sheet[0] == header and len(sheet) <= 3 for sheet in found.values())


def test_a_cell_longer_than_a_spreadsheet_cell_is_refused():
    with pytest.raises(export_writers.CellTooLong) as error:
        xlsx(XLSX_FIELDS, [["x" * 11, 1, True]], cell_chars=10)
    assert (error.value.column, error.value.limit) == ("=name", 10)
    assert sheets(xlsx(XLSX_FIELDS, [["x" * 10, 1, True]], cell_chars=10))


def test_the_same_table_gives_the_same_xlsx_bytes():
    rows = [["a", 1, True]]
    assert xlsx(XLSX_FIELDS, rows) == xlsx(XLSX_FIELDS, rows)


# -- XLSX rows written column by column (`xlsx_sheets`) ------------------------------

XLSX_PIECES = PIECES + ["&", "<", ">", "_x00AF_", "\xa0", "\x85", "\ufffe"]
MIXED_FIELDS = [{"id": "=t", "type": "text"}, {"id": "n", "type": "numeric"},
                {"id": "i", "type": "int8"}, {"id": "b", "type": "bool"},
                {"id": "j", "type": "json"}, {"id": "f", "type": "float8"}]


def mixed_rows(count, seed=3):
    """Pages of `datastore_search` values with every kind of cell."""
    rng = random.Random(seed)
    return [["".join(rng.choice(XLSX_PIECES) for _ in range(rng.randint(0, 6))),
             rng.choice([None, "1.5", "NaN", "-Infinity", "Infinity", "1e5", "0.10", "-0.0",
                         "12345678901234567890.123", 7, 2.5]),
             rng.choice([None, 0, -3, 2 ** 53, 2 ** 53 + 1, -(2 ** 62), 10 ** 16 - 1]),
             rng.choice([None, True, False]),
             rng.choice([None, {"a": [1, 2.5]}, [], "s", 1.0, "=x", "x" * 3]),
             rng.choice([None, 0.1, -0.0, float("nan"), 1e300, float("-inf")])]
            for _ in range(count)]


def xlsxwriter_cell_by_cell(fields, rows, sheet_rows):
    """What XlsxWriter alone writes, a cell at a time, by the same rules."""
    import datetime as dt

    import xlsxwriter
    target = io.BytesIO()
    book = xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "nan_inf_to_errors": True, "in_memory": False})
    book.set_properties({"created": dt.datetime(2000, 1, 1)})
    header = [export_writers.neutralise(f["id"]) for f in fields]
    per_sheet = sheet_rows - 1
    for number, start in enumerate(range(0, max(len(rows), 1), per_sheet), 1):
        sheet = book.add_worksheet("data" if number == 1 else f"data {number}")
        sheet.write_row(0, 0, header)
        for offset, row in enumerate(rows[start:start + per_sheet], 1):
            sheet.write_row(offset, 0, [
                export_writers.as_number(v) if f["type"] in export_writers.NUMERIC
                else export_writers._text(export_writers.neutralise(v), f["id"], 32767)
                for v, f in zip(row, fields, strict=True)])
    book.close()
    return target.getvalue()


def parts(data):
    """The parts of a workbook, without the sheets' optional `<dimension>`."""
    import re
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: re.sub(rb"<dimension [^>]*/>", b"", package.read(name))
                for name in package.namelist()}


@pytest.mark.parametrize("pages", [[slice(0, 1000), slice(1000, 3000)], [slice(0, 3000)]],
                         ids=["two-pages", "one-page"])
def test_xlsx_is_part_for_part_what_xlsxwriter_writes_cell_by_cell(pages):
    """Every kind of cell (hostile text, every notation of a number, NaN and
    the infinities, integers past 2**53, JSON), on three sheets."""
    rows = mixed_rows(3000)
    target = io.BytesIO()
    export_writers.write_xlsx(target, MIXED_FIELDS, [rows[p] for p in pages], sheet_rows=1200)
    written = parts(target.getvalue())
    assert [n for n in written if n.startswith("xl/worksheets/")] == [
        "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"]
    assert written == parts(xlsxwriter_cell_by_cell(MIXED_FIELDS, rows, 1200))


def test_an_xlsx_of_a_header_alone_is_xlsxwriters():
    target = io.BytesIO()
    export_writers.write_xlsx(target, MIXED_FIELDS, [[]])
    assert parts(target.getvalue()) == parts(xlsxwriter_cell_by_cell(MIXED_FIELDS, [], 10))


def test_a_text_like_rich_text_is_escaped_like_any_other():
    """XlsxWriter writes a text between `<r>` and `</r>` as raw XML; a cell
    so written could break the workbook. Here it is text."""
    cell = "<r><t>x</t></r></sheetData>"
    assert sheets(xlsx(XLSX_FIELDS, [[cell, 1, True]]))["data"][1][0] == (cell, "s")


@pytest.mark.parametrize("empty_is_null", [True, False])
@pytest.mark.parametrize("ms_in_timestamp", [True, False])
def test_xlsx_from_the_stored_csvs_columns_is_the_page_by_page_writers(
        monkeypatch, empty_is_null, ms_in_timestamp):
    import ckan.plugins.toolkit as tk
    monkeypatch.setitem(tk.config, "ckan.datastore.ms_in_timestamp", ms_in_timestamp)
    data = stored_csv(seed=5)
    by_pages, by_columns = io.BytesIO(), io.BytesIO()
    export_writers.write_xlsx(by_pages, FIELDS, stored_rows._rows(
        io.BytesIO(data), FIELDS, empty_is_null), sheet_rows=3000)
    export_writers.write_xlsx_columns(by_columns, FIELDS, stored_rows.column_batches(
        io.BytesIO(data), FIELDS, empty_is_null), sheet_rows=3000)
    assert by_columns.getvalue() == by_pages.getvalue()
    assert len(parts(by_columns.getvalue())["xl/worksheets/sheet2.xml"]) > 1000
