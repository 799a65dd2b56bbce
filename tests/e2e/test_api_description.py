"""Through gunicorn: the portal's OpenAPI description is true. Every path it
documents answers an anonymous caller with each documented status code, and
the ready-to-copy queries of a dataset page run as they are."""
import ast
import json
import shlex
import shutil
import subprocess
import sys
import tempfile

import pytest
import requests
from bs4 import BeautifulSoup

pytestmark = pytest.mark.e2e

SCHEMA = json.dumps({"fields": [
    {"name": "region", "type": "string"},
    {"name": "year", "type": "integer"},
    {"name": "population", "type": "integer"}]})
TABLE = "region,year,population\nЫсык-Көл,2023,513000\nНарын,2023,301600\n"


def _upload_table(admin, dataset_id: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8") as file:
        file.write(TABLE)
        file.flush()
        with open(file.name, "rb") as upload:
            return admin.action.resource_create(
                package_id=dataset_id, name="Облустардын калкы", format="CSV",
                schema=SCHEMA, upload=upload)


@pytest.fixture(scope="module")
def tables(portal, compliant_dataset):
    """A public dataset and a private one, each with a validated table;
    purged afterwards, since other modules count what the shared portal holds."""
    admin = portal.sysadmin()
    org = admin.action.organization_create(
        name="api-docs-e2e", title_translated={"ky": "Статистика", "ru": "Статистика"})
    found = {}
    for name, private in (("kalk-api-e2e", False), ("kalk-api-secret-e2e", True)):
        dataset = admin.action.package_create(name=name, **compliant_dataset(
            org["id"], f"Калк {name}", f"Население {name}", private=True))
        table = _upload_table(admin, dataset["id"])
        assert admin.action.kg_validation_show(id=table["id"])["status"] == "success"
        if not private:
            admin.action.package_patch(id=dataset["id"], private=False)
        found[name] = (dataset["name"], table["id"])
    yield {"public": found["kalk-api-e2e"], "private": found["kalk-api-secret-e2e"]}
    for name in found:
        admin.action.dataset_purge(id=name)
    admin.action.organization_purge(id=org["id"])


def cases(tables) -> dict[str, dict[str, dict]]:
    """For each documented path, the anonymous request that gets each status."""
    name, table = tables["public"]
    _, secret = tables["private"]
    return {
        "package_search": {"200": {"q": "калк"}, "409": {"rows": "many"}},
        "package_show": {"200": {"id": name}, "404": {"id": "no-such-dataset"},
                         "409": {}},
        "datastore_search": {"200": {"resource_id": table, "limit": 5},
                             "404": {"resource_id": "no-such-table"}, "409": {}},
        "datastore_search_sql": {"200": {"sql": f'SELECT * FROM "{table}"'},
                                 "403": {"sql": "SELECT pg_read_file('/etc/passwd')"},
                                 "404": {"sql": f'SELECT * FROM "{secret}"'},
                                 "409": {"sql": f'DROP TABLE "{table}"'}},
        "kg_compliance_show": {"200": {"id": name}, "404": {"id": "no-such-dataset"},
                               "409": {}},
        "kg_validation_show": {"200": {"id": table}, "404": {"id": "no-such-table"},
                               "409": {}},
        "kg_most_downloaded_list": {"200": {"limit": 3}, "409": {"limit": 101}},
        "kg_resource_versions": {"200": {"id": table}, "404": {"id": "no-such-table"},
                                 "409": {}},
        "kg_resource_diff": {"200": {"id": table}, "404": {"id": "no-such-table"},
                             "409": {"id": table, "limit": 1001}},
    }


@pytest.fixture(scope="module")
def description(portal):
    response = requests.get(f"{portal.url}/api/openapi.json", timeout=60)
    assert response.status_code == 200
    return response.json()


def test_the_description_is_served_valid_with_this_portals_address(portal, description):
    from openapi_spec_validator import validate
    validate(description)
    assert description["servers"] == [{"url": portal.url}]


def test_every_documented_status_of_every_path_is_answered(portal, tables, description):
    requests_by_path = cases(tables)
    answered = {}
    for path, item in description["paths"].items():
        action = path.rsplit("/", 1)[-1]
        documented = sorted(item["get"]["responses"])
        assert sorted(requests_by_path[action]) == documented, action
        for status, params in requests_by_path[action].items():
            response = requests.get(portal.url + path, params=params, timeout=60)
            answered[(action, status)] = str(response.status_code)
            body = response.json()
            assert body["success"] is (status == "200"), (action, status, body)
    assert answered == {key: key[1] for key in answered}
    assert len(answered) == 26


def test_the_private_table_stays_out_of_sql_answers(portal, tables):
    """It is answered as a table that does not exist."""
    _, secret = tables["private"]
    unknown = "0e5a7b1c-0000-4000-8000-000000000003"
    answers = [requests.get(f"{portal.url}/api/3/action/datastore_search_sql",
                            params={"sql": f'SELECT * FROM "{table}"'}, timeout=60)
               for table in (secret, unknown)]
    assert [a.status_code for a in answers] == [404, 404]
    assert "Ысык-Көл" not in answers[0].text
    assert answers[0].json() == json.loads(answers[1].text.replace(unknown, secret))


def dataset_examples(portal, name: str) -> dict[str, str]:
    page = requests.get(f"{portal.url}/dataset/{name}", timeout=60)
    section = BeautifulSoup(page.text, "html.parser").select_one("section#kg-developer-examples")
    return {code["data-kg-example"]: code.get_text()
            for code in section.select("code[data-kg-example]")}


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("example", ["curl", "sql"])
def test_the_dataset_pages_commands_run_as_they_are(portal, tables, example):
    name, table = tables["public"]
    command = dataset_examples(portal, name)[example]
    run = subprocess.run(shlex.split(command), capture_output=True, timeout=60, check=True)
    result = json.loads(run.stdout)["result"]
    assert [(r["region"], r["year"], r["population"]) for r in result["records"]] == [
        ("Ысык-Көл", 2023, 513000), ("Нарын", 2023, 301600)]


def test_the_dataset_pages_python_example_runs(portal, tables):
    name, _ = tables["public"]
    source = dataset_examples(portal, name)["python"]
    run = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                         timeout=60, check=True)
    rows = [ast.literal_eval(line) for line in run.stdout.splitlines()]
    assert [{k: v for k, v in row.items() if k != "_id"} for row in rows] == [
        {"region": "Ысык-Көл", "year": 2023, "population": 513000},
        {"region": "Нарын", "year": 2023, "population": 301600}]
