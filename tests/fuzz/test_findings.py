"""What the fuzzers found, one test per case, named for what it sends.

Each is fixed on another branch (named in its `xfail` reason) and listed
in kg_fuzz.findings.KNOWN_FINDINGS, which lets the fuzzers pass over the
same answers; once that branch is merged, the mark and the entry go.
A refusal is a 400 or a 409 without internal text; a private object is
answered exactly as one that does not exist: a 404, naming nothing.
"""
from __future__ import annotations

import json
import time

import pytest
import requests
from kg_fuzz.planted import PRIVATE, PRIVATE_TAG
from kg_fuzz.verdict import INTERNAL_MARKERS, TIME_BOUND_S

pytestmark = pytest.mark.e2e

FIX_ERRORS = "fixed by fix-errors: "
FIX_LEAKS = "fixed by fix-leaks: "
MISSING = "nx" + PRIVATE[2:]  # a name of the same shape that names nothing


def api_get(portal, action: str, token: str | None = None, **params) -> requests.Response:
    return requests.get(f"{portal.url}/api/3/action/{action}", params=params, timeout=60,
                        headers={"Authorization": token} if token else {})


def api_post(portal, action: str, body: bytes | dict) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(f"{portal.url}/api/3/action/{action}", data=data, timeout=60,
                         headers={"Content-Type": "application/json"})


def page(portal, path: str, method: str = "GET", **params) -> requests.Response:
    return requests.request(method, portal.url + path, params=params, timeout=60,
                            allow_redirects=False)


def assert_refused(response: requests.Response) -> None:
    assert response.status_code in (400, 409), response.text[:300]
    assert not [m.pattern for m in INTERNAL_MARKERS if m.search(response.text)]


def assert_answered_as_missing(private: requests.Response, missing: requests.Response,
                               *hidden: str) -> None:
    assert (private.status_code, missing.status_code) == (404, 404)
    assert not [value for value in hidden if value in private.text]


# -- malformed input answered with a server error ------------------------------------

@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "RecursionError in the API's JSON parser")
def test_a_json_body_nested_3000_levels_deep(portal):
    assert_refused(api_post(portal, "package_search", b"[" * 3000 + b"]" * 3000))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "PostgreSQL text cannot hold NUL")
def test_package_search_with_a_nul_character_in_q(portal):
    assert_refused(api_get(portal, "package_search", q="a\x00b"))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "PostgreSQL text cannot hold NUL")
def test_a_dataset_address_with_a_nul_character(portal):
    assert page(portal, "/dataset/a%00b").status_code in (400, 404)


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "KeyError: 'sql'")
def test_datastore_search_sql_without_sql(portal):
    assert_refused(api_get(portal, "datastore_search_sql"))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "run-time errors are not mapped")
def test_datastore_search_sql_dividing_by_zero(portal, planted):
    assert_refused(api_get(portal, "datastore_search_sql",
                           sql=f'SELECT 1/0 FROM "{planted.public_table}"'))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "run-time errors are not mapped")
def test_datastore_search_sql_parsing_broken_xml(portal, planted):
    table = planted.public_table
    assert_refused(api_get(portal, "datastore_search_sql",
                           sql=f"SELECT xmlparse(document '<a') FROM \"{table}\""))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "no statement timeout")
def test_datastore_search_sql_counting_60_million_rows(portal, planted):
    """About 15 s of one PostgreSQL backend and one web worker without a
    statement timeout; the client waits TIME_BOUND_S."""
    started = time.monotonic()
    try:
        response = requests.get(f"{portal.url}/api/3/action/datastore_search_sql",
                                timeout=TIME_BOUND_S, params={"sql": (
                                    "SELECT count(*) FROM generate_series(1, 60000000), "
                                    f'(SELECT 1 FROM "{planted.public_table}" LIMIT 1) AS t')})
    except requests.exceptions.Timeout:
        pytest.fail(f"no answer within {TIME_BOUND_S} s")
    assert_refused(response)
    assert time.monotonic() - started < TIME_BOUND_S


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "no bound on an answer's size")
def test_datastore_search_sql_of_a_20_mb_value(portal, planted):
    response = api_get(portal, "datastore_search_sql", sql=(
        f"SELECT repeat('x', 20000000) AS v FROM \"{planted.public_table}\" LIMIT 1"))
    assert response.status_code == 200
    assert len(response.content) < 11_000_000
    assert response.json()["result"]["records_truncated"] is True


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "KeyError: 'q'")
def test_group_autocomplete_without_q(portal):
    assert_refused(api_get(portal, "group_autocomplete"))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "KeyError: 'q'")
def test_organization_autocomplete_without_q(portal):
    assert_refused(api_get(portal, "organization_autocomplete"))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "KeyError: 'id' in the auth function")
def test_organization_member_create_without_parameters(portal):
    assert_refused(api_post(portal, "organization_member_create", {}))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "AssertionError: no such group")
def test_group_member_delete_of_a_missing_group(portal):
    response = api_post(portal, "group_member_delete", {"id": MISSING, "username": "admin"})
    assert response.status_code in (403, 404)


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "KeyError: 'resource_id'")
def test_datastore_run_triggers_without_resource_id(portal):
    assert_refused(api_post(portal, "datastore_run_triggers", {}))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "KeyError: 'data'")
def test_task_status_update_many_without_data(portal):
    assert_refused(api_post(portal, "task_status_update_many", {}))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "KeyError: 'group_id' in the auth function")
def test_user_invite_without_group_id(portal):
    assert_refused(api_post(portal, "user_invite", {}))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "int('') in the action")
def test_package_list_with_a_blank_limit(portal):
    assert_refused(api_get(portal, "package_list", limit=""))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "natural_number_validator(None)")
def test_resource_search_with_a_blank_offset(portal):
    assert_refused(api_get(portal, "resource_search", query="name:x", offset=""))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "asbool('%')")
def test_package_search_with_include_private_not_a_flag(portal):
    assert_refused(api_get(portal, "package_search", include_private="%"))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "asbool('{')")
def test_user_list_with_all_fields_not_a_flag(portal):
    assert_refused(api_get(portal, "user_list", all_fields="{"))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "session.get() of a list")
def test_resource_patch_with_an_id_that_is_a_list(portal):
    assert_refused(api_post(portal, "resource_patch", {"id": [None]}))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "a list compared with an int")
def test_organization_list_sorted_by_a_list(portal):
    assert_refused(api_post(portal, "organization_list", {"sort": ["name"]}))


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "AssertionError: no user in the auth function")
def test_package_collaborator_list_as_anonymous(portal, planted):
    response = api_get(portal, "package_collaborator_list", id=planted.public_dataset)
    assert response.status_code == 403


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "rdflib has no serializer of that name")
def test_the_catalogue_in_a_format_dcat_does_not_write(portal):
    assert page(portal, "/catalog.csv").status_code in (400, 404)


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "ObjectNotFound escapes the view")
def test_a_new_resource_form_for_a_missing_dataset(portal):
    assert page(portal, f"/dataset/{MISSING}/resource/new").status_code == 404


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "NotAuthorized escapes the view")
def test_following_a_dataset_as_anonymous(portal, planted):
    response = page(portal, f"/dataset/follow/{planted.public_dataset}", method="POST")
    assert response.status_code == 403


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "User.by_email(None)")
def test_logging_in_without_a_login(portal):
    assert page(portal, "/user/login", method="POST").status_code in (200, 400)


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "a parameter becomes a search filter")
def test_the_custom_feed_with_a_parameter_search_cannot_read(portal):
    assert page(portal, "/feeds/custom.atom", name="[a TO").status_code == 400


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "KeyError: 'new_id'")
def test_dataset_changes_without_activity_ids(portal):
    assert page(portal, "/dataset/changes_multiple").status_code in (400, 404)


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "ObjectNotFound escapes the view")
def test_deleting_a_missing_organization(portal, planted):
    response = requests.get(f"{portal.url}/organization/delete/{MISSING}", timeout=60,
                            headers={"Authorization": planted.outsider_token},
                            allow_redirects=False)
    assert response.status_code == 404


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "the DataStore dump's XLSX writer and q")
def test_an_xlsx_dump_with_a_full_text_query(portal, planted):
    response = page(portal, f"/datastore/dump/{planted.public_table}", format="xlsx", q="Ош")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


@pytest.mark.xfail(strict=True, reason=FIX_ERRORS + "'Query is not a single statement'")
def test_a_filtered_download_with_a_full_text_query(portal, planted):
    response = page(portal, f"/dataset/{planted.public_dataset}/resource/"
                            f"{planted.public_table}/export/csv", q="Ош")
    assert response.status_code == 200
    assert response.text.splitlines() == ["region,year", "Ош,2021"]


# -- private metadata ------------------------------------------------------------------

@pytest.mark.xfail(strict=True, reason=FIX_LEAKS + "tag listings count private datasets")
def test_tag_list_offers_no_private_tag(portal):
    assert PRIVATE_TAG not in api_get(portal, "tag_list").json()["result"]


@pytest.mark.xfail(strict=True, reason=FIX_LEAKS + "tag search counts private datasets")
def test_tag_autocomplete_offers_no_private_tag(portal):
    assert api_get(portal, "tag_autocomplete", q="zqhidden").json()["result"] == []


@pytest.mark.xfail(strict=True, reason=FIX_LEAKS + "403 with the id, where a missing one is 404")
def test_package_show_of_a_private_dataset_as_anonymous(portal, planted):
    assert_answered_as_missing(api_get(portal, "package_show", id=PRIVATE),
                               api_get(portal, "package_show", id=MISSING),
                               planted.private_dataset)


@pytest.mark.xfail(strict=True, reason=FIX_LEAKS + "403 where a missing one is 404")
def test_package_activity_list_of_a_private_dataset_as_an_outsider(portal, planted):
    token = planted.outsider_token
    assert_answered_as_missing(api_get(portal, "package_activity_list", token, id=PRIVATE),
                               api_get(portal, "package_activity_list", token, id=MISSING),
                               planted.private_dataset)


@pytest.mark.xfail(strict=True, reason=FIX_LEAKS + "200 where a missing one is 409")
def test_dataset_follower_count_of_a_private_dataset_as_anonymous(portal, planted):
    assert_answered_as_missing(
        api_get(portal, "dataset_follower_count", id=planted.private_dataset),
        api_get(portal, "dataset_follower_count", id=MISSING))


@pytest.mark.xfail(strict=True, reason=FIX_LEAKS + "403 where a missing one is 404")
def test_kg_compliance_show_of_a_private_dataset_as_anonymous(portal, planted):
    assert_answered_as_missing(api_get(portal, "kg_compliance_show", id=PRIVATE),
                               api_get(portal, "kg_compliance_show", id=MISSING),
                               planted.private_dataset)


@pytest.mark.xfail(strict=True, reason=FIX_LEAKS + "403 where a missing one is 404")
def test_the_activity_page_of_a_private_dataset_as_anonymous(portal, planted):
    assert_answered_as_missing(page(portal, f"/dataset/activity/{PRIVATE}"),
                               page(portal, f"/dataset/activity/{MISSING}"),
                               planted.private_dataset)


@pytest.mark.xfail(strict=True, reason=FIX_LEAKS + "403 where a missing one is 404")
def test_the_dcat_record_of_a_private_dataset_as_anonymous(portal, planted):
    assert_answered_as_missing(page(portal, f"/dataset/{PRIVATE}.ttl"),
                               page(portal, f"/dataset/{MISSING}.ttl"),
                               planted.private_dataset)
