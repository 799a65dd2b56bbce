"""`ckan kg publish`: a folder of Data Packages becomes published datasets."""
import json

import ckan.model as model
import pytest
from ckan.tests import helpers
from click.testing import CliRunner

from ckanext.kg.cli import kg
from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema

ORGANIZATIONS = [{"name": "nsc", "kind": "state_committee", "title_translated": {
    "ky": "Улуттук статистика комитети", "ru": "Национальный статистический комитет",
    "en": "National Statistical Committee"}}]


def package(name, contact=True):
    kg = {
        "publisher": "nsc",
        "title_translated": {"ky": "Облустардын калкы", "ru": "Население областей"},
        "notes_translated": {"ky": "Калктын саны.", "ru": "Численность населения."},
        "keywords": {"ky": ["калк"], "ru": ["население"]},
        "license_id": "cc-by", "access_level": "open", "frequency": "ANNUAL",
        "temporal_start": "2023-01-01", "spatial_divisions": ["KG02000000000"],
        "theme": "SOCI"}
    if contact:
        kg.update(contact_name="Маалымат бөлүмү", contact_email="info@example.invalid")
    return {"name": name, "kg": kg, "resources": [{
        "name": "population", "path": "population.csv", "format": "CSV",
        "schema": {"fields": [{"name": "region", "type": "string"},
                              {"name": "population", "type": "integer"}]}}]}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "_organizations.json").write_text(json.dumps(ORGANIZATIONS))
    for name, contact in (("oblustardyn-kalky", True), ("no-contact", False)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "datapackage.json").write_text(
            json.dumps(package(name, contact), ensure_ascii=False))
        (tmp_path / name / "population.csv").write_text(
            "region,population\nЫсык-Көл,513000\n", encoding="utf-8")
    return tmp_path


def publish(folder):
    """`ckan kg publish FOLDER`, with the plugins this test module loads."""
    return CliRunner().invoke(kg, ["publish", str(folder)], catch_exceptions=False)


def test_publish_creates_agencies_and_datasets_and_keeps_incomplete_ones_private(folder):
    result = publish(folder)
    assert result.exit_code == 1, result.output
    assert "oblustardyn-kalky: public, 1 tables" in result.output
    assert "no-contact: not published" in result.output and "2.2" in result.output
    assert model.Package.get("oblustardyn-kalky").private is False
    assert model.Package.get("no-contact").private is True
    resource = model.Package.get("oblustardyn-kalky").resources[0]
    rows = helpers.call_action("datastore_search", resource_id=resource.id)["records"]
    assert [(r["region"], r["population"]) for r in rows] == [("Ысык-Көл", 513000)]


def test_publishing_again_changes_nothing(folder):
    publish(folder)
    first = model.Package.get("oblustardyn-kalky").resources[0].id
    publish(folder)
    dataset = model.Package.get("oblustardyn-kalky")
    assert [r.id for r in dataset.resources] == [first]
    assert model.Session.query(model.Package).count() == 2
