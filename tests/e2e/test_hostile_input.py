"""Through gunicorn: the inputs that made the portal answer 500 (issue 24),
each answered now with a clean 4xx naming the parameter, in the reader's
language where the message is the portal's, with no internal text; the
SQL endpoint within its time and size bounds; a filtered download with a
full-text query in every format."""
import io
import json
import time

import pytest
import requests

pytestmark = pytest.mark.e2e

SCHEMA = {"fields": [{"name": "region", "type": "string"},
                     {"name": "year", "type": "integer"},
                     {"name": "population", "type": "integer"}]}
TABLE = ("region,year,population\n"
         "Ысык-Көл,2023,513000\nНарын,2023,301600\nЧүй,2022,1000000\nОш,2023,1391000\n")
INTERNAL = ("psycopg2", "sqlalchemy", "SELECT", "permission_labels", "capacity:", "SOLR",
            "Traceback", '"info"')
NUL = {"": "NUL белгиси (коду 0) эч бир маанинин ичинде боло албайт.",
       "/ru": "Символ NUL (код 0) не может входить ни в одно значение.",
       "/en": "A NUL character (code 0) cannot be part of any value."}


@pytest.fixture(scope="module")
def table(portal, compliant_dataset):
    """A public dataset whose table of four regions passed and is published."""
    admin = portal.sysadmin()
    org = admin.action.organization_create(
        name="hostile-input-e2e", title_translated={
            "ky": "Улуттук статистика комитети", "ru": "Национальный статистический комитет"})
    dataset = admin.action.package_create(name="hostile-input-e2e", **compliant_dataset(
        org["id"], "Облустардын калкы", "Население областей", private=True))
    upload = io.BytesIO(TABLE.encode("utf-8"))
    upload.name = "kalk.csv"
    resource = admin.action.resource_create(
        package_id=dataset["id"], url="kalk.csv", format="CSV", name="Калк",
        schema=json.dumps(SCHEMA), upload=upload)
    assert admin.action.kg_validation_show(id=resource["id"])["status"] == "success"
    admin.action.package_patch(id=dataset["id"], private=False)  # the gate: once it passed
    yield {"dataset": dataset["name"], "resource": resource["id"]}
    admin.action.dataset_purge(id=dataset["id"])
    admin.action.organization_purge(id=org["id"])


def action(portal, name, prefix="", **params):
    return requests.get(f"{portal.url}{prefix}/api/3/action/{name}", params=params, timeout=60)


def post(portal, name, body, prefix=""):
    return requests.post(f"{portal.url}{prefix}/api/3/action/{name}", data=body, timeout=60,
                         headers={"Content-Type": "application/json"})


def refused(response, status=409):
    """The answer's error, checked to be a clean refusal."""
    assert response.status_code == status, response.text[:300]
    assert not any(text in response.text for text in INTERNAL), response.text[:300]
    return response.json()["error"]


# -- package_search ---------------------------------------------------------

@pytest.mark.parametrize("parameter", [
    "rows", "start", "facet.mincount", "facet.limit", "include_private", "include_drafts"])
def test_package_search_takes_a_blank_number_or_flag_as_not_given(portal, table, parameter):
    given = action(portal, "package_search", **{parameter: "", "q": "name:hostile-input-e2e"})
    assert given.status_code == 200
    assert given.json()["result"]["count"] == 1


@pytest.mark.parametrize("prefix, message", [
    ("", "Жараксыз бүтүн сан"), ("/ru", "Недопустимое целое число"), ("/en", "Invalid integer")])
@pytest.mark.parametrize("parameter", ["rows", "start", "facet.mincount", "facet.limit"])
def test_package_search_refuses_a_number_that_is_not_one_naming_it(
        portal, parameter, prefix, message):
    error = refused(action(portal, "package_search", prefix, **{parameter: "many"}))
    assert error == {"__type": "Validation Error", parameter: [message]}


@pytest.mark.parametrize("prefix, message", [
    ("", "true же false бериңиз."), ("/ru", "Укажите true или false."),
    ("/en", "Give true or false.")])
@pytest.mark.parametrize("parameter", ["include_private", "include_drafts", "include_deleted"])
def test_package_search_refuses_a_flag_that_is_not_true_or_false_naming_it(
        portal, parameter, prefix, message):
    error = refused(action(portal, "package_search", prefix, **{parameter: "maybe"}))
    assert error == {"__type": "Validation Error", parameter: [message]}


@pytest.mark.parametrize("prefix, reason", [
    ("", "Издөөнү аткарууга болбойт: аралык жабылган жок"),
    ("/ru", "Поиск невозможно выполнить: диапазон не закрыт"),
    ("/en", "The search cannot be run: a range is not closed"),
])
def test_package_search_refuses_a_query_it_cannot_read_without_its_permission_filter(
        portal, prefix, reason):
    error = refused(action(portal, "package_search", prefix, q="title:[a TO"))
    assert error == {"__type": "Validation Error", "q": [reason]}


# -- NUL characters and JSON nested without end --------------------------------

@pytest.mark.parametrize("name, params, parameter", [
    ("package_search", {"q": "калк\x00"}, "q"),
    ("package_search", {"fq": "tags:\x00"}, "fq"),
    ("package_show", {"id": "hostile\x00"}, "id"),
    ("organization_show", {"id": "\x00"}, "id"),
    ("tag_list", {"query": "\x00"}, "query"),
    ("user_show", {"id": "\x00"}, "id"),
    ("datastore_search", {"resource_id": "\x00"}, "resource_id"),
    ("datastore_search", {"resource_id": "TABLE", "filters": '{"region": "\\u0000"}'},
     "filters"),
    ("datastore_search_sql", {"sql": "SELECT 'a\x00'"}, "sql"),
])
@pytest.mark.parametrize("prefix", ["", "/ru", "/en"])
def test_a_nul_character_is_refused_naming_its_parameter(
        portal, table, name, params, parameter, prefix):
    params = {k: table["resource"] if v == "TABLE" else v for k, v in params.items()}
    error = refused(action(portal, name, prefix, **params))
    assert error == {"__type": "Validation Error", parameter: [NUL[prefix]]}


def test_a_nul_character_on_a_page_is_a_translated_400(portal):
    response = requests.get(f"{portal.url}/ru/dataset/", params={"q": "калк\x00"}, timeout=60)
    assert response.status_code == 400
    assert f"q: {NUL['/ru']}" in response.text


def test_a_json_body_nested_without_end_is_refused(portal):
    body = '{"q": ' + "[" * 100_000 + "]" * 100_000 + "}"
    error = refused(post(portal, "package_search", body, "/en"))
    assert error == {"__type": "Validation Error",
                     "json": ["The value is nested more than 100 levels deep."]}


# -- datastore_search ------------------------------------------------------------

@pytest.mark.parametrize("parameter", ["limit", "offset", "filters"])
def test_datastore_search_takes_a_blank_parameter_as_not_given(portal, table, parameter):
    response = action(portal, "datastore_search", resource_id=table["resource"],
                      **{parameter: ""})
    assert len(response.json()["result"]["records"]) == 4


@pytest.mark.parametrize("parameter, value, message", [
    ("limit", "many", "Invalid integer"), ("offset", "many", "Invalid integer"),
    ("offset", "-1", "Must be a natural number"),
    ("limit", ["1", "2"], "Give one value, not a list or an object.")])
def test_datastore_search_refuses_a_number_that_is_not_one_naming_it(
        portal, table, parameter, value, message):
    error = refused(action(portal, "datastore_search", "/en", resource_id=table["resource"],
                           **{parameter: value}))
    assert error["__type"] == "Validation Error" and set(error) == {"__type", parameter}
    assert error[parameter][0] == message


@pytest.mark.parametrize("prefix, message", [
    ("", 'Чыпкаларды JSON объекти катары бериңиз, мисалы: {"year": 2023}.'),
    ("/ru", 'Передайте фильтры как JSON-объект, например: {"year": 2023}.'),
    ("/en", 'Give the filters as a JSON object, such as {"year": 2023}.'),
])
@pytest.mark.parametrize("filters", ["1", '"Ош"', "[[1]]", "Ош"])
def test_datastore_search_refuses_filters_that_are_not_an_object(
        portal, table, filters, prefix, message):
    error = refused(action(portal, "datastore_search", prefix, resource_id=table["resource"],
                           filters=filters))
    assert error == {"__type": "Validation Error", "filters": [message]}


def test_datastore_search_refuses_a_filter_of_the_wrong_type_without_its_sql(portal, table):
    error = refused(action(portal, "datastore_search", "/ru", resource_id=table["resource"],
                           filters='{"year": "много"}'))
    assert error == {"__type": "Validation Error",
                     "filters": ["Значение фильтра не подходит к типу его столбца."]}


# -- datastore_search_sql ---------------------------------------------------------

@pytest.mark.parametrize("prefix, message", [
    ("", "Сурам аткарылган жок: division by zero"),
    ("/ru", "Запрос не выполнен: division by zero"),
    ("/en", "The query failed: division by zero"),
])
def test_sql_failing_at_run_time_is_a_409_with_postgresqls_reason_only(
        portal, table, prefix, message):
    statement = f'SELECT population / 0 FROM "{table["resource"]}"'
    error = refused(action(portal, "datastore_search_sql", prefix, sql=statement))
    assert error == {"__type": "Validation Error", "sql": [message]}


@pytest.mark.parametrize("statement", ["SELECT chr(0)", "SELECT xmlparse(content '<a>')",
                                       "SELECT 'x'::xml"])
def test_sql_with_a_nul_character_or_bad_xml_is_a_409(portal, statement):
    [message] = refused(action(portal, "datastore_search_sql", "/en", sql=statement))["sql"]
    assert message.startswith("The query failed: ")


@pytest.mark.parametrize("params", [{}, {"sql": ""}])
def test_sql_without_a_statement_is_refused_naming_sql(portal, params):
    error = refused(action(portal, "datastore_search_sql", "/en", **params))
    assert error == {"__type": "Validation Error", "sql": ["Missing value"]}


def test_sql_is_stopped_at_the_portals_timeout(portal):
    started = time.monotonic()
    error = refused(action(portal, "datastore_search_sql", "/en",
                           sql="SELECT count(*) FROM generate_series(1, 100000000000)"))
    assert time.monotonic() - started < 15
    assert error == {"__type": "Validation Error",
                     "sql": ["The query ran longer than 5 s and was stopped."]}


def test_sql_calling_a_function_outside_ckans_allow_list_is_refused(portal):
    error = refused(action(portal, "datastore_search_sql", "/en", sql="SELECT pg_sleep(30)"),
                    status=403)
    assert error["message"].endswith("The function pg_sleep is not allowed in SQL queries.")


def test_a_huge_sql_answer_is_cut_at_the_portals_byte_limit(portal):
    response = action(portal, "datastore_search_sql",
                      sql="SELECT g, repeat('x', 1000) AS text "
                          "FROM generate_series(1, 20000) AS g")
    result = response.json()["result"]
    assert result["records_truncated"] is True
    assert 9_000 < len(result["records"]) < 10_000  # 10 MB of rows of ~1 KB
    assert len(response.content) < 12_000_000


# -- collaborators, CKAN's dump, downloads -----------------------------------------

@pytest.mark.parametrize("name, body", [
    ("package_collaborator_list", {"id": "hostile-input-e2e"}),
    ("package_collaborator_create", {"id": "hostile-input-e2e", "user_id": "admin",
                                     "capacity": "editor"}),
    ("package_collaborator_delete", {"id": "hostile-input-e2e", "user_id": "admin"}),
])
def test_an_anonymous_collaborator_request_is_refused_not_a_500(portal, table, name, body):
    error = refused(post(portal, name, json.dumps(body), "/en"), status=403)
    assert error["message"] == "Access denied: Sign in first."


@pytest.fixture(scope="module")
def outsider_token(portal):
    """A signed-in user of no agency."""
    import uuid
    admin, name = portal.sysadmin(), f"hostile-{uuid.uuid4().hex[:8]}"  # never purged
    admin.action.user_create(name=name, email=f"{name}@example.invalid",
                             password="hostile-input-password-1")
    return admin.action.api_token_create(user=name, name="hostile-input")["token"]


@pytest.mark.parametrize("name, body", [
    ("package_collaborator_create", {"id": "no-such-dataset-e2e", "user_id": "admin",
                                     "capacity": "editor"}),
    ("package_collaborator_delete", {"id": "no-such-dataset-e2e", "user_id": "admin"}),
])
def test_a_collaborator_change_on_an_unknown_dataset_is_a_404_not_a_500(
        portal, outsider_token, name, body):
    response = requests.post(f"{portal.url}/en/api/3/action/{name}", json=body, timeout=60,
                             headers={"Authorization": outsider_token})
    error = refused(response, status=404)
    assert error == {"__type": "Not Found Error", "message": "Not found: Dataset not found"}


@pytest.mark.parametrize("prefix, message", [
    ("", "format: Булардын бирин тандаңыз: csv, tsv, json, xml."),
    ("/ru", "format: Выберите одно из: csv, tsv, json, xml."),
])
def test_ckans_dump_in_a_format_it_does_not_know_is_a_400_naming_format(
        portal, table, prefix, message):
    response = requests.get(f"{portal.url}{prefix}/datastore/dump/{table['resource']}",
                            params={"format": "xlsx", "q": "Нарын"}, timeout=60)
    assert response.status_code == 400
    assert message in response.text


@pytest.mark.parametrize("fmt", ["csv", "excel", "xlsx", "parquet", "json"])
def test_a_filtered_download_with_a_full_text_query_works_in_every_format(portal, table, fmt):
    found = action(portal, "datastore_search", resource_id=table["resource"], q="2023",
                   sort="_id").json()["result"]["records"]
    assert [r["region"] for r in found] == ["Ысык-Көл", "Нарын", "Ош"]
    response = requests.get(
        f"{portal.url}/dataset/{table['dataset']}/resource/{table['resource']}/export/{fmt}",
        params={"q": "2023"}, timeout=60)
    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == [{k: v for k, v in r.items() if k not in ("_id", "rank")}
                                   for r in found]  # the table's columns
    else:
        assert _first_column(fmt, response.content) == ["region", "Ысык-Көл", "Нарын", "Ош"]


def _first_column(fmt: str, data: bytes) -> list:
    """The header and first column of a CSV, CSV for Excel, XLSX or Parquet file."""
    if fmt == "xlsx":
        from openpyxl import load_workbook
        return [row[0] for row in load_workbook(io.BytesIO(data)).active.iter_rows(
            values_only=True)]
    if fmt == "parquet":
        import pyarrow.parquet as pq
        parquet = pq.read_table(io.BytesIO(data))
        return [parquet.column_names[0], *parquet.column(0).to_pylist()]
    lines = data.decode("utf-8-sig").splitlines()
    return [line.split("," if fmt == "csv" else ";")[0] for line in lines]
