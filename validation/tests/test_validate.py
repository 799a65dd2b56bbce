from __future__ import annotations

import json
import zipfile

import pytest

from kg_validation import blocks
from kg_validation.dialect import Dialect
from kg_validation.encoding import EncodingResult
from kg_validation.filekind import UnreadableFile
from kg_validation.normalise import normalise_file
from kg_validation.report import build_report
from kg_validation.validate import CheckOptions, validate_table

SPEC = ["rowNumber", "fieldNumber", "type"]


@pytest.mark.parametrize(
    "name, errors, value_field",
    [
        ("085a4406_4-с-1-1.csv", [], {"type": "number"}),
        ("3dc88cbf_4-1-1.csv", [], {"type": "string"}),  # 57.9 and 66,00 mixed
        ("54750e55_1-2-1.csv", [], {"type": "number"}),
        ("575e4629_7-1-1.csv", [], {"type": "string"}),  # 76.65... and 100,00 mixed
        ("677ed5ed_1-4-1.csv", [], {"type": "number", "decimalChar": ","}),
        ("cd84525c_8-7-1.csv", [[21, 10, "type-error", "(33,0)"]],
         {"type": "number", "decimalChar": ","}),
        ("d6208847_17-3-1-1.csv", [], {"type": "string"}),  # 866 2006: impossible groups
        ("d6208847_6-4-2-1.csv", [], {"type": "string"}),  # 7333.7 and 7 433,2 mixed
    ],
)
def test_real_file_with_draft_schema(messy, name, errors, value_field):
    result = validate_table(messy / name)
    assert (result.valid, result.schema_is_draft) == (not errors, True)
    assert result.flatten(SPEC + ["cell"]) == errors
    assert result.schema["fields"][0] == {"name": "Year", "type": "integer"}
    assert result.schema["fields"][-1] == {"name": "Value", **value_field}


def test_decimal_comma_read_only_when_schema_declares_it(messy):
    path = messy / "cd84525c_8-7-1.csv"
    fields = [{"name": n, "type": "string"} for n in (
        "Year", "Territory", "Sex", "Urbanisation", "Age", "School attendance",
        "Mother's education", "Functional difficulties in a child", "Wealth quantil")]
    plain = {"fields": fields + [{"name": "Value", "type": "number"}]}
    declared = {"fields": fields + [{"name": "Value", "type": "number", "decimalChar": ","}]}
    failing = validate_table(path, plain).flatten(SPEC)
    assert failing[:2] == [[2, 10, "type-error"], [3, 10, "type-error"]]
    assert len(failing) == 26  # every value but the integers "19", "34", "27", ...
    # the real file writes one low-reliability value in parentheses: "(33,0)"
    assert validate_table(path, declared).flatten(SPEC + ["cell"]) == [
        [21, 10, "type-error", "(33,0)"],
    ]


def test_grouping_with_nbsp_is_a_type_error_without_group_char(messy):
    schema = {"fields": [
        {"name": "Year", "type": "integer"}, {"name": "Reference area", "type": "string"},
        {"name": "Composite breakdown", "type": "string"}, {"name": "Value", "type": "number"},
    ]}
    assert validate_table(messy / "d6208847_6-4-2-1.csv", schema).flatten(SPEC) == [
        [10, 4, "type-error"],
    ]


def test_schema_errors_keep_source_row_numbers(write_bytes):
    data = (
        "id;region;inn\r\n1;KG02000000000;01234567890123\r\n1;KG99000000000;123\r\n"
        "x;KG11000000000\r\n\r\n4;KG21000000000;20101199012345;extra\r\n"
    ).encode("cp1251")
    schema = {
        "fields": [
            {"name": "id", "type": "integer"}, {"name": "region", "type": "string"},
            {"name": "inn", "type": "string"},
        ],
        "primaryKey": ["id"],
    }
    options = CheckOptions(region_code_field="region", inn_field="inn")
    result = validate_table(write_bytes(data), schema, options=options)
    assert result.flatten(SPEC) == [
        [3, None, "primary-key"],
        [3, 2, "kg-region-code"],
        [3, 3, "kg-inn"],
        [4, 1, "type-error"],
        [4, 3, "missing-cell"],
        [4, None, "primary-key"],  # frictionless: a null key cell is a key error too
        [5, None, "blank-row"],
        [5, None, "primary-key"],
        [6, 4, "extra-cell"],
    ]
    assert result.schema_is_draft is False


def test_output_is_the_canonical_file(messy, tmp_path):
    output = tmp_path / "canonical.csv"
    validate_table(messy / "3dc88cbf_4-1-1.csv", output=output)
    assert output.read_text(encoding="utf-8").startswith("Year,Показатель,Местность,")


def test_duplicate_and_empty_headers(write_bytes):
    result = validate_table(write_bytes("a,a,,b\n1,2,3,4\n".encode()))
    assert result.flatten(SPEC) == [[None, 2, "duplicate-label"], [None, 3, "blank-label"]]


def test_ambiguous_encoding_needs_a_choice(write_bytes):
    path = write_bytes("id,name\n1,Я\n".encode("cp1251"))
    result = validate_table(path)
    assert (result.valid, result.findings[0]["type"]) == (False, "encoding-ambiguous")
    chosen = validate_table(path, encoding="cp1251")
    assert (chosen.valid, chosen.encoding.note) == (True, "chosen by the user")


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "empty-file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary-file"),
        (bytes(range(32)) * 50, "binary-file"),
        ("\n\n\n".encode(), "empty-file"),
    ],
)
def test_unreadable_input_is_reported(write_bytes, data, code):
    result = validate_table(write_bytes(data))
    assert (result.valid, result.unreadable.code) == (False, code)


def test_spreadsheet_renamed_csv_is_refused(tmp_path):
    path = tmp_path / "table.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert validate_table(path).unreadable.code == "binary-file"


def test_size_limit_is_checked_before_reading(write_bytes):
    result = validate_table(write_bytes(b"a,b\n1,2\n" * 100), max_bytes=100)
    assert (result.unreadable.code, result.unreadable.detail) == ("file-too-large", "800 > 100 bytes")


def test_a_nul_byte_is_refused_with_its_row_and_column(write_bytes):
    result = validate_table(write_bytes("id,name\n1,Ош\n2,О\x00ш\n".encode("utf-8")))
    assert result.valid is False
    assert (result.unreadable.code, result.unreadable.row, result.unreadable.field) == (
        "nul-character", 3, 2)
    report = build_report(result, "ky")
    assert [(e["type"], e["rowNumber"], e["fieldNumber"]) for e in report["errors"]] == [
        ("nul-character", 3, 2)]
    assert report["errors"][0]["message"].startswith("3-сап, 2-мамыча: файлда NUL белгиси")
    assert "\x00" not in json.dumps(report, ensure_ascii=False)  # PostgreSQL can store it


@pytest.mark.parametrize("codec, bom, bad, reason", [
    ("utf-8", b"", b"\xff", "utf-8: invalid start byte"),
    ("utf-8", b"\xef\xbb\xbf", b"\xff", "utf-8: invalid start byte"),
    ("cp1251", b"", b"\x98", "cp1251: character maps to <undefined>"),
])
@pytest.mark.parametrize("schema", [None, {"fields": [{"name": "id", "type": "integer"},
                                                      {"name": "name", "type": "string"}]}])
def test_an_undecodable_byte_is_named_by_its_offset_in_the_file(write_bytes, codec, bom, bad,
                                                                 reason, schema):
    """Far past the normaliser's first blocks, the byte is where the report
    says, not where it is in the block that met it."""
    rows = "".join(f"{number},Житель села {number}\n" for number in range(1, 200_000))
    head = bom + ("id,name\n" + rows).encode(codec)
    assert len(head) > (4 << 20) + 3
    path = write_bytes(head + b"200000," + bad + b"\n" + "200001,Ош\n".encode(codec))
    result = validate_table(path, schema, encoding=codec)
    assert (result.unreadable.code, result.unreadable.detail) == (
        "decode-error", f"{reason} at byte {len(head) + len(b'200000,')}")


@pytest.mark.parametrize("codec, bad, reason", [
    ("utf-8", b"\xff", "utf-8: invalid start byte"),
    ("utf-8-sig", b"\xff", "utf-8-sig: invalid start byte"),
    ("cp1251", b"\x98", "cp1251: character maps to <undefined>"),
])
def test_an_undecodable_byte_met_by_the_csv_module_is_named_by_its_offset(write_bytes, tmp_path,
                                                                           codec, bad, reason):
    """The csv module's path (here every block, ``fast=False``) decodes the
    file in chunks too: the offset is the file's, not the chunk's."""
    rows = "".join(f"{number},Житель села {number}\n" for number in range(1, 20_000))
    head = ("id,name\n" + rows).encode(codec)
    path = write_bytes(head + b"20000," + bad + b"\n" + "20001,Ош\n".encode(codec))
    with pytest.raises(UnreadableFile) as error:
        normalise_file(path, tmp_path / "out.csv", EncodingResult(codec, 1.0), Dialect(),
                       fast=False)
    assert (error.value.code, error.value.detail) == (
        "decode-error", f"{reason} at byte {len(head) + len(b'20000,')}")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_an_undecodable_byte_after_a_long_quoted_cell_is_named_by_its_offset(write_bytes, tmp_path,
                                                                             monkeypatch, bom):
    """A quoted cell running on past ``MAX_CARRY`` hands the rest of the file
    to the csv module: a refused byte there is still named in the file."""
    monkeypatch.setattr(blocks, "MAX_CARRY", 1000)
    rows = "".join(f"{number},Житель села {number}\n" for number in range(1, 5000))
    long_cell = "1,\"" + "строка\n" * 400 + "\"\n"
    head = bom + ("id,name\n" + rows + long_cell + rows).encode("utf-8")
    path = write_bytes(head + b"5000,\xff\n")
    codec = "utf-8-sig" if bom else "utf-8"
    with pytest.raises(UnreadableFile) as error:
        normalise_file(path, tmp_path / "out.csv", EncodingResult(codec, 1.0, bom=bool(bom)),
                       Dialect(), chunk_size=512)
    assert (error.value.code, error.value.detail) == (
        "decode-error", f"{codec}: invalid start byte at byte {len(head) + len(b'5000,')}")


def test_bad_schema_file(write_bytes, tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"fields": [{"name": "a", "type": "no-such-type"}]}))
    result = validate_table(write_bytes(b"a\n1\n"), schema)
    assert result.unreadable.code == "bad-schema"


def test_very_long_line_is_refused_not_crashing(write_bytes):
    result = validate_table(write_bytes(b"a,b\n1," + b"x" * (2 << 20) + b"\n"))
    assert result.unreadable.code == "line-too-long"


def test_quoted_field_over_many_lines_is_refused(write_bytes):
    result = validate_table(write_bytes(b'a,b\n1,"' + b"x\n" * 600_000 + b'"\n'))
    assert result.unreadable.code == "csv-error"


def test_very_long_line_of_short_fields_is_refused(write_bytes):
    result = validate_table(write_bytes(b"a,b\n" + b"1," * (1 << 20) + b"\n"))
    assert (result.unreadable.code, result.unreadable.detail) == (
        "line-too-long", "a line is longer than 1048576 bytes",
    )


def test_line_with_too_many_columns_is_refused(write_bytes):
    result = validate_table(write_bytes(b"a,b\n" + b"1," * 20_000 + b"\n"))
    assert (result.unreadable.code, result.unreadable.detail) == (
        "too-many-columns", "a row has more than 10000 cells",
    )


def test_carriage_return_only_lines_are_not_one_long_line(write_bytes):
    result = validate_table(write_bytes(b"a;b\r" + b"1;2\r" * 400_000))
    assert (result.unreadable, result.valid, result.normalisation.rows) == (None, True, 400_001)


def test_wrong_encoding_chosen_by_the_user(write_bytes):
    result = validate_table(write_bytes("id,name\n1,Нарын\n".encode("cp1251")), encoding="utf-8")
    assert result.unreadable.code == "decode-error"


def test_unknown_encoding_name(write_bytes):
    assert validate_table(write_bytes(b"a\n1\n"), encoding="no-such").unreadable.code == "bad-encoding"


def test_missing_sheet(sdg_excel):
    result = validate_table(sdg_excel / "1.1.1.xlsx", sheet="Жок")
    assert result.unreadable.code == "bad-spreadsheet"
