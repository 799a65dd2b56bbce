"""A published table's stored CSV and Parquet files: written with the rows,
kept when a newer file fails, replaced when one passes, and served as they
are for whole-table downloads."""
import datetime as dt
import io
import json

import pytest
from ckan.tests import factories, helpers

from ckanext.kg.publishing.files import diffs, stored, versions
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.files.test_downloads import (
    SCHEMA,
    TABLE,
    get,
    table,  # noqa: F401 (fixture)
)
from ckanext.kg.tests.publishing.gate.test_validation import dataset  # noqa: F401 (fixture)

pytestmark = portal_schema

# TABLE as the validator writes it: a cell holding quotes is quoted
CANONICAL = ("region,year,share,note\n"
             'Ысык-Көл,2023,12.5,"=HYPERLINK(""http://evil.invalid"")"\n'
             "Нарын,2023,-3.25,+1\n"
             "Чүй,2022,40,-жок\n")


def files_of(resource_id):
    """The stored files being served: kind -> path."""
    return {kind: stored.folder(resource_id) / name
            for kind, name in stored.current(resource_id).items()}


def made_files(resource_id):
    """The names of the other formats' files (`exports`) and their pointer."""
    from ckanext.kg.publishing.files import exports
    pointer = json.loads((stored.folder(resource_id) / exports.POINTER).read_text("utf-8"))
    return [exports.POINTER, *pointer["files"].values()]


def replace(upload_file, table, data, schema=SCHEMA):  # noqa: F811
    upload_file(data, "kalk.csv", action="resource_update", id=table["id"],
                package_id=table["package_id"], url="kalk.csv", format="CSV",
                schema=schema, name=table["name"])
    return helpers.call_action("kg_validation_show", id=table["id"])["status"]


def test_a_passing_table_has_a_stored_csv_and_parquet_file(table):  # noqa: F811
    files = files_of(table["id"])
    assert sorted(files) == ["csv", "parquet"]
    assert files["csv"].read_text("utf-8") == CANONICAL
    assert files["csv"].name == stored.sha256(files["csv"]) + ".csv"
    assert files["parquet"].name == stored.sha256(files["parquet"]) + ".parquet"
    assert sorted(p.name for p in stored.folder(table["id"]).iterdir()) == sorted(
        [files["csv"].name, files["parquet"].name, stored.POINTER, versions.INDEX,
         *made_files(table["id"])])


def test_whole_table_downloads_are_the_stored_files_byte_for_byte(app, table):  # noqa: F811
    files = files_of(table["id"])
    csv_download = get(app, table, "csv")
    assert csv_download.data == files["csv"].read_bytes()
    assert csv_download.headers["Content-Length"] == str(files["csv"].stat().st_size)
    assert csv_download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_download.headers["Content-Disposition"] == \
        'attachment; filename="oblustardyn-kalky.csv"'
    parquet_download = get(app, table, "parquet")
    assert parquet_download.data == files["parquet"].read_bytes()
    assert parquet_download.headers["Content-Type"] == "application/vnd.apache.parquet"
    assert parquet_download.headers["Content-Disposition"] == \
        'attachment; filename="oblustardyn-kalky.parquet"'


def test_only_unfiltered_downloads_come_from_the_stored_file(app, table):  # noqa: F811
    path = files_of(table["id"])["csv"]
    path.write_text(CANONICAL.replace("Нарын", "Naryn"), "utf-8")  # tell them apart
    assert "Naryn,2023" in get(app, table, "csv").data.decode()
    response = get(app, table, "csv", filters=json.dumps({"year": 2023}))
    assert response.data.decode().splitlines()[2] == "Нарын,2023,-3.25,+1"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="oblustardyn-kalky.csv"'


def test_csv_for_excel_of_the_whole_table_is_transcoded_from_the_stored_csv(app, table):  # noqa: F811,E501
    response = get(app, table, "excel")
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="oblustardyn-kalky.excel.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.data.decode("utf-8-sig").split("\r\n") == [
        "region;year;share;note",
        "Ысык-Көл;2023;12,5;\"'=HYPERLINK(\"\"http://evil.invalid\"\")\"",
        "Нарын;2023;-3,25;'+1",
        "Чүй;2022;40;'-жок",
        "",
    ]


def test_the_stored_parquet_file_has_the_schemas_types(table):  # noqa: F811
    import pyarrow.parquet as pq
    parquet = pq.read_table(files_of(table["id"])["parquet"])
    assert [(f.name, str(f.type)) for f in parquet.schema] == [
        ("region", "string"), ("year", "int64"), ("share", "double"), ("note", "string")]
    assert parquet.to_pylist()[1] == {"region": "Нарын", "year": 2023, "share": -3.25,
                                      "note": "+1"}


TYPED_SCHEMA = json.dumps({"fields": [
    {"name": "day", "type": "date"},
    {"name": "at", "type": "datetime"},
    {"name": "year", "type": "year"},
    {"name": "open", "type": "boolean", "trueValues": ["ооба"], "falseValues": ["жок"]},
    {"name": "amount", "type": "number", "decimalChar": ","},
    {"name": "note", "type": "string"}]})
TYPED_TABLE = ("day,at,year,open,amount,note\n"
               "2023-05-01,2023-05-01T10:30:00,2023,ооба,\"1234,5\",\n"
               "2023-05-02,2023-05-02T08:00:00,2024,жок,,жазуу\n")


def test_a_table_read_by_its_schemas_rules_is_stored_as_the_datastore_reads_it(
        app, upload_file, table):  # noqa: F811
    import pyarrow.parquet as pq
    assert replace(upload_file, table, TYPED_TABLE, TYPED_SCHEMA) == "success"
    files = files_of(table["id"])
    assert files["csv"].read_text("utf-8") == (
        "day,at,year,open,amount,note\n"
        "2023-05-01,2023-05-01T10:30:00,2023,true,1234.5,\n"
        "2023-05-02,2023-05-02T08:00:00,2024,false,,жазуу\n")
    assert get(app, table, "csv").data == files["csv"].read_bytes()
    parquet = pq.read_table(files["parquet"])
    assert [str(t) for t in parquet.schema.types] == [
        "date32[day]", "timestamp[us]", "int32", "bool", "double", "string"]
    assert parquet.to_pylist() == [
        {"day": dt.date(2023, 5, 1), "at": dt.datetime(2023, 5, 1, 10, 30), "year": 2023,
         "open": True, "amount": 1234.5, "note": None},
        {"day": dt.date(2023, 5, 2), "at": dt.datetime(2023, 5, 2, 8), "year": 2024,
         "open": False, "amount": None, "note": "жазуу"}]
    # the DataStore holds the same rows
    rows = helpers.call_action("datastore_search", resource_id=table["id"],
                               sort="day")["records"]
    assert [(r["amount"], r["note"]) for r in rows] == [(1234.5, None), (None, "жазуу")]


def test_a_failing_newer_file_keeps_the_previous_files_and_downloads(
        app, upload_file, table):  # noqa: F811
    before = files_of(table["id"])
    csv_bytes, parquet_bytes = (before[k].read_bytes() for k in ("csv", "parquet"))
    assert replace(upload_file, table, TABLE.replace("2023", "көп")) == "failure"
    assert files_of(table["id"]) == before
    assert get(app, table, "csv").data == csv_bytes == CANONICAL.encode("utf-8")
    assert get(app, table, "parquet").data == parquet_bytes


def test_a_passing_newer_file_replaces_the_served_files(app, upload_file, table):  # noqa: F811
    import pyarrow.parquet as pq
    before = files_of(table["id"])
    newer = TABLE + "Талас,2024,7.75,жаңы\n"
    assert replace(upload_file, table, newer) == "success"
    after = files_of(table["id"])
    assert set(after.values()).isdisjoint(before.values())
    assert all(path.exists() for path in before.values())  # kept: version 1 (test_versions)
    assert sorted(p.name for p in stored.folder(table["id"]).iterdir()) == sorted(
        [after["csv"].name, after["parquet"].name, before["csv"].name, before["parquet"].name,
         stored.POINTER, versions.INDEX, diffs.FOLDER, *made_files(table["id"])])
    assert get(app, table, "csv").data == after["csv"].read_bytes() == \
        (CANONICAL + "Талас,2024,7.75,жаңы\n").encode("utf-8")
    parquet = pq.read_table(io.BytesIO(get(app, table, "parquet").data))
    assert parquet.column("region").to_pylist() == ["Ысык-Көл", "Нарын", "Чүй", "Талас"]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "excel"])
def test_a_private_tables_stored_files_are_not_downloadable_anonymously(
        app, table, fmt):  # noqa: F811
    assert files_of(table["id"])  # there is a stored file to leak
    url = f"/dataset/{table['package_id']}/resource/{table['id']}/export/{fmt}"
    response = app.get(url, status=404)
    assert "Ысык-Көл" not in response.body
    user = factories.UserWithToken()  # signed in, but not a member of the agency
    response = app.get(url, headers={"Authorization": user["token"]}, status=404)
    assert "Ысык-Көл" not in response.body


@pytest.mark.parametrize("change", ["upsert", "records_delete", "create_with_records"])
def test_rows_changed_by_hand_withdraw_the_stored_files(app, table, change):  # noqa: F811
    folder = stored.folder(table["id"])
    assert folder.is_dir()
    if change == "upsert":
        helpers.call_action("datastore_upsert", resource_id=table["id"], method="insert",
                            force=True, records=[{"region": "Ош", "year": 2024}])
        expected = [*CANONICAL.splitlines(), "Ош,2024,,"]
    elif change == "records_delete":
        helpers.call_action("datastore_records_delete", resource_id=table["id"],
                            force=True, filters={"region": "Нарын"})
        expected = [line for line in CANONICAL.splitlines() if "Нарын" not in line]
    else:
        helpers.call_action("datastore_create", resource_id=table["id"], force=True,
                            records=[{"region": "Ош", "year": 2024}])
        expected = [*CANONICAL.splitlines(), "Ош,2024,,"]
    assert not folder.exists()
    # the whole table now comes from the DataStore, with the change
    assert get(app, table, "csv").data.decode().splitlines() == expected
    assert "Content-Length" not in get(app, table, "csv").headers


def test_a_table_pyarrow_reads_differently_gets_its_parquet_from_the_datastore(
        app, upload_file, table):  # noqa: F811
    import pyarrow.parquet as pq
    signed = TABLE.replace("Нарын,2023", "Нарын,+2023")  # PostgreSQL reads +2023, pyarrow not
    assert replace(upload_file, table, signed) == "success"
    assert sorted(files_of(table["id"])) == ["csv"]
    assert "Нарын,+2023" in get(app, table, "csv").data.decode()
    response = get(app, table, "parquet")
    assert "Content-Length" not in response.headers  # streamed from the DataStore
    parquet = pq.read_table(io.BytesIO(response.data))
    assert parquet.column("year").to_pylist() == [2023, 2023, 2022]


def test_a_deleted_tables_stored_files_are_removed(table):  # noqa: F811
    folder = stored.folder(table["id"])
    assert folder.is_dir()
    helpers.call_action("resource_delete", context={"user": factories.Sysadmin()["name"]},
                        id=table["id"])
    assert not folder.exists()


@pytest.mark.parametrize("action, data", [
    ("datastore_upsert", {"method": "insert", "records": [{"region": "Ош", "year": 2024}]}),
    ("datastore_create", {"records": [{"region": "Ош", "year": 2024}]}),
    ("datastore_records_delete", {"filters": {"region": "Нарын"}}),
    ("datastore_delete", {}),
])
def test_an_editor_cannot_write_rows_that_were_never_validated(app, table, action, data):  # noqa: F811
    editor = factories.UserWithToken()
    owner = helpers.call_action("package_show", id=table["package_id"])["owner_org"]
    helpers.call_action("organization_member_create", id=owner,
                        username=editor["name"], role="editor")
    response = app.post(f"/api/3/action/{action}", json=dict(
        data, resource_id=table["id"], force=True),
        headers={"Authorization": editor["token"]}, status=403)
    assert response.json["error"]["message"].startswith(
        "Access denied: A table's rows change only with a new file")
    assert get(app, table, "csv").data.decode("utf-8") == CANONICAL


@pytest.mark.parametrize("replaced", [False, True])
def test_the_stored_csv_is_the_file_loaded_even_if_its_path_names_another_now(
        tmp_path, replaced):
    """The CSV stored with the rows is the upload the rows were read from:
    a second name of it; and if a newer upload was stored under its path
    meanwhile, a copy of the file read (Linux links no file without a
    name), never the newer one."""
    import os
    upload = tmp_path / "upload"
    upload.write_text(CANONICAL, "utf-8")
    version = stored.Version("a-resource-being-loaded", [{"id": "region", "type": "text"}])
    try:
        with upload.open("rb") as loaded:
            assert loaded.read(6) == "region".encode()  # read on by the load meanwhile
            if replaced:
                newer = tmp_path / "newer"
                newer.write_text("region\nТалас\n", "utf-8")
                newer.replace(upload)  # as CKAN stores a new upload
            version.copy_csv(loaded)
            assert loaded.tell() == 6
            inode = os.fstat(loaded.fileno()).st_ino
        assert version.csv.read_text("utf-8") == CANONICAL
        assert (version.csv.stat().st_ino == inode) is not replaced
    finally:
        version.discard()
