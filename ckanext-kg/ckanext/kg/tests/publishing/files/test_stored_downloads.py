"""Whole-table downloads served from a published table's stored files:
XLSX and JSON written from the stored CSV exactly as from the DataStore,
CSV and Parquet with a strong ETag, conditional and range requests, and a
cache policy that never lets shared caches keep a private table; leftovers
of killed publications removed by the next one."""
import io
import json
import os
import time

import pytest
from ckan.tests import factories

from ckanext.kg.publishing.files import diffs, stored, stored_rows, versions
from ckanext.kg.tests.conftest import uses_portal_schema
from ckanext.kg.tests.publishing.files.test_downloads import (
    SCHEMA,
    TABLE,
    get,
    table,  # noqa: F401 (fixture)
)
from ckanext.kg.tests.publishing.files.test_stored_files import files_of, made_files, replace
from ckanext.kg.tests.publishing.gate.test_validation import (  # noqa: F401 (fixture)
    dataset,
    publish,
)

# integers, decimals (with the scale written), dates, timestamps, booleans,
# empty cells (unquoted and quoted) and Kyrgyz text; copied as it is
MIXED_SCHEMA = json.dumps({"fields": [
    {"name": "region", "type": "string"},
    {"name": "year", "type": "integer"},
    {"name": "share", "type": "number"},
    {"name": "day", "type": "date"},
    {"name": "at", "type": "datetime"},
    {"name": "open", "type": "boolean"},
    {"name": "note", "type": "string"}]})
MIXED_TABLE = ("region,year,share,day,at,open,note\n"
               "Ысык-Көл,2023,12.50,2023-05-01,2023-05-01T10:30:00,true,Көлдүн жээги\n"
               "Нарын,-7,40,2023-05-02,2023-05-02T08:00:59.75,false,\"\"\n"
               "Чүй,,40.0,,,,=1+2\n"
               "Талас,0,1.5e3,1999-12-31,1999-12-31T23:59:59,1,\"ү, ө, ң\"\n")
# read by the schema's rules first (decimal commas, Kyrgyz true values)
RULES_SCHEMA = json.dumps({"fields": [
    {"name": "region", "type": "string"},
    {"name": "year", "type": "year"},
    {"name": "amount", "type": "number", "decimalChar": ","},
    {"name": "day", "type": "date"},
    {"name": "open", "type": "boolean", "trueValues": ["ооба"], "falseValues": ["жок"]},
    {"name": "note", "type": "string"}]})
RULES_TABLE = ("region,year,amount,day,open,note\n"
               "Ысык-Көл,2023,\"1234,50\",2023-05-01,ооба,\n"
               "Нарын,2024,,2024-02-29,жок,жазуу\n"
               "Ош,2022,\"-0,5\",,,\"\"\n")
MIXED_ROWS = [
    {"region": "Ысык-Көл", "year": 2023, "share": 12.5, "day": "2023-05-01",
     "at": "2023-05-01T10:30:00.000", "open": True, "note": "Көлдүн жээги"},
    {"region": "Нарын", "year": -7, "share": 40, "day": "2023-05-02",
     "at": "2023-05-02T08:00:59.750", "open": False, "note": None},
    {"region": "Чүй", "year": None, "share": 40.0, "day": None, "at": None,
     "open": None, "note": "=1+2"},
    {"region": "Талас", "year": 0, "share": 1500, "day": "1999-12-31",
     "at": "1999-12-31T23:59:59.000", "open": True, "note": "ү, ө, ң"},
]


def datastore(app, table, fmt):  # noqa: F811
    """The same whole table through the DataStore (a search parameter that
    changes nothing: the rows' own order)."""
    return get(app, table, fmt, sort="_id")


def cells(data):
    """An XLSX file's cells: value and type."""
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(data)).active
    return [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]


def delete_rows_in_postgresql(resource_id):
    """Empty the DataStore table behind CKAN's back: only the stored files
    still hold the rows."""
    import sqlalchemy as sa

    from ckanext.datastore.backend.postgres import get_write_engine
    with get_write_engine().begin() as connection:
        connection.execute(sa.text(f'DELETE FROM "{resource_id}"'))


@uses_portal_schema
@pytest.mark.parametrize("schema, data", [(MIXED_SCHEMA, MIXED_TABLE),
                                          (RULES_SCHEMA, RULES_TABLE),
                                          (SCHEMA, TABLE)],
                         ids=["copied-as-is", "read-by-the-schemas-rules", "plain-numbers"])
def test_stored_xlsx_and_json_are_what_the_datastore_gives(
        app, upload_file, table, schema, data):  # noqa: F811
    assert replace(upload_file, table, data, schema) == "success"
    assert sorted(files_of(table["id"])) == ["csv", "parquet"]
    stored_json = get(app, table, "json")
    assert stored_json.data == datastore(app, table, "json").data
    assert stored_json.headers["Content-Type"] == "application/json"
    assert stored_json.headers["Content-Disposition"] == \
        'attachment; filename="oblustardyn-kalky.json"'
    stored_xlsx = get(app, table, "xlsx")
    assert cells(stored_xlsx.data) == cells(datastore(app, table, "xlsx").data)
    assert stored_xlsx.headers["Content-Disposition"] == \
        'attachment; filename="oblustardyn-kalky.xlsx"'
    delete_rows_in_postgresql(table["id"])  # what was compared came from the stored files
    assert get(app, table, "json").data == stored_json.data
    assert cells(get(app, table, "xlsx").data) == cells(stored_xlsx.data)
    if schema == MIXED_SCHEMA:
        assert json.loads(stored_json.data) == MIXED_ROWS
        assert "Көлдүн жээги".encode() in stored_json.data  # not \\u-escaped
        assert b'"share": 12.50' not in stored_json.data
        assert b'"share": 40.0,' in stored_json.data and b'"share": 40,' in stored_json.data
        assert cells(stored_xlsx.data)[3] == [
            ("Чүй", "s"), (None, "n"), (40, "n"), (None, "n"), (None, "n"), (None, "n"),
            ("'=1+2", "s")]
    elif schema == SCHEMA:
        assert json.loads(stored_json.data)[1] == {
            "region": "Нарын", "year": 2023, "share": -3.25, "note": "+1"}
    else:
        assert json.loads(stored_json.data) == [
            {"region": "Ысык-Көл", "year": 2023, "amount": 1234.5, "day": "2023-05-01",
             "open": True, "note": None},
            {"region": "Нарын", "year": 2024, "amount": None, "day": "2024-02-29",
             "open": False, "note": "жазуу"},
            {"region": "Ош", "year": 2022, "amount": -0.5, "day": None, "open": None,
             "note": None}]


@uses_portal_schema
@pytest.mark.ckan_config("ckan.datastore.ms_in_timestamp", "false")
def test_timestamps_without_milliseconds_as_the_datastore_writes_them(
        app, upload_file, table):  # noqa: F811
    assert replace(upload_file, table, MIXED_TABLE, MIXED_SCHEMA) == "success"
    stored_json = get(app, table, "json")
    assert stored_json.data == datastore(app, table, "json").data
    assert [row["at"] for row in json.loads(stored_json.data)] == [
        "2023-05-01T10:30:00", "2023-05-02T08:00:59", None, "1999-12-31T23:59:59"]


@uses_portal_schema
def test_whole_table_xlsx_and_json_come_from_the_stored_csv(
        app, upload_file, table, monkeypatch):  # noqa: F811
    assert replace(upload_file, table, MIXED_TABLE, MIXED_SCHEMA) == "success"
    monkeypatch.setattr(stored_rows, "BLOCK", 128)  # a record batch per row or two
    delete_rows_in_postgresql(table["id"])
    assert json.loads(datastore(app, table, "json").data) == []
    assert json.loads(get(app, table, "json").data) == MIXED_ROWS
    rows = [[value for value, _ in row] for row in cells(get(app, table, "xlsx").data)]
    assert rows == [
        ["region", "year", "share", "day", "at", "open", "note"],
        ["Ысык-Көл", 2023, 12.5, "2023-05-01", "2023-05-01T10:30:00.000", True, "Көлдүн жээги"],
        ["Нарын", -7, 40, "2023-05-02", "2023-05-02T08:00:59.750", False, None],
        ["Чүй", None, 40, None, None, None, "'=1+2"],
        ["Талас", 0, 1500, "1999-12-31", "1999-12-31T23:59:59.000", True, "ү, ө, ң"]]


@uses_portal_schema
def test_without_a_stored_parquet_file_xlsx_and_json_come_from_the_datastore(
        app, upload_file, table):  # noqa: F811
    signed = MIXED_TABLE.replace("Нарын,-7", "Нарын,+7")  # pyarrow reads no +7
    assert replace(upload_file, table, signed, MIXED_SCHEMA) == "success"
    assert sorted(files_of(table["id"])) == ["csv"]
    rows = json.loads(get(app, table, "json").data)
    assert [row["year"] for row in rows] == [2023, 7, None, 0]
    xlsx = cells(get(app, table, "xlsx").data)
    delete_rows_in_postgresql(table["id"])
    assert json.loads(datastore(app, table, "json").data) == []
    # the files were made from the DataStore's rows at publication (`exports`)
    assert json.loads(get(app, table, "json").data) == rows
    assert cells(get(app, table, "xlsx").data) == xlsx and len(xlsx) == 5


TIME_SCHEMA = json.dumps({"fields": [{"name": "region", "type": "string"},
                                     {"name": "opens", "type": "time"}]})


@uses_portal_schema
def test_times_written_as_postgresql_writes_them_come_from_the_stored_csv(
        app, upload_file, table):  # noqa: F811
    data = "region,opens\nНарын,09:30:00\nОш,\nТалас,23:59:59.25\nЧүй,24:00:00\n"
    assert replace(upload_file, table, data, TIME_SCHEMA) == "success"
    expected = [{"region": "Нарын", "opens": "09:30:00"}, {"region": "Ош", "opens": None},
                {"region": "Талас", "opens": "23:59:59.25"},
                {"region": "Чүй", "opens": "24:00:00"}]
    assert stored_rows.readable(table["id"], stored.served(table["id"]))
    assert json.loads(datastore(app, table, "json").data) == expected
    assert get(app, table, "json").data == datastore(app, table, "json").data
    xlsx = cells(get(app, table, "xlsx").data)
    assert xlsx == cells(datastore(app, table, "xlsx").data)
    delete_rows_in_postgresql(table["id"])  # what was compared came from the stored files
    assert json.loads(get(app, table, "json").data) == expected
    assert cells(get(app, table, "xlsx").data) == xlsx
    assert xlsx[1] == [("Нарын", "s"), ("09:30:00", "s")]


@uses_portal_schema
def test_a_time_not_written_as_postgresql_writes_it_gets_xlsx_and_json_from_the_datastore(
        app, upload_file, table):  # noqa: F811
    """PostgreSQL writes 09:30:00.5 for 09:30:00.500 and drops the offset
    of 10:00:00+06:00: the DataStore's values, not the stored CSV's text."""
    data = "region,opens\nНарын,09:30:00.500\nОш,10:00:00+06:00\n"
    assert replace(upload_file, table, data, TIME_SCHEMA) == "success"
    assert sorted(files_of(table["id"])) == ["csv", "parquet"]
    assert not stored_rows.readable(table["id"], stored.served(table["id"]))
    expected = [{"region": "Нарын", "opens": "09:30:00.5"},
                {"region": "Ош", "opens": "10:00:00"}]
    assert json.loads(get(app, table, "json").data) == expected
    delete_rows_in_postgresql(table["id"])  # the DataStore answers: now empty
    assert json.loads(datastore(app, table, "json").data) == []
    # the files were made from the DataStore's rows at publication (`exports`)
    assert json.loads(get(app, table, "json").data) == expected
    assert cells(get(app, table, "xlsx").data)[1] == [("Нарын", "s"), ("09:30:00.5", "s")]


@uses_portal_schema
def test_a_publication_that_did_not_record_its_reading_leaves_json_to_the_datastore(
        app, table):  # noqa: F811
    pointer = stored.folder(table["id"]) / stored.POINTER
    served = json.loads(pointer.read_text("utf-8"))
    assert served["empty_is_null"] is True
    del served["empty_is_null"]  # as written before this was recorded
    pointer.write_text(json.dumps(served), "utf-8")
    delete_rows_in_postgresql(table["id"])
    assert json.loads(get(app, table, "json").data) == []


@pytest.mark.parametrize("numeric, as_json", [
    ("12.50", "12.50"), ("40", "40"), ("-0", "0"), ("-0.00", "0.00"), ("+5", "5"),
    (".5", "0.5"), ("007", "7"), ("1.5e3", "1500"), ("1.50E1", "15.0"), ("15e-1", "1.5"),
    ("NaN", '"NaN"'), ("-inf", '"-Infinity"'), ("-3.25", "-3.25")])
def test_numbers_are_written_as_postgresql_writes_numeric(numeric, as_json):
    assert stored_rows.numeric_json(numeric) == as_json


@uses_portal_schema
@pytest.mark.parametrize("numeric", ["12.50", "-0.00", "+5", ".5", "1.5e3", "1.50E1",
                                     "15e-1", "NaN", "-Infinity", "-3.25"])
def test_postgresql_agrees_on_numeric(numeric):
    """The rule above, checked against PostgreSQL's own to_json."""
    import sqlalchemy as sa

    from ckanext.datastore.backend.postgres import get_write_engine
    with get_write_engine().connect() as connection:
        written = connection.execute(
            sa.text("SELECT to_json(CAST(:n AS numeric))::text"), {"n": numeric}).scalar()
    assert stored_rows.numeric_json(numeric) == written


# HTTP caching and resuming of the stored CSV and Parquet files

@uses_portal_schema
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_stored_files_have_their_checksum_as_etag_and_answer_conditional_requests(
        app, table, fmt):  # noqa: F811
    path = files_of(table["id"])[fmt]
    content = path.read_bytes()
    checksum = stored.sha256(path)
    whole = get(app, table, fmt)
    assert whole.status_code == 200
    assert whole.headers["ETag"] == f'"{checksum}"'
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.data == content
    token = factories.SysadminWithToken()["token"]
    url = f"/dataset/{table['package_id']}/resource/{table['id']}/export/{fmt}"
    unchanged = app.get(url, headers={"Authorization": token,
                                      "If-None-Match": f'"{checksum}"'})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    changed = app.get(url, headers={"Authorization": token, "If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.data == content
    part = app.get(url, headers={"Authorization": token, "Range": "bytes=10-29"})
    assert part.status_code == 206
    assert part.data == content[10:30]
    assert part.headers["Content-Range"] == f"bytes 10-29/{len(content)}"
    assert part.headers["Content-Length"] == "20"
    rest = app.get(url, headers={"Authorization": token, "Range": "bytes=30-",
                                 "If-Range": f'"{checksum}"'})
    assert rest.status_code == 206 and part.data + rest.data == content[10:]
    stale = app.get(url, headers={"Authorization": token, "Range": "bytes=30-",
                                  "If-Range": '"an-older-version"'})
    assert stale.status_code == 200 and stale.data == content  # the file changed
    beyond = app.get(url, headers={"Authorization": token,
                                   "Range": f"bytes={len(content) + 5}-"})
    assert beyond.status_code == 416


@uses_portal_schema
def test_a_new_version_has_a_new_etag(app, upload_file, table):  # noqa: F811
    before = get(app, table, "csv").headers["ETag"]
    assert replace(upload_file, table, MIXED_TABLE, MIXED_SCHEMA) == "success"
    after = get(app, table, "csv")
    assert after.headers["ETag"] == f'"{stored.sha256(files_of(table["id"])["csv"])}"'
    assert after.headers["ETag"] != before


@uses_portal_schema
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("condition", ["If-None-Match", "Range", "If-Range"])
def test_conditions_do_not_open_a_private_tables_stored_files(app, table, fmt, condition):  # noqa: F811,E501
    checksum = stored.sha256(files_of(table["id"])[fmt])
    value = {"If-None-Match": f'"{checksum}"', "Range": "bytes=0-99",
             "If-Range": f'"{checksum}"'}[condition]
    headers = {condition: value}
    if condition == "If-Range":
        headers["Range"] = "bytes=0-99"
    url = f"/dataset/{table['package_id']}/resource/{table['id']}/export/{fmt}"
    anonymous = app.get(url, headers=headers, status=404)
    assert "ETag" not in anonymous.headers and "Content-Range" not in anonymous.headers
    assert "Ысык-Көл" not in anonymous.body
    user = factories.UserWithToken()  # signed in, not a member of the agency
    outsider = app.get(url, headers={**headers, "Authorization": user["token"]}, status=404)
    assert "ETag" not in outsider.headers and "Content-Range" not in outsider.headers


@uses_portal_schema
@pytest.mark.parametrize("fmt", ["csv", "parquet", "excel", "xlsx", "json"])
def test_a_private_tables_downloads_are_private_to_caches(app, table, fmt):  # noqa: F811
    response = get(app, table, fmt)
    assert response.status_code == 200
    policy = {d.strip() for d in response.headers["Cache-Control"].split(",")}
    assert policy == {"private", "no-cache"}
    filtered = get(app, table, fmt, filters=json.dumps({"year": 2023}))
    assert {d.strip() for d in filtered.headers["Cache-Control"].split(",")} == \
        {"private", "no-cache"}


@uses_portal_schema
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_public_tables_downloads_follow_ckans_policy_for_public_pages(
        app, table, dataset, fmt):  # noqa: F811
    publish(dataset)
    anonymous = app.get(f"/dataset/{table['package_id']}/resource/{table['id']}/export/{fmt}")
    assert anonymous.status_code == 200 and "Ысык-Көл" in anonymous.data.decode()
    policy = {d.strip() for d in anonymous.headers["Cache-Control"].split(",")}
    assert policy == {"public", "max-age=0", "must-revalidate"}  # ckan.cache_expires: 0
    assert {d.strip() for d in get(app, table, fmt).headers["Cache-Control"].split(",")} \
        == policy  # the same file for everyone


# leftovers of killed publications

@uses_portal_schema
def test_a_new_publication_removes_old_leftovers_only(app, upload_file, table):  # noqa: F811
    folder = stored.folder(table["id"])
    long_ago = int(time.time()) - 7 * 3600
    old = folder / f".{long_ago}-0a1b2c.csv.partial"
    old_pointer = folder / f".{long_ago}-3d4e5f.current.json.partial"
    untagged = folder / ".9a8b7c.parquet.partial"  # named before tags had a time
    recent = folder / f".{int(time.time())}-6a7b8c.parquet.partial"  # still being written
    for path in (old, old_pointer, untagged, recent):
        path.write_bytes(b"region,year\n")
    for path in (old, old_pointer, untagged):
        os.utime(path, (long_ago, long_ago))
    newer = TABLE + "Талас,2024,7.75,жаңы\n"  # the same columns: nothing withdrawn
    assert replace(upload_file, table, newer) == "success"
    files = files_of(table["id"])
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*versions.kept_names(folder), stored.POINTER, versions.INDEX, diffs.FOLDER, recent.name,
         *made_files(table["id"])])
    assert {files["csv"].name, files["parquet"].name} <= versions.kept_names(folder)
    assert get(app, table, "csv").data == files["csv"].read_bytes()


def test_leftovers_are_judged_by_when_their_publication_began_and_last_wrote(tmp_path):
    now = int(time.time())
    old, recent = now - 7 * 3600, now - 60
    files = {  # name -> modification time
        f".{old}-a1.csv.partial": old,  # a killed publication: removed
        f".{recent}-b2.csv.partial": old,  # a second name of an old file: kept
        f".{old}-c3.parquet.partial": recent,  # a long publication still writing: kept
        ".d4.csv.partial": old,  # an untagged name, judged by its time: removed
        ".e5.csv.partial": recent,
        "0123abcd.csv": old,  # a stored file: never
    }
    for name, modified in files.items():
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (modified, modified))
    assert sorted(stored.remove_leftovers(tmp_path)) == sorted(
        [f".{old}-a1.csv.partial", ".d4.csv.partial"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f".{recent}-b2.csv.partial", f".{old}-c3.parquet.partial", ".e5.csv.partial",
         "0123abcd.csv"])


@uses_portal_schema
def test_a_publications_partial_files_are_tagged_with_when_it_began(table):  # noqa: F811
    version = stored.Version(table["id"], [{"id": "region", "type": "text"}])
    begun = int(version.csv.name.split("-")[0][1:])
    assert abs(begun - time.time()) < 60
    assert version.csv.name.endswith(".csv.partial")
