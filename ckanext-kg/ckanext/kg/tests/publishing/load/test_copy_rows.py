"""A table PostgreSQL cannot COPY as it is: the vectorised rows
(kg_validation's write_copy_rows) are byte for byte what reading it row by
row with frictionless (typed_rows, write_copy_csv) writes."""
import csv
import io

import pytest

from ckanext.kg.publishing.load import datastore
from kg_validation.fast.copy_rows import write_copy_rows

SCHEMA = {"fields": [
    {"name": "id", "type": "integer"},
    {"name": "amount", "type": "number", "decimalChar": ",", "groupChar": " "},
    {"name": "bare", "type": "integer", "bareNumber": False},
    {"name": "paid", "type": "boolean", "trueValues": ["да"], "falseValues": ["нет"]},
    {"name": "day", "type": "date", "format": "%d.%m.%Y"},
    {"name": "iso_day", "type": "date"},
    {"name": "moment", "type": "datetime"},
    {"name": "opens", "type": "time"},
    {"name": "year", "type": "year"},
    {"name": "month", "type": "yearmonth"},
    {"name": "lasts", "type": "duration"},
    {"name": "place", "type": "geopoint"},
    {"name": "area", "type": "geojson"},
    {"name": "meta", "type": "object"},
    {"name": "tags", "type": "array"},
    {"name": "mail", "type": "string", "format": "email"},
    {"name": "name", "type": "string"},
    {"name": "extra", "type": "any"},
], "missingValues": ["", "-"]}
ROWS = [
    ["1", "1 234,50", "$7", "да", "31.01.2023", "2023-01-31", "2023-01-31T10:00:00", "10:55:13",
     "2023", "2023-01", "P1D", "74.6, 42.8", '{"type":"Point","coordinates":[74.6,42.8]}',
     '{"by":"tax"}', '["a","b"]', "info@stat.kg", "Ысык-Көл, облусу", "x"],
    ["007", "-0,5", "12 сом", "нет", "1.2.2023", "0999-12-31", "2023-01-31T10:00:00.250",
     "23:59:59", "0999", "2023-1", "PT1H30M", "180,90", '{"type":"Point","coordinates":[1,2]}',
     '{"a": [1, "б"]}', "[]", "a@b.kg", 'say "hi"', ""],
    ["3", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"],
    ["4", "0012,00", "-3", "да", "29.02.2024", "2024-02-29", "2024-02-29 23:00:00", "00:00:00",
     "1990", "1990-12", "P1Y2M", "-74.6,-42.8", '{"type":"Point","coordinates":[74.6,42.8]}',
     "{}", '[{"x": 1}]', "info@stat.kg", "Нарын", "Нарын"],
]


def _canonical(tmp_path, rows):
    path = tmp_path / "canonical.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([f["name"] for f in SCHEMA["fields"]])
        writer.writerows(rows)
    return path


def _row_by_row(path):
    target = io.StringIO()
    csv.writer(target, lineterminator="\n").writerow([f["name"] for f in SCHEMA["fields"]])
    datastore.write_copy_csv(datastore.typed_rows(path, SCHEMA), target)
    return target.getvalue().encode("utf-8")


@pytest.mark.parametrize("repeat", [1, 500])
def test_vectorised_copy_rows_are_the_row_by_row_ones(tmp_path, repeat):
    path = _canonical(tmp_path, ROWS * repeat)
    target = tmp_path / "copy.csv"
    progress = []
    assert write_copy_rows(path, SCHEMA, target, datastore.copy_cell, progress.append) == 4 * repeat
    assert target.read_bytes() == _row_by_row(path)
    assert progress[-1] == 4 * repeat
    assert not datastore.copies_as_is(SCHEMA, path)


def test_copy_rows_without_a_missing_value_are_the_row_by_row_ones(tmp_path):
    """Columns frictionless's reader reads, in batches without a missing
    cell (their texts found and quoted once per distinct text)."""
    path = _canonical(tmp_path, [ROWS[0], ROWS[1], ROWS[3]] * 300)
    target = tmp_path / "copy.csv"
    assert write_copy_rows(path, SCHEMA, target, datastore.copy_cell) == 900
    assert target.read_bytes() == _row_by_row(path)


def test_a_growing_file_is_read_whole_while_it_is_written(tmp_path):
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor
    path = tmp_path / "rows.csv"
    blocks = [f"{n},{'ы' * n}\n".encode() for n in range(300)]
    started = threading.Event()

    def write():
        with path.open("wb", buffering=0) as out:
            started.set()
            for block in blocks:
                out.write(block)
                time.sleep(0.0005)
        return len(blocks)

    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(write)
        started.wait()
        with datastore.GrowingFile(path, writing) as source:
            read = b"".join(iter(lambda: source.read(7), b""))
    assert read == b"".join(blocks)


def test_a_growing_file_raises_the_writers_error_at_its_end(tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    path = tmp_path / "rows.csv"

    def write():
        path.write_bytes(b"id\n1\n")
        raise datastore.NotConverted("r")

    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(write)
        with datastore.GrowingFile(path, writing) as source:
            assert source.read(100) in (b"id\n1\n", b"")  # what was written, then the error
            with pytest.raises(datastore.NotConverted):
                while source.read(100):
                    pass


def test_a_growing_file_is_read_in_whole_blocks_through_a_buffer(tmp_path):
    """Through `io.BufferedReader`: blocks of the asked size, as from the
    finished file."""
    import io
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor
    path = tmp_path / "rows.csv"
    started = threading.Event()

    def write():
        with path.open("wb", buffering=0) as out:
            started.set()
            for _ in range(100):
                out.write(b"x" * 7)
                time.sleep(0.0005)

    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(write)
        started.wait()
        with io.BufferedReader(datastore.GrowingFile(path, writing), 64) as source:
            sizes = [len(block) for block in iter(lambda: source.read(64), b"")]
    assert sizes == [64] * 10 + [60]


def test_year_months_and_durations_are_written_in_iso_8601(tmp_path):
    """As the table wrote them (a duration in ISO 8601's shortest form),
    not as Python prints frictionless's values ("yearmonth(year=2023,
    month=1)", "1 day, 0:00:00")."""
    rows = list(csv.reader(io.StringIO(_row_by_row(_canonical(tmp_path, ROWS)).decode())))
    month, lasts = rows[0].index("month"), rows[0].index("lasts")
    assert [(row[month], row[lasts]) for row in rows[1:]] == [
        ("2023-01", "P1D"), ("2023-01", "PT1H30M"), ("", ""), ("1990-12", "P1Y2M")]
