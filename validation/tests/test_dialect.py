from __future__ import annotations

import pytest

from kg_validation.dialect import detect_dialect, read_sample
from kg_validation.encoding import detect_encoding


def _real(messy, name):
    path = messy / name
    return detect_dialect(*read_sample(path, detect_encoding(path).python_codec))


@pytest.mark.parametrize(
    "name, delimiter, ending, mixed, columns",
    [
        ("085a4406_4-с-1-1.csv", ",", "\r\n", False, 3),
        ("3dc88cbf_4-1-1.csv", ";", "\r\n", False, 10),
        ("54750e55_1-2-1.csv", ",", "\n", False, 5),
        ("575e4629_7-1-1.csv", ";", "\r", True, 7),
        ("677ed5ed_1-4-1.csv", ",", "\r\n", False, 7),
        ("cd84525c_8-7-1.csv", ";", "\n", False, 10),
        ("d6208847_17-3-1-1.csv", ",", "\n", False, 2),
        ("d6208847_6-4-2-1.csv", ",", "\n", False, 4),
    ],
)
def test_real_file_dialect(messy, name, delimiter, ending, mixed, columns):
    dialect = _real(messy, name)
    assert (dialect.delimiter, dialect.line_terminator, dialect.mixed_line_endings) == (
        delimiter, ending, mixed,
    )
    assert (dialect.columns, dialect.header, dialect.header_row) == (columns, True, 1)


def test_decimal_comma_is_suggested_not_applied(messy):
    dialect = _real(messy, "cd84525c_8-7-1.csv")
    assert dialect.suggestions == {"decimalChar": ","}
    finding = dialect.numbers[0]
    assert (finding.kind, finding.count, finding.first_row, finding.first_field, finding.example) == (
        "decimal-comma", 25, 2, 10, "26,7",
    )


def test_quoted_decimal_comma_inside_comma_separated_file(messy):
    dialect = _real(messy, "677ed5ed_1-4-1.csv")
    assert dialect.suggestions == {"decimalChar": ","}
    assert dialect.quoted_fields == 251


def test_nbsp_grouping_is_suggested(messy):
    dialect = _real(messy, "d6208847_6-4-2-1.csv")
    assert dialect.suggestions == {"groupChar": "\u00a0"}
    assert [(f.kind, f.first_row, f.example) for f in dialect.numbers] == [
        ("decimal-point", 4, "7333.7"),
        ("group-nbsp", 10, "7\u00a0433,2"),
    ]


def test_impossible_digit_grouping_is_reported(messy):
    dialect = _real(messy, "d6208847_17-3-1-1.csv")
    assert list(dialect.suggestions) == ["irregularGrouping"]
    finding = dialect.numbers[0]
    assert (finding.kind, finding.count, finding.example) == (
        "irregular-grouping", 11, "866\u00a02006",
    )


def test_mixed_decimal_marks_are_warned(messy):
    dialect = _real(messy, "3dc88cbf_4-1-1.csv")
    assert dialect.suggestions == {"warning": "both decimal comma and decimal point occur"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter(delimiter):
    text = delimiter.join(["код", "аталышы", "саны"]) + "\n"
    text += "".join(delimiter.join([f"KG0{i}", f"аймак {i}", str(i)]) + "\n" for i in range(5))
    assert detect_dialect(text).delimiter == delimiter


def test_title_rows_before_header_are_skipped():
    text = "Таблица 1. Население\n\nid,name,value\n1,Ош,3\n2,Нарын,4\n"
    dialect = detect_dialect(text)
    assert (dialect.header_row, dialect.columns, dialect.header) == (3, 3, True)


def test_headerless_table():
    assert detect_dialect("2018,Ош,3\n2019,Нарын,4\n").header is False


def test_sample_cut_mid_line_drops_partial_row(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("a;b\n" + "1;2\n" * 10 + "3;" + "x" * 100, encoding="utf-8")
    text, complete = read_sample(path, "utf-8", size=50)
    assert complete is False
    assert detect_dialect(text, complete).delimiter == ";"
