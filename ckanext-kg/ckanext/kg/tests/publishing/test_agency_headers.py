"""Column names as agencies really write them (`Доля, %`, brackets, commas,
quotes, №, «», –, :) publish all the way: DataStore, data dictionary,
preview and every download, whole and filtered, first and second time."""
import csv
import io
import json

import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema

# (name, Table Schema type, DataStore type, Kyrgyz title)
COLUMNS = [
    ("№", "integer", "int8", "Катар номери"),
    ("Аймак (облус)", "string", "text", "Аймак"),
    ("Калктын саны, миң адам", "number", "numeric", "Калктын саны"),
    ("Доля, %", "number", "numeric", "Үлүшү"),
    ("Өсүш: 2022–2023, % к 2022", "number", "numeric", "Өсүш"),
    ("Банк «Айыл Банк»", "string", "text", "Банк"),
    ("Сумма [сом]", "integer", "int8", "Сумма"),
    ("Код {ISO}", "string", "text", "Код"),
    ("O'zbek тили; %(lang)s", "string", "text", "Өзбек тили"),
]
NAMES = [name for name, *_ in COLUMNS]
SCHEMA = {"fields": [
    {"name": name, "type": kind, "title": f"{name} (title)",
     "description": f"What «{name}» holds.",
     "kg": {"title_translated": {"ky": ky, "ru": f"{ky} (ru)"},
            "description_translated": {"ky": f"{ky}: сүрөттөмө."}}}
    for name, kind, _, ky in COLUMNS]}
ROWS = [
    ["1", "Баткен облусу", "559.2", "8.1", "1.9", "бар", "1000", "KG-B", "жок"],
    ["2", "Жалал-Абад облусу", "1316.3", "18.9", "2.1", "бар", "2500", "KG-J", "бар"],
    ["3", "Ош шаары", "361.9", "5.2", "-0.4", "жок", "3000", "KG-GO", "бар"],
]
NEXT_ROW = ["4", "Нарын облусу", "301.6", "4.3", "0.7", "жок", "1500", "KG-N", "жок"]


def table_csv(rows) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([NAMES, *rows])
    return text.getvalue()


def publish(upload_file, dataset, rows, **extra):
    resource = upload_file(table_csv(rows), "kalk.csv", package_id=dataset["id"],
                           url="kalk.csv", format="CSV", name="Аймактардын калкы",
                           schema=json.dumps(SCHEMA, ensure_ascii=False), **extra)
    shown = helpers.call_action("kg_validation_show", id=resource["id"])
    assert (shown["status"], shown["report"]["datastore"]) == (
        "success", {"loaded": True, "rows": len(rows)}), shown["report"]
    return resource


@pytest.fixture
def table(upload_file, dataset):
    """Published once, then again with a new row (a swap over a live table
    whose columns carry the data dictionary)."""
    first = publish(upload_file, dataset, ROWS)
    return publish(upload_file, dataset, [*ROWS, NEXT_ROW], action="resource_update",
                   id=first["id"])


@pytest.mark.ckan_config("ckanext.kg.validation.load_while_validating", False)
def test_a_table_loaded_after_its_validation_publishes_too(table):
    result = helpers.call_action("datastore_search", resource_id=table["id"], sort="№")
    assert [f["id"] for f in result["fields"]] == ["_id", *NAMES]
    assert [[str(r[n]) for n in NAMES] for r in result["records"]] == [*ROWS, NEXT_ROW]


def get(app, table, path, **params):
    token = factories.SysadminWithToken()["token"]
    return app.get(path, query_string=params, headers={"Authorization": token})


def export(app, table, fmt, **params):
    return get(app, table, f"/dataset/{table['package_id']}/resource/{table['id']}"
                           f"/export/{fmt}", **params).data


def test_the_datastore_has_every_column_typed_with_its_dictionary(app, table):
    result = get(app, table, "/ky/api/3/action/datastore_info", id=table["id"]).json
    fields = [f for f in result["result"]["fields"] if f["id"] != "_id"]
    assert [(f["id"], f["type"]) for f in fields] == [(n, t) for n, _, t, _ in COLUMNS]
    assert [(f["info"]["label"], f["info"]["notes"]) for f in fields] == [
        (ky, f"{ky}: сүрөттөмө.") for *_, ky in COLUMNS]
    russian = get(app, table, "/ru/api/3/action/datastore_info", id=table["id"]).json
    share = next(f for f in russian["result"]["fields"] if f["id"] == "Доля, %")
    # no Russian notes: the Table Schema's own description
    assert (share["info"]["label"], share["info"]["notes"]) == (
        "Үлүшү (ru)", "What «Доля, %» holds.")


def test_rows_are_filtered_sorted_and_found_by_the_odd_names(table):
    result = helpers.call_action(
        "datastore_search", resource_id=table["id"],
        filters={"Доля, %": "18.9", "Аймак (облус)": "Жалал-Абад облусу"})
    assert [(r["№"], r["Код {ISO}"]) for r in result["records"]] == [(2, "KG-J")]
    ordered = helpers.call_action("datastore_search", resource_id=table["id"],
                                  sort=['"Өсүш: 2022–2023, % к 2022" desc'])
    assert [r["№"] for r in ordered["records"]] == [2, 1, 4, 3]
    found = helpers.call_action("datastore_search", resource_id=table["id"], q="Нарын")
    assert [r["Сумма [сом]"] for r in found["records"]] == [1500]


def test_the_preview_shows_the_labels_and_rows(app, table):
    page = get(app, table, f"/ky/dataset/{table['package_id']}").body
    preview = page.split('id="kg-preview"', 1)[1].split("</table>", 1)[0]
    for *_, ky in COLUMNS:
        assert f'<th scope="col">{ky}</th>' in preview
    assert "<td>Жалал-Абад облусу</td>" in preview and "<td>KG-GO</td>" in preview


def csv_rows(data: bytes, **dialect) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), **dialect))


WHOLE = {}, {"filters": json.dumps({"Доля, %": ["8.1", "5.2"]}), "sort": "№"}
IDS = ["whole", "filtered"]


@pytest.mark.parametrize("params", WHOLE, ids=IDS)
def test_csv_downloads_name_every_column(app, table, params):
    rows = csv_rows(export(app, table, "csv", **params))
    assert rows[0] == NAMES
    expected = [*ROWS, NEXT_ROW] if not params else [ROWS[0], ROWS[2]]
    assert [r[0] for r in rows[1:]] == [r[0] for r in expected]
    assert rows[-1][1:5] == expected[-1][1:5]


@pytest.mark.parametrize("params", WHOLE, ids=IDS)
def test_csv_for_excel_downloads_name_every_column(app, table, params):
    rows = csv_rows(export(app, table, "excel", **params), delimiter=";")
    assert rows[0] == NAMES
    assert rows[1][:5] == ["1", "Баткен облусу", "559,2", "8,1", "1,9"]


@pytest.mark.parametrize("params", WHOLE, ids=IDS)
def test_xlsx_downloads_name_every_column(app, table, params):
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(export(app, table, "xlsx", **params))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == NAMES
    assert rows[1][:4] == (1, "Баткен облусу", 559.2, 8.1)


@pytest.mark.parametrize("params", WHOLE, ids=IDS)
def test_parquet_downloads_name_every_column(app, table, params):
    import pyarrow.parquet as pq
    parquet = pq.read_table(io.BytesIO(export(app, table, "parquet", **params)))
    assert parquet.column_names == NAMES
    assert parquet.column("Доля, %").to_pylist()[:1] == [8.1]


@pytest.mark.parametrize("params", WHOLE, ids=IDS)
def test_json_downloads_name_every_column(app, table, params):
    rows = json.loads(export(app, table, "json", **params))
    assert list(rows[0]) == NAMES
    assert (rows[0]["№"], rows[0]["O'zbek тили; %(lang)s"]) == (1, "жок")
