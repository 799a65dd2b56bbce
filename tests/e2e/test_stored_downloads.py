"""Through gunicorn: whole-table downloads from a table's stored files.
A broken download resumes with `Range`, an unchanged file is not sent
again (`If-None-Match`), a private table's files open to no condition,
and XLSX and JSON from the stored files are what the DataStore gives."""
import io
import json

import pytest
import requests

pytestmark = pytest.mark.e2e

SCHEMA = {"fields": [{"name": "region", "type": "string"},
                     {"name": "year", "type": "integer"},
                     {"name": "share", "type": "number"},
                     {"name": "day", "type": "date"},
                     {"name": "note", "type": "string"}]}
REGIONS = ["Ысык-Көл", "Нарын", "Чүй", "Талас", "Жалал-Абад", "Ош", "Баткен"]


def table_csv(rows: int) -> str:
    lines = ["region,year,share,day,note"]
    for number in range(rows):
        note = "" if number % 5 == 0 else f"жазуу {number}"
        lines.append(f"{REGIONS[number % 7]},{2000 + number % 25},{number % 97}.{number % 10}0,"
                     f"2023-{number % 12 + 1:02d}-{number % 28 + 1:02d},{note}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def private_table(portal, compliant_dataset):
    """A private dataset whose 3,000-row table passed and is published."""
    admin = portal.sysadmin()
    org = admin.action.organization_create(
        name="stored-downloads-e2e", title_translated={
            "ky": "Улуттук статистика комитети", "ru": "Национальный статистический комитет"})
    dataset = admin.action.package_create(name="stored-downloads-e2e", **compliant_dataset(
        org["id"], "Сакталган файлдар", "Сохранённые файлы", private=True, resources=[]))
    upload = io.BytesIO(table_csv(3000).encode("utf-8"))
    upload.name = "kalk.csv"
    resource = admin.action.resource_create(
        package_id=dataset["id"], url="kalk.csv", format="CSV", name="Калк",
        schema=json.dumps(SCHEMA), upload=upload)
    assert admin.action.kg_validation_show(id=resource["id"])["status"] == "success"
    yield f"{portal.url}/dataset/{dataset['id']}/resource/{resource['id']}/export"
    admin.action.dataset_purge(id=dataset["id"])
    admin.action.organization_purge(id=org["id"])


def test_a_broken_download_resumes_where_it_stopped(portal, private_table):
    auth = {"Authorization": portal.token}
    whole = requests.get(f"{private_table}/csv", headers=auth, timeout=30)
    assert whole.status_code == 200 and len(whole.content) > 100_000
    assert whole.headers["Accept-Ranges"] == "bytes"
    etag = whole.headers["ETag"]
    assert len(etag) == 66  # "<sha256>": strong
    first = requests.get(f"{private_table}/csv", headers={**auth, "Range": "bytes=0-49999"},
                         timeout=30)
    rest = requests.get(f"{private_table}/csv", timeout=30, headers={
        **auth, "Range": "bytes=50000-", "If-Range": etag})
    assert (first.status_code, rest.status_code) == (206, 206)
    assert rest.headers["Content-Range"] == f"bytes 50000-{len(whole.content) - 1}/" \
        f"{len(whole.content)}"
    assert first.content + rest.content == whole.content
    again = requests.get(f"{private_table}/csv", headers={**auth, "If-None-Match": etag},
                         timeout=30)
    assert again.status_code == 304 and again.content == b""
    assert "private" in whole.headers["Cache-Control"]
    assert "public" not in whole.headers["Cache-Control"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_private_tables_files_open_to_no_condition(portal, private_table, fmt):
    etag = requests.get(f"{private_table}/{fmt}", headers={"Authorization": portal.token},
                        timeout=30).headers["ETag"]
    for headers in ({"If-None-Match": etag}, {"Range": "bytes=0-99"},
                    {"Range": "bytes=0-99", "If-Range": etag}):
        response = requests.get(f"{private_table}/{fmt}", headers=headers, timeout=30)
        assert response.status_code == 404
        assert "ETag" not in response.headers and "Content-Range" not in response.headers
        assert "Ысык-Көл" not in response.text


def test_json_and_xlsx_from_the_stored_files_are_the_datastores(portal, private_table):
    from openpyxl import load_workbook
    auth = {"Authorization": portal.token}

    def get(fmt, **params):
        response = requests.get(f"{private_table}/{fmt}", headers=auth, params=params,
                                timeout=60)
        assert response.status_code == 200
        return response.content
    stored_json, datastore_json = get("json"), get("json", sort="_id")
    assert stored_json == datastore_json
    rows = json.loads(stored_json)
    assert len(rows) == 3000
    assert rows[1] == {"region": "Нарын", "year": 2001, "share": 1.10, "day": "2023-02-02",
                       "note": "жазуу 1"}
    assert rows[0]["note"] is None

    def cells(data):
        sheet = load_workbook(io.BytesIO(data)).active
        return [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    assert cells(get("xlsx")) == cells(get("xlsx", sort="_id"))
