"""Whole-table CSV for Excel, JSON and XLSX files (`exports`): made once per
publication, named by checksum, served like the stored CSV (ETag, ranges,
or by nginx), removed with their publication; until they exist the
download streams the same bytes; Excel's limits said in the reader's
language; private stays private."""
import io
import json

import pytest
from ckan.tests import factories, helpers

from ckanext.kg.publishing.files import diffs, exports, stored, versions
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.files.test_downloads import (
    get,
    table,  # noqa: F401 (fixture)
)
from ckanext.kg.tests.publishing.files.test_stored_downloads import (
    MIXED_SCHEMA,
    MIXED_TABLE,
    cells,
    datastore,
)
from ckanext.kg.tests.publishing.files.test_stored_files import replace
from ckanext.kg.tests.publishing.gate.test_validation import dataset  # noqa: F401 (fixture)

pytestmark = portal_schema
FORMATS = ["excel", "json", "xlsx"]


def made(resource_id):
    """The files made for the publication being served: format -> path."""
    pointer = json.loads((stored.folder(resource_id) / exports.POINTER).read_text("utf-8"))
    return {fmt: stored.folder(resource_id) / name for fmt, name in pointer["files"].items()}


def url(table):  # noqa: F811
    return f"/dataset/{table['package_id']}/resource/{table['id']}/export/"


def test_a_published_table_has_its_files_named_by_checksum(table):  # noqa: F811
    files = made(table["id"])
    assert sorted(files) == sorted(FORMATS)
    for fmt, path in files.items():
        assert path.name == f"{stored.sha256(path)}.{exports.EXTENSIONS[fmt]}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_whole_table_downloads_are_the_files_with_etag_and_ranges(app, table, fmt):  # noqa: F811,E501
    path = made(table["id"])[fmt]
    content = path.read_bytes()
    whole = get(app, table, fmt)
    assert whole.data == content
    assert whole.headers["ETag"] == f'"{stored.sha256(path)}"'
    assert whole.headers["Content-Length"] == str(len(content))
    token = factories.SysadminWithToken()["token"]
    assert app.get(url(table) + fmt, headers={"Authorization": token,
                                              "If-None-Match": whole.headers["ETag"]}
                   ).status_code == 304
    part = app.get(url(table) + fmt, headers={"Authorization": token, "Range": "bytes=3-9"})
    assert part.status_code == 206 and part.data == content[3:10]


@pytest.mark.ckan_config("ckanext.kg.exports.sync_max_rows", "0")
@pytest.mark.usefixtures("clean_queues")
def test_until_the_files_exist_the_download_streams_the_same_bytes(
        app, upload_file, table):  # noqa: F811
    assert replace(upload_file, table, MIXED_TABLE, MIXED_SCHEMA) == "success"
    assert not (stored.folder(table["id"]) / exports.POINTER).exists()  # left to the job
    streamed = {}
    for fmt in ("excel", "json"):
        response = get(app, table, fmt)
        streamed[fmt] = response.data  # (read before the next request)
        assert "ETag" not in response.headers
    first_xlsx = get(app, table, "xlsx").data  # made by this request, then kept
    assert "xlsx" in made(table["id"])
    exports.build_job(table["id"])
    for fmt, data in streamed.items():
        later = get(app, table, fmt)
        assert "ETag" in later.headers and later.data == data
        assert later.data == made(table["id"])[fmt].read_bytes()
    assert cells(first_xlsx) == cells(get(app, table, "xlsx").data) == \
        cells(datastore(app, table, "xlsx").data)


@pytest.mark.parametrize("fmt", ["json", "xlsx"])  # (CSV for Excel keeps the stored text)
def test_files_are_what_the_filtered_path_gives(app, upload_file, table, fmt):  # noqa: F811
    assert replace(upload_file, table, MIXED_TABLE, MIXED_SCHEMA) == "success"
    whole, through_datastore = get(app, table, fmt), datastore(app, table, fmt)
    assert "ETag" in whole.headers and "ETag" not in through_datastore.headers
    if fmt == "xlsx":
        assert cells(whole.data) == cells(through_datastore.data)
    else:
        assert whole.data == through_datastore.data


def test_a_new_publication_replaces_the_files(upload_file, table):  # noqa: F811
    before = made(table["id"])
    assert replace(upload_file, table, MIXED_TABLE, MIXED_SCHEMA) == "success"
    after = made(table["id"])
    assert not any(path.exists() for path in before.values())
    assert all(path.exists() for path in after.values())
    names = {p.name for p in stored.folder(table["id"]).iterdir()}
    assert names == {*(p.name for p in after.values()), exports.POINTER, stored.POINTER,
                     versions.INDEX, diffs.FOLDER,
                     *versions.kept_names(stored.folder(table["id"]))}


def test_a_deleted_tables_files_are_removed(table):  # noqa: F811
    assert made(table["id"])
    helpers.call_action("resource_delete", context={"user": factories.Sysadmin()["name"]},
                        id=table["id"])
    assert not stored.folder(table["id"]).exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_private_tables_files_are_not_downloadable_anonymously(app, table, fmt):  # noqa: F811,E501
    assert made(table["id"])[fmt].exists()
    anonymous = app.get(url(table) + fmt, status=404)
    assert "ETag" not in anonymous.headers and "X-Accel-Redirect" not in anonymous.headers
    user = factories.UserWithToken()  # signed in, not a member of the agency
    outsider = app.get(url(table) + fmt, headers={"Authorization": user["token"]}, status=404)
    assert "ETag" not in outsider.headers


# -- Excel's limits ---------------------------------------------------------------

@pytest.mark.ckan_config("ckanext.kg.xlsx.max_rows", "3")
def test_a_table_longer_than_a_sheet_gets_further_sheets(app, upload_file, table):  # noqa: F811,E501
    from openpyxl import load_workbook
    assert replace(upload_file, table, MIXED_TABLE, MIXED_SCHEMA) == "success"
    for response in (get(app, table, "xlsx"), datastore(app, table, "xlsx")):
        book = load_workbook(io.BytesIO(response.data))
        assert book.sheetnames == ["data", "data 2"]
        rows = [r for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
        assert [r[0] for r in rows] == ["region", "Ысык-Көл", "Нарын", "region", "Чүй",
                                        "Талас"]


TOO_LONG = {
    "ky": "Бул таблицанын бир уячасы Excel уячасы батыра турган 10 белгиден узун",
    "ru": "Ячейка этой таблицы длиннее 10 символов, которые вмещает ячейка Excel",
    "en": "A cell of this table is longer than the 10 characters a cell of Excel holds",
}


@pytest.mark.ckan_config("ckanext.kg.xlsx.max_cell_chars", "10")
@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
@pytest.mark.parametrize("filtered", [False, True])
def test_a_cell_too_long_for_excel_is_said_in_the_readers_language(
        app, table, lang, filtered):  # noqa: F811
    token = factories.SysadminWithToken()["token"]
    prefix = f"/{lang}"
    query = {"sort": "_id"} if filtered else {}
    response = app.get(prefix + url(table) + "xlsx", query_string=query,
                       headers={"Authorization": token}, status=409)
    assert TOO_LONG[lang] in response.body
    assert "CSV" in response.body and "Parquet" in response.body
    assert get(app, table, "excel").status_code == 200  # the other formats keep the text


# -- nginx sends the files -------------------------------------------------------

@pytest.mark.ckan_config("ckanext.kg.downloads.accel_redirect", "/_kg_tables/")
@pytest.mark.parametrize("fmt", ["csv", "parquet", *FORMATS])
def test_with_x_accel_redirect_nginx_sends_the_file(app, table, fmt):  # noqa: F811
    served = {**made(table["id"]), **{kind: stored.folder(table["id"]) / name
                                      for kind, name in stored.current(table["id"]).items()}}
    path = served[fmt]
    response = get(app, table, fmt)
    assert response.headers["X-Accel-Redirect"] == f"/_kg_tables/{table['id']}/{path.name}"
    assert response.data == b""
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "ETag" not in response.headers  # nginx gives the file's own
    assert "X-Accel-Redirect" not in get(app, table, fmt, sort="_id").headers  # filtered
    assert "X-Accel-Redirect" not in app.get(url(table) + fmt, status=404).headers


@pytest.mark.ckan_config("ckanext.kg.downloads.accel_redirect", "/_kg_tables/")
@pytest.mark.ckan_config("ckanext.kg.downloads.accel_redirect_min_bytes", "100000")
def test_small_files_are_still_sent_by_ckan(app, table):  # noqa: F811
    response = get(app, table, "csv")
    assert "X-Accel-Redirect" not in response.headers and response.data
