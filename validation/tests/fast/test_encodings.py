"""A table of every type, in every encoding and dialect agencies upload: the
fast path (after normalisation) reports what frictionless reports reading
the original file itself, with its encoding and delimiter."""

from __future__ import annotations

import csv
import io

import frictionless
import pytest

from kg_validation.validate import CheckOptions, validate_table

SPEC = ["rowNumber", "fieldNumber", "type", "cell"]
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "region", "type": "string", "constraints": {"enum": ["Чуйская", "Ошская", "Нарынская"]}},
        {"name": "name", "type": "string", "constraints": {"required": True}},
        {"name": "amount", "type": "number", "decimalChar": ",", "constraints": {"minimum": 0}},
        {"name": "count", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "paid", "type": "boolean", "trueValues": ["да"], "falseValues": ["нет"]},
        {"name": "day", "type": "date", "format": "%d.%m.%Y"},
        {"name": "moment", "type": "datetime"},
        {"name": "year", "type": "year"},
        {"name": "code", "type": "string", "constraints": {"pattern": "[А-Я]{2}-[0-9]{3}"}},
    ],
    "primaryKey": ["id"],
}
GOOD = ["Чуйская", "Бишкек городской", "1234,56", "17", "да", "31.01.2023", "2023-01-31T10:00:00",
        "2023", "ЧУ-001"]
BAD = {1: "Таласская", 2: "", 3: "12.5", 4: "-1", 5: "возможно", 6: "30.02.2023",
       7: "31.01.2023", 8: "двадцать", 9: "чу-1"}
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1251", "mac_cyrillic", "cp866"]
DIALECTS = [(",", "\n"), (";", "\r\n"), ("\t", "\n")]


def _rows() -> list[list[str]]:
    rows = []
    for number in range(1, 61):
        cells = [str(number)] + GOOD
        cells[2] = f"Житель села {number}"
        if number % 6 == 0:
            column = number // 6 % 9 + 1
            cells[column] = BAD[column]
        rows.append(cells)
    rows[40][0] = "3"  # a repeated primary key
    return rows


def _write(path, encoding: str, delimiter: str, ending: str) -> None:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator=ending)
    writer.writerow([field["name"] for field in SCHEMA["fields"]])
    writer.writerows(_rows())
    path.write_bytes(text.getvalue().encode(encoding))


@pytest.mark.parametrize("delimiter, ending", DIALECTS, ids=["comma-LF", "semicolon-CRLF", "tab-LF"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_type_in_every_encoding_and_dialect(tmp_path, encoding, delimiter, ending):
    path = tmp_path / "table.csv"
    _write(path, encoding, delimiter, ending)
    fast = validate_table(path, SCHEMA, options=CheckOptions(mixed_script=False))
    resource = frictionless.Resource(
        path=path.name, basepath=str(tmp_path), format="csv", encoding=encoding,
        control=frictionless.formats.CsvControl(delimiter=delimiter),
        schema=frictionless.Schema.from_descriptor(SCHEMA))
    original = frictionless.validate(resource)
    assert fast.encoding.encoding.replace("_", "-") == encoding.replace("_", "-").replace(
        "utf-16", "utf-16-le")
    assert (fast.dialect.delimiter, fast.engine) == (delimiter, "fast")
    assert {column["path"] for column in fast.columns} == {"vectorised"}
    assert fast.flatten(SPEC) == original.flatten(SPEC)
    assert len(original.flatten(SPEC)) == 11
