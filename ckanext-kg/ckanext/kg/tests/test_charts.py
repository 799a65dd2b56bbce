"""Which chart a Table Schema allows, and its figures (`charts`): pure
functions, no CKAN."""
import pytest

from ckanext.kg import charts
from ckanext.kg.charts import BAR, LINE, Chart


def schema(*fields, **more):
    return {"fields": [dict(zip(("name", "type"), f, strict=True)) if isinstance(f, tuple) else f
                       for f in fields], **more}


COUNTRY = {"name": "country", "type": "string", "constraints": {"enum": ["KGZ", "KAZ"]}}


@pytest.mark.parametrize("table, chart", [
    (schema(("year", "year"), ("population", "integer")), Chart(LINE, "year", "population")),
    (schema(COUNTRY, ("year", "year"), ("gdp", "number")), Chart(LINE, "year", "gdp", "country")),
    (schema(("date", "date"), ("name", "string"), ("confirmed", "integer")),
     Chart(LINE, "date", "confirmed")),
    (schema(("month", "yearmonth"), ("price", "number")), Chart(LINE, "month", "price")),
    (schema(("fuel", "string"), ("capacity", "number")), Chart(BAR, "fuel", "capacity")),
    (schema(("code", "string"), COUNTRY, ("count", "integer")), Chart(BAR, "country", "count")),
    (schema(("name", "string"), ("region_code", "integer")), None),  # a code, no quantity
    (schema(("id", "integer"), ("year", "integer")), None),
    (schema(("population", "integer")), None),  # nothing to draw it along
    (schema(("name", "string")), None),
    (None, None),
])
def test_the_default_chart_follows_the_schema(table, chart):
    assert charts.default_chart(table) == chart


def test_a_key_column_is_no_quantity():
    table = schema(("year", "year"), ("station", "integer"), ("rain", "number"),
                   primaryKey=["station", "year"])
    assert charts.measures(table) == ["rain"]


@pytest.mark.parametrize("kind, role, name, why", [
    (LINE, "x", "year", None), (LINE, "x", "country", "type"), (BAR, "x", "country", None),
    (BAR, "x", "year", "type"), (LINE, "y", "gdp", None), (LINE, "y", "year", "type"),
    (LINE, "by", "country", None), (BAR, "by", "country", "type"),
    (LINE, "y", "nope", "missing"), (BAR, "y", "", None),
])
def test_a_chosen_column_must_exist_and_fit_its_role(kind, role, name, why):
    table = schema(COUNTRY, ("year", "year"), ("gdp", "number"))
    assert charts.unfit(table, kind, role, name) == why


def test_a_choice_that_does_not_fit_falls_back_to_one_that_does():
    table = schema(COUNTRY, ("year", "year"), ("gdp", "number"), ("debt", "number"))
    assert charts.chosen(table, BAR, y="debt") == Chart(BAR, "country", "debt")
    assert charts.chosen(table, LINE, x="country", y="debt", by="year") == Chart(
        LINE, "year", "debt")
    assert charts.chosen(table, None) == Chart(LINE, "year", "gdp", "country")


def test_lines_are_summed_per_time_and_category_in_time_order():
    rows = [{"year": 2021, "country": "KGZ", "gdp": 5}, {"year": 2020, "country": "KGZ", "gdp": 4},
            {"year": 2020, "country": "KAZ", "gdp": "1.5"}, {"year": 2020, "country": "KAZ",
                                                             "gdp": 1},
            {"year": 2022, "country": "KAZ", "gdp": None}]
    found = charts.figures_of(Chart(LINE, "year", "gdp", "country"), rows)
    assert found == {"labels": [2020, 2021], "summed": True, "unknown": 0, "series": [
        {"name": "KAZ", "values": [2.5, None]}, {"name": "KGZ", "values": [4.0, 5.0]}]}


def test_bars_come_largest_first_and_at_most_so_many():
    rows = [{"fuel": f"f{i}", "mw": i} for i in range(charts.MOST_BARS + 5)]
    found = charts.figures_of(Chart(BAR, "fuel", "mw"), rows)
    assert len(found["labels"]) == charts.MOST_BARS
    assert found["labels"][:2] == [f"f{charts.MOST_BARS + 4}", f"f{charts.MOST_BARS + 3}"]
    assert found["summed"] is False


# by region: a column of the code's administrative division codes

DIVISION = {"name": "division", "type": "string", "constraints": {"pattern": "^KG[0-9]{11}$"}}
LISTED = {"name": "oblast", "type": "string",
          "constraints": {"enum": ["KG02000000000", "KG04000000000"]}}


@pytest.mark.parametrize("table, found", [
    (schema(DIVISION, ("population", "integer")), ["division"]),
    (schema(LISTED, ("population", "integer")), ["oblast"]),  # every value a division's code
    (schema(COUNTRY, ("population", "integer")), []),
    (schema({"name": "division", "type": "string", "constraints": {"pattern": "^KG"}}), []),
    (schema({"name": "division", "type": "integer",
             "constraints": {"pattern": "^KG[0-9]{11}$"}}), []),
])
def test_a_column_of_division_codes_is_found_by_its_pattern_or_its_values(table, found):
    assert charts.divisions(table) == found


def test_a_table_by_division_is_drawn_by_region_unless_it_has_a_time_column():
    assert charts.default_chart(schema(DIVISION, ("population", "integer"))) == \
        Chart(charts.REGION, "division", "population")
    assert charts.default_chart(schema(DIVISION, ("year", "year"), ("population", "integer"))) \
        == Chart(LINE, "year", "population")
    assert charts.fitting(schema(DIVISION, ("name", "string")), charts.REGION, "x") == [
        "division"]
    assert charts.unfit(schema(DIVISION, ("name", "string")), charts.REGION, "x", "name") == \
        "type"


def test_districts_and_settlements_are_added_to_their_region():
    chart = Chart(charts.REGION, "division", "population")
    rows = [{"division": "KG02205000000", "population": 5},  # Ак-Суу district, Ысык-Көл
            {"division": "KG02000000000", "population": 7},  # Ысык-Көл region itself
            {"division": "KG11000000000", "population": 30},  # Бишкек city
            {"division": " KG04000000000 ", "population": 2},  # Нарын, spaces around
            {"division": "KG99000000000", "population": 1},  # no such division
            {"division": "KG04000000000", "population": None}]
    assert charts.figures_of(chart, rows) == {
        "labels": ["KG11000000000", "KG02000000000", "KG04000000000"], "summed": True,
        "unknown": 1, "series": [{"name": None, "values": [30.0, 12.0, 2.0]}]}


def test_a_settlement_is_added_to_the_region_of_its_district():
    from kg_validation.codelist import admin_divisions
    settlement = next(d for d in admin_divisions().values() if d.level == 3)
    district = admin_divisions()[settlement.parent_code]
    assert charts.region_of(settlement.code) == district.parent_code
    assert admin_divisions()[district.parent_code].level == 1


@pytest.mark.parametrize("language, name", [
    ("ky", "Ысык-Көл"), ("ru", "Ысык-Көл"), ("en", "Issyk-Kul")])
def test_a_regions_name_is_the_lists_in_the_readers_language(language, name):
    assert charts.region_name("KG02000000000", language) == name
