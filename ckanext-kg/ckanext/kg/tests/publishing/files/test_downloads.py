"""Downloads of a published table, as journalists and developers use them."""
import csv
import io
import json
import re

import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.gate.test_validation import dataset  # noqa: F401 (fixture)

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
    assert _without_csrf(response.body.replace(table["id"], "ID")) == _without_csrf(
        unknown.body.replace("0e5a7b1c-0000-4000-8000-000000000003", "ID"))


def _without_csrf(page: str) -> str:
    """A page without its CSRF token, which is signed with the second it
    was made (two pages a second apart differ there alone)."""
    return re.sub(r'(name="_csrf_token"\s+(?:value|content)=")[^"]*', r"\1", page)


def _regions(fmt: str, data: bytes) -> list:
    """The `region` column of a download, in its rows' order."""
    if fmt in ("csv", "excel"):
        text = data.decode("utf-8-sig").splitlines()
        delimiter = ";" if fmt == "excel" else ","
        header = text[0].split(delimiter)
        return [line.split(delimiter)[header.index("region")] for line in text[1:]]
    if fmt == "xlsx":
        from openpyxl import load_workbook
        rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
        return [row[rows[0].index("region")] for row in rows[1:]]
    if fmt == "parquet":
        import pyarrow.parquet as pq
        return pq.read_table(io.BytesIO(data)).column("region").to_pylist()
    return [row["region"] for row in json.loads(data)]


@pytest.mark.parametrize("fmt", ["csv", "excel", "xlsx", "parquet", "json"])
def test_a_full_text_query_downloads_the_rows_the_datastore_finds(app, table, fmt):
    found = helpers.call_action("datastore_search", resource_id=table["id"], q="2023",
                                sort="_id")["records"]
    assert [r["region"] for r in found] == ["Ысык-Көл", "Нарын"]
    response = get(app, table, fmt, q="2023")
    assert response.status_code == 200
    assert _regions(fmt, response.data) == ["Ысык-Көл", "Нарын"]


def test_a_full_text_query_with_filters_sort_and_fields(app, table):
    lines = get(app, table, "csv", q="2023", filters=json.dumps({"share": [12.5, -3.25]}),
                sort="region", fields="region,share").data.decode().splitlines()
    assert lines == ["region,share", "Нарын,-3.25", "Ысык-Көл,12.5"]


@pytest.mark.parametrize("params, says", [
    ({"filters": "[1]"}, 'filters: Give the filters as a JSON object, such as {'),
    ({"filters": '[{"year": 2023}]'}, "filters: Give the filters as a JSON object"),
    ({"filters": '{"year": "many"}'},
     "filters: A filter&#39;s value does not fit the type of its column."),
    ({"sort": "no_such_column"}, "sort: "),
    ({"fields": "no_such_column"}, "fields: "),
])
def test_download_parameters_the_datastore_refuses_are_a_400_naming_them(
        app, table, params, says):
    token = factories.SysadminWithToken()["token"]
    response = app.get(f"/dataset/{table['package_id']}/resource/{table['id']}/export/csv",
                       query_string=params, headers={"Authorization": token}, status=400)
    assert says in response.body
    assert "SELECT" not in response.body


FORMULA_HEADERS = ["=HYPERLINK(A2)", "+cmd", "-1+1", "@SUM(A1:A2)", "region"]


@pytest.fixture
def formula_headers(upload_file, dataset):  # noqa: F811
    schema = json.dumps({"fields": [{"name": name, "type": "string"}
                                    for name in FORMULA_HEADERS]})
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(
        [FORMULA_HEADERS, ["a", "b", "c", "d", "Нарын"]])
    resource = upload_file(text.getvalue(), "kalk.csv", package_id=dataset["id"],
                           url="kalk.csv", format="CSV", schema=schema)
    assert helpers.call_action("kg_validation_show", id=resource["id"])["status"] == "success"
    return resource


NEUTRALISED = ["'=HYPERLINK(A2)", "'+cmd", "'-1+1", "'@SUM(A1:A2)", "region"]
WHOLE_AND_FILTERED = [{}, {"filters": json.dumps({"region": "Нарын"})}]


@pytest.mark.parametrize("params", WHOLE_AND_FILTERED, ids=["whole", "filtered"])
def test_headers_never_run_as_formulas_in_csv_for_excel(app, formula_headers, params):
    data = get(app, formula_headers, "excel", **params).data.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(data), delimiter=";")) == NEUTRALISED


@pytest.mark.parametrize("params", WHOLE_AND_FILTERED, ids=["whole", "filtered"])
def test_headers_never_run_as_formulas_in_xlsx(app, formula_headers, params):
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(get(app, formula_headers, "xlsx", **params).data)).active
    header = next(sheet.iter_rows(max_row=1))
    assert [(cell.value, cell.data_type) for cell in header] == [
        (name, "s") for name in NEUTRALISED]


def test_plain_csv_keeps_the_column_names_as_they_are(app, formula_headers):
    data = get(app, formula_headers, "csv").data.decode("utf-8")
    assert next(csv.reader(io.StringIO(data))) == FORMULA_HEADERS
