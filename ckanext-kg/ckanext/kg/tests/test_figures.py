"""Numbers, dates and times in the reader's format; years and codes as given."""
import pytest

from ckanext.kg import figures

NBSP = "\u00a0"


@pytest.mark.parametrize("language, value, shown", [
    ("ky", 2172300, f"2{NBSP}172{NBSP}300"),
    ("ru", 2172300, f"2{NBSP}172{NBSP}300"),
    ("en", 2172300, "2,172,300"),
    ("ru", -1.87730647067559, "-1,87730647067559"),   # every digit kept
    ("ky", "1234.5", f"1{NBSP}234,5"),
    ("en", 0.000123, "0.000123"),
    ("ru", 999, "999"),
    ("ru", "not a number", "not a number"),
    ("ru", float("nan"), "nan"),
    ("ru", None, ""),
])
def test_a_number_in_the_readers_format(language, value, shown):
    assert figures.number(value, language) == shown


@pytest.mark.parametrize("language, shown", [
    ("ky", ("2020-ж., 22-янв.", "2020-ж., 22-янв. 13:05:00")),
    ("ru", ("22 янв. 2020\u202fг.", "22 янв. 2020\u202fг., 13:05:00")),
    ("en", ("Jan 22, 2020", "Jan 22, 2020, 1:05:00\u202fPM"))])
def test_dates_and_times_in_the_readers_format(language, shown):
    assert (figures.date("2020-01-22", language),
            figures.timestamp("2020-01-22T13:05:00", language)) == shown
    assert figures.date("not a date", language) == "not a date"


SCHEMA = {"fields": [], "primaryKey": ["region_code", "year"],
          "foreignKeys": [{"fields": "airline", "reference": {"resource": "airlines"}}]}


@pytest.mark.parametrize("field, kind", [
    ({"name": "population", "type": "integer"}, figures.GROUPED),
    ({"name": "share", "type": "number"}, figures.GROUPED),
    ({"name": "year", "type": "year"}, figures.AS_GIVEN),
    ({"name": "year", "type": "integer", "constraints": {"unique": True}}, figures.AS_GIVEN),
    ({"name": "region_code", "type": "integer"}, figures.AS_GIVEN),   # in the primary key
    ({"name": "airline", "type": "integer"}, figures.AS_GIVEN),       # a foreign key
    ({"name": "airport_id", "type": "integer"}, figures.AS_GIVEN),    # named as an identifier
    ({"name": "iso_code", "type": "integer"}, figures.AS_GIVEN),
    ({"name": "year", "type": "integer"}, figures.AS_GIVEN),         # a year typed integer
    ({"name": "жыл", "type": "integer"}, figures.AS_GIVEN),
    ({"name": "census_year", "type": "integer"}, figures.AS_GIVEN),
    ({"name": "region", "type": "string"}, figures.AS_GIVEN),
    ({"name": "day", "type": "date"}, figures.DATE),
    ({"name": "open", "type": "boolean"}, figures.BOOLEAN),
    ({"name": "what", "type": "geojson"}, figures.AS_GIVEN),
])
def test_how_a_fields_values_are_shown_follows_its_table_schema(field, kind):
    assert figures.kind_of(field, SCHEMA) == kind


def test_a_year_stays_a_year_and_a_count_is_grouped():
    assert [figures.cell(2024, figures.kind_of({"name": "year", "type": "year"}), "ru"),
            figures.cell(2024, figures.kind_of({"name": "n", "type": "integer"}), "ru"),
            figures.cell(None, figures.GROUPED, "ru")] == ["2024", f"2{NBSP}024", ""]
