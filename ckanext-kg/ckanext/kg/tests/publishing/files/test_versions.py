"""Versions of a table: every publication that passed is one, listed by
`kg_resource_versions`, shown on the table's page and downloadable as it
was published while its files are kept (`ckanext.kg.versions.keep`); a
private table's versions are as hidden as the table."""
import datetime as dt
import json

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers

from ckanext.kg.publishing.files import stored, versions
from ckanext.kg.tests.conftest import uses_portal_schema
from ckanext.kg.tests.publishing.files.test_downloads import (
    SCHEMA,
    TABLE,
    table,  # noqa: F401 (fixture)
)
from ckanext.kg.tests.publishing.files.test_stored_files import CANONICAL, replace
from ckanext.kg.tests.publishing.gate.test_validation import dataset  # noqa: F401 (fixture)

SECOND = TABLE.replace("Нарын,2023,-3.25", "Нарын,2023,-4.5") + "Талас,2024,7.75,жаңы\n"
SECOND_CANONICAL = CANONICAL.replace("Нарын,2023,-3.25", "Нарын,2023,-4.5") + \
    "Талас,2024,7.75,жаңы\n"
AT = dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC)


# the index alone, without CKAN

def test_versions_are_numbered_in_order_of_publication(tmp_path):
    first, freed = versions.record(tmp_path, {"csv": "a.csv", "parquet": "a.parquet"},
                                   [{"id": "x", "type": "int4"}], {"fields": []}, 3, True,
                                   now=AT)
    assert freed == set()
    assert first == {"number": 1, "published": "2026-12-06T09:30:00Z",
                     "files": {"csv": "a.csv", "parquet": "a.parquet"}, "checksum": "a",
                     "rows": 3, "fields": [{"id": "x", "type": "int4"}],
                     "schema": {"fields": []}, "empty_is_null": True, "kept": True}
    second, _ = versions.record(tmp_path, {"csv": "b.csv"}, [], None, 4, True, now=AT)
    assert second["number"] == 2
    assert [v["number"] for v in versions.listed(tmp_path)] == [1, 2]


def test_a_table_published_before_versions_adopts_its_served_files_as_version_1(tmp_path):
    previous = {"files": {"csv": "old.csv", "parquet": "old.parquet"}, "rows": 2,
                "fields": [{"id": "x", "type": "text"}], "empty_is_null": False}
    assert [v["number"] for v in versions.listed(tmp_path, previous)] == [1]
    entry, _ = versions.record(tmp_path, {"csv": "new.csv"}, [], None, 5, True,
                               previous=previous)
    listed = versions.listed(tmp_path)
    assert [(v["number"], v["files"], v["rows"]) for v in listed] == [
        (1, {"csv": "old.csv", "parquet": "old.parquet"}, 2), (2, {"csv": "new.csv"}, 5)]
    assert entry["number"] == 2


def test_keep_frees_the_files_of_older_versions_but_never_a_shared_or_served_one(tmp_path):
    for name in ("a", "b", "a", "c"):  # version 3 is version 1's bytes published again
        _, freed = versions.record(tmp_path, {"csv": f"{name}.csv"}, [], None, 1, True,
                                   keep=2)
    listed = versions.listed(tmp_path)
    assert [(v["number"], v["kept"], v["files"]) for v in listed] == [
        (1, False, {}), (2, False, {}), (3, True, {"csv": "a.csv"}), (4, True, {"csv": "c.csv"})]
    assert freed == {"b.csv"}  # a.csv is version 3's too
    assert versions.kept_names(tmp_path) == {"a.csv", "c.csv"}
    _, freed = versions.record(tmp_path, {"csv": "c.csv"}, [], None, 1, True, keep=1)
    assert freed == {"a.csv"}
    assert versions.kept_names(tmp_path) == {"c.csv"}


# through CKAN

def shown(table, **context):  # noqa: F811
    return helpers.call_action("kg_resource_versions", context=context,
                               id=table["id"])["versions"]


def version_url(table, number, fmt):  # noqa: F811
    return f"/dataset/{table['package_id']}/resource/{table['id']}/version/{number}/{fmt}"


def sysadmin_get(app, url, **kwargs):
    return app.get(url, headers={"Authorization": factories.SysadminWithToken()["token"]},
                   **kwargs)


@uses_portal_schema
def test_each_passing_publication_is_a_version(app, upload_file, table):  # noqa: F811
    assert replace(upload_file, table, TABLE.replace("2023", "көп")) == "failure"
    assert replace(upload_file, table, SECOND) == "success"
    listed = shown(table)
    assert [(v["number"], v["rows"], v["current"], v["kept"]) for v in listed] == [
        (2, 4, True, True), (1, 3, False, True)]
    assert listed[0]["checksum"] == stored.current(table["id"])["csv"].split(".")[0]
    assert listed[1]["checksum"] == stored.sha256(
        stored.folder(table["id"]) / f"{listed[1]['checksum']}.csv")
    assert listed[0]["fields"] == [{"id": "region", "type": "text"},
                                   {"id": "year", "type": "int8"},
                                   {"id": "share", "type": "numeric"},
                                   {"id": "note", "type": "text"}]
    assert listed[0]["schema"] == json.loads(SCHEMA)
    assert dt.datetime.fromisoformat(listed[0]["published"]) >= \
        dt.datetime.fromisoformat(listed[1]["published"])
    assert sorted(listed[1]["downloads"]) == ["csv", "parquet"]
    assert listed[1]["downloads"]["csv"].endswith(version_url(table, 1, "csv"))


@uses_portal_schema
def test_every_version_downloads_as_it_was_published(app, upload_file, table):  # noqa: F811
    import io

    import pyarrow.parquet as pq
    assert replace(upload_file, table, SECOND) == "success"
    first = sysadmin_get(app, version_url(table, 1, "csv"))
    assert first.data.decode("utf-8") == CANONICAL
    assert first.headers["Content-Disposition"] == \
        'attachment; filename="oblustardyn-kalky.v1.csv"'
    assert first.headers["ETag"] == f'"{shown(table)[1]["checksum"]}"'
    assert sysadmin_get(app, version_url(table, 2, "csv")).data.decode() == SECOND_CANONICAL
    parquet = pq.read_table(io.BytesIO(sysadmin_get(app, version_url(table, 1, "parquet")).data))
    assert parquet.column("share").to_pylist() == [12.5, -3.25, 40.0]
    sysadmin_get(app, version_url(table, 3, "csv"), status=404)
    sysadmin_get(app, version_url(table, 1, "xlsx"), status=404)


@uses_portal_schema
@pytest.mark.ckan_config("ckanext.kg.versions.keep", 1)
def test_only_the_newest_versions_keep_their_files(app, upload_file, table):  # noqa: F811
    first_files = set(stored.current(table["id"]).values())
    assert replace(upload_file, table, SECOND) == "success"
    listed = shown(table)
    assert [(v["number"], v["kept"], v["downloads"] != {}) for v in listed] == [
        (2, True, True), (1, False, False)]
    assert not any((stored.folder(table["id"]) / name).exists() for name in first_files)
    sysadmin_get(app, version_url(table, 1, "csv"), status=404)
    assert sysadmin_get(app, version_url(table, 2, "csv")).data.decode() == SECOND_CANONICAL


@uses_portal_schema
def test_republishing_the_same_bytes_is_a_new_version_sharing_the_files(
        app, upload_file, table):  # noqa: F811
    assert replace(upload_file, table, SECOND) == "success"
    assert replace(upload_file, table, TABLE) == "success"
    listed = shown(table)
    assert [v["number"] for v in listed] == [3, 2, 1]
    assert listed[0]["checksum"] == listed[2]["checksum"]
    assert sysadmin_get(app, version_url(table, 1, "csv")).data.decode() == CANONICAL


@uses_portal_schema
def test_a_private_tables_versions_are_hidden(app, upload_file, table):  # noqa: F811
    assert replace(upload_file, table, SECOND) == "success"
    outsider = factories.UserWithToken()
    for headers in ({}, {"Authorization": outsider["token"]}):
        answer = app.get("/api/3/action/kg_resource_versions", query_string={
            "id": table["id"]}, headers=headers, status=404)
        unknown = app.get("/api/3/action/kg_resource_versions", query_string={
            "id": "no-such-resource"}, headers=headers, status=404)
        assert answer.json["error"] == unknown.json["error"]
        for fmt in ("csv", "parquet"):
            response = app.get(version_url(table, 1, fmt), headers=headers, status=404)
            assert "Ысык-Көл" not in response.body


@uses_portal_schema
def test_the_tables_page_lists_its_versions(app, upload_file, table):  # noqa: F811
    assert replace(upload_file, table, SECOND) == "success"
    page = sysadmin_get(app, f"/dataset/{table['package_id']}/resource/{table['id']}").body
    assert 'data-kg-version="2"' in page and 'data-kg-version="1"' in page
    assert page.index('data-kg-version="2"') < page.index('data-kg-version="1"')
    assert version_url(table, 1, "parquet") in page


@uses_portal_schema
def test_a_deleted_tables_versions_are_removed(table):  # noqa: F811
    helpers.call_action("resource_delete", context={"user": factories.Sysadmin()["name"]},
                        id=table["id"])
    assert not stored.folder(table["id"]).exists()
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("kg_resource_versions", context={"user": factories.Sysadmin()["name"]},
                            id=table["id"])


@uses_portal_schema
@pytest.mark.parametrize("action", ["kg_resource_versions", "kg_resource_diff"])
@pytest.mark.parametrize("given, status", [
    (["x"], 409), ({"a": 1}, 409), (5, 404), ("", 409), ("no-such-resource", 404)])
def test_an_id_that_is_not_one_text_is_refused_not_a_500(app, action, given, status):
    response = app.post(f"/api/3/action/{action}", json={"id": given}, status=None)
    assert response.status_code == status, response.body
    if status == 409:
        assert "id" in response.json["error"]
