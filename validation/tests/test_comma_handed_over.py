"""A comma table is judged from the blocks the normaliser copied, wrote or
parsed (``canonical_blocks``), handed over as a ``;`` table's are, not read
back from its canonical file: the canonical bytes, the report, the
normalisation report and the rows for COPY are those of normalising first,
then validating."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg_validation import validate
from kg_validation.fast import engine
from kg_validation.validate import CheckOptions, validate_table

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_table import schema as every_type_schema  # noqa: E402
from bench_table import write_table  # noqa: E402
from two_paths import both_ways  # noqa: E402

SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"},
                     {"name": "amount", "type": "number"}],
          "primaryKey": ["id"]}
ROWS = "".join(f'{number},"Житель, села {number}",{number}.5\r\n' for number in range(1, 3000))
# over several of the normaliser's blocks (validate.HANDED_BLOCK), a line break in
# every seventh row's name, and a bad number near the end
LONG = "id,name,amount\n" + "".join(
    f'{number},"Житель{chr(10) if number % 7 == 0 else " "}села {number}",'
    f'{"x" if number == 140_000 else number}\n' for number in range(1, 150_000))
SOURCES = {
    "regular": "id,name,amount\r\n" + ROWS,
    "errors": "id,name,amount\r\n" + ROWS.replace(",7.5", ",семь").replace("\r\n12,", "\r\n11,"),
    "ragged": "id,name,amount\r\n" + ROWS.replace(",7.5", ",7.5,лишнее"),
    "blank line": "id,name,amount\r\n" + ROWS.replace("\r\n100,", "\r\n\r\n100,"),
    "line break in a cell": "id,name,amount\r\n" + ROWS.replace("села 5\"", "се\nла 5\""),
    "line breaks over the blocks": LONG,
    "cells normalised": "id,name,amount\r\n" + ROWS.replace("села 9\"", "села\ufeff 9 Ӊ\""),
    "quote in a cell": "id,name,amount\r\n" + ROWS.replace("села 9\"", "села \"\"9\"\"\""),
    "other header": "id,title,amount\r\n" + ROWS,
    "byte order mark": "\ufeffid,name,amount\n" + ROWS.replace("\r\n", "\n"),
}


def _both(monkeypatch, source: Path, tmp_path: Path, schema, **options):
    """Validated from the blocks handed over, then normalising first."""
    return both_ways(monkeypatch, "_hands_over", source, tmp_path, schema, **options)


@pytest.mark.parametrize("name, codec", [(name, codec) for name in sorted(SOURCES)
                                         for codec in ("utf-8", "cp1251")
                                         if codec == "utf-8" or name not in (
                                             "cells normalised", "byte order mark")])
def test_comma_blocks_handed_over_give_what_normalising_first_gives(monkeypatch, tmp_path, name,
                                                                    codec):
    source = tmp_path / "table.csv"
    source.write_bytes(SOURCES[name].encode(codec))
    overlapped, first = _both(monkeypatch, source, tmp_path, SCHEMA, encoding=codec,
                              options=CheckOptions(), error_limit=5)
    assert overlapped == first
    assert first["canonical"] is not None


def test_line_breaks_over_the_handed_blocks_are_judged_on_the_fast_path(monkeypatch, tmp_path):
    monkeypatch.setattr(validate, "HANDED_BLOCK", 1 << 20)
    source = tmp_path / "table.csv"
    source.write_bytes(SOURCES["line breaks over the blocks"].encode("utf-8"))
    assert source.stat().st_size > 2 * validate.HANDED_BLOCK
    overlapped, _ = _both(monkeypatch, source, tmp_path, SCHEMA, options=CheckOptions())
    assert (overlapped["engine"], overlapped["normalisation"]["line_breaks_in_cells"]) == (
        "fast", True)
    # the row of id 140000, the header being row 1
    assert [row[:3] for row in overlapped["report"]] == [[140_001, 3, "type-error"]]


def test_the_every_type_table_in_utf8(monkeypatch, tmp_path):
    source = tmp_path / "table.csv"
    write_table(source, 20_000, "utf-8")
    overlapped, first = _both(monkeypatch, source, tmp_path, every_type_schema("utf-8"),
                              options=CheckOptions(region_code_field="region"))
    assert overlapped == first
    assert (first["valid"], first["engine"]) == (True, "fast")
    assert first["rows for COPY"].count(b"\n") == 20_001


def test_the_canonical_file_is_not_parsed_again(monkeypatch, tmp_path):
    source = tmp_path / "table.csv"
    source.write_bytes(SOURCES["regular"].encode("utf-8"))

    def refused(*args, **kwargs):
        raise AssertionError("the canonical file was parsed again")

    monkeypatch.setattr(engine, "_batches", refused)
    result = validate_table(source, SCHEMA)
    assert (result.valid, result.engine, result.normalisation.rows) == (True, "fast", 3000)


LATE_NUL = SOURCES["line breaks over the blocks"].replace(
    "села 120000", "се\x00ла 120000").encode("utf-8")
BAD_SCHEMA = {"fields": [{"name": 1}]}


@pytest.mark.parametrize("data, codec, schema, code", [
    (LATE_NUL, "utf-8", SCHEMA, "nul-character"),
    (SOURCES["regular"].encode("cp1251") * 40 + b"1,\x98,2\r\n", "cp1251", SCHEMA,
     "decode-error"),
    (SOURCES["regular"].encode("cp1251") + b"1,\x98,2\r\n", "cp1251", BAD_SCHEMA,
     "decode-error"),
    (SOURCES["regular"].encode("utf-8"), "utf-8", BAD_SCHEMA, "bad-schema"),
], ids=["late NUL", "late undecodable byte", "undecodable, bad schema", "bad schema"])
def test_a_refused_file_is_refused_alike(monkeypatch, tmp_path, data, codec, schema, code):
    """The normaliser's refusal first, as when it ran first; nothing kept."""
    source = tmp_path / "table.csv"
    source.write_bytes(data)
    overlapped, first = _both(monkeypatch, source, tmp_path, schema, encoding=codec)
    assert overlapped == first
    assert first["unreadable"][0] == code
    assert (first["report"], first["rows for COPY"]) == ([], None)
    assert first["schema"] is None or code == "bad-schema"
