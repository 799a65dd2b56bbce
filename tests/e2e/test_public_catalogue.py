"""The catalogue a fresh `make run` serves to an anonymous visitor: every
package of datasets/ that meets the code is public, typed in the DataStore,
with a passing report and every download, and found in three languages."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import requests

from ckanext.kg.publishing.load.datastore import TYPES

pytestmark = pytest.mark.e2e

DATASETS = Path(__file__).resolve().parents[2] / "datasets"
sys.path.insert(0, str(DATASETS))
import catalogue  # noqa: E402

PACKAGES = {p["name"]: p for p in catalogue.packages()}
PUBLIC = sorted(name for name, p in PACKAGES.items() if catalogue._publication(p) == "public")
DOWNLOADS = ("csv", "excel", "xlsx", "parquet", "json")


def action(portal, name: str, **params):
    response = requests.post(f"{portal.url}/api/3/action/{name}", json=params, timeout=60)
    assert response.status_code == 200, (name, params, response.text[:500])
    return response.json()["result"]


def test_the_first_run_says_how_many_datasets_are_public(catalogue_portal):
    summary = catalogue_portal.said[-1]
    assert re.fullmatch(rf"{len(PUBLIC)} of {len(PACKAGES)} datasets public \(\d+\.\d s\)",
                        summary), catalogue_portal.said


def test_an_anonymous_search_returns_every_public_package(catalogue_portal):
    found = action(catalogue_portal, "package_search", q="*:*", rows=1000)
    assert len(PUBLIC) >= 25
    assert sorted(d["name"] for d in found["results"]) == PUBLIC
    assert found["count"] == len(PUBLIC)
    publishers = {PACKAGES[name]["kg"]["publisher"] for name in PUBLIC}
    facets = action(catalogue_portal, "package_search", rows=0,
                    **{"facet.field": ["organization"], "facet.limit": -1})
    assert set(facets["facets"]["organization"]) == publishers


@pytest.mark.parametrize("name", PUBLIC)
def test_every_table_is_typed_validated_and_downloads(catalogue_portal, name):
    dataset = action(catalogue_portal, "package_show", id=name)
    resources = {r["name"]: r for r in dataset["resources"]}
    assert sorted(resources) == sorted(r["name"] for r in PACKAGES[name]["resources"])
    for wanted in PACKAGES[name]["resources"]:
        resource = resources[wanted["name"]]
        assert action(catalogue_portal, "kg_validation_show",
                      id=resource["id"])["status"] == "success"
        views = action(catalogue_portal, "resource_view_list", id=resource["id"])
        assert [view["view_type"] for view in views] == ["kg_preview"], (name, views)
        stored = action(catalogue_portal, "datastore_search", resource_id=resource["id"],
                        limit=0)
        types = {f["id"]: f["type"] for f in stored["fields"] if f["id"] != "_id"}
        assert types == {f["name"]: TYPES.get(f["type"], "text")
                         for f in wanted["schema"]["fields"]}
        with (DATASETS / name / wanted["path"]).open(encoding="utf-8") as table:
            assert stored["total"] == sum(1 for _ in table) - 1
        for fmt in DOWNLOADS:
            url = (f"{catalogue_portal.url}/dataset/{dataset['id']}/resource/"
                   f"{resource['id']}/export/{fmt}")
            response = requests.get(url, timeout=60)
            assert response.status_code == 200, (name, wanted["name"], fmt)
            assert response.content, (name, wanted["name"], fmt)


@pytest.mark.parametrize("words", ["Бишкек", "калк", "население", "population",
                                   "Кыргызстан", "Kyrgyzstan"])
def test_search_finds_the_catalogue_in_three_languages(catalogue_portal, words):
    found = action(catalogue_portal, "package_search", q=words, rows=100)
    assert found["count"] >= 1, words
    assert {d["name"] for d in found["results"]} <= set(PUBLIC)


def test_a_second_publication_changes_nothing(catalogue_portal, portal_script):
    said = portal_script.publish_datasets(catalogue_portal.ini)
    for name in PUBLIC:
        assert any(line.startswith(f"{name}: public, ") and line.endswith(", unchanged")
                   for line in said), (name, said)
    assert not [line for line in said if "created" in line or "updated" in line], said
    assert said[-1].startswith(f"{len(PUBLIC)} of {len(PACKAGES)} datasets public")


def test_the_front_page_counts_the_public_datasets_by_theme(catalogue_portal):
    page = requests.get(catalogue_portal.url + "/en/", timeout=60).text
    assert f"{len(PUBLIC)} public datasets" in page
    shown = {theme: int(count) for theme, count in re.findall(
        r'data-kg-theme="(\w+)">\s*<span>[^<]*</span>\s*<span class="kg-count">(\d+) dataset',
        page)}
    wanted = {}
    for name in PUBLIC:
        theme = PACKAGES[name]["kg"]["theme"]
        wanted[theme] = wanted.get(theme, 0) + 1
    assert {theme: n for theme, n in shown.items() if n} == wanted


def test_a_table_published_before_its_preview_gets_one_at_the_next_run(
        catalogue_portal, portal_script):
    admin = catalogue_portal.sysadmin()
    resource = admin.action.package_show(id=PUBLIC[0])["resources"][0]
    for view in admin.action.resource_view_list(id=resource["id"]):
        admin.action.resource_view_delete(id=view["id"])
    portal_script.publish_datasets(catalogue_portal.ini)
    views = admin.action.resource_view_list(id=resource["id"])
    assert [view["view_type"] for view in views] == ["kg_preview"]
