"""A developer copies the query example from the dataset page, runs it and
gets typed rows."""
import json
import shlex
import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser


def test_developer_runs_the_curl_example_and_gets_typed_rows(journey, published_table):
    page = journey.visit(f"/dataset/{published_table['dataset']['name']}", "dataset")
    example = page.locator('#kg-developer-examples code[data-kg-example="curl"]')
    if example.count() == 0:
        pytest.skip("dataset page has no developer examples yet")
    command = shlex.split(example.inner_text())
    assert command[0] == "curl"
    urls = [arg for arg in command if "/api/3/action/" in arg]
    assert len(urls) == 1, command
    url = urlsplit(urls[0])
    assert url.path == "/api/3/action/datastore_search"
    assert parse_qs(url.query) == {"resource_id": [published_table["resource"]["id"]],
                                   "limit": ["5"]}
    if not shutil.which("curl"):
        pytest.skip("curl is not installed: the example cannot be run")

    ran = subprocess.run(command, capture_output=True, timeout=60, check=True)
    result = json.loads(ran.stdout)["result"]

    assert [(f["id"], f["type"]) for f in result["fields"]] == [
        ("_id", "int"), ("code", "text"), ("name_ky", "text"),
        ("district_count", "int8"), ("settlement_count", "int8")]
    records = [{k: v for k, v in record.items() if k != "_id"} for record in result["records"]]
    assert records == published_table["rows"]
    assert all(type(r["district_count"]) is int and type(r["settlement_count"]) is int
               for r in result["records"])
