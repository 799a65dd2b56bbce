"""Through gunicorn: `kg-publish` on an agency's own machine. An editor of
the agency, with an API token in KG_API_TOKEN, publishes a Data Package
folder; a package that fails local validation never reaches the portal."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import ckanapi
import pytest

pytestmark = pytest.mark.e2e

AGENCY = "kg-publish-e2e"
SCHEMA = {"fields": [{"name": "region", "type": "string"},
                     {"name": "year", "type": "integer"},
                     {"name": "population", "type": "integer"}]}
KG_PUBLISH = str(Path(sys.executable).with_name("kg-publish"))


@pytest.fixture(scope="module")
def editor(portal):
    """An agency, and an editor of it with an API token; purged afterwards,
    since other modules count what the shared portal holds."""
    admin = portal.sysadmin()
    admin.action.organization_create(name=AGENCY, title_translated={
        "ky": "Статистика комитети", "ru": "Комитет статистики"})
    user = admin.action.user_create(name="kg-publish-editor", email="editor@example.invalid",
                                    password="A-long-enough-passw0rd")
    admin.action.organization_member_create(id=AGENCY, username=user["name"], role="editor")
    token = admin.action.api_token_create(user=user["name"], name="kg-publish")["token"]
    yield token
    for name in ("kalk-kg-publish-e2e", "kalk-invalid-kg-publish-e2e",
                 "kalk-disagree-kg-publish-e2e"):
        try:
            admin.action.dataset_purge(id=name)
        except ckanapi.NotFound:
            pass
    admin.action.organization_purge(id=AGENCY)
    admin.action.user_delete(id=user["name"])


def data_package(root: Path, name: str, table: str, schema: dict = SCHEMA) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "datapackage.json").write_text(json.dumps({"name": name, "kg": {
        "publisher": AGENCY,
        "title_translated": {"ky": "Облустардын калкы", "ru": "Население областей"},
        "notes_translated": {"ky": "Калктын саны.", "ru": "Численность населения."},
        "keywords": {"ky": ["калк"], "ru": ["население"]},
        "license_id": "cc-by", "access_level": "open", "frequency": "ANNUAL",
        "temporal_start": "2023-01-01", "spatial_divisions": ["KG02000000000"],
        "theme": "SOCI", "contact_name": "Маалымат бөлүмү",
        "contact_email": "info@example.invalid"},
        "resources": [{"name": "population", "title": "Облустардын калкы",
                       "path": "population.csv", "format": "CSV", "schema": schema}]},
        ensure_ascii=False), encoding="utf-8")
    (folder / "population.csv").write_text(table, encoding="utf-8")
    return folder


def kg_publish(portal, folder: Path, token: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, KG_API_TOKEN=token)
    return subprocess.run([KG_PUBLISH, str(folder), "--portal", portal.url],
                          env=env, capture_output=True, text=True, timeout=300)


def validated(admin, resource_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    shown = admin.action.kg_validation_show(id=resource_id)
    while shown["status"] is None and time.monotonic() < deadline:
        time.sleep(0.5)
        shown = admin.action.kg_validation_show(id=resource_id)
    return shown


def test_an_editor_publishes_a_folder_validated_and_loaded(portal, editor, tmp_path):
    folder = data_package(tmp_path, "kalk-kg-publish-e2e",
                          "region,year,population\nЫсык-Көл,2023,513000\nНарын,2023,301600\n")

    result = kg_publish(portal, folder, editor)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "kalk-kg-publish-e2e: public at" in result.stdout
    anonymous = portal.api()
    dataset = anonymous.action.package_show(id="kalk-kg-publish-e2e")
    assert dataset["private"] is False
    [table] = dataset["resources"]
    assert validated(portal.sysadmin(), table["id"])["status"] == "success"
    rows = anonymous.action.datastore_search(resource_id=table["id"], sort="population desc")
    assert [(r["region"], r["year"], r["population"]) for r in rows["records"]] == [
        ("Ысык-Көл", 2023, 513000), ("Нарын", 2023, 301600)]


def test_a_second_run_sends_no_file_again(portal, editor, tmp_path):
    folder = data_package(tmp_path, "kalk-kg-publish-e2e",
                          "region,year,population\nЫсык-Көл,2023,513000\nНарын,2023,301600\n")
    kg_publish(portal, folder, editor)
    dataset = portal.api().action.package_show(id="kalk-kg-publish-e2e")
    [before] = dataset["resources"]

    result = kg_publish(portal, folder, editor)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "kalk-kg-publish-e2e: metadata unchanged" in result.stdout
    assert "population: unchanged, the portal holds this file already" in result.stdout
    assert "uploading" not in result.stdout
    after = portal.api().action.package_show(id="kalk-kg-publish-e2e")
    assert after["resources"][0]["last_modified"] == before["last_modified"]  # every upload sets it
    assert after["metadata_modified"] == dataset["metadata_modified"]  # no write at all


def test_a_locally_invalid_package_is_refused_before_any_api_call(portal, editor, tmp_path):
    folder = data_package(tmp_path, "kalk-invalid-kg-publish-e2e",
                          "region,year,population\nЫсык-Көл,2023,көп\n")

    result = kg_publish(portal, folder, editor)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "population: does not pass validation" in result.stdout
    assert '"population"' in result.stdout and "көп" in result.stdout  # the report
    assert "Nothing was sent to the portal" in result.stderr
    with pytest.raises(ckanapi.NotFound):
        portal.sysadmin().action.package_show(id="kalk-invalid-kg-publish-e2e")


def test_without_a_token_it_says_where_to_get_one(portal, tmp_path):
    folder = data_package(tmp_path, "kalk-no-token-e2e", "region,year,population\n")
    env = {k: v for k, v in os.environ.items() if k != "KG_API_TOKEN"}

    result = subprocess.run([KG_PUBLISH, str(folder), "--portal", portal.url],
                            env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 2
    assert "Set KG_API_TOKEN to an API token" in result.stderr


def test_when_the_portal_disagrees_its_report_is_printed_and_the_dataset_stays_private(
        portal, editor, tmp_path):
    # valid for the engine, but the DataStore refuses column names that
    # begin with "_": the portal's own validation names them
    schema = {"fields": [dict(SCHEMA["fields"][0], name="_region"), *SCHEMA["fields"][1:]]}
    folder = data_package(tmp_path, "kalk-disagree-kg-publish-e2e",
                          "_region,year,population\nЫсык-Көл,2023,513000\n", schema)

    result = kg_publish(portal, folder, editor)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "population: valid" in result.stdout
    assert "population: the portal disagrees (failure):" in result.stdout
    assert "the DataStore cannot have these column names: «_region»" \
        in result.stdout  # the portal's report
    assert "kalk-disagree-kg-publish-e2e: stays private" in result.stderr
    dataset = portal.sysadmin().action.package_show(id="kalk-disagree-kg-publish-e2e")
    assert dataset["private"] is True
