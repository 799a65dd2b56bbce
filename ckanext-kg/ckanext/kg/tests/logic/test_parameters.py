"""CKAN's own actions whose parameters are checked first
(`logic/parameters.py`): what CKAN read unchecked (a KeyError, int(''),
asbool, a list as an id: each a 500) is refused naming the parameter; what
was right still works."""
import pytest
from ckan.tests import factories

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema


def api(app, action, **params):
    return app.get(f"/api/3/action/{action}", query_string=params, status=None)


def post(app, action, body, token=None):
    headers = {"Authorization": token} if token else {}
    return app.post(f"/api/3/action/{action}", json=body, headers=headers, status=None)


@pytest.mark.parametrize("action, body, parameter", [
    ("group_autocomplete", {}, "q"),
    ("organization_autocomplete", {"q": ""}, "q"),
    ("organization_member_create", {}, "id"),
    ("group_member_delete", {"id": "x"}, "username"),
    ("datastore_run_triggers", {}, "resource_id"),
    ("user_invite", {"email": "a@example.invalid"}, "group_id"),
    ("task_status_update_many", {}, "data"),
    ("task_status_update_many", {"data": [[1]]}, "data"),
    ("user_list", {"all_fields": "{"}, "all_fields"),
    ("group_show", {"id": "x", "include_datasets": "often"}, "include_datasets"),
    ("package_list", {"limit": "many"}, "limit"),
    ("resource_patch", {"id": [None]}, "id"),
    ("organization_patch", {"id": {"a": "b"}}, "id"),
    ("organization_list", {"sort": ["name"]}, "sort"),
])
def test_a_parameter_ckan_would_read_unchecked_is_refused_naming_it(app, action, body,
                                                                    parameter):
    response = post(app, action, body)
    assert response.status_code == 409, response.body
    assert parameter in response.json["error"]


def test_a_blank_limit_is_one_not_given(app):
    factories.Dataset(name="kalk")
    response = api(app, "package_list", limit="", offset="")
    assert (response.status_code, response.json["result"]) == (200, ["kalk"])


def test_a_membership_of_a_missing_group_is_not_found(app):
    sysadmin = factories.SysadminWithToken()
    response = post(app, "group_member_delete", {"id": "no-such-group", "username": "x"},
                    sysadmin["token"])
    assert response.status_code == 404


def test_the_checked_actions_still_answer(app):
    factories.Organization(name="stat", title="Statistics")
    assert api(app, "organization_autocomplete", q="stat").json["result"][0]["name"] == "stat"
    assert api(app, "organization_show", id="stat", include_datasets="false"
               ).json["result"]["name"] == "stat"
    assert api(app, "organization_list", sort="name", all_fields="true"
               ).json["result"][0]["name"] == "stat"


def test_a_flag_given_as_false_is_kept_not_taken_as_missing(app):
    """CKAN's `organization_list` (all fields) asks `organization_show` for
    each agency with `include_followers=False`, `include_users=False` and
    `include_groups=False`; dropping those as blank made every agency's
    followers, members and groups be read on the front page."""
    sysadmin = factories.SysadminWithToken()
    follower = factories.UserWithToken()
    agency = factories.Organization(name="stat", users=[{"name": sysadmin["name"],
                                                         "capacity": "admin"}])
    factories.Dataset(owner_org=agency["id"])
    post(app, "follow_group", {"id": agency["id"]}, follower["token"])
    assert post(app, "organization_show", {"id": "stat"}).json["result"]["num_followers"] == 1
    shown = post(app, "organization_show", {"id": "stat", "include_followers": False,
                                            "include_users": False}).json["result"]
    assert (shown["num_followers"], "users" in shown) == (0, False)
    listed = post(app, "organization_list", {"all_fields": True,
                                             "include_extras": True}).json["result"]
    assert [(agency["name"], agency["num_followers"], agency["package_count"], "users" in agency)
            for agency in listed] == [("stat", 0, 1, False)]
