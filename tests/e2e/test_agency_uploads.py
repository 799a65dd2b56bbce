"""Through gunicorn: files as agencies really send them. A CSV with a NUL
byte is saved and reported like any bad file (never a 500, never
half-saved); a table whose headers carry `%`, commas, brackets, quotes
and Kyrgyz punctuation publishes, and downloads with those headers."""
import csv
import io
import json

import pytest
import requests

pytestmark = pytest.mark.e2e

HEADERS = ["№", "Аймак (облус)", "Доля, %", "Өсүш: 2022–2023, % к 2022", "Банк «Айыл Банк»"]
SCHEMA = {"fields": [
    {"name": name, "type": kind, "title": f"{name} (title)",
     "kg": {"title_translated": {"ky": f"{name} (ky)"}}}
    for name, kind in zip(HEADERS, ["integer", "string", "number", "number", "string"],
                          strict=True)]}
ROWS = [["1", "Баткен облусу", "8.1", "1.9", "бар"], ["2", "Ош шаары", "5.2", "-0.4", "жок"]]


@pytest.fixture(scope="module")
def dataset(portal, compliant_dataset):
    admin = portal.sysadmin()
    org = admin.action.organization_create(
        name="agency-uploads-e2e", title_translated={
            "ky": "Улуттук статистика комитети", "ru": "Национальный статистический комитет"})
    created = admin.action.package_create(name="agency-uploads-e2e", **compliant_dataset(
        org["id"], "Агенттиктин файлдары", "Файлы ведомства", private=True, resources=[]))
    yield created
    admin.action.dataset_purge(id=created["id"])
    admin.action.organization_purge(id=org["id"])


def upload(portal, dataset, body: bytes, schema: dict) -> requests.Response:
    return requests.post(
        f"{portal.url}/api/3/action/resource_create", timeout=60,
        headers={"Authorization": portal.token},
        data={"package_id": dataset["id"], "name": "Калк", "format": "CSV",
              "url": "kalk.csv", "schema": json.dumps(schema, ensure_ascii=False)},
        files={"upload": ("kalk.csv", body, "text/csv")})


def test_a_csv_with_a_nul_byte_is_reported_not_a_server_error(portal, dataset):
    body = "region,population\nНарын,301600\nТа\x00лас,270000\n".encode("utf-8")
    response = upload(portal, dataset, body, {"fields": [
        {"name": "region", "type": "string"}, {"name": "population", "type": "integer"}]})
    assert response.status_code == 200, response.text
    resource = response.json()["result"]
    shown = requests.get(f"{portal.url}/ky/api/3/action/kg_validation_show",
                         params={"id": resource["id"]}, timeout=30,
                         headers={"Authorization": portal.token}).json()["result"]
    assert (shown["status"], shown["job"]["state"]) == ("failure", "done")
    [error] = shown["report"]["errors"]
    assert (error["type"], error["rowNumber"], error["fieldNumber"]) == ("nul-character", 3, 1)
    assert error["message"].startswith("3-сап, 1-мамыча: файлда NUL белгиси")


def test_headers_as_agencies_write_them_publish_and_download(portal, dataset):
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([HEADERS, *ROWS])
    response = upload(portal, dataset, text.getvalue().encode("utf-8"), SCHEMA)
    assert response.status_code == 200, response.text
    resource = response.json()["result"]
    admin = portal.sysadmin()
    shown = admin.action.kg_validation_show(id=resource["id"])
    assert (shown["status"], shown["report"]["datastore"]) == (
        "success", {"loaded": True, "rows": 2})
    found = admin.action.datastore_search(resource_id=resource["id"],
                                          filters={"Доля, %": "5.2"})
    assert [(r["№"], r["Банк «Айыл Банк»"]) for r in found["records"]] == [(2, "жок")]
    export = f"{portal.url}/dataset/{dataset['id']}/resource/{resource['id']}/export"
    for params in ({}, {"filters": json.dumps({"Доля, %": "8.1"})}):
        excel = requests.get(f"{export}/excel", params=params, timeout=30,
                             headers={"Authorization": portal.token})
        assert excel.status_code == 200
        rows = list(csv.reader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == HEADERS
        assert rows[1] == ["1", "Баткен облусу", "8,1", "1,9", "бар"]
