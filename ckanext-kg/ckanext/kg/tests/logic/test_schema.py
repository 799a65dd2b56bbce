"""Parameters checked before CKAN's own actions (`logic/schema.py`): a
blank number or flag is the parameter not given, anything else that is
not one is refused naming it, never an internal error."""
import pytest
from ckan.tests import factories

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema


def api(app, action, token=None, **params):
    headers = {"Authorization": token} if token else {}
    return app.get(f"/api/3/action/{action}", query_string=params, headers=headers,
                   status=None)


@pytest.mark.parametrize("parameter", [
    "rows", "start", "facet.mincount", "facet.limit", "include_private", "include_drafts",
    "include_deleted", "use_default_schema"])
def test_a_blank_search_parameter_is_one_not_given(app, parameter):
    factories.Dataset(name="kalk")
    given = api(app, "package_search", **{parameter: "", "q": "name:kalk"})
    assert given.status_code == 200
    assert given.json["result"] == api(app, "package_search", q="name:kalk").json["result"]


@pytest.mark.parametrize("parameter, value, message", [
    ("rows", "many", "Invalid integer"),
    ("start", "-1", "Must be a natural number"),
    ("facet.mincount", "1.5", "Invalid integer"),
    ("facet.limit", "all", "Invalid integer"),
    ("include_private", "maybe", "Give true or false."),
    ("include_drafts", "-1", "Give true or false."),
    ("include_deleted", "2", "Give true or false."),
    ("use_default_schema", "yes please", "Give true or false."),
])
def test_a_search_parameter_that_is_not_a_number_or_flag_is_refused_naming_it(
        app, parameter, value, message):
    response = api(app, "package_search", **{parameter: value})
    assert response.status_code == 409
    assert response.json["error"] == {"__type": "Validation Error", parameter: [message]}


def test_a_repeated_search_parameter_is_refused_naming_it(app):
    response = app.get("/api/3/action/package_search?rows=1&rows=2", status=409)
    assert response.json["error"]["rows"][0] == "Give one value, not a list or an object."


@pytest.mark.parametrize("parameter", ["limit", "offset", "filters"])
def test_a_blank_table_search_parameter_is_one_not_given(app, table, parameter):
    token = factories.SysadminWithToken()["token"]
    given = api(app, "datastore_search", token, resource_id=table, **{parameter: ""})
    assert given.status_code == 200
    assert given.json["result"]["records"] == api(
        app, "datastore_search", token, resource_id=table).json["result"]["records"]


@pytest.mark.parametrize("filters", ["null", "[]", "{}"])
def test_no_filters_are_filters_not_given(app, table, filters):
    token = factories.SysadminWithToken()["token"]
    response = api(app, "datastore_search", token, resource_id=table, filters=filters)
    assert len(response.json["result"]["records"]) == 3


@pytest.mark.parametrize("parameter, value, message", [
    ("offset", "many", "Invalid integer"),
    ("offset", "99999999999999999999", "Give a number no larger than 9223372036854775807."),
    ("limit", "-1", "Must be a natural number"),
    ("filters", "1", 'Give the filters as a JSON object, such as {"year": 2023}.'),
    ("filters", "[[1]]", 'Give the filters as a JSON object, such as {"year": 2023}.'),
    ("filters", "not json", 'Give the filters as a JSON object, such as {"year": 2023}.'),
    ("filters", '{"year": 1e400}', "A number in the filters is too large."),
])
def test_a_table_search_parameter_of_the_wrong_kind_is_refused_naming_it(
        app, table, parameter, value, message):
    token = factories.SysadminWithToken()["token"]
    response = api(app, "datastore_search", token, resource_id=table, **{parameter: value})
    assert response.status_code == 409
    assert response.json["error"] == {"__type": "Validation Error", parameter: [message]}
