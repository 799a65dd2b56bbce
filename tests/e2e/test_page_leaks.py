"""Through gunicorn: every page that names a dataset, a resource or a tag,
asked anonymously and by a user of no agency about a private dataset and a
draft, answers exactly as about an unknown one (status, redirect and page)
and names nothing hidden; the pages that list datasets, tags and activity
name nothing hidden either. The pages are CKAN's own routes (the Flask URL
map), so a new page that names a dataset is covered as soon as it exists.
"""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

CALLERS = ("anonymous", "outsider")
# the private dataset by name, the draft by id (each with its resource)
PAIRS = (("{dataset}", "{resource}"), ("{draft_id}", "{draft_resource}"))
# What the other variables of those routes are filled with.
OTHERS = {"activity_id": "{activity}", "_format": "ttl", "fmt": "csv",
          "filename": "secret.csv", "view_id": "0e5a7b1c-0000-4000-8000-0000000000f0",
          "ver": "3", "number": "1"}
NAMING_PREFIXES = ("/dataset", "/datastore", "/feeds/tag/")
VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

LISTINGS = [
    "/", "/dataset/?q=белгиe2e", "/dataset/?tags=жашыруунбелгиe2e", "/dataset/?q=жашыруун",
    "/organization/leak-agency-e2e", "/organization/about/leak-agency-e2e",
    "/organization/activity/leak-agency-e2e", "/organization/leak-agency-e2e/compliance",
    "/group/leak-group-e2e", "/group/activity/leak-group-e2e", "/organization/",
    "/group/", "/user/admin", "/user/activity/admin", "/dashboard/", "/dashboard/datasets",
    "/api/2/util/tag/autocomplete?incomplete=белгиe2e",
    "/api/2/util/dataset/autocomplete?incomplete=leak",
    "/api/2/util/resource/format_autocomplete?incomplete=SECRET",
    "/feeds/dataset.atom", "/feeds/organization/leak-agency-e2e.atom",
    "/feeds/group/leak-group-e2e.atom", "/feeds/custom.atom?q=белгиe2e",
    "/catalog.ttl", "/catalog.jsonld?q=белгиe2e", "/developers",
    "/feeds/versions/organization/leak-agency-e2e.atom", "/feeds/versions/theme/SOCI.atom",
]


def naming_paths(rule: str) -> list[str]:
    """`rule` filled in once per hidden dataset (and its resource)."""
    variables = set(VARIABLE.findall(rule))
    unclassified = variables - {"id", "_id", "resource_id", *OTHERS}
    assert not unclassified, f"{rule}: say what to fill {unclassified} with"
    if rule.startswith("/feeds/tag/"):
        pairs = [("{tag}", "")]
    elif variables & {"id", "_id"}:
        pairs = PAIRS
    else:
        pairs = [("", r) for r in ("{resource}", "{draft_resource}")]
    values = dict(OTHERS)
    paths = []
    for dataset, resource in pairs:
        values.update(id=dataset, _id=dataset, resource_id=resource)
        paths.append(VARIABLE.sub(lambda m: values[m.group(1)], rule))
    return paths


@pytest.fixture(scope="module")
def naming_routes(registry) -> list[str]:
    return sorted({r["rule"] for r in registry["routes"]
                   if r["rule"].startswith(NAMING_PREFIXES)
                   and set(r["arguments"]) & {"id", "_id", "resource_id"}})


def test_the_pages_that_name_a_dataset_are_found(naming_routes):
    assert {"/dataset/<id>", "/dataset/<id>/resource/<resource_id>",
            "/dataset/<_id>.<_format>", "/dataset/activity/<id>",
            "/dataset/<id>/resource/<resource_id>/export/<fmt>",
            "/dataset/<id>/resource/<resource_id>/version/<int:number>/<fmt>",
            "/dataset/<id>/resource/<resource_id>/diff", "/dataset/<id>/versions.atom",
            "/datastore/dump/<resource_id>", "/feeds/tag/<string:id>.atom"} <= set(naming_routes)


@pytest.mark.parametrize("caller", CALLERS)
def test_a_page_about_a_hidden_dataset_is_that_of_an_unknown_one(
        hidden, naming_routes, caller):
    problems = [p for rule in naming_routes for path in naming_paths(rule)
                for p in hidden.page_problems(caller, path)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("caller", CALLERS)
def test_the_front_page_does_not_list_a_private_dataset_among_the_most_downloaded(
        hidden, caller):
    """The private table was downloaded more than any other (conftest); the
    sysadmin's front page lists public datasets only, like everyone's."""
    for viewer in (caller, "sysadmin"):
        page = hidden.get(viewer, "/")
        assert page.status_code == 200
        assert hidden.leaked(page, "/") == []
        assert hidden.values["dataset"] not in page.text


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("path", LISTINGS)
def test_a_listing_page_names_nothing_hidden(hidden, caller, path):
    response = hidden.get(caller, path)
    assert response.status_code in (200, 302), response.status_code
    assert hidden.leaked(response, path) == []
