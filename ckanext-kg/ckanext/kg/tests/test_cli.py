"""`ckan kg publish`: a folder of Data Packages becomes published datasets."""
import json
import re

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


SOURCES = [{"title": "Улуттук статистика комитети: облустардын калкы",
            "path": "https://stat.example.invalid/population",
            "repository": "https://github.com/example-kg/population",
            "commit": "425fc447a53a26c767a15a7de60c4cc2478a0595", "file": "data/regions.csv"}]
LICENSES = [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
             "title": "Creative Commons Attribution 4.0 International"}]


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
    return {"name": name, "kg": kg, "sources": SOURCES, "licenses": LICENSES, "resources": [{
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


# --- `ckan kg ingest`: idempotent, dry run, never half a package ----------

SCHEMA = {"fields": [{"name": "region", "type": "string"},
                     {"name": "population", "type": "integer"}]}


NAMES = {"population": {"ky": "Облустардын калкы", "ru": "Население областей"},
         "towns": {"ky": "Шаарлардын калкы", "ru": "Население городов"}}


def write_package(root, name, tables):
    """A Data Package folder under root: tables maps a name to its CSV text;
    each table has its name per language, as the seed catalogue's have."""
    descriptor = package(name)
    descriptor["resources"] = [
        {"name": table, "path": f"{table}.csv", "format": "CSV", "schema": SCHEMA,
         "kg": {"name_translated": NAMES.get(table, {"ky": table})}}
        for table in tables]
    (root / name).mkdir(exist_ok=True)
    (root / name / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    for table, text in tables.items():
        (root / name / f"{table}.csv").write_text(text, encoding="utf-8")
    return root / name


@pytest.fixture
def packages(tmp_path):
    (tmp_path / "_organizations.json").write_text(json.dumps(ORGANIZATIONS))
    write_package(tmp_path, "kalk", {
        "population": "region,population\nЫсык-Көл,513000\n",
        "towns": "region,population\nКаракол,84000\n"})
    return tmp_path


def ingest(folder, *options):
    return CliRunner().invoke(kg, ["ingest", *options, str(folder)], catch_exceptions=False)


def database_state():
    """Everything an ingestion could write: rows of CKAN's and our tables,
    and when each dataset, resource and report last changed."""
    queries = {
        "counts": """SELECT (SELECT count(*) FROM package), (SELECT count(*) FROM resource),
                            (SELECT count(*) FROM activity), (SELECT count(*) FROM "user"),
                            (SELECT count(*) FROM "group"), (SELECT count(*) FROM member),
                            (SELECT count(*) FROM resource_view)""",
        "datasets": "SELECT name, private, metadata_modified FROM package ORDER BY name",
        "resources": "SELECT id, url, last_modified, extras FROM resource ORDER BY id",
        "reports": """SELECT resource_id, checksum, created FROM kg_validation_report
                      WHERE to_regclass('kg_validation_report') IS NOT NULL
                      ORDER BY 1, 2""",
    }
    import sqlalchemy as sa
    exists = model.Session.execute(sa.text(
        "SELECT to_regclass('kg_validation_report') IS NOT NULL")).scalar()
    state = {}
    for key, sql in queries.items():
        if key == "reports" and not exists:
            state[key] = []
            continue
        state[key] = [tuple(row) for row in model.Session.execute(sa.text(sql))]
    model.Session.remove()
    return state


def rows(resource_name, dataset="kalk"):
    resource = next(r for r in model.Package.get(dataset).resources
                    if r.name == resource_name)
    found = helpers.call_action("datastore_search", resource_id=resource.id)["records"]
    return [(r["region"], r["population"]) for r in found]


def test_ingest_publishes_then_a_second_run_changes_and_loads_nothing(packages):
    first = ingest(packages)
    assert first.exit_code == 0, first.output
    assert "kalk: public, 2 tables, 2 changed" in first.output
    assert rows("population") == [("Ысык-Көл", 513000)]
    dataset = helpers.call_action("package_show", id="kalk")
    assert (dataset["sources"], dataset["licenses"]) == (SOURCES, LICENSES)
    assert [(r["name"], r["name_translated"], r["description_translated"])
            for r in dataset["resources"]] == [
        ("population", NAMES["population"], {}), ("towns", NAMES["towns"], {})]
    before = database_state()

    second = ingest(packages)

    assert second.exit_code == 0, second.output
    assert "kalk: public, 2 tables, unchanged" in second.output
    assert re.search(r"^1 of 1 datasets public \(\d+\.\d s\)$", second.output, re.M)
    assert "agency" not in second.output
    assert database_state() == before  # no upload, no report, no activity


def test_ingest_uploads_only_the_changed_table(packages):
    ingest(packages)
    before = {r["name"]: r for r in database_resources()}
    (packages / "kalk" / "towns.csv").write_text(
        "region,population\nКаракол,85000\nНарын,41000\n", encoding="utf-8")

    result = ingest(packages)

    assert result.exit_code == 0, result.output
    assert "kalk: public, 2 tables, 1 changed" in result.output
    after = {r["name"]: r for r in database_resources()}
    assert after["population"] == before["population"]
    assert after["towns"]["last_modified"] != before["towns"]["last_modified"]
    assert rows("towns") == [("Каракол", 85000), ("Нарын", 41000)]


def database_resources():
    return [{"name": r.name, "last_modified": r.last_modified}
            for r in model.Package.get("kalk").resources]


def test_dry_run_on_an_empty_portal_says_what_it_would_create_and_changes_nothing(packages):
    before = database_state()

    result = ingest(packages, "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "agency nsc: would create",
        "kalk: create dataset",
        "  upload new table population",
        "  upload new table towns"]
    assert database_state() == before


def test_dry_run_after_a_change_names_it_and_changes_nothing(packages):
    ingest(packages)
    (packages / "kalk" / "towns.csv").write_text(
        "region,population\nКаракол,85000\n", encoding="utf-8")
    (packages / "kalk" / "population.csv").write_text(
        "region,population\nЫсык-Көл,много\n", encoding="utf-8")
    before = database_state()

    result = ingest(packages, "--dry-run")

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == "kalk: metadata unchanged"
    assert lines[1].startswith("  upload table population - fails validation: 1 error(s)")
    assert lines[2] == "  upload table towns"
    assert database_state() == before
    assert rows("towns") == [("Каракол", 84000)]


def test_a_failing_table_keeps_a_new_dataset_private(packages):
    write_package(packages, "kalk", {
        "population": "region,population\nЫсык-Көл,513000\n",
        "towns": "region,population\nКаракол,много\n"})

    result = ingest(packages)

    assert result.exit_code == 1, result.output
    assert "kalk: not published, tables that did not pass validation: towns" in result.output
    dataset = model.Package.get("kalk")
    assert dataset.private is True
    assert sorted(r.name for r in dataset.resources) == ["population", "towns"]
    again = ingest(packages)
    assert again.exit_code == 1 and model.Package.get("kalk").private is True


def test_a_failing_table_leaves_a_public_dataset_as_it_was(packages):
    ingest(packages)
    before = database_state()
    write_package(packages, "kalk", {
        "population": "region,population\nЫсык-Көл,520000\n",
        "towns": "region,population\nКаракол,много\n"})

    result = ingest(packages)

    assert result.exit_code == 1, result.output
    assert "kalk: not changed, the published version stays: towns: 1 error(s)" \
        in result.output
    assert database_state() == before  # not even the valid table was uploaded
    assert model.Package.get("kalk").private is False
    assert rows("population") == [("Ысык-Көл", 513000)]


def test_a_folder_that_is_no_data_package_fails_with_its_reason(packages):
    (packages / "broken").mkdir()
    (packages / "broken" / "datapackage.json").write_text("{not json", encoding="utf-8")
    write_package(packages, "missing", {"population": "region,population\n"})
    (packages / "missing" / "population.csv").unlink()

    result = ingest(packages)

    assert result.exit_code == 1, result.output
    assert "broken: not published: cannot read datapackage.json" in result.output
    assert "missing: not published: population.csv: no such file" in result.output
    assert "kalk: public, 2 tables" in result.output


def test_a_table_that_cannot_be_judged_is_undone_and_the_others_go_on(
        packages, refuse_writes_to):
    write_package(packages, "broken", {"broken": "region,population\nОш,322000\n"})
    refuse_writes_to("kg_validation_report", "NEW.report -> 'en' ->> 'path' = 'broken.csv'")

    result = ingest(packages)

    assert result.exit_code == 1, result.output
    assert "broken: not published: InternalError: (psycopg2.errors.RaiseException) " \
        "refused by the test" in result.output
    assert "kalk: public, 2 tables" in result.output
    assert model.Package.get("broken").private is True
    assert model.Package.get("broken").resources == []  # never half a package


@pytest.mark.parametrize("dry_run", [False, True], ids=["ingest", "dry-run"])
def test_a_table_path_out_of_its_folder_is_refused(packages, tmp_path_factory, dry_run):
    outside = tmp_path_factory.mktemp("outside") / "secret.csv"
    outside.write_text("region,population\nсекрет,1\n", encoding="utf-8")
    for name, path in (("absolute", str(outside)), ("climbing", "../../outside0/secret.csv"),
                       ("linked", "population.csv")):
        folder = write_package(packages, name, {"population": "region,population\n"})
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        descriptor["resources"][0]["path"] = path
        (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (packages / "linked" / "population.csv").unlink()
    (packages / "linked" / "population.csv").symlink_to(outside)

    result = ingest(packages, *(["--dry-run"] if dry_run else []))

    assert result.exit_code == 1, result.output
    assert f"absolute: not published: {outside}: an absolute path; a table's \"path\" is " \
        "relative to the folder of datapackage.json" in result.output
    assert 'climbing: not published: ../../outside0/secret.csv: ".." leads out of the ' \
        "folder of datapackage.json" in result.output
    assert "linked: not published: population.csv: a symbolic link leads out of the " \
        "folder of datapackage.json" in result.output
    assert {p.name for p in model.Session.query(model.Package)} == (
        set() if dry_run else {"kalk"})


def test_publish_is_the_same_command_as_ingest(packages):
    result = CliRunner().invoke(kg, ["publish", "--dry-run", str(packages)])
    assert result.exit_code == 0, result.output
    assert "kalk: create dataset" in result.output


def test_a_new_table_title_updates_the_resource_without_an_upload(packages):
    ingest(packages)
    descriptor_path = packages / "kalk" / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    descriptor["resources"][1]["title"] = "Шаарлардын калкы"
    descriptor_path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    before = {r["name"]: r for r in database_resources()}

    dry = ingest(packages, "--dry-run")
    result = ingest(packages)

    assert "  update table (schema, title or format) towns" in dry.output.splitlines()
    assert result.exit_code == 0, result.output
    assert "kalk: public, 2 tables, 1 changed" in result.output
    towns = next(r for r in model.Package.get("kalk").resources if r.name == "towns")
    assert towns.description == "Шаарлардын калкы"
    assert towns.last_modified == before["towns"]["last_modified"]  # no upload
    assert "kalk: public, 2 tables, unchanged" in ingest(packages).output


def test_a_changed_source_updates_the_metadata_once(packages):
    ingest(packages)
    descriptor_path = packages / "kalk" / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    descriptor["sources"][0]["commit"] = "822019c80142c162e4ca4eb1a63699ae36075078"
    descriptor_path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")

    assert ingest(packages, "--dry-run").output.splitlines()[0] == "kalk: update metadata"
    ingest(packages)

    shown = helpers.call_action("package_show", id="kalk")["sources"]
    assert [s["commit"] for s in shown] == ["822019c80142c162e4ca4eb1a63699ae36075078"]
    assert ingest(packages, "--dry-run").output.splitlines()[0] == "kalk: metadata unchanged"


def test_a_new_name_per_language_updates_the_resource_without_an_upload(packages):
    ingest(packages)
    descriptor_path = packages / "kalk" / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    descriptor["resources"][1]["kg"] = {
        "name_translated": {"ky": "Шаарлар", "ru": "Города", "en": "Towns"},
        "description_translated": {"ky": "Калкы 10 миңден ашкан шаарлар."}}
    descriptor_path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    before = {r["name"]: r for r in database_resources()}

    dry = ingest(packages, "--dry-run")
    result = ingest(packages)

    assert "  update table (schema, title or format) towns" in dry.output.splitlines()
    assert "kalk: public, 2 tables, 1 changed" in result.output
    towns = next(r for r in helpers.call_action("package_show", id="kalk")["resources"]
                 if r["name"] == "towns")
    assert (towns["name_translated"], towns["description_translated"]) == (
        {"ky": "Шаарлар", "ru": "Города", "en": "Towns"},
        {"ky": "Калкы 10 миңден ашкан шаарлар."})
    after = {r["name"]: r for r in database_resources()}
    assert after["towns"]["last_modified"] == before["towns"]["last_modified"]  # no upload
    assert "kalk: public, 2 tables, unchanged" in ingest(packages).output
