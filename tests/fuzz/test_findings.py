"""What the fuzzers found, one test per case, named for what it sends
(docs/security.md says which change fixed each).

A case found while its fix is made elsewhere is marked
`xfail(strict=True, reason="fixed by <branch>: ...")` and listed in
kg_fuzz.findings.KNOWN_FINDINGS until that branch is merged. A refusal is
a 400 or a 409 without internal text; a private object is answered
exactly as one that does not exist, naming nothing.
"""
from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from kg_fuzz.planted import PRIVATE, PRIVATE_TAG
from kg_fuzz.verdict import INTERNAL_MARKERS, TIME_BOUND_S

pytestmark = pytest.mark.e2e

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

def test_a_json_body_nested_3000_levels_deep(portal):
    assert_refused(api_post(portal, "package_search", b"[" * 3000 + b"]" * 3000))


def test_package_search_with_a_nul_character_in_q(portal):
    assert_refused(api_get(portal, "package_search", q="a\x00b"))


def test_a_dataset_address_with_a_nul_character(portal):
    assert page(portal, "/dataset/a%00b").status_code in (400, 404)


def test_datastore_search_sql_without_sql(portal):
    assert_refused(api_get(portal, "datastore_search_sql"))


def test_datastore_search_sql_dividing_by_zero(portal, planted):
    assert_refused(api_get(portal, "datastore_search_sql",
                           sql=f'SELECT 1/0 FROM "{planted.public_table}"'))


def test_datastore_search_sql_parsing_broken_xml(portal, planted):
    table = planted.public_table
    assert_refused(api_get(portal, "datastore_search_sql",
                           sql=f"SELECT xmlparse(document '<a') FROM \"{table}\""))


def test_datastore_search_sql_counting_ten_billion_rows(portal, planted):
    """Hours of one PostgreSQL backend and one web worker without a
    statement timeout, however fast the machine (the fuzzers found 60
    million rows, 15 s here, and under 5 s on a quiet machine); the
    client waits TIME_BOUND_S."""
    started = time.monotonic()
    try:
        response = requests.get(f"{portal.url}/api/3/action/datastore_search_sql",
                                timeout=TIME_BOUND_S, params={"sql": (
                                    "SELECT count(*) FROM generate_series(1, 100000) AS a, "
                                    "generate_series(1, 100000) AS b, "
                                    f'(SELECT 1 FROM "{planted.public_table}" LIMIT 1) AS t')})
    except requests.exceptions.Timeout:
        pytest.fail(f"no answer within {TIME_BOUND_S} s")
    assert_refused(response)
    assert time.monotonic() - started < TIME_BOUND_S


def test_datastore_search_sql_of_a_20_mb_value(portal, planted):
    response = api_get(portal, "datastore_search_sql", sql=(
        f"SELECT repeat('x', 20000000) AS v FROM \"{planted.public_table}\" LIMIT 1"))
    assert response.status_code == 200
    assert len(response.content) < 11_000_000
    assert response.json()["result"]["records_truncated"] is True


def test_group_autocomplete_without_q(portal):
    assert_refused(api_get(portal, "group_autocomplete"))


def test_organization_autocomplete_without_q(portal):
    assert_refused(api_get(portal, "organization_autocomplete"))


def test_organization_member_create_without_parameters(portal):
    assert_refused(api_post(portal, "organization_member_create", {}))


def test_group_member_delete_of_a_missing_group(portal):
    response = api_post(portal, "group_member_delete", {"id": MISSING, "username": "admin"})
    assert response.status_code in (403, 404)


def test_datastore_run_triggers_without_resource_id(portal):
    assert_refused(api_post(portal, "datastore_run_triggers", {}))


def test_task_status_update_many_without_data(portal):
    assert_refused(api_post(portal, "task_status_update_many", {}))


def test_user_invite_without_group_id(portal):
    assert_refused(api_post(portal, "user_invite", {}))


def test_package_list_with_a_blank_limit(portal):
    # a blank number is one not given, as CKAN's own `rows`
    response = api_get(portal, "package_list", limit="")
    assert response.status_code == 200
    assert response.json()["result"] == api_get(portal, "package_list").json()["result"]


def test_resource_search_with_a_blank_offset(portal):
    response = api_get(portal, "resource_search", query="name:x", offset="")
    assert (response.status_code, response.json()["result"]["count"]) == (200, 0)


def test_package_search_with_include_private_not_a_flag(portal):
    assert_refused(api_get(portal, "package_search", include_private="%"))


def test_user_list_with_all_fields_not_a_flag(portal):
    assert_refused(api_get(portal, "user_list", all_fields="{"))


def test_organization_patch_with_an_id_that_is_an_object(portal):
    assert_refused(api_post(portal, "organization_patch", {"id": {"a": {"a": "x"}}}))


def test_group_show_with_include_datasets_not_a_flag(portal):
    assert_refused(api_get(portal, "group_show", id="x", include_datasets='{"a": 1}'))


def test_resource_patch_with_an_id_that_is_a_list(portal):
    assert_refused(api_post(portal, "resource_patch", {"id": [None]}))


def test_organization_list_sorted_by_a_list(portal):
    assert_refused(api_post(portal, "organization_list", {"sort": ["name"]}))


def test_package_collaborator_list_as_anonymous(portal, planted):
    response = api_get(portal, "package_collaborator_list", id=planted.public_dataset)
    assert response.status_code == 403


def test_the_catalogue_in_a_format_dcat_does_not_write(portal):
    assert page(portal, "/catalog.csv").status_code in (400, 404)


def test_a_new_resource_form_for_a_missing_dataset(portal):
    assert page(portal, f"/dataset/{MISSING}/resource/new").status_code == 404


def test_following_a_dataset_as_anonymous(portal, planted):
    response = page(portal, f"/dataset/follow/{planted.public_dataset}", method="POST")
    assert response.status_code == 403


def test_logging_in_without_a_login(portal):
    assert page(portal, "/user/login", method="POST").status_code in (200, 400)


def test_the_custom_feed_with_a_parameter_search_cannot_read(portal):
    response = page(portal, "/feeds/custom.atom", name="[a TO")
    assert response.status_code in (200, 400)
    assert not [m.pattern for m in INTERNAL_MARKERS if m.search(response.text)]


def test_a_resource_form_posted_without_its_save_button(portal, planted):
    response = page(portal, f"/dataset/{planted.public_dataset}/resource/new", method="POST")
    assert response.status_code == 400


def test_dataset_changes_without_activity_ids(portal):
    assert page(portal, "/dataset/changes_multiple").status_code in (400, 404)


def test_deleting_a_missing_organization(portal, planted):
    response = requests.get(f"{portal.url}/organization/delete/{MISSING}", timeout=60,
                            headers={"Authorization": planted.outsider_token},
                            allow_redirects=False)
    assert response.status_code == 404


def test_an_xlsx_dump_with_a_full_text_query(portal, planted):
    response = page(portal, f"/datastore/dump/{planted.public_table}", format="xlsx", q="Ош")
    # CKAN's dump cannot write XLSX for a full-text query: refused, saying so
    # (the portal's own downloads, /export/xlsx?q=, can)
    assert_refused(response)


def test_a_filtered_download_with_a_full_text_query(portal, planted):
    response = page(portal, f"/dataset/{planted.public_dataset}/resource/"
                            f"{planted.public_table}/export/csv", q="Ош")
    assert response.status_code == 200
    assert response.text.splitlines() == ["region,year", "Ош,2021"]


# -- private metadata ------------------------------------------------------------------

def test_tag_list_offers_no_private_tag(portal):
    assert PRIVATE_TAG not in api_get(portal, "tag_list").json()["result"]


def test_tag_autocomplete_offers_no_private_tag(portal):
    assert api_get(portal, "tag_autocomplete", q="zqhidden").json()["result"] == []


def test_package_show_of_a_private_dataset_as_anonymous(portal, planted):
    assert_answered_as_missing(api_get(portal, "package_show", id=PRIVATE),
                               api_get(portal, "package_show", id=MISSING),
                               planted.private_dataset)


def test_package_activity_list_of_a_private_dataset_as_an_outsider(portal, planted):
    token = planted.outsider_token
    assert_answered_as_missing(api_get(portal, "package_activity_list", token, id=PRIVATE),
                               api_get(portal, "package_activity_list", token, id=MISSING),
                               planted.private_dataset)


def test_dataset_follower_count_of_a_private_dataset_as_anonymous(portal, planted):
    unknown = str(uuid.uuid4())
    private = api_get(portal, "dataset_follower_count", id=planted.private_dataset)
    missing = api_get(portal, "dataset_follower_count", id=unknown)
    assert (private.status_code, missing.status_code) == (409, 409)
    assert private.text.replace(planted.private_dataset, unknown) == missing.text


def test_kg_compliance_show_of_a_private_dataset_as_anonymous(portal, planted):
    assert_answered_as_missing(api_get(portal, "kg_compliance_show", id=PRIVATE),
                               api_get(portal, "kg_compliance_show", id=MISSING),
                               planted.private_dataset)


def test_the_activity_page_of_a_private_dataset_as_anonymous(portal, planted):
    assert_answered_as_missing(page(portal, f"/dataset/activity/{PRIVATE}"),
                               page(portal, f"/dataset/activity/{MISSING}"),
                               planted.private_dataset)


def test_the_dcat_record_of_a_private_dataset_as_anonymous(portal, planted):
    assert_answered_as_missing(page(portal, f"/dataset/{PRIVATE}.ttl"),
                               page(portal, f"/dataset/{MISSING}.ttl"),
                               planted.private_dataset)


# -- numbers and times beyond what PostgreSQL and Python hold (a DataError, an
#    OverflowError: a 500 in CKAN's own actions) -----------------------------------

BEYOND_BIGINT = 2**63  # one more than PostgreSQL's bigint (and so LIMIT and OFFSET) holds


@pytest.mark.parametrize(("action", "parameter", "others"), [
    ("package_list", "limit", {}), ("package_list", "offset", {}),
    ("organization_list", "offset", {}), ("group_list", "offset", {}),
    ("current_package_list_with_resources", "offset", {}),
    ("recently_changed_packages_activity_list", "offset", {}),
    ("package_search", "start", {}), ("package_search", "rows", {}),
    ("package_search", "facet.limit", {"facet.field": '["tags"]'}),
    ("package_autocomplete", "limit", {"q": "a"}), ("format_autocomplete", "limit", {"q": "a"}),
    ("user_autocomplete", "limit", {"q": "a"}), ("group_autocomplete", "limit", {"q": "a"}),
    ("organization_autocomplete", "limit", {"q": "a"}),
    ("resource_search", "limit", {"query": "name:a"}),
    ("resource_search", "offset", {"query": "name:a"}),
    ("user_activity_list", "offset", {"id": "admin"}),
])
def test_a_number_beyond_postgresqls_bigint(portal, action, parameter, others):
    response = api_post(portal, action, {parameter: BEYOND_BIGINT, **others})
    assert_refused(response)
    assert parameter in response.json()["error"]


def test_a_negative_facet_limit_beyond_postgresqls_bigint(portal):
    response = api_post(portal, "package_search", {"facet.field": '["tags"]',
                                                   "facet.limit": -BEYOND_BIGINT})
    assert_refused(response)
    assert "facet.limit" in response.json()["error"]


@pytest.mark.parametrize("when", [10**30, -(10**30), "inf", "nan", 1e308])
@pytest.mark.parametrize(("action", "parameter"), [
    ("recently_changed_packages_activity_list", "after"),
    ("user_activity_list", "before"), ("user_activity_list", "after"),
])
def test_an_activity_time_python_cannot_hold(portal, action, parameter, when):
    response = api_post(portal, action, {"id": "admin", parameter: when})
    assert_refused(response)
    assert parameter in response.json()["error"]


@pytest.mark.parametrize("term", ["size:abc", "created:notadate",
                                  "metadata_modified:2020", "size:1e999"])
def test_resource_search_comparing_a_term_its_column_cannot_read(portal, term):
    response = api_get(portal, "resource_search", query=term)
    assert_refused(response)
    assert set(response.json()["error"]) == {"__type", "query"}


def test_resource_search_with_a_list_of_terms_as_ckan_documents_it(portal, planted):
    one = api_get(portal, "resource_search", query="name:a")
    both = api_post(portal, "resource_search", {"query": ["name:a", "name:a"]})
    assert (one.status_code, both.status_code) == (200, 200)
    assert both.json()["result"]["count"] == one.json()["result"]["count"]
    assert_refused(api_post(portal, "resource_search", {"query": ["name:a", {"x": 1}]}))
