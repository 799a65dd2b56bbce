"""The byte-level canonical writer must give exactly the ``csv`` module's output and report."""

from __future__ import annotations

import codecs
import errno
import random
import re
import threading
import unicodedata

import pytest
from kg_sources import SHARED_SOURCES

from kg_validation import blocks, normalise
from kg_validation.blocks import canonical_lines
from kg_validation.dialect import Dialect, detect_dialect, read_sample
from kg_validation.encoding import EncodingResult, _utf8_fully, detect_encoding
from kg_validation.filekind import UnreadableFile, lines_shorter_than, longest_line
from kg_validation.normalise import normalise_file
from kg_validation.scripts import SCRIPT_BOUNDARY

CHUNK_SIZES = [1, 7, 64, 1000, 1 << 20]


def _both_writers(source, tmp_path, encoding=None, dialect=None, chunk_size=1 << 20):
    """(bytes, report) of the csv-module writer and of the fast writer."""
    encoding = encoding or detect_encoding(source)
    dialect = dialect or detect_dialect(*read_sample(source, encoding.python_codec))
    outputs = []
    for fast in (False, True):
        target = tmp_path / f"canonical-{fast}.csv"
        report = normalise_file(source, target, encoding, dialect, fast=fast, chunk_size=chunk_size)
        outputs.append((target.read_bytes(), report.to_dict()))
    return outputs


def _assert_same(source, tmp_path, **options):
    (slow_bytes, slow_report), (fast_bytes, fast_report) = _both_writers(source, tmp_path, **options)
    assert fast_bytes == slow_bytes
    assert fast_report == slow_report
    return slow_bytes, slow_report


def test_messy_corpus_is_written_identically(messy, tmp_path):
    for source in sorted(messy.glob("*.csv")):
        _assert_same(source, tmp_path)


def test_admin_divisions_are_written_identically(tmp_path):
    source = SHARED_SOURCES / "kg-admin-divisions" / "data" / "all-flat.csv"
    if not source.is_file():
        pytest.skip(f"real source file not present: {source}")
    for chunk_size in (4096, 1 << 20):
        _, report = _assert_same(source, tmp_path, chunk_size=chunk_size)
        assert [c["kind"] for c in report["changes"]] == ["kyrgyz-letter"]


CELLS = [
    "1", "-5", "12.50", "", " ", "Ош", "Ысык-Көл облусу", "Бишкек шаары", "KG02000000000",
    "Тоӊ", "Ӈ", "Ча\u0439", "Чаи\u0306", "Кыргызстaн", "Еducation", "Wi-Fi-зона",
    "\ufeffid", "ɵмүр", "Ɵзгөн", "«Нарын»", "2 000\u00a0000", "№ 5", "😀", "e\u0301", "é",
    "Ӏ", "ө", "ү", "ң", "Кыргызская Республика", "Latin only", "a,b", 'say "hi"', "two\nlines",
    "cr\rinside", "crlf\r\ninside", "x" * 300,
]


def _generated(generator: random.Random, rows: int, plain: bool, delimiter: str = ",",
               encoding: str = "utf-8") -> bytes:
    """A table; ``plain`` tables have no quote and no CR in them."""
    specials = f'{delimiter}"\n\r'
    cells = [c for c in CELLS if not plain or not any(ch in c for ch in specials)]
    cells = [c for c in cells + ["1,5", "2,25", "x;y", "a\tb"] if _encodable(c, encoding)
             and not (plain and delimiter in c)]
    lines = []
    for _ in range(rows):
        kind = generator.random()
        if kind < 0.05:
            lines.append("")  # blank line
            continue
        width = 3 if kind < 0.9 else generator.randint(1, 6)  # some ragged rows
        row = []
        for _ in range(width):
            cell = generator.choice(cells)
            if not plain and any(ch in cell for ch in specials):
                cell = '"' + cell.replace('"', '""') + '"'
            elif not plain and generator.random() < 0.05:
                cell = f'"{cell}"'  # quoted although it need not be
            row.append(cell)
        lines.append(delimiter.join(row))
    ending = "\n" if plain or generator.random() < 0.5 else "\r\n"
    text = delimiter.join("abc") + ending + ending.join(lines)
    if generator.random() < 0.7:
        text += ending
    data = text.encode(encoding)
    if encoding == "utf-8" and generator.random() < 0.2:
        data = codecs.BOM_UTF8 + data
    return data


def _encodable(cell: str, encoding: str) -> bool:
    try:
        cell.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _utf8(data: bytes) -> EncodingResult:
    if data.startswith(codecs.BOM_UTF8):
        return EncodingResult("utf-8-sig", 1.0, bom=True)
    return EncodingResult("utf-8", 1.0)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("plain", [True, False])
def test_generated_tables_are_written_identically(write_bytes, tmp_path, seed, plain):
    generator = random.Random(seed)
    data = _generated(generator, rows=generator.choice([1, 5, 60, 400]), plain=plain)
    source = write_bytes(data)
    for chunk_size in CHUNK_SIZES:
        _assert_same(source, tmp_path, encoding=_utf8(data), dialect=Dialect(), chunk_size=chunk_size)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("plain", [True, False])
@pytest.mark.parametrize("delimiter", [";", "\t", ","])
@pytest.mark.parametrize("encoding", ["utf-16", "cp1251", "mac_cyrillic", "cp866"])
def test_other_encodings_and_delimiters_are_written_identically(write_bytes, tmp_path, seed, plain,
                                                                delimiter, encoding):
    generator = random.Random(seed)
    data = _generated(generator, rows=generator.choice([1, 60, 400]), plain=plain,
                      delimiter=delimiter, encoding=encoding)
    source = write_bytes(data)
    for chunk_size in (1, 64, 1 << 20):
        _assert_same(source, tmp_path, encoding=EncodingResult(encoding, 1.0),
                     dialect=Dialect(delimiter=delimiter), chunk_size=chunk_size)


def test_semicolons_and_decimal_commas_are_parsed_and_quoted_by_pyarrow(write_bytes, tmp_path,
                                                                        monkeypatch):
    """A cp1251 file with ``;`` and decimal commas takes the pyarrow path, not csv's."""
    lines = ["id;name;amount;meta"] + [
        f'{n};Житель {n};{n},5;"{{""a"": {n}}}"' for n in range(1, 2000)]
    source = write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    monkeypatch.setattr(normalise, "_write_block", None)  # the csv module's path must not be taken
    target = tmp_path / "canonical.csv"
    normalise_file(source, target, EncodingResult("cp1251", 1.0), Dialect(delimiter=";"), chunk_size=4096)
    assert target.read_text(encoding="utf-8").splitlines()[:2] == [
        "id,name,amount,meta", '1,Житель 1,"1,5","{""a"": 1}"']
    monkeypatch.undo()
    _assert_same(source, tmp_path, encoding=EncodingResult("cp1251", 1.0), dialect=Dialect(delimiter=";"))


def _semicolon_table(write_bytes, rows: int = 2000):
    lines = ["id;name;amount;meta"] + [
        f'{n};Житель {n};{n},5;"{{""a"": {n}}}"' for n in range(1, rows)]
    return write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))


def test_parsed_blocks_are_written_by_a_thread_of_their_own_in_their_order(write_bytes, tmp_path,
                                                                           monkeypatch):
    """The re-quoting of a parsed block (``canonical_lines``) and its write run in
    ``kg-canonical``, while the normaliser parses the next block: the same bytes
    and report as the csv module's writer."""
    source = _semicolon_table(write_bytes)
    threads = []

    def recorded(table, *rest):
        threads.append(threading.current_thread().name)
        return canonical_lines(table, *rest)

    monkeypatch.setattr(normalise, "canonical_lines", recorded)
    _assert_same(source, tmp_path, encoding=EncodingResult("cp1251", 1.0),
                 dialect=Dialect(delimiter=";"), chunk_size=4096)
    assert len(threads) > 10
    assert {name.rsplit("_", 1)[0] for name in threads} == {"kg-canonical"}


def test_an_error_writing_a_block_is_raised_and_nothing_after_it_is_written(write_bytes, tmp_path,
                                                                            monkeypatch):
    source = _semicolon_table(write_bytes)
    calls = []

    def full_disk(table, *rest):
        calls.append(table.num_rows)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return canonical_lines(table, *rest)

    monkeypatch.setattr(normalise, "canonical_lines", full_disk)
    target = tmp_path / "canonical.csv"
    with pytest.raises(OSError) as error:
        normalise_file(source, target, EncodingResult("cp1251", 1.0), Dialect(delimiter=";"),
                       chunk_size=4096)
    assert error.value.errno == errno.ENOSPC
    assert len(calls) == 2  # the blocks handed to the thread after it were never written
    assert target.read_bytes().count(b"\n") == calls[0]


def test_clean_table_is_copied_byte_for_byte(write_bytes, tmp_path):
    lines = ["id,date,amount,region,name,note"] + [
        f"{n},2023-01-{n % 28 + 1:02d},{n}.50,KG02000000000,Ысык-Көл облусу,маалымат {n}"
        for n in range(1, 3000)
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    source = write_bytes(data)
    canonical, report = _assert_same(source, tmp_path, chunk_size=4096)
    assert canonical == data
    assert (report["rows"], report["changes"], report["flags"]) == (3000, [], [])


def test_crlf_and_missing_last_newline(write_bytes, tmp_path):
    source = write_bytes("a,b\r\n1,Ош\r\n\r\n2,Нарын".encode("utf-8"))
    canonical, report = _assert_same(source, tmp_path, chunk_size=5)
    assert canonical == "a,b\n1,Ош\n\n2,Нарын\n".encode("utf-8")
    assert report["rows"] == 4


def test_quoted_field_running_over_many_blocks(write_bytes, tmp_path, monkeypatch):
    monkeypatch.setattr(blocks, "MAX_CARRY", 50)
    long_cell = "строка\n" * 40
    data = f'a,b\n1,"{long_cell}"\n2,Ош\n3,"x, y"\n4,z\n'.encode("utf-8")
    source = write_bytes(data)
    for chunk_size in (8, 30, 1 << 20):
        canonical, report = _assert_same(source, tmp_path, encoding=_utf8(data), dialect=Dialect(),
                                         chunk_size=chunk_size)
        assert report["rows"] == 5


def test_unclosed_quote_is_the_same_error_or_text(write_bytes, tmp_path):
    data = 'a,b\n1,"never closed\n2,x\n'.encode("utf-8")
    source = write_bytes(data)
    for chunk_size in (4, 1 << 20):
        canonical, _ = _assert_same(source, tmp_path, encoding=_utf8(data), dialect=Dialect(),
                                    chunk_size=chunk_size)
        assert canonical == 'a,b\n1,"never closed\n2,x\n"\n'.encode("utf-8")


@pytest.mark.parametrize("fast", [False, True])
def test_too_many_columns_is_refused_by_both_writers(write_bytes, tmp_path, fast):
    data = b"a,b\n1,2\n" + b"," * normalise.MAX_COLUMNS + b"\n"
    source = write_bytes(data)
    with pytest.raises(UnreadableFile) as error:
        normalise_file(source, tmp_path / "out.csv", _utf8(data), Dialect(), fast=fast)
    assert error.value.code == "too-many-columns"
    fine = write_bytes(b"a\n" + b"," * (normalise.MAX_COLUMNS - 1) + b"\n", "fine.csv")
    assert normalise_file(fine, tmp_path / "out.csv", _utf8(data), Dialect(), fast=fast).rows == 2


@pytest.mark.parametrize("fast", [False, True])
def test_invalid_utf8_is_a_decode_error_in_both_writers(write_bytes, tmp_path, fast):
    source = write_bytes("a,b\n1,Ош\n".encode("utf-8") + "2,Нарын\n".encode("cp1251"))
    with pytest.raises(UnreadableFile) as error:
        normalise_file(source, tmp_path / "out.csv", EncodingResult("utf-8", 1.0), Dialect(), fast=fast)
    assert error.value.code == "decode-error"


def test_cyrillic_and_ascii_need_no_nfc_change():
    """Why the writer may skip NFC for text of ASCII and U+0400-U+04FF only."""
    chars = [chr(code) for code in list(range(0x80)) + list(range(0x400, 0x500))]
    assert {unicodedata.combining(char) for char in chars} <= {0, 230}
    for first in chars:
        for second in chars:
            pair = first + second
            assert unicodedata.is_normalized("NFC", pair), repr(pair)


def test_arrow_script_boundary_is_the_python_one():
    import pyarrow as pa
    import pyarrow.compute as pc

    generator = random.Random(5)
    alphabet = "aAkKzZ09 -,ɵƟаАөңӊЁёЯя\u0300é😀"
    texts = ["".join(generator.choice(alphabet) for _ in range(generator.randint(0, 6)))
             for _ in range(3000)]
    arrow = pc.match_substring_regex(pa.array(texts), blocks.SCRIPT_BOUNDARY_RE2).to_pylist()
    assert arrow == [SCRIPT_BOUNDARY.search(text) is not None for text in texts]


def test_arrow_variant_letters_are_the_python_ones():
    import pyarrow as pa
    import pyarrow.compute as pc

    chars = [chr(code) for code in range(0x20, 0x800)]
    arrow = pc.match_substring_regex(pa.array(chars), blocks.KYRGYZ_VARIANT_RE2).to_pylist()
    assert arrow == [normalise.KYRGYZ_VARIANT_CHARS.search(char) is not None for char in chars]
    assert sum(arrow) == 4


@pytest.mark.parametrize("chunk_size", [1, 3, 1 << 20])
def test_lines_shorter_than_never_misses_a_long_line(write_bytes, chunk_size):
    generator = random.Random(1)
    for _ in range(200):
        data = bytes(generator.choice(b"ab\r\n") if generator.random() < 0.1 else 0x61
                     for _ in range(generator.randint(0, 120)))
        path = write_bytes(data)
        for limit in (2, 5, 16, 40):
            if lines_shorter_than(path, limit, chunk_size):
                assert longest_line(path) < limit
    assert lines_shorter_than(write_bytes(b"ab\ncd\r\nef\r" * 100), 6)
    assert not lines_shorter_than(write_bytes(b"ab\n" + b"x" * 20 + b"\n"), 10)


@pytest.mark.parametrize("chunk_size", [1, 2, 5, 1 << 20])
def test_arrow_utf8_check_is_python_strict_utf8(write_bytes, chunk_size):
    samples = [b"", b"abc", "Ош Көл ӊ 😀 é".encode(), b"\xed\xa0\x80", b"\xc0\x80", b"\xe0\x80\x80",
               b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"ab\x80", b"ab\xd0", b"\xd0\xd0",
               b"\xef\xbb\xbfa", "Кыргыз".encode("cp1251"), b"\xf0\x9f\x98", b"x\xe2\x82\xac"]
    generator = random.Random(3)
    samples += [bytes(generator.choice(b"a\x80\xbf\xc2\xd0\xe2\xed\xf0\xf4\xff") for _ in range(6))
                for _ in range(300)]
    for data in samples:
        try:
            data.decode("utf-8")
            expected = True
        except UnicodeDecodeError:
            expected = False
        assert _utf8_fully(write_bytes(data), chunk_size) is expected, data


def test_plain_bytes_are_what_the_fast_writer_copies_unseen():
    plain = set(blocks.PLAIN_BYTES)
    assert not plain & set(b'\x00"\r')
    assert re.fullmatch(rb"[\x01-\x7f\x80-\xbf\xd0-\xd3]*", blocks.PLAIN_BYTES)


@pytest.mark.parametrize("cells, breaks", [
    (["Нарын", "Ош, шаары"], False),
    (["два\nряда", "x"], True),
    (["a\rb", "x"], True),  # csv.writer leaves it unquoted; a CSV reader ends a row there
])
def test_canonical_lines_say_whether_a_cell_holds_a_line_break(cells, breaks):
    import pyarrow as pa
    table = pa.table({"a": cells, "b": ["1", "2"]})
    lines, found = blocks.canonical_lines(table)
    assert found is breaks
    assert blocks.holds_a_line_break(table) is breaks
    assert [line.as_py() for line in lines] == [
        f'{_csv_cell(cell)},{number}\n' for cell, number in zip(cells, ["1", "2"])]


def _csv_cell(cell: str) -> str:
    import csv
    import io
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow([cell, ""])
    return text.getvalue()[:-2]


CELLS_TO_WRITE = ["", "Нарын", "Ош, шаары", 'say "hi"', '{"by":"tax"}', "два\nряда", "a\rb",
                  '"', ",", " x ", "[]"]


@pytest.mark.parametrize("cell", CELLS_TO_WRITE)
def test_a_cell_written_alone_is_written_as_csv_writer_writes_it(cell):
    assert blocks.written_cell(cell) == _csv_cell(cell)


def test_lines_of_cells_written_beforehand_are_the_lines_quoted_there():
    import pyarrow as pa
    table = pa.table({"a": CELLS_TO_WRITE, "b": list(reversed(CELLS_TO_WRITE))})
    written = [(pa.array([blocks.written_cell(cell) for cell in column.to_pylist()]),
                any("\n" in cell or "\r" in cell for cell in column.to_pylist()))
               for column in table.columns]
    assert blocks.canonical_lines(table, [written[0], None]) == blocks.canonical_lines(table)
    assert blocks.canonical_lines(table, written) == blocks.canonical_lines(table)
    lone = pa.table({"a": ["", "x,y"]})  # a lone empty cell is still written ""
    assert blocks.canonical_lines(lone, [(pa.array(["", '"x,y"']), False)])[0].to_pylist() == [
        '""\n', '"x,y"\n']


def test_a_block_holding_a_blank_line_is_neither_copied_nor_parsed_by_pyarrow():
    """csv reads no row from a blank line where pyarrow reads one empty cell."""
    assert blocks._canonical(b'a,"x,y"\n1,2\n')
    assert not blocks._canonical(b'a,"x,y"\n\n1,2\n')
    assert blocks._regular_table(b"a;b\r\n1;2\r\n", ";") is not None
    for block in (b"a;b\n\n1;2\n", b"a;b\r\n\r\n1;2\r\n", b"a;b\n\r\n1;2\n"):
        assert blocks._regular_table(block, ";") is None, block
