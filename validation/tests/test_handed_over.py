"""A table whose delimiter is not a comma is judged from the blocks the
normaliser parsed (``canonical_blocks``), not parsed again from the
canonical file: the canonical bytes, the report, the normalisation report
and the rows for COPY are those of normalising first, then validating."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg_validation import validate
from kg_validation.fast import engine
from kg_validation.fast.copy_rows import CopyRows
from kg_validation.validate import CheckOptions, validate_table

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_table import schema as every_type_schema  # noqa: E402
from bench_table import write_table  # noqa: E402
from fast.test_copy_rows_in_pass import cell  # noqa: E402
from two_paths import SPEC, both_ways  # noqa: E402

SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"},
                     {"name": "amount", "type": "number", "decimalChar": ","}],
          "primaryKey": ["id"]}
ROWS = "".join(f'{number};"Житель; села {number}";{number},5\r\n' for number in range(1, 3000))
SOURCES = {
    "regular": "id;name;amount\r\n" + ROWS,
    "errors": "id;name;amount\r\n" + ROWS.replace(";7,5", ";семь").replace("\r\n12;", "\r\n11;"),
    "ragged": "id;name;amount\r\n" + ROWS.replace(";7,5", ";7,5;лишнее"),
    "blank line": "id;name;amount\r\n" + ROWS.replace("\r\n100;", "\r\n\r\n100;"),
    "line break in a cell": "id;name;amount\r\n" + ROWS.replace("села 5\"", "се\nла 5\""),
    "cells normalised": "id;name;amount\r\n" + ROWS.replace("села 9\"", "села\ufeff 9 Ӊ\""),
    "quote in a cell": "id;name;amount\r\n" + ROWS.replace("села 9\"", "села \"\"9\"\"\""),
    "other header": "id;title;amount\r\n" + ROWS,
    "tab": "id\tname\tamount\n" + ROWS.replace(";", "\t").replace("\r\n", "\n"),
}


def _both(monkeypatch, source: Path, tmp_path: Path, schema, **options):
    """Validated with the blocks handed over, then normalising first."""
    return both_ways(monkeypatch, "_hands_over", source, tmp_path, schema, **options)


@pytest.mark.parametrize("name, codec", [(name, codec) for name in sorted(SOURCES)
                                         for codec in ("utf-8", "cp1251")
                                         if codec == "utf-8" or name != "cells normalised"])
def test_handed_over_blocks_give_what_normalising_first_gives(monkeypatch, tmp_path, name, codec):
    source = tmp_path / "table.csv"
    source.write_bytes(SOURCES[name].encode(codec))
    handed, first = _both(monkeypatch, source, tmp_path, SCHEMA, encoding=codec,
                          options=CheckOptions(), error_limit=5)
    assert handed == first
    assert first["canonical"] is not None


def test_the_every_type_table_in_cp1251(monkeypatch, tmp_path):
    source = tmp_path / "table.csv"
    write_table(source, 20_000, "cp1251")
    handed, first = _both(monkeypatch, source, tmp_path, every_type_schema("cp1251"),
                          options=CheckOptions(region_code_field="region"))
    assert handed == first
    assert (first["valid"], first["engine"]) == (True, "fast")
    assert first["rows for COPY"].count(b"\n") == 20_001


def test_the_canonical_file_is_not_parsed_again(monkeypatch, tmp_path):
    source = tmp_path / "table.csv"
    source.write_bytes(SOURCES["regular"].encode("cp1251"))

    def refused(*args, **kwargs):
        raise AssertionError("the canonical file was parsed again")

    monkeypatch.setattr(engine, "_batches", refused)
    result = validate_table(source, SCHEMA, encoding="cp1251")
    assert (result.valid, result.engine, result.normalisation.rows) == (True, "fast", 3000)


def test_a_late_undecodable_byte_is_the_same_error(monkeypatch, tmp_path):
    source = tmp_path / "table.csv"
    source.write_bytes(SOURCES["regular"].encode("cp1251") * 40 + b"1;\x98;2\r\n")
    handed, first = _both(monkeypatch, source, tmp_path, SCHEMA, encoding="cp1251")
    assert handed == first
    assert first["unreadable"][0] == "decode-error"
    assert (first["report"], first["schema"], first["rows for COPY"]) == ([], None, None)


def test_an_undecodable_file_with_a_bad_schema_is_undecodable(monkeypatch, tmp_path):
    source = tmp_path / "table.csv"
    source.write_bytes(SOURCES["regular"].encode("cp1251") + b"1;\x98;2\r\n")
    handed, first = _both(monkeypatch, source, tmp_path, {"fields": [{"name": 1}]}, encoding="cp1251")
    assert handed == first
    assert first["unreadable"][0] == "decode-error"


def _validated(source: Path, tmp_path: Path, name: str, **options):
    canonical, rows_path = tmp_path / f"canonical-{name}.csv", tmp_path / f"rows-{name}.csv"
    rows = CopyRows(rows_path, cell)
    result = validate_table(source, SCHEMA, output=canonical, copy_rows=rows, error_limit=5,
                            **options)
    return result, rows, canonical.read_bytes()


@pytest.mark.parametrize("name, codec", [(name, codec) for name in sorted(SOURCES)
                                         for codec in ("utf-8", "cp1251")
                                         if codec == "utf-8" or name != "cells normalised"])
def test_a_canonical_file_no_load_needs_is_written_up_to_its_header(monkeypatch, tmp_path, name,
                                                                   codec):
    """``canonical_if_needed`` (the portal's job): the same outcome; the canonical
    file whole only where validation read it row by row, or where a passing
    table's rows for COPY were not written whole (the load then reads it);
    else its first block, which holds the header row."""
    monkeypatch.setattr(validate, "HANDED_BLOCK", 4096)
    source = tmp_path / "table.csv"
    source.write_bytes(SOURCES[name].encode(codec))
    whole, whole_rows, whole_bytes = _validated(source, tmp_path, "whole", encoding=codec)
    lazy, lazy_rows, lazy_bytes = _validated(source, tmp_path, "lazy", encoding=codec,
                                             canonical_if_needed=True)
    assert lazy.flatten(SPEC) == whole.flatten(SPEC)
    assert (lazy.valid, lazy.engine, lazy.columns) == (whole.valid, whole.engine, whole.columns)
    assert lazy.normalisation.to_dict() == whole.normalisation.to_dict()
    assert lazy_rows.written == whole_rows.written
    if whole.engine == "fast":
        assert lazy.canonical_whole is False
        assert whole_bytes.startswith(lazy_bytes) and lazy_bytes.endswith(b"\n")
        assert len(whole_bytes) > len(lazy_bytes) > len(b"id,name,amount\n")
    else:
        assert lazy.canonical_whole is True
        assert lazy_bytes == whole_bytes


def test_a_passing_table_whose_rows_for_copy_were_not_written_gets_its_canonical_file(
        monkeypatch, tmp_path):
    monkeypatch.setattr(validate, "HANDED_BLOCK", 4096)
    source = tmp_path / "table.csv"
    source.write_bytes(SOURCES["regular"].encode("cp1251"))
    whole, _, whole_bytes = _validated(source, tmp_path, "whole", encoding="cp1251")

    def not_written(self, *batch):
        self.discard("a cell this does not read")
        return False

    monkeypatch.setattr(CopyRows, "add", not_written)
    lazy, lazy_rows, lazy_bytes = _validated(source, tmp_path, "lazy", encoding="cp1251",
                                             canonical_if_needed=True)
    assert (lazy.valid, lazy.engine, lazy_rows.written) == (True, "fast", None)
    assert lazy.canonical_whole is True
    assert lazy_bytes == whole_bytes
