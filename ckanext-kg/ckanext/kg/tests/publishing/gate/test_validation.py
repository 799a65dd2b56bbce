"""Every uploaded table is validated, and only a passing file can be public."""
import json
import re

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import INVALID, METADATA, SCHEMA, VALID

pytestmark = portal_schema
ValidationError = helpers.logic.ValidationError


@pytest.fixture
def dataset():
    """The shared dataset (conftest), importable by test modules elsewhere."""
    org = factories.Organization(name="nsc")
    return helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]},
        private=True, owner_org=org["id"], **METADATA)


def upload(upload_file, dataset, data, schema=SCHEMA, **extra):
    return upload_file(data, "population.csv", package_id=dataset["id"],
                              url="population.csv", format="CSV", schema=schema, **extra)


def publish(dataset):
    return helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]},
                               id=dataset["id"], private=False)


def test_a_valid_table_passes_and_its_dataset_can_be_published(upload_file, dataset):
    resource = upload(upload_file, dataset, VALID)
    shown = helpers.call_action("kg_validation_show", id=resource["id"])
    assert shown["status"] == "success"
    assert shown["checksum"].startswith("sha256:")
    assert shown["report"]["valid"] is True
    assert publish(dataset)["private"] is False


def test_an_invalid_table_is_reported_and_keeps_its_dataset_private(
        upload_file, dataset):
    resource = upload(upload_file, dataset, INVALID)
    shown = helpers.call_action("kg_validation_show", id=resource["id"])
    assert shown["status"] == "failure"
    assert [(e["rowNumber"], e["fieldNumber"], e["type"])
            for e in shown["report"]["errors"]] == [(2, 3, "type-error")]
    with pytest.raises(ValidationError) as error:
        publish(dataset)
    assert error.value.error_dict["tables"] == [
        "5.3 Every table's current file has passed validation."]
    model.Session.rollback()
    assert model.Package.get(dataset["id"]).private is True


def test_a_table_without_a_schema_needs_one(upload_file, dataset):
    resource = upload(upload_file, dataset, VALID, schema="")
    assert helpers.call_action("kg_validation_show", id=resource["id"])["status"] == \
        "needs-schema"
    with pytest.raises(ValidationError) as error:
        publish(dataset)
    assert error.value.error_dict["tables"] == [
        "5.2 Every table has a Table Schema.",
        "5.3 Every table's current file has passed validation."]


def test_a_windows_1251_file_is_read_as_cyrillic(upload_file, dataset):
    russian = "region,year,population\nИссык-Кульская область,2023,513000\n"
    resource = upload(upload_file, dataset, russian.encode("cp1251"))
    shown = helpers.call_action("kg_validation_show", id=resource["id"])
    assert shown["status"] == "success"
    assert shown["report"]["encoding"]["encoding"] == "cp1251"


def test_a_new_file_needs_a_new_report(upload_file, dataset):
    resource = upload(upload_file, dataset, VALID)
    first = helpers.call_action("kg_validation_show", id=resource["id"])
    replaced = upload_file(INVALID, "population.csv", action="resource_update",
                                  id=resource["id"], package_id=dataset["id"],
                                  url="population.csv", format="CSV", schema=SCHEMA)
    second = helpers.call_action("kg_validation_show", id=replaced["id"])
    assert (first["status"], second["status"]) == ("success", "failure")
    assert first["checksum"] != second["checksum"]


def test_the_report_speaks_the_readers_language(app, upload_file, dataset):
    resource = upload(upload_file, dataset, INVALID)
    token = factories.SysadminWithToken()["token"]
    messages = {}
    for lang in ("ky", "ru", "en"):
        body = app.get(f"/{lang}/api/3/action/kg_validation_show",
                       query_string={"id": resource["id"]},
                       headers={"Authorization": token}).json
        messages[lang] = body["result"]["report"]["errors"][0]["message"]
    assert len(set(messages.values())) == 3
    assert messages["en"].startswith("Row 2, column 3")
    assert re.search("[а-яө]", messages["ky"]) and re.search("[а-я]", messages["ru"])
    assert "көп" in messages["ky"] and "көп" in messages["ru"]  # the value, as uploaded


@pytest.mark.ckan_config("ckanext.kg.validation.sync_max_bytes", 10)
@pytest.mark.usefixtures("clean_queues")
def test_a_large_table_is_validated_by_the_jobs_worker(upload_file, dataset):
    from ckan.lib import jobs
    resource = upload(upload_file, dataset, VALID)
    assert helpers.call_action("kg_validation_show", id=resource["id"])["status"] is None
    assert [j["title"] for j in helpers.call_action("job_list")] == [
        f"kg: validate resource {resource['id']}"]
    jobs.Worker(["default"]).work(burst=True)
    assert helpers.call_action("kg_validation_show", id=resource["id"])["status"] == "success"


def test_a_passing_table_is_in_the_datastore_with_typed_columns(upload_file, dataset):
    resource = upload(upload_file, dataset, VALID)
    assert helpers.call_action("kg_validation_show", id=resource["id"])["report"][
        "datastore"] == {"loaded": True, "rows": 2}
    result = helpers.call_action("datastore_search", resource_id=resource["id"],
                                 sort="population desc", filters={"year": 2023})
    assert [(f["id"], f["type"]) for f in result["fields"]] == [
        ("_id", "int"), ("region", "text"), ("year", "int8"), ("population", "int8")]
    assert [(r["region"], r["population"]) for r in result["records"]] == [
        ("Ысык-Көл", 513000), ("Нарын", 301600)]


def test_a_failing_new_file_leaves_the_published_rows_in_place(upload_file, dataset):
    resource = upload(upload_file, dataset, VALID)
    upload_file(INVALID, "population.csv", action="resource_update",
                       id=resource["id"], package_id=dataset["id"], url="population.csv",
                       format="CSV", schema=SCHEMA)
    result = helpers.call_action("datastore_search", resource_id=resource["id"])
    assert sorted(r["population"] for r in result["records"]) == [301600, 513000]


def test_a_new_passing_file_replaces_the_rows(upload_file, dataset):
    resource = upload(upload_file, dataset, VALID)
    upload_file("region,year,population\nТалас,2024,270000\n", "population.csv",
                       action="resource_update", id=resource["id"], package_id=dataset["id"],
                       url="population.csv", format="CSV", schema=SCHEMA)
    result = helpers.call_action("datastore_search", resource_id=resource["id"])
    assert [(r["region"], r["year"]) for r in result["records"]] == [("Талас", 2024)]
    assert result["total"] == 1  # the DataStore's cached row count follows


def test_decimal_commas_are_read_as_the_schema_declares(upload_file, dataset):
    schema = json.dumps({"fields": [
        {"name": "region", "type": "string"},
        {"name": "share", "type": "number", "decimalChar": ","}]})
    resource = upload(upload_file, dataset, 'region,share\nНарын,"12,5"\n',
                      schema=schema)
    result = helpers.call_action("datastore_search", resource_id=resource["id"])
    assert [str(r["share"]) for r in result["records"]] == ["12.5"]


@pytest.mark.parametrize(("upload_mib", "fetch_bytes", "largest"), [
    ("3000", "1000", 3000 * 1024 * 1024),  # beyond the validator's own 2 GiB
    ("100", "2000000000", 2_000_000_000),
])
def test_validation_takes_every_file_the_portal_accepts(ckan_config, monkeypatch,
                                                        upload_mib, fetch_bytes, largest):
    from ckanext.kg.publishing.gate.validation import largest_accepted_file
    monkeypatch.setitem(ckan_config, "ckan.max_resource_size", int(upload_mib))
    monkeypatch.setitem(ckan_config, "ckanext.kg.fetch.max_bytes", int(fetch_bytes))
    assert largest_accepted_file() == largest


@pytest.mark.ckan_config("ckanext.kg.validation.sync_max_bytes", 10)
@pytest.mark.usefixtures("clean_queues")
def test_a_report_a_job_stores_is_counted_in_the_agencys_share(upload_file, dataset):
    from ckan.lib import jobs
    upload(upload_file, dataset, VALID)

    def counted():
        found = helpers.call_action("kg_compliance_show", organization="nsc", rows=0)
        return found["compliant"], [(r["number"], r["datasets"]) for r in found["unmet_rules"]]
    assert counted() == (0, [("5.3", 1)])
    jobs.Worker(["default"]).work(burst=True)
    assert counted() == (1, [])


@pytest.mark.ckan_config("ckanext.kg.validation.sync_max_bytes", 10)
@pytest.mark.usefixtures("clean_queues")
def test_a_file_replaced_while_it_is_validated_is_never_named_by_its_report(
        upload_file, dataset, monkeypatch):
    """A publisher's correction stored while the job reads the first file:
    no report or row of the first file is kept, and the new file is judged."""
    from ckanext.kg.publishing.gate import checksums, jobs, validation
    resource = upload(upload_file, dataset, VALID)  # queued: its job is run below
    path = validation.current_file(resource)
    first, judged = checksums.of(path), []

    def the_file_replaced_once_read(source, *args, **kwargs):
        result = validate_table(source, *args, **kwargs)
        judged.append(result.valid)
        if len(judged) == 1:  # as an upload stores a file: a new one, renamed
            path.with_name("replacement").write_text(INVALID, "utf-8")
            path.with_name("replacement").replace(path)
        return result
    validate_table = validation.validate_table
    monkeypatch.setattr(validation, "validate_table", the_file_replaced_once_read)
    jobs.validate_resource_job(resource["id"])  # the job's function, in this process

    assert judged == [True, False]
    stored = model.Session.execute(sa.text(
        "SELECT checksum, status FROM kg_validation_report WHERE resource_id = :r"),
        {"r": resource["id"]}).all()
    assert stored == [(checksums.of(path), "failure")] and first != checksums.of(path)
    with pytest.raises(helpers.logic.NotFound):  # the first file's early load undone
        helpers.call_action("datastore_search", resource_id=resource["id"])
