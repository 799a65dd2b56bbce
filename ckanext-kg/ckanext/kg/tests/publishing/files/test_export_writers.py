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
