"""Views and downloads counted on the server, with nothing about the reader:
on the dataset page, in `package_show` (`kg_downloads`) and in the front
page's most downloaded datasets, public ones only."""
import json

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from ckan import model
from ckan.tests import factories, helpers

from ckanext.kg import counts
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import METADATA
from ckanext.kg.tests.publishing.gate.test_validation import (
    VALID,
    dataset,  # noqa: F401 (fixture)
    publish,
    upload,
)

pytestmark = portal_schema + [
    pytest.mark.ckan_config("ckanext.kg.counts.ranking_cache_seconds", 0)]


@pytest.fixture(autouse=True)
def _no_kept_ranking():
    """A ranking kept by an earlier test names datasets of its database."""
    counts._ranking.update(at=None)


@pytest.mark.parametrize(("endpoint", "method", "status", "start", "kind"), [
    ("kg.download", "GET", 200, 0, counts.DOWNLOAD),
    ("kg.download", "GET", 206, 0, counts.DOWNLOAD),      # a range from the first byte
    ("kg.download", "GET", 206, 1000, None),              # the rest of an interrupted one
    ("kg.download", "GET", 304, 0, None),                 # the client has it already
    ("kg.download", "HEAD", 200, 0, None),
    ("kg.download", "GET", 404, 0, None),
    ("resource.download", "GET", 302, 0, counts.DOWNLOAD),  # a linked file's address
    ("dataset_resource.download", "GET", 200, 0, counts.DOWNLOAD),
    ("datastore.dump", "GET", 200, 0, counts.DOWNLOAD),
    ("dataset.read", "GET", 200, 0, counts.VIEW),
    ("dataset.read", "GET", 302, 0, None),
    ("resource.read", "GET", 200, 0, counts.VIEW),
    ("dataset_resource.read", "GET", 200, 0, counts.VIEW),
    ("dataset.search", "GET", 200, 0, None),
])
def test_what_a_request_counts_as(endpoint, method, status, start, kind):
    assert counts.kind_of(endpoint, method, status, start) == kind


@pytest.fixture
def table(upload_file, dataset):  # noqa: F811
    return upload(upload_file, dataset, VALID, name="Облустардын калкы")


def _as_sysadmin() -> dict:
    return {"Authorization": factories.SysadminWithToken()["token"]}


def export(app, table, fmt="csv", headers=None, **params):
    return app.get(f"/dataset/{table['package_id']}/resource/{table['id']}/export/{fmt}",
                   query_string=params, headers=headers or _as_sysadmin())


def shown(dataset_id: str) -> dict:
    return helpers.call_action("package_show", context={"user": factories.Sysadmin()["name"]},
                               id=dataset_id)


def test_two_downloads_count_two_in_package_show(app, table):
    assert export(app, table).status_code == 200
    assert export(app, table, "xlsx").status_code == 200
    found = shown(table["package_id"])
    assert found["kg_downloads"] == 2
    assert [r["kg_downloads"] for r in found["resources"]] == [2]


def test_a_filtered_download_counts_and_a_head_does_not(app, table):
    assert export(app, table, "json", filters=json.dumps({"year": 2023})).status_code == 200
    head = app.test_client().head(
        f"/dataset/{table['package_id']}/resource/{table['id']}/export/csv",
        headers=_as_sysadmin())
    assert head.status_code == 200
    assert shown(table["package_id"])["kg_downloads"] == 1


def test_a_304_and_a_range_continuing_a_download_do_not_count(app, table):
    first = export(app, table)
    etag = first.headers["ETag"]
    headers = _as_sysadmin()
    assert export(app, table, headers=dict(headers, **{"If-None-Match": etag})).status_code == 304
    assert export(app, table, headers=dict(headers, Range="bytes=5-")).status_code == 206
    assert export(app, table, headers=dict(headers, Range="bytes=0-4")).status_code == 206
    assert shown(table["package_id"])["kg_downloads"] == 2  # the first, and bytes 0-4


def test_a_refused_download_counts_nothing(app, table):
    response = export(app, table, headers={"Authorization": ""})  # anonymous, private
    assert response.status_code == 404
    assert counts.of_dataset(table["package_id"])["downloads"] == 0


def test_page_views_are_counted_per_dataset_and_table(app, table):
    headers = _as_sysadmin()
    name = shown(table["package_id"])["name"]
    for _ in range(2):
        assert app.get(f"/dataset/{name}", headers=headers).status_code == 200
    assert app.get(f"/dataset/{name}/resource/{table['id']}", headers=headers).status_code == 200
    found = counts.of_dataset(table["package_id"])
    assert (found["views"], found["downloads"]) == (3, 0)
    assert found["tables"] == {table["id"]: {"views": 1, "downloads": 0}}


@pytest.mark.parametrize(("lang", "views", "downloads"), [
    ("ky", "Маалыматтар топтомунун барактары 1 жолу каралды.",
     "Маалыматтар топтомунун таблицалары 2 жолу жүктөлүп алынды."),
    ("ru", "Страницы набора данных просмотрены 1 раз.", "Таблицы набора данных скачаны 2 раза."),
    ("en", "Its pages were viewed 1 time.", "Its tables were downloaded 2 times."),
])
def test_the_dataset_page_shows_its_views_and_downloads(app, table, lang, views, downloads):
    headers = _as_sysadmin()
    export(app, table)
    export(app, table, "parquet")
    name = shown(table["package_id"])["name"]
    app.get(f"/{lang}/dataset/{name}", headers=headers)
    page = BeautifulSoup(app.get(f"/{lang}/dataset/{name}", headers=headers).body,
                         "html.parser")
    section = page.select_one("#kg-counts")
    shown_views = section.select_one("[data-kg-views]")
    shown_downloads = section.select_one("[data-kg-downloads]")
    assert (shown_views["data-kg-views"], shown_downloads["data-kg-downloads"]) == ("1", "2")
    assert [" ".join(e.get_text().split()) for e in (shown_views, shown_downloads)] == [
        views, downloads]


def test_nothing_about_the_reader_is_kept(app, table):
    export(app, table)
    with model.meta.engine.connect() as connection:
        columns = [c["name"] for c in sa.inspect(connection).get_columns(counts.TABLE)]
    assert columns == ["package_id", "resource_id", "day", "kind", "count"]


def test_counts_change_neither_the_dataset_nor_its_search_entry(app, table):
    before = shown(table["package_id"])
    export(app, table)
    export(app, table)
    after = shown(table["package_id"])
    assert after["metadata_modified"] == before["metadata_modified"]
    found = helpers.call_action("package_search", context={"ignore_auth": True},
                                q=f"id:{table['package_id']}", include_private=True)
    assert found["count"] == 1
    assert "kg_downloads" not in found["results"][0]
    assert "kg_downloads" not in found["results"][0]["resources"][0]


def test_a_patch_of_the_shown_dataset_stores_no_count(app, table):
    export(app, table)
    sysadmin = {"user": factories.Sysadmin()["name"]}
    helpers.call_action("package_patch", context=dict(sysadmin), id=table["package_id"],
                        notes="Жаңы сүрөттөмө")
    helpers.call_action("resource_patch", context=dict(sysadmin), id=table["id"],
                        description="Жаңы")
    assert "kg_downloads" not in model.Resource.get(table["id"]).extras
    assert "kg_downloads" not in model.Package.get(table["package_id"]).extras
    assert shown(table["package_id"])["kg_downloads"] == 1


def _public_dataset(upload_file, name: str) -> tuple[dict, dict]:
    created = helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]}, private=True,
        owner_org=model.Group.get("nsc").id, name=name,
        **dict(METADATA, title_translated={"ky": f"Жыйнак {name}", "ru": f"Набор {name}"}))
    table = upload(upload_file, created, VALID)
    publish(created)
    return created, table


@pytest.fixture
def three_datasets(upload_file, table):
    """The shared dataset (private) downloaded 3 times, a public one 2
    times and another public one once."""
    first, first_table = _public_dataset(upload_file, "birinchi")
    second, second_table = _public_dataset(upload_file, "ekinchi")
    return table, (first, first_table), (second, second_table)


def test_the_most_downloaded_are_public_datasets_only(app, three_datasets):
    private_table, (first, first_table), (second, second_table) = three_datasets
    for downloaded, times in ((private_table, 3), (first_table, 2), (second_table, 1)):
        for _ in range(times):
            assert export(app, downloaded).status_code == 200
    listed = helpers.call_action("kg_most_downloaded_list", context={"user": ""}, limit=5)
    assert [(d["name"], d["downloads"]) for d in listed] == [("birinchi", 2), ("ekinchi", 1)]
    page = BeautifulSoup(app.get("/", headers=_as_sysadmin()).body, "html.parser")
    assert [li["data-kg-dataset"] for li in page.select(".kg-most-downloaded li")] == [
        "birinchi", "ekinchi"]
    private_name = shown(private_table["package_id"])["name"]
    assert private_name not in str(page.select_one(".kg-most-downloaded"))


def test_a_dataset_made_private_leaves_the_list_at_once(app, three_datasets):
    _, (first, first_table), _ = three_datasets
    export(app, first_table)
    helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]},
                        id=first["id"], private=True)
    assert helpers.call_action("kg_most_downloaded_list", context={"user": ""}) == []


@pytest.mark.ckan_config("ckanext.kg.counts.ranking_cache_seconds", 300)
def test_a_kept_ranking_is_still_checked_for_private_datasets(app, three_datasets):
    _, (first, first_table), _ = three_datasets
    export(app, first_table)
    assert [d["name"] for d in helpers.call_action("kg_most_downloaded_list")] == ["birinchi"]
    helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]},
                        id=first["id"], private=True)
    assert helpers.call_action("kg_most_downloaded_list", context={"user": ""}) == []


def test_the_limit_is_checked(app):
    with pytest.raises(helpers.logic.ValidationError) as refused:
        helpers.call_action("kg_most_downloaded_list", limit=101)
    assert list(refused.value.error_dict) == ["limit"]
    assert helpers.call_action("kg_most_downloaded_list", limit=0) == []


@pytest.mark.ckan_config("ckanext.kg.counts.enabled", False)
def test_nothing_is_counted_when_counting_is_off(app, table):
    assert export(app, table).status_code == 200
    assert shown(table["package_id"])["kg_downloads"] == 0


def test_a_page_reads_its_datasets_counts_once(app, table):
    """The dataset page shows the dataset (with its downloads) and its
    counts; they are read once for the request."""
    assert export(app, table).status_code == 200  # a download: the counts table exists
    name = shown(table["package_id"])["name"]  # by its id, the page redirects to its name
    read: list[str] = []

    def seen(conn, cursor, statement, *args):
        if statement.lstrip().startswith("SELECT") and counts.TABLE in statement:
            read.append(statement)
    sa.event.listen(model.meta.engine, "before_cursor_execute", seen)
    try:
        response = app.get(f"/dataset/{name}", headers=_as_sysadmin())
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", seen)
    assert response.status_code == 200
    assert len(read) == 1, read
    assert shown(table["package_id"])["kg_downloads"] == 1
