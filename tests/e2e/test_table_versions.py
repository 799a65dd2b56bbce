"""Through gunicorn: an agency's editor publishes a table, then a second
version of it; anyone sees both versions, downloads each as it was
published, the differences name exactly the rows that changed, and the
dataset's, the agency's and the theme's Atom feeds announce the new
version with its summary."""
import csv
import io
import json

import pytest
import requests

from ckanext.kg.tests import atom

pytestmark = pytest.mark.e2e

SCHEMA = {"fields": [{"name": "code", "type": "string"},
                     {"name": "region", "type": "string"},
                     {"name": "population", "type": "integer"},
                     {"name": "share", "type": "number"}], "primaryKey": ["code"]}
FIRST = [["KG02", "Ысык-Көл", "513000", "7.5"], ["KG03", "Жалал-Абад", "1322000", "19.1"],
         ["KG04", "Нарын", "301600", "4.4"], ["KG05", "Баткен", "554000", "8.0"],
         ["KG06", "Ош облусу", "1391000", "20.1"], ["KG07", "Талас", "270000", "3.9"]]
# Нарын's population and Ош's share changed, Баткен removed, Чүй added
SECOND = [["KG02", "Ысык-Көл", "513000", "7.5"], ["KG03", "Жалал-Абад", "1322000", "19.1"],
          ["KG04", "Нарын", "302100", "4.4"], ["KG06", "Ош облусу", "1391000", "20.4"],
          ["KG07", "Талас", "270000", "3.9"], ["KG08", "Чүй", "980000", "14.2"]]


def table_csv(rows) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([["code", "region", "population", "share"],
                                                     *rows])
    return text.getvalue().encode("utf-8")


def call(portal, action, token=None, **params):
    headers = {"Authorization": token} if token else {}
    return requests.get(f"{portal.url}/api/3/action/{action}", params=params,
                        headers=headers, timeout=60)


@pytest.fixture(scope="module")
def published(portal, compliant_dataset):
    """A public dataset whose table an editor of its agency published twice."""
    admin = portal.sysadmin()
    org = admin.action.organization_create(name="versions-e2e", title_translated={
        "ky": "Улуттук статистика комитети", "ru": "Национальный статистический комитет"})
    editor = "versions-editor-e2e"
    admin.action.user_create(name=editor, email=f"{editor}@example.invalid",
                             password="versions-test-password-1")
    token = admin.action.api_token_create(user=editor, name="versions")["token"]
    admin.action.organization_member_create(id=org["id"], username=editor, role="editor")
    dataset = admin.action.package_create(name="versions-e2e", **compliant_dataset(
        org["id"], "Облустардын калкы", "Население областей", private=True, resources=[]))
    auth = {"Authorization": token}
    created = requests.post(f"{portal.url}/api/3/action/resource_create", headers=auth,
                            data={"package_id": dataset["id"], "name": "Калк", "format": "CSV",
                                  "url": "kalk.csv", "schema": json.dumps(SCHEMA)},
                            files={"upload": ("kalk.csv", table_csv(FIRST), "text/csv")},
                            timeout=60)
    assert created.status_code == 200, created.text
    resource = created.json()["result"]
    made_public = requests.post(f"{portal.url}/api/3/action/package_patch", headers=auth,
                                json={"id": dataset["id"], "private": False}, timeout=60)
    assert made_public.status_code == 200, made_public.text
    updated = requests.post(f"{portal.url}/api/3/action/resource_patch", headers=auth,
                            data={"id": resource["id"]},
                            files={"upload": ("kalk.csv", table_csv(SECOND), "text/csv")},
                            timeout=60)
    assert updated.status_code == 200, updated.text
    shown = call(portal, "kg_validation_show", token, id=resource["id"]).json()["result"]
    assert shown["status"] == "success"
    yield {"dataset": dataset, "resource": resource, "org": org}
    admin.action.dataset_purge(id=dataset["id"])
    admin.action.organization_purge(id=org["id"])
    admin.action.user_delete(id=editor)


def test_anyone_sees_both_versions_and_downloads_each(portal, published):
    resource = published["resource"]
    answer = call(portal, "kg_resource_versions", id=resource["id"])
    assert answer.status_code == 200
    listed = answer.json()["result"]["versions"]
    assert [(v["number"], v["rows"], v["current"]) for v in listed] == [
        (2, 6, True), (1, 6, False)]
    first = requests.get(listed[1]["downloads"]["csv"], timeout=60)
    assert first.status_code == 200
    assert first.content == table_csv(FIRST)
    assert requests.get(listed[0]["downloads"]["csv"], timeout=60).content == table_csv(SECOND)
    assert "public" in first.headers["Cache-Control"]


def test_the_diff_names_exactly_the_changed_rows(portal, published):
    resource = published["resource"]
    found = call(portal, "kg_resource_diff", id=resource["id"]).json()["result"]
    assert (found["from"], found["to"], found["by"], found["key"]) == (1, 2, "key", ["code"])
    assert (found["added"], found["removed"], found["changed"]) == (1, 1, 2)
    assert [(r["change"], r["key"]["code"], r["changed"]) for r in found["rows"]] == [
        ("changed", "KG04", ["population"]),
        ("removed", "KG05", []),
        ("changed", "KG06", ["share"]),
        ("added", "KG08", [])]
    assert (found["rows"][0]["old"]["population"], found["rows"][0]["new"]["population"]) == \
        (301600, 302100)
    page = requests.get(f"{portal.url}/ru/dataset/{published['dataset']['name']}/resource/"
                        f"{resource['id']}/diff", timeout=60)
    assert page.status_code == 200
    assert "+1 строка" in page.text and "−1" in page.text and "2 изменены" in page.text
    assert page.text.count('data-kg-diff-row="changed"') == 2


@pytest.mark.parametrize("path", ["/en/dataset/versions-e2e/versions.atom",
                                  "/en/feeds/versions/organization/versions-e2e.atom",
                                  "/en/feeds/versions/theme/SOCI.atom"])
def test_feeds_announce_the_new_version_with_its_summary(portal, published, path):
    response = requests.get(portal.url + path, timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert atom.problems(response.content) == []
    entries = [e for e in atom.entries(response.content) if published["resource"]["id"] in e["id"]]
    assert [(e["title"], e["summary"]) for e in entries] == [
        ("Калк: version 2", "+1 row, −1, 2 changed"), ("Калк: version 1", "First version: 6 rows")]
    assert entries[0]["link"] == (f"{portal.url}/en/dataset/versions-e2e/resource/"
                                  f"{published['resource']['id']}/diff?from=1&to=2")
