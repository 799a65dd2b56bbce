"""The rows for COPY written in validation's own pass are byte for byte
those of a second pass over the canonical CSV (``write_copy_rows``), and
are never kept for a table that fails or leaves the fast path."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import sys
from pathlib import Path

import pytest

from kg_validation.fast.copy_rows import CopyRows, NotWritten, write_copy_rows
from kg_validation.validate import validate_table

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from bench_table import schema as every_type_schema  # noqa: E402
from bench_table import write_table  # noqa: E402


def cell(value):
    """As the portal writes a value for COPY (``load.datastore._cell``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return value


@pytest.mark.parametrize("variant", ["utf-8", "cp1251"])
def test_rows_written_in_the_pass_are_the_second_pass_rows(tmp_path, variant):
    source, canonical = tmp_path / "table.csv", tmp_path / "canonical.csv"
    write_table(source, 5000, variant)
    rows = CopyRows(tmp_path / "in-pass.csv", cell)
    result = validate_table(source, every_type_schema(variant), output=canonical, copy_rows=rows)
    assert (result.valid, result.engine) == (True, "fast")
    assert rows.written == rows.finished.result() == 5000
    second = tmp_path / "second.csv"
    assert write_copy_rows(canonical, every_type_schema(variant), second, cell) == 5000
    assert rows.target.read_bytes() == second.read_bytes()
    # hashed as written: the file is not read again for its checksum
    assert rows.checksum == hashlib.sha256(second.read_bytes()).hexdigest()


def test_a_failing_table_keeps_no_rows(tmp_path):
    source = tmp_path / "table.csv"
    write_table(source, 300, "utf-8")
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[150] = lines[150].replace(",true,", ",maybe,").replace(",false,", ",maybe,")
    source.write_text("".join(lines), encoding="utf-8")
    rows = CopyRows(tmp_path / "rows.csv", cell)
    result = validate_table(source, every_type_schema("utf-8"), copy_rows=rows)
    assert result.flatten(["rowNumber", "fieldNumber", "type"]) == [[151, 12, "type-error"]]
    assert rows.written is None and not rows.target.exists()
    with pytest.raises(NotWritten):
        rows.finished.result()


def test_a_table_off_the_fast_path_keeps_no_rows(tmp_path):
    source = tmp_path / "table.csv"
    source.write_text("b,a\n1,2\n", encoding="utf-8")
    schema = {"fields": [{"name": "a", "type": "integer"}, {"name": "b", "type": "integer"}]}
    rows = CopyRows(tmp_path / "rows.csv", cell)
    result = validate_table(source, schema, copy_rows=rows)
    assert result.engine == "frictionless" and not result.valid
    assert rows.written is None and not rows.target.exists()


def test_an_unreadable_file_keeps_no_rows(tmp_path):
    source = tmp_path / "table.csv"
    source.write_bytes(b"")
    rows = CopyRows(tmp_path / "rows.csv", cell)
    assert validate_table(source, {"fields": [{"name": "a"}]}, copy_rows=rows).unreadable
    with pytest.raises(NotWritten):
        rows.finished.result()


class _Lines:
    """A RowsReader that keeps what it is given."""

    def __init__(self):
        self.breaks, self.texts = [], []

    def begin(self, header):
        pass

    def add(self, texts, lines, line_breaks):
        self.breaks.append(line_breaks)
        self.texts.append([column.to_pylist() for column in texts])

    def end(self):
        pass

    def discard(self):
        pass


class _Threads(_Lines):
    """A RowsReader that notes the thread each batch is given in; it can
    be told to fail on the second batch, as a full disk would."""

    def __init__(self, fail=False):
        super().__init__()
        self.threads, self.fail = [], fail

    def add(self, texts, lines, line_breaks):
        import threading
        self.threads.append(threading.current_thread().name)
        if self.fail and len(self.threads) == 2:
            raise OSError(28, "No space left on device")
        super().add(texts, lines, line_breaks)


def test_the_rows_are_written_by_a_thread_of_their_own_in_their_order(tmp_path):
    """Validation judges the next batch while the last one's rows are
    written: the same file as a second pass writes."""
    source, canonical = tmp_path / "table.csv", tmp_path / "canonical.csv"
    write_table(source, 60_000, "utf-8")  # several of the fast path's batches
    reader = _Threads()
    rows = CopyRows(tmp_path / "in-pass.csv", cell, reader)
    result = validate_table(source, every_type_schema("utf-8"), output=canonical, copy_rows=rows)
    assert (result.valid, rows.written) == (True, 60_000)
    assert len(reader.threads) > 3
    assert set(reader.threads) == {"kg-copy-rows_0"}
    second = tmp_path / "second.csv"
    assert write_copy_rows(canonical, every_type_schema("utf-8"), second, cell) == 60_000
    assert rows.target.read_bytes() == second.read_bytes()


def test_an_error_writing_the_rows_is_raised_and_keeps_none(tmp_path):
    source = tmp_path / "table.csv"
    write_table(source, 30_000, "utf-8")
    reader = _Threads(fail=True)
    rows = CopyRows(tmp_path / "rows.csv", cell, reader)
    with pytest.raises(OSError, match="No space left"):
        validate_table(source, every_type_schema("utf-8"), copy_rows=rows)
    assert len(reader.threads) == 2  # no batch written after the error
    assert rows.written is None and not rows.target.exists()
    with pytest.raises(NotWritten):
        rows.finished.result()


@pytest.mark.parametrize("months", [["2023-01", "2023-02", "2023-01"], ["2023-01", "", "2023-01"],
                                    ["", "", ""]])
def test_cells_read_one_by_one_are_quoted_once_as_csv_writer_quotes_them(tmp_path, months):
    """A column frictionless's reader reads (year-months) is written as
    csv.writer writes its texts, missing cells as unquoted empty fields,
    whether the batch holds missing cells or not; a text holding a line
    break is said to."""
    import csv
    import io

    import frictionless
    import pyarrow as pa

    def written(value):  # a cell writer whose texts need quotes, or hold a line break
        return None if value is None else {1: 'a "1", b', 2: "two\nlines"}[value.month]

    schema = frictionless.Schema.from_descriptor(
        {"fields": [{"name": "n", "type": "integer"}, {"name": "m", "type": "yearmonth"}]})
    reader = _Lines()
    rows = CopyRows(tmp_path / "rows.csv", written, reader)
    rows.begin(schema)
    assert rows.add([pa.array(["1", "2", "3"]), pa.array(months)])
    rows.end()
    texts = ["" if month == "" else {"2023-01": 'a "1", b', "2023-02": "two\nlines"}[month]
             for month in months]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerows([["n", "m"]] + [
        [str(number), text] for number, text in enumerate(texts, 1)])
    assert rows.target.read_bytes() == expected.getvalue().encode("utf-8")
    assert reader.texts == [[["1", "2", "3"], texts]]
    assert reader.breaks == ["two\nlines" in texts]


def test_a_column_of_unique_texts_remembers_a_bounded_number(monkeypatch):
    import frictionless
    import pyarrow as pa

    from kg_validation.fast import copy_rows

    field = frictionless.Schema.from_descriptor(
        {"fields": [{"name": "shape", "type": "object"}]}).fields[0]
    cells = pa.array([json.dumps({"k": k, "name": f"ж,{k}"}) for k in range(50)])
    unbounded = copy_rows._Column(field, cell).text(cells)
    monkeypatch.setattr(copy_rows, "_KNOWN_AT_MOST", 8)
    column = copy_rows._Column(field, cell)
    bounded = column.text(cells)
    assert len(column.known) <= 8
    assert bounded[0].to_pylist() == unbounded[0].to_pylist()
    assert bounded[1][0].to_pylist() == unbounded[1][0].to_pylist()
    assert bounded[0][3].as_py() == '{"k": 3, "name": "ж,3"}'
    assert bounded[1][0][3].as_py() == '"{""k"": 3, ""name"": ""ж,3""}"'
