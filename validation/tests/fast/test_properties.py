"""Property-based cases (hypothesis): a column judge says what frictionless's
own cell reader says, cell by cell, and its keys are equal exactly when
frictionless's values are equal, for numbers, dates and booleans."""

from __future__ import annotations

import frictionless
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg_validation.fast.judge import ColumnJudge, NotModelled

V2 = "https://datapackage.org/profiles/2.0/tableschema.json"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _field(descriptor: dict) -> frictionless.Field:
    schema = frictionless.Schema.from_descriptor(
        {"$schema": V2, "fields": [{"name": "value", **descriptor}]})
    return schema.fields[0]


def _agrees(descriptor: dict, cells: list[str]) -> None:
    field = _field(descriptor)
    read = field.create_cell_reader()
    expected = [read(cell) for cell in cells]
    try:
        judged = ColumnJudge(field, keyed=True).judge(pa.array(cells, pa.string()))
    except NotModelled:
        # only NaN (never equal to itself) and a key beyond the vectorised
        # integer (`judge._key_array`) are not compared vectorised
        assert any(value is not None and (value != value or (
            isinstance(value, int) and not -2**63 <= value < 2**63))
            for value, _ in expected)
        return
    assert judged.bad.to_pylist() == [bool(notes) for _, notes in expected], cells
    keys = judged.keys.to_pylist()
    for (value, _), key in zip(expected, keys):
        assert (key is None) == (value is None), (cells, value, key)
    present = [(value, key) for (value, _), key in zip(expected, keys) if value is not None]
    for first_value, first_key in present:
        for second_value, second_key in present:
            assert (first_key == second_key) == (first_value == second_value), cells


DIGITS = st.from_regex(r"\A[ +-]?[0-9]{0,19}([.,][0-9]{0,18})?([eE][+-]?[0-9]{1,2})?\Z", fullmatch=True)
NUMBER_TEXT = st.one_of(DIGITS, st.sampled_from(["NaN", "-0", "0.0", "1 000,5", "٣.5", "1_0", ""]),
                        st.text(max_size=6))
BOUND = st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False)
NUMBER_FIELDS = st.sampled_from([
    {"type": "number"}, {"type": "number", "decimalChar": ","},
    {"type": "number", "decimalChar": ",", "groupChar": " "}, {"type": "number", "bareNumber": False},
    {"type": "number", "floatNumber": True}, {"type": "integer"}, {"type": "integer", "bareNumber": False},
])


@SETTINGS
@given(NUMBER_FIELDS, st.lists(NUMBER_TEXT, min_size=1, max_size=30), BOUND,
       st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", None]))
def test_numbers(descriptor, cells, bound, constraint):
    if constraint and descriptor["type"] == "number":
        descriptor = dict(descriptor, constraints={constraint: float(bound)})
    elif constraint:
        descriptor = dict(descriptor, constraints={constraint: int(bound)})
    _agrees(descriptor, cells)


@SETTINGS
@given(st.lists(st.sampled_from(["1.5", "1.50", "01.5", "-0", "0", "0.0", "2", "2.000", "x"]),
                min_size=1, max_size=12),
       st.lists(st.sampled_from(["1.5", 2, "0", "-0.0", 3.25]), min_size=1, max_size=3))
def test_number_enum_and_equal_values(cells, enum):
    _agrees({"type": "number", "constraints": {"enum": enum}}, cells)


ISO_DATES = st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,3}\Z", fullmatch=True)
DOTTED_DATES = st.from_regex(r"\A[0-9]{1,3}\.[0-9]{1,2}\.[0-9]{3,5}\Z", fullmatch=True)


@SETTINGS
@given(st.lists(st.one_of(ISO_DATES, st.dates().map(str), st.text(max_size=10)), min_size=1,
                max_size=30),
       st.dates(), st.sampled_from(["minimum", "maximum", "exclusiveMaximum", None]))
def test_iso_dates(cells, bound, constraint):
    descriptor = {"type": "date"}
    if constraint:
        descriptor["constraints"] = {constraint: str(bound)}
    _agrees(descriptor, cells)


@SETTINGS
@given(st.lists(st.one_of(DOTTED_DATES, st.dates().map(lambda day: day.strftime("%d.%m.%Y"))),
                min_size=1, max_size=30))
def test_dotted_dates(cells):
    _agrees({"type": "date", "format": "%d.%m.%Y"}, cells)


@SETTINGS
@given(st.lists(st.one_of(st.datetimes().map(lambda moment: moment.isoformat()),
                          st.datetimes().map(lambda moment: moment.strftime("%d.%m.%Y %H:%M"))),
                min_size=1, max_size=20),
       st.sampled_from(["default", "%d.%m.%Y %H:%M"]))
def test_datetimes(cells, fmt):
    _agrees({"type": "datetime", "format": fmt}, cells)


BOOLEAN_TEXT = st.one_of(st.sampled_from(["true", "True", "TRUE", "false", "0", "1", "да", "нет",
                                          "Да", " true", "yes", ""]), st.text(max_size=4))


@SETTINGS
@given(st.lists(BOOLEAN_TEXT, min_size=1, max_size=30),
       st.sampled_from([{}, {"trueValues": ["да"], "falseValues": ["нет", "0"]}]),
       st.sampled_from([None, [True], [False, "нет"]]))
def test_booleans(cells, values, enum):
    descriptor = {"type": "boolean", **values}
    if enum:
        descriptor["constraints"] = {"enum": enum}
    _agrees(descriptor, cells)
