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
    assert found == {"labels": [2020, 2021], "summed": True, "series": [
        {"name": "KAZ", "values": [2.5, None]}, {"name": "KGZ", "values": [4.0, 5.0]}]}


def test_bars_come_largest_first_and_at_most_so_many():
    rows = [{"fuel": f"f{i}", "mw": i} for i in range(charts.MOST_BARS + 5)]
    found = charts.figures_of(Chart(BAR, "fuel", "mw"), rows)
    assert len(found["labels"]) == charts.MOST_BARS
    assert found["labels"][:2] == [f"f{charts.MOST_BARS + 4}", f"f{charts.MOST_BARS + 3}"]
    assert found["summed"] is False
