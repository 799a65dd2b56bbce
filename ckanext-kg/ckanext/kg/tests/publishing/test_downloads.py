"""Downloads of a published table, as journalists and developers use them."""
import io
import json

import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.test_validation import dataset  # noqa: F401 (fixture)

pytestmark = portal_schema

SCHEMA = json.dumps({"fields": [
    {"name": "region", "type": "string"},
    {"name": "year", "type": "integer"},
    {"name": "share", "type": "number"},
    {"name": "note", "type": "string"}]})
TABLE = ("region,year,share,note\n"
         "Ысык-Көл,2023,12.5,=HYPERLINK(\"http://evil.invalid\")\n"
         "Нарын,2023,-3.25,+1\n"
         "Чүй,2022,40,-жок\n")


@pytest.fixture
def table(upload_file, dataset):  # noqa: F811
    resource = upload_file(TABLE, "kalk.csv", package_id=dataset["id"],
                                  url="kalk.csv", format="CSV", schema=SCHEMA,
                                  name="Облустардын калкы")
    assert helpers.call_action("kg_validation_show", id=resource["id"])["status"] == "success"
    return resource


def get(app, table, fmt, **params):
    token = factories.SysadminWithToken()["token"]
    return app.get(f"/dataset/{table['package_id']}/resource/{table['id']}/export/{fmt}",
                   query_string=params, headers={"Authorization": token})


def test_csv_is_plain_utf8(app, table):
    response = get(app, table, "csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="oblustardyn-kalky.csv"'
    assert response.data.decode("utf-8").splitlines()[:2] == [
        "region,year,share,note", 'Ысык-Көл,2023,12.5,"=HYPERLINK(""http://evil.invalid"")"']


def test_csv_for_excel_has_a_bom_semicolons_decimal_commas_and_no_formulas(app, table):
    data = get(app, table, "excel", sort="region").data
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines == [
        "region;year;share;note",
        "Нарын;2023;-3,25;'+1",
        "Чүй;2022;40;'-жок",
        "Ысык-Көл;2023;12,5;\"'=HYPERLINK(\"\"http://evil.invalid\"\")\"",
    ]


def test_xlsx_keeps_numbers_as_numbers(app, table):
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(get(app, table, "xlsx", sort="year").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("region", "year", "share", "note")
    assert rows[1] == ("Чүй", 2022, 40, "'-жок")


def test_parquet_has_the_schemas_types(app, table):
    import pyarrow.parquet as pq
    parquet = pq.read_table(io.BytesIO(get(app, table, "parquet").data))
    assert [str(t) for t in parquet.schema.types] == ["string", "int64", "double", "string"]
    assert parquet.column("region").to_pylist() == ["Ысык-Көл", "Нарын", "Чүй"]


def test_filtered_json_download(app, table):
    rows = json.loads(get(app, table, "json", filters=json.dumps({"year": 2022})).data)
    assert rows == [{"region": "Чүй", "year": 2022, "share": 40, "note": "-жок"}]


def test_a_private_table_is_not_downloadable_anonymously(app, table):
    response = app.get(f"/dataset/{table['package_id']}/resource/{table['id']}/export/csv",
                       status=404)
    assert "Ысык-Көл" not in response.body


def test_the_raw_file_is_served_only_while_it_is_valid(app, upload_file, table):
    token = factories.SysadminWithToken()["token"]
    url = f"/dataset/{table['package_id']}/resource/{table['id']}/download/kalk.csv"
    assert app.get(url, headers={"Authorization": token}).data.decode() == TABLE
    upload_file(TABLE.replace("2023", "көп"), "kalk.csv", action="resource_update",
                       id=table["id"], package_id=table["package_id"], url="kalk.csv",
                       format="CSV", schema=SCHEMA)
    held = app.get(url, headers={"Authorization": token}, status=404)
    assert "has not passed validation yet" in held.body
    # the last valid version stays available from the DataStore
    assert "Ысык-Көл,2023" in get(app, table, "csv").data.decode()


def test_files_that_are_not_tables_are_served_as_uploaded(app, upload_file, dataset):  # noqa: F811
    report = upload_file("%PDF-1.4 report", "report.pdf", package_id=dataset["id"],
                                url="report.pdf", format="PDF")
    token = factories.SysadminWithToken()["token"]
    url = f"/dataset/{dataset['id']}/resource/{report['id']}/download/report.pdf"
    assert app.get(url, headers={"Authorization": token}).data == b"%PDF-1.4 report"


def test_a_private_tables_raw_file_answers_anonymous_users_as_an_unknown_one(app, table):
    url = f"/dataset/{table['package_id']}/resource/{table['id']}/download/kalk.csv"
    response = app.get(url, status=404)
    assert "validation" not in response.body
    unknown = app.get(url.replace(table["id"], "0e5a7b1c-0000-4000-8000-000000000003"),
                      status=404)
    assert response.body.replace(table["id"], "ID") == unknown.body.replace(
        "0e5a7b1c-0000-4000-8000-000000000003", "ID")
