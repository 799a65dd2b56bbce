"""What the search index and the DataStore refuse (`logic/refusals.py`):
answered naming the parameter at fault, without CKAN's dump of the query
(the caller's permission filter) or the DataStore's SQL."""
import pytest
from ckan.tests import factories

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema

INTERNAL = ("permission_labels", "capacity:", "site_id", "SOLR", "SELECT", "psycopg2",
            "statement", "info")


@pytest.mark.parametrize("parameter, value, reason", [
    ("q", "title:[a TO", "a range is not closed"),
    ("q", "(" * 51 + "title:x" + ")" * 51, "the query is nested more than 50 levels deep"),
    ("fq", "tags:(калк OR", "the query ends too early"),
    ("sort", "no_such_field desc",
     "Unknown sort order: can not sort on undefined field 'no_such_field'"),
])
def test_a_search_the_index_refuses_names_its_parameter_and_nothing_internal(
        app, parameter, value, reason):
    response = app.get("/api/3/action/package_search", query_string={parameter: value},
                       status=409)
    assert response.json["error"] == {"__type": "Validation Error", parameter: [
        f"The search cannot be run: {reason}"]}
    assert not any(text in response.body for text in INTERNAL)


@pytest.mark.parametrize("prefix, parameter, value, reason", [
    ("/ky", "q", "title:[a TO", "Издөөнү аткарууга болбойт: аралык жабылган жок"),
    ("/ru", "q", "title:[a TO", "Поиск невозможно выполнить: диапазон не закрыт"),
    ("/ky", "fq", "tags:(калк OR", "Издөөнү аткарууга болбойт: сурам өтө эрте аяктайт"),
    ("/ru", "q", "title:x AND", "Поиск невозможно выполнить: запрос обрывается раньше времени"),
    ("/ky", "q", "metadata_modified:[NOW-1FORTNIGHT TO *]",
     "Издөөнү аткарууга болбойт: «NOW-1FORTNIGHT» ичиндеги датаны эсептөө туура эмес"),
    ("/ru", "sort", "no_such_field desc", "Поиск невозможно выполнить: Неизвестный "
     "порядок сортировки: нет поля 'no_such_field', по которому можно сортировать"),
])
def test_the_reason_a_search_is_refused_is_in_the_readers_language(
        app, prefix, parameter, value, reason):
    """The parser's reason too, not only the sentence before it; what the
    reader typed stays as typed."""
    response = app.get(f"{prefix}/api/3/action/package_search",
                       query_string={parameter: value}, status=409)
    assert response.json["error"] == {"__type": "Validation Error", parameter: [reason]}


def test_a_search_box_query_the_index_refuses_shows_the_search_notice(app):
    response = app.get("/dataset/", query_string={"q": "title:[a TO"})
    assert response.status_code == 200
    assert "permission_labels" not in response.body


def test_an_unknown_sort_on_the_search_page_is_a_400_naming_it(app):
    response = app.get("/dataset/", query_string={"sort": "no_such_field desc"}, status=400)
    assert "sort: The search cannot be run: Unknown sort order" in response.body


@pytest.mark.parametrize("params, parameter, message", [
    ({"filters": '{"year": "many"}'}, "filters",
     "A filter's value does not fit the type of its column."),
    ({"filters": '{"day": "31 June"}'}, "filters",
     "A filter's value does not fit the type of its column."),
    ({"q": "Ош &", "plain": "false"}, "q",
     "The full-text query cannot be read: with plain=false it must follow PostgreSQL's "
     "tsquery syntax."),
    ({"q": "Ош", "language": "klingon"}, "language",
     "There is no full-text search configuration of that name."),
])
def test_a_table_search_postgresql_refuses_names_its_parameter_and_no_sql(
        app, table, params, parameter, message):
    token = factories.SysadminWithToken()["token"]
    response = app.get("/api/3/action/datastore_search", headers={"Authorization": token},
                       query_string=dict(params, resource_id=table), status=409)
    assert response.json["error"] == {"__type": "Validation Error", parameter: [message]}
    assert not any(text in response.body for text in INTERNAL)
