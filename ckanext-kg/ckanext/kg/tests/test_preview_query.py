"""The preview's query from a page's address (`preview_query`): what
becomes `datastore_search`'s parameters and a download's, and what is
refused."""
import json

import pytest
from werkzeug.datastructures import MultiDict

from ckanext.kg.preview_query import PreviewQueryError, columns_of, parse

FIELDS = [{"id": "_id", "type": "int"}, {"id": "region", "type": "text"},
          {"id": "name", "type": "text"}, {"id": "year", "type": "int4"},
          {"id": "population", "type": "int8"}, {"id": "day", "type": "date"},
          {"id": "at", "type": "timestamp"}, {"id": "open", "type": "bool"}]
SCHEMA = {"fields": [{"name": "region", "constraints": {"enum": ["Нарын", "Чүй"]}}]}
COLUMNS = columns_of(FIELDS, SCHEMA)

pytestmark = pytest.mark.usefixtures("with_request_context")


def test_the_kinds_of_columns():
    assert [(c.name, c.kind) for c in COLUMNS] == [
        ("region", "choice"), ("name", "text"), ("year", "number"), ("population", "number"),
        ("day", "date"), ("at", "date"), ("open", "choice")]


def test_conditions_become_filters_words_and_an_order():
    query = parse(MultiDict([("eq.region", "нарын"), ("min.population", "1 500,5"),
                             ("max.population", "9000"), ("has.name", "Кара"),
                             ("max.at", "2024-01-31"), ("eq.open", "true"),
                             ("sort", "year"), ("order", "desc"), ("page", "3"),
                             ("eq.name", ""), ("view_id", "x")]), COLUMNS)
    assert query.filters() == {"region": "Нарын", "population": {"gte": 1500.5, "lte": 9000},
                               "at": {"lte": "2024-01-31T23:59:59.999999"}, "open": True}
    assert query.search()["sort"] == '"year" desc, _id'
    assert (query.search()["offset"], query.search()["q"]) == (40, {"name": "Кара"})
    download = query.download()
    assert json.loads(download["filters"]) == query.filters()
    assert (json.loads(download["q"]), download["sort"]) == ({"name": "Кара"}, '"year" desc, _id')
    assert query.address(page=None)["sort"] == "year"


def test_no_parameters_is_the_first_page_of_the_whole_table():
    query = parse(MultiDict(), COLUMNS)
    assert query.download() == {}
    assert query.search() == {"limit": 20, "offset": 0, "include_total": True, "sort": "_id"}


@pytest.mark.parametrize("given, parameter", [
    ([("sort", "nope")], "sort"), ([("sort", "a"), ("sort", "b")], "sort"),
    ([("order", "sideways")], "order"), ([("page", "-1")], "page"), ([("page", "١")], "page"),
    ([("page", "5001")], "page"), ([("min.population", "NaN")], "min.population"),
    ([("min.population", "1e400")], "min.population"), ([("max.day", "31.01.2024")], "max.day"),
    ([("eq.region", "Ош")], "eq.region"), ([("has.region", "Ош")], "has.region"),
    ([("min.name", "1")], "min.name"), ([("eq.open", "maybe")], "eq.open"),
    ([("eq.nope", "1")], "eq.nope"), ([("has.name", "ы" * 201)], "has.name"),
])
def test_what_cannot_be_right_is_refused_naming_the_parameter(given, parameter):
    with pytest.raises(PreviewQueryError) as refused:
        parse(MultiDict(given), COLUMNS)
    assert refused.value.parameter == parameter
