"""Every Table Schema type × constraint: the fast path, vectorised, gives
frictionless's answer for valid, invalid and missing values.

Each case is a small table (an integer ``id`` and the field under test):
valid values in several spellings, values frictionless refuses, a missing
value, and a repeat; the fast engine must judge the column vectorised and
report exactly what frictionless reports row by row.
"""

from __future__ import annotations

import csv
import io

import pytest

from kg_validation.validate import CheckOptions, validate_table

SPEC = ["rowNumber", "fieldNumber", "type", "cell"]
V2 = "https://datapackage.org/profiles/2.0/tableschema.json"


def case(name, field, valid, invalid, **schema):
    return pytest.param(field, valid, invalid, schema, id=name)


CASES = [
    # string
    case("string", {"type": "string"}, ["Бишкек", "a,b", "  spaced "], []),
    case("string-required", {"type": "string", "constraints": {"required": True}}, ["x"], []),
    case("string-unique", {"type": "string", "constraints": {"unique": True}}, ["a", "b", "c"], ["a"]),
    case("string-minLength", {"type": "string", "constraints": {"minLength": 3}}, ["Ысык", "abc"],
         ["ab", "Ош"]),
    case("string-maxLength", {"type": "string", "constraints": {"maxLength": 3}}, ["Ош", "abc"],
         ["abcd", "Нарын"]),
    case("string-pattern", {"type": "string", "constraints": {"pattern": r"KG\d{11}"}},
         ["KG02000000000"], ["KG0200000000", "kg02000000000", "KG٠٢000000000", "KG02000000000\n"]),
    case("string-pattern-cyrillic", {"type": "string", "constraints": {"pattern": "[А-Яа-яӨөҮүҢң -]+"}},
         ["Ысык-Көл", "Нарын"], ["Naryn", "Нарын1"]),
    case("string-pattern-lookahead", {"type": "string", "constraints": {"pattern": "(?!x)[a-z]+"}},
         ["abc"], ["xyz", "ABC"]),
    case("string-pattern-word", {"type": "string", "constraints": {"pattern": r"\w+"}},
         ["abc", "Бишкек"], ["a b", "—"]),
    case("string-enum", {"type": "string", "constraints": {"enum": ["Ош", "Нарын"]}}, ["Ош"],
         ["Ош ", "Талас"]),
    case("string-email", {"type": "string", "format": "email"}, ["info@stat.kg"], ["info@", "a b@c.kg"]),
    case("string-uri", {"type": "string", "format": "uri"}, ["https://stat.kg/ru"], ["stat.kg", "::"]),
    case("string-uuid", {"type": "string", "format": "uuid"},
         ["2bc1c94f-0deb-43e9-92a1-4775189ec9f8", "2BC1C94F0DEB43E992A14775189EC9F8"], ["2bc1c94f"]),
    case("string-binary", {"type": "string", "format": "binary"}, ["aGVsbG8=", "YWJj"], ["abc"]),
    # integer
    case("integer", {"type": "integer"}, ["1", "-5", "007", "+5", " 5 ", "1_000", "٣"],
         ["1.5", "x", "1e3", "12345678901234567890123"]),
    case("integer-bareNumber", {"type": "integer", "bareNumber": False}, ["$5", "5%", "-5 сом"],
         ["$", "1.5.5"]),
    case("integer-minimum", {"type": "integer", "constraints": {"minimum": 0}}, ["0", "5"], ["-1"]),
    case("integer-maximum", {"type": "integer", "constraints": {"maximum": 10}}, ["10", "-5"], ["11"]),
    case("integer-exclusive", {"type": "integer", "constraints": {"exclusiveMinimum": 0,
                                                                  "exclusiveMaximum": 10}},
         ["1", "9"], ["0", "10"], **{"$schema": V2}),
    case("number-exclusive", {"type": "number", "constraints": {"exclusiveMinimum": 0,
                                                                "exclusiveMaximum": 0.5}},
         ["0.1", "0.49999"], ["0", "0.5", "0.50", "-1"], **{"$schema": V2}),
    case("date-exclusive", {"type": "date", "constraints": {"exclusiveMaximum": "2024-01-01"}},
         ["2023-12-31"], ["2024-01-01"], **{"$schema": V2}),
    case("integer-enum", {"type": "integer", "constraints": {"enum": [1, "2"]}}, ["1", "2", "01"], ["3"]),
    case("integer-unique", {"type": "integer", "constraints": {"unique": True}}, ["1", "2", "3"],
         ["01", " 2"]),
    # number
    case("number", {"type": "number"}, ["1.5", "-0.25", "3", "1e3", ".5", "NaN", "1_0"], ["1,5", "x", ""]),
    case("number-decimalChar", {"type": "number", "decimalChar": ","}, ["1,5", "2", "-3,25"],
         ["1.5", "1,5,5"]),
    case("number-groupChar", {"type": "number", "groupChar": " ", "decimalChar": ","},
         ["1 000,5", "12", "1 2 3"], ["1.000,5", "1 000.5"]),
    case("number-groupChar-dot", {"type": "number", "groupChar": ".", "decimalChar": ","},
         ["1.000,5", "12", "1,000.5"], ["1,000,5"]),
    case("number-bareNumber", {"type": "number", "bareNumber": False}, ["€1.5", "5 %"], ["€"]),
    case("number-minimum", {"type": "number", "constraints": {"minimum": 0.1}},
         ["0.1", "0.10", "5"], ["0.09999999999999999999", "-1"]),
    case("number-maximum", {"type": "number", "constraints": {"maximum": 0.3}},
         ["0.3", "0.29"], ["0.30000000000000001"]),
    case("number-enum", {"type": "number", "constraints": {"enum": ["1.50", 2]}}, ["1.5", "2.0", "1.500"],
         ["3"]),
    case("number-unique", {"type": "number", "constraints": {"unique": True}}, ["1.5", "2", "3"],
         ["1.50", "02.0"]),
    case("number-float", {"type": "number", "floatNumber": True, "constraints": {"unique": True}},
         ["1.5", "2"], ["1.50"]),
    # boolean
    case("boolean", {"type": "boolean"}, ["true", "False", "TRUE", "0", "1"], ["yes", "True ", "t"]),
    case("boolean-values", {"type": "boolean", "trueValues": ["да", "Ооба"], "falseValues": ["нет", "Жок"]},
         ["да", "Жок"], ["true", "Да"]),
    case("boolean-enum", {"type": "boolean", "constraints": {"enum": [True]}}, ["true", "1"], ["false"]),
    case("boolean-unique", {"type": "boolean", "constraints": {"unique": True}}, ["true", "false"],
         ["1"]),
    # date
    case("date", {"type": "date"}, ["2023-01-31", "2024-02-29", "2023-1-5"],
         ["2023-02-29", "0000-01-01", "31.01.2023", "2023-01-31 "]),
    case("date-format", {"type": "date", "format": "%d.%m.%Y"}, ["31.01.2023", "1.2.2023", "29.02.2024"],
         ["2023-01-31", "30.02.2023", "31.13.2023"]),
    case("date-format-any", {"type": "date", "format": "any"}, ["31 Jan 2023", "2023-01-31"], ["soon"]),
    case("date-minimum", {"type": "date", "constraints": {"minimum": "2023-01-01"}},
         ["2023-01-01", "2024-05-05"], ["2022-12-31"]),
    case("date-enum", {"type": "date", "constraints": {"enum": ["2023-01-01"]}}, ["2023-01-01"],
         ["2023-01-02"]),
    case("date-unique", {"type": "date", "constraints": {"unique": True}}, ["2023-01-01", "2023-01-02"],
         ["2023-1-1"]),
    # time
    case("time", {"type": "time"}, ["10:00:00", "23:59:59", "10:00:00.5", "10:00:00Z"],
         ["24:00:01", "10:00", "x"]),
    case("time-format", {"type": "time", "format": "%H:%M"}, ["10:00", "9:05"], ["25:00", "10:00:00"]),
    case("time-maximum", {"type": "time", "constraints": {"maximum": "12:00:00"}},
         ["11:59:59", "12:00:00"], ["12:00:01"]),
    # datetime
    case("datetime", {"type": "datetime"}, ["2023-01-31T10:00:00", "2023-01-31T10:00:00.25",
                                            "2023-01-31T10:00:00Z", "2023-01-31 10:00:00"],
         ["2023-02-30T10:00:00", "2023-01-31", "2023-01-31T25:00:00"]),
    case("datetime-format", {"type": "datetime", "format": "%d.%m.%Y %H:%M"},
         ["31.01.2023 10:00", "01.02.2023 23:59"], ["31.01.2023", "30.02.2023 10:00"]),
    case("datetime-minimum", {"type": "datetime", "constraints": {"minimum": "2023-01-01T00:00:00"}},
         ["2023-01-01T00:00:00", "2023-06-01T10:00:00"], ["2022-12-31T23:59:59"]),
    case("datetime-unique", {"type": "datetime", "constraints": {"unique": True}},
         ["2023-01-01T00:00:00", "2023-01-01T00:00:01"], ["2023-01-01T00:00:00.000"]),
    # year, yearmonth
    case("year", {"type": "year"}, ["2023", "0999"], ["23", "20233", "-123", "x"]),
    case("year-range", {"type": "year", "constraints": {"minimum": 2000, "maximum": 2030}},
         ["2000", "2030"], ["1999", "2031"]),
    case("yearmonth", {"type": "yearmonth"}, ["2023-01", "2023-12", "2023-1"], ["2023-13", "2023"]),
    case("yearmonth-minimum", {"type": "yearmonth", "constraints": {"minimum": "2023-02"}},
         ["2023-02", "2024-01"], ["2023-01"]),
    # duration, geopoint, geojson, object, array, any
    case("duration", {"type": "duration"}, ["P1Y2M3DT4H5M6S", "PT1H", "P1W", "P1.5D"], ["P", "1H", "PT"]),
    case("duration-unique", {"type": "duration", "constraints": {"unique": True}}, ["P1D", "PT1H"],
         ["PT24H"]),
    case("geopoint", {"type": "geopoint"}, ["74.6, 42.87", "180,90", "-74.6,-42.87"],
         ["181, 0", "0, 91", "74.6"]),
    case("geopoint-array", {"type": "geopoint", "format": "array"}, ["[74.6, 42.87]"], ["[74.6]"]),
    case("geopoint-object", {"type": "geopoint", "format": "object"}, ['{"lon": 74.6, "lat": 42.87}'],
         ['{"lon": 74.6}']),
    case("geojson", {"type": "geojson"}, ['{"type": "Point", "coordinates": [74.6, 42.87]}'],
         ['{"type": "Nothing"}', "[]"]),
    case("object", {"type": "object", "constraints": {"minLength": 1}}, ['{"a": 1}'], ["{}", "[1]", "x"]),
    case("array", {"type": "array", "constraints": {"maxLength": 2}}, ["[1, 2]", "[]"], ["[1, 2, 3]", "{}"]),
    case("any", {"type": "any", "constraints": {"enum": ["a", "b"]}}, ["a", "b"], ["c"]),
    # missing values
    case("missing-values-schema", {"type": "integer", "constraints": {"required": True}}, ["1", "-"],
         ["н/д"], missingValues=["", "-"]),
    case("missing-values-field", {"type": "integer", "missingValues": ["н/д"]}, ["1", "н/д"], ["-"]),
]


def _table(field: dict, valid: list[str], invalid: list[str]) -> str:
    """id, value: the valid values, the invalid ones, a missing value, valid again."""
    values = valid + invalid + [""] + valid
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "value"])
    writer.writerows([number, value] for number, value in enumerate(values, start=1))
    return out.getvalue()


@pytest.mark.parametrize("field, valid, invalid, schema", CASES)
def test_every_type_and_constraint_agrees_with_frictionless(tmp_path, field, valid, invalid, schema):
    path = tmp_path / "case.csv"
    path.write_text(_table(field, valid, invalid), encoding="utf-8")
    descriptor = {"fields": [{"name": "id", "type": "integer"}, {"name": "value", **field}], **schema}
    options = dict(mixed_script=False)
    fast = validate_table(path, descriptor, options=CheckOptions(fast=True, **options))
    slow = validate_table(path, descriptor, options=CheckOptions(fast=False, **options))
    assert (fast.engine, fast.row_by_row_reason) == ("fast", "")
    assert [column["path"] for column in fast.columns] == ["vectorised", "vectorised"]
    assert fast.flatten(SPEC) == slow.flatten(SPEC)
    if invalid and field.get("type") != "any" or field.get("constraints", {}).get("unique"):
        assert slow.flatten(SPEC) != []


VECTORISED = [
    ({"type": "string"}, ["Бишкек", "x"]),
    ({"type": "string", "format": "uuid"}, ["2bc1c94f-0deb-43e9-92a1-4775189ec9f8"]),
    ({"type": "string", "format": "binary"}, ["aGVsbG8="]),
    ({"type": "string", "constraints": {"pattern": r"KG\d{11}", "minLength": 13, "maxLength": 13}},
     ["KG02000000000"]),
    ({"type": "string", "constraints": {"enum": ["Ош", "Нарын"], "required": True}}, ["Ош", "Нарын"]),
    ({"type": "integer", "constraints": {"minimum": -5, "maximum": 10, "unique": True}}, ["1", "-5", "007"]),
    ({"type": "integer", "bareNumber": False}, ["$5", "-5 сом"]),
    ({"type": "integer", "constraints": {"enum": [1, 2]}}, ["1", "2"]),
    ({"type": "number", "constraints": {"minimum": 0, "maximum": 10.5, "unique": True}}, ["1.5", "10"]),
    ({"type": "number", "decimalChar": ",", "groupChar": " "}, ["1 000,5", "-2"]),
    ({"type": "number", "constraints": {"enum": [1.5, 2]}}, ["1.50", "2"]),
    ({"type": "boolean", "constraints": {"unique": True}}, ["true", "false"]),
    ({"type": "boolean", "trueValues": ["да"], "falseValues": ["нет"], "constraints": {"enum": [True]}},
     ["да"]),
    ({"type": "date", "constraints": {"minimum": "2000-01-01", "unique": True}},
     ["2023-01-31", "2024-02-29"]),
    ({"type": "date", "format": "%d.%m.%Y"}, ["31.01.2023"]),
    ({"type": "time", "constraints": {"maximum": "12:00:00"}}, ["10:00:00"]),
    ({"type": "time", "format": "%H:%M"}, ["10:00"]),
    ({"type": "datetime", "constraints": {"minimum": "2000-01-01T00:00:00", "unique": True}},
     ["2023-01-31T10:00:00", "2023-01-31T10:00:00.5"]),
    ({"type": "datetime", "format": "%d.%m.%Y %H:%M"}, ["31.01.2023 10:00"]),
    ({"type": "year", "constraints": {"minimum": 1990, "enum": [2023, 2024]}}, ["2023", "2024"]),
    ({"type": "yearmonth", "constraints": {"maximum": "2030-01"}}, ["2023-01"]),
    ({"type": "duration"}, ["P1Y2M3DT4H5M6S", "PT1H"]),
    ({"type": "geopoint"}, ["74.6, 42.87"]),
    ({"type": "any", "constraints": {"enum": ["a"]}}, ["a"]),
]


@pytest.mark.parametrize("field, values", VECTORISED,
                         ids=[f"{f['type']}-{i}" for i, (f, _) in enumerate(VECTORISED)])
def test_usual_spellings_are_settled_without_python(tmp_path, field, values):
    """Valid cells in their usual spelling never reach frictionless's cell reader."""
    path = tmp_path / "case.csv"
    repeated = values if field.get("constraints", {}).get("unique") else values * 3
    path.write_text("id,value\n" + "".join(f'{n},"{value}"\n' for n, value in enumerate(repeated)),
                    encoding="utf-8")
    descriptor = {"fields": [{"name": "id", "type": "integer"}, {"name": "value", **field}]}
    result = validate_table(path, descriptor, options=CheckOptions(mixed_script=False))
    assert (result.engine, result.valid) == ("fast", True)
    assert [column["readInPython"] for column in result.columns] == [0, 0]
