"""Through gunicorn: what anonymous users can reach through every surface
that is built on search (API, dataset and organization pages, feeds,
autocomplete, the front page)."""
import pytest
import requests

pytestmark = pytest.mark.e2e

OPEN, PRIVATE, DRAFT = "kalk-open-e2e", "kalk-secret-e2e", "kalk-draft-e2e"


@pytest.fixture(scope="module")
def catalogue(portal, compliant_dataset):
    code_compliant = compliant_dataset
    admin = portal.sysadmin()
    org = admin.action.organization_create(
        name="stat-e2e", title_translated={"ky": "Улуттук статистика комитети",
                                           "ru": "Национальный статистический комитет"})
    group = admin.action.group_create(name="demography-e2e", title="Демография")
    common = {"groups": [{"name": group["name"]}]}
    admin.action.package_create(name=OPEN, **code_compliant(
        org["id"], "Калктын саны ачык", "Численность населения открыто", **common))
    admin.action.package_create(name=PRIVATE, **code_compliant(
        org["id"], "Калктын саны (жашыруун нуска)", "Численность населения скрыто",
        private=True, **common))
    admin.action.package_create(name=DRAFT, **code_compliant(
        org["id"], "Калктын саны (долбоор нуска)", "Численность населения черновик",
        state="draft", **common))
    return portal


def get(portal, path, **params):
    response = requests.get(portal.url + path, params=params, timeout=60)
    return response


SURFACES = [
    ("/api/3/action/package_search",
     {"q": "калк", "include_private": "true", "include_drafts": "true",
      "facet.field": '["tags","organization","groups"]'}),
    ("/api/3/action/package_search", {"q": "*:*", "include_deleted": "true"}),
    ("/api/3/action/package_search", {"fq": "tags:калк"}),
    ("/api/3/action/package_autocomplete", {"q": "kalk"}),
    ("/api/2/util/dataset/autocomplete", {"incomplete": "kalk"}),
    ("/api/3/action/package_list", {}),
    ("/api/3/action/current_package_list_with_resources", {}),
    ("/api/3/action/organization_show", {"id": "stat-e2e", "include_datasets": "true"}),
    ("/api/3/action/group_show", {"id": "demography-e2e", "include_datasets": "true"}),
    ("/api/3/action/group_package_show", {"id": "demography-e2e"}),
    ("/api/3/action/tag_show", {"id": "калк", "include_datasets": "true"}),
    ("/dataset/", {"q": "калк"}),
    ("/dataset/", {"tags": "калк"}),
    ("/organization/stat-e2e", {}),
    ("/group/demography-e2e", {}),
    ("/feeds/dataset.atom", {}),
    ("/feeds/organization/stat-e2e.atom", {}),
    ("/feeds/tag/калк.atom", {}),
    ("/feeds/custom.atom", {"q": "калк"}),
    ("/", {}),
]


@pytest.mark.parametrize("path, params", SURFACES)
def test_anonymous_sees_the_open_dataset_and_nothing_hidden(catalogue, path, params):
    response = get(catalogue, path, **params)
    assert response.status_code == 200, response.text[:500]
    body = response.text
    assert PRIVATE not in body and "жашыруун нуска" not in body
    assert DRAFT not in body and "долбоор нуска" not in body
    if path not in ("/",):
        assert OPEN in body


@pytest.mark.parametrize("path, params", [
    ("/api/3/action/organization_list", {"all_fields": "true"}),
    ("/api/3/action/group_list", {"all_fields": "true"}),
])
def test_anonymous_counts_include_only_the_open_dataset(catalogue, path, params):
    result = get(catalogue, path, **params).json()["result"]
    counts = {g["name"]: g["package_count"] for g in result}
    assert counts == {path.split("/")[-1].split("_")[0] == "organization"
                      and "stat-e2e" or "demography-e2e": 1}


def test_hidden_datasets_are_answered_as_unknown_ones(catalogue):
    assert get(catalogue, f"/dataset/{PRIVATE}").status_code == 404
    assert get(catalogue, f"/dataset/{DRAFT}").status_code == 404
    for name in (PRIVATE, DRAFT):
        response = get(catalogue, "/api/3/action/package_show", id=name)
        unknown = get(catalogue, "/api/3/action/package_show", id="kalk-unknown-e2e")
        assert (response.status_code, response.json()) == (404, unknown.json())


def test_sysadmin_finds_all_three(catalogue):
    result = catalogue.sysadmin().action.package_search(
        q="калк", include_private=True, include_drafts=True)
    assert sorted(d["name"] for d in result["results"]) == sorted([OPEN, PRIVATE, DRAFT])


def test_bad_query_through_gunicorn_is_a_409_with_a_message(catalogue):
    response = get(catalogue, "/en/api/3/action/package_search", q='title:"open')
    assert response.status_code == 409
    assert response.json()["error"] == {  # the parameter named, no query dump
        "__type": "Validation Error",
        "q": ["The search cannot be run: a quotation mark is not closed"]}
    page = get(catalogue, "/dataset/", q='title:"open')
    assert page.status_code == 200
    assert "search-error" in page.text
