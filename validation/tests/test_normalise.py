from __future__ import annotations

import pytest

from kg_validation.dialect import detect_dialect, read_sample
from kg_validation.encoding import detect_encoding
from kg_validation.filekind import UnreadableFile
from kg_validation.normalise import normalise_file


def _normalise(source, tmp_path, fast=True):
    encoding = detect_encoding(source)
    dialect = detect_dialect(*read_sample(source, encoding.python_codec))
    target = tmp_path / "canonical.csv"
    report = normalise_file(source, target, encoding, dialect, fast=fast)
    return report, target.read_bytes().decode("utf-8")


def _summary(report):
    return [(c.kind, c.count, c.first_row, c.first_field) for c in report.changes]


def test_cp866_semicolon_file_becomes_canonical(messy, tmp_path):
    report, text = _normalise(messy / "3dc88cbf_4-1-1.csv", tmp_path)
    assert _summary(report) == [
        ("encoding", 1, None, None), ("delimiter", 1, None, None), ("line-endings", 1, None, None),
    ]
    assert report.rows == 63
    assert text.splitlines()[1].endswith(",Кыргызская Республика,,,,,,57.9")
    assert "\r" not in text and ";" not in text.splitlines()[0]


def test_mac_cyrillic_with_cr_line_endings(messy, tmp_path):
    report, text = _normalise(messy / "575e4629_7-1-1.csv", tmp_path)
    assert text.startswith(
        "Year,Territory,Urbanisation,Sex,Age,Education,Value\n"
        "2016,Кыргызская Республика,,,,,76.6594898827441\n"
    )
    assert report.change("line-endings").description == "line endings CR (mixed) replaced by LF"


def test_utf16_bom_is_removed(messy, tmp_path):
    report, text = _normalise(messy / "54750e55_1-2-1.csv", tmp_path)
    assert [c.kind for c in report.changes] == ["encoding", "bom-removed"]
    assert text.startswith("Year,Территория,Пол,Возраст,Value\n2007,Кыргызская Республика,,,35\n")


def test_numbers_are_never_rewritten(messy, tmp_path):
    _, text = _normalise(messy / "d6208847_17-3-1-1.csv", tmp_path)
    assert "2008,866\u00a02006\n" in text


def test_clean_utf8_file_has_no_changes(messy, tmp_path):
    report, _ = _normalise(messy / "d6208847_6-4-2-1.csv", tmp_path)
    assert (report.changes, report.flags, report.rows) == ([], [], 61)


def test_cell_changes_are_counted_with_first_position(write_bytes, tmp_path):
    decomposed = "и\u0306"  # й written as и + combining breve
    data = (
        "код;аталышы\n"
        f"KG02220000000;Тоӊ\n"
        f"KG06259000000;Чоӊ-Алай\n"
        f"KG08;Ча{decomposed}\n"
        "KG09;Ош\n"
        "KG10;Кыргызстaн\ufeff\n"
    ).encode("utf-8")
    report, text = _normalise(write_bytes(data), tmp_path)
    assert _summary(report) == [
        ("delimiter", 1, None, None),
        ("bom-inside-removed", 1, 6, 2),
        ("unicode-nfc", 1, 4, 2),
        ("kyrgyz-letter", 2, 2, 2),
    ]
    assert [(f.kind, f.count, f.first_row, f.first_field, f.example) for f in report.flags] == [
        ("mixed-script", 1, 6, 2, "Кыргызстaн"),
    ]
    assert text == (
        "код,аталышы\nKG02220000000,Тоң\nKG06259000000,Чоң-Алай\n"
        "KG08,Чай\nKG09,Ош\nKG10,Кыргызстaн\n"
    )


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("data, row, field", [
    (b"id,name\n1,Osh\n2,O\x00sh\n", 3, 2),  # ASCII
    ("код,аталышы\nKG09,Ош\x00\n".encode("utf-8"), 2, 2),  # Cyrillic
    (b'id,"na\x00me"\n1,Osh\n', 1, 2),  # a quoted header
])
def test_a_nul_character_makes_the_file_unreadable_where_it_is(
        write_bytes, tmp_path, data, row, field, fast):
    with pytest.raises(UnreadableFile) as error:
        _normalise(write_bytes(data), tmp_path, fast=fast)
    assert (error.value.code, error.value.row, error.value.field) == ("nul-character", row, field)


def test_ragged_rows_and_quoted_newlines_keep_row_positions(write_bytes, tmp_path):
    data = 'a;b\n1;"two\nlines"\n2\n\n3;4;5\n'.encode("utf-8")
    report, text = _normalise(write_bytes(data), tmp_path)
    assert report.rows == 5
    assert text == 'a,b\n1,"two\nlines"\n2\n\n3,4,5\n'


def test_admin_divisions_variant_letters(tmp_path):
    from kg_sources import SHARED_SOURCES

    source = SHARED_SOURCES / "kg-admin-divisions" / "data" / "all-flat.csv"
    if not source.is_file():
        pytest.skip(f"real source file not present: {source}")
    report, text = _normalise(source, tmp_path)
    change = report.change("kyrgyz-letter")
    assert (change.count, change.first_row, change.first_field, change.example) == (
        2, 7, 5, "Тоӊ",
    )
    assert "KG02220000000,2,Район,District,Тоң,Ton" in text
