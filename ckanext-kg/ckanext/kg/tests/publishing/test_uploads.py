"""An upload is all or nothing: resource_create and resource_update, through
the API and the web form, with a file or a URL, either save the resource
with its table judged, or answer an error and leave nothing behind (no
resource, no file, no report, no DataStore table); a damaged file is
reported, never half-saved.

Failures are real ones, made by PostgreSQL: a trigger refuses the write
of a chosen table (the validation reports, or the search index CKAN
writes after it stored the file)."""
import io

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers
from werkzeug.datastructures import FileStorage

from ckanext.kg.publishing.gate import reports
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import INVALID, METADATA, SCHEMA, VALID

pytestmark = [*portal_schema,
              pytest.mark.ckan_config("ckanext.kg.fetch.allow_private_addresses", True)]
NUL_TABLE = "region,year,population\nЫсык-Көл,2023,513000\nНа\x00рын,2023,301600\n"


@pytest.fixture
def storage(tmp_path, ckan_config, monkeypatch):
    """The uploaded files of this test only."""
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    return tmp_path


def api_upload(app, token, action, data, body, lang="en"):
    prefix = "" if lang == "en" else f"/{lang}"
    return app.post(f"{prefix}/api/3/action/{action}", headers={"Authorization": token},
                    data=dict(data, upload=(io.BytesIO(body), "population.csv")))


def table_fields(dataset, **extra):
    return dict(dict(package_id=dataset["id"], name="population", format="CSV",
                     schema=SCHEMA, url="population.csv"), **extra)


def files_in(storage):
    return sorted(str(p.relative_to(storage)) for p in storage.rglob("*") if p.is_file())


def datastore_tables():
    from ckanext.datastore.backend.postgres import get_read_engine
    with get_read_engine().connect() as connection:
        return connection.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT LIKE '\\_%'")).scalars().all()


def rows_in(table):
    """How many rows `table` of CKAN's database holds (0 before it exists)."""
    if not model.Session.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"),
                                 {"t": table}).scalar():
        return 0
    return model.Session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def traces():
    """Everything a table's publication writes besides its file."""
    rows = {table: rows_in(table) for table in (
        "resource", "resource_view", "activity", "kg_validation_report", "kg_validation_job")}
    model.Session.remove()
    return dict(rows, datastore=datastore_tables())


def nothing_left(dataset, storage, before):
    shown = helpers.call_action("package_show", id=dataset["id"])
    assert shown["resources"] == []
    assert shown["metadata_modified"] == dataset["metadata_modified"]
    assert traces() == before
    assert files_in(storage) == []
    found = helpers.call_action("package_search", q=f"id:{dataset['id']}",
                                include_private=True)["results"]
    assert [d["num_resources"] for d in found] == [0]


def test_a_csv_with_a_nul_byte_is_saved_and_reported_like_any_bad_file(app, dataset):
    token = factories.SysadminWithToken()["token"]
    response = api_upload(app, token, "resource_create", table_fields(dataset),
                          NUL_TABLE.encode("utf-8"))
    assert response.status_code == 200
    resource = response.json["result"]
    shown = {lang: app.get(f"/{lang}/api/3/action/kg_validation_show",
                           query_string={"id": resource["id"]},
                           headers={"Authorization": token}).json["result"]
             for lang in ("ky", "ru", "en")}
    assert (shown["en"]["status"], shown["en"]["job"]["state"]) == ("failure", "done")
    assert [(e["type"], e["rowNumber"], e["fieldNumber"])
            for e in shown["en"]["report"]["errors"]] == [("nul-character", 3, 1)]
    messages = {lang: s["report"]["errors"][0]["message"] for lang, s in shown.items()}
    assert messages["en"] == (
        "Row 3, column 1: the file holds a NUL character (a zero byte), which no text "
        "table contains: the file may be damaged, or saved in an encoding the portal "
        "does not read. Remove the character, or save the table again as CSV (UTF-8), "
        "and upload it again.")
    assert messages["ru"].startswith("Строка 3, столбец 1: в файле есть символ NUL")
    assert messages["ky"].startswith("3-сап, 1-мамыча: файлда NUL белгиси")
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("datastore_search", resource_id=resource["id"])


@pytest.mark.parametrize("table", [VALID, INVALID], ids=["valid", "invalid"])
def test_an_upload_whose_report_cannot_be_stored_leaves_nothing(
        app, dataset, storage, table, refuse_writes_to):
    token = factories.SysadminWithToken()["token"]
    before = traces()
    refuse_writes_to(reports.TABLE)
    response = api_upload(app, token, "resource_create", table_fields(dataset),
                          table.encode("utf-8"))
    assert response.status_code == 500
    assert response.json["success"] is False
    nothing_left(dataset, storage, before)


def test_a_url_table_whose_report_cannot_be_stored_leaves_nothing(
        app, dataset, storage, web_files, refuse_writes_to):
    token = factories.SysadminWithToken()["token"]
    before = traces()
    refuse_writes_to(reports.TABLE)
    response = app.post("/api/3/action/resource_create", headers={"Authorization": token},
                        json=table_fields(dataset, url=web_files.add("/kalk.csv", VALID)))
    assert response.status_code == 500
    nothing_left(dataset, storage, before)


def test_the_web_form_saves_nothing_when_the_upload_fails(app, dataset, storage, refuse_writes_to):
    token = factories.SysadminWithToken()["token"]
    before = traces()
    refuse_writes_to(reports.TABLE)
    form = {"id": "", "name": "population", "format": "CSV", "schema": SCHEMA,
            "url": "population.csv", "save": "go-metadata",
            "upload": (io.BytesIO(VALID.encode("utf-8")), "population.csv")}
    # the test client raises what gunicorn answers with a 500
    with pytest.raises(sa.exc.InternalError, match="refused by the test"):
        app.post(f"/dataset/{dataset['name']}/resource/new",
                 headers={"Authorization": token}, data=form)
    nothing_left(dataset, storage, before)


def test_an_upload_failing_after_ckan_stored_its_file_leaves_no_file(
        app, dataset, storage, refuse_writes_to):
    token = factories.SysadminWithToken()["token"]
    before = traces()
    refuse_writes_to("kg_search_index")  # written after the file, before the commit
    response = api_upload(app, token, "resource_create", table_fields(dataset),
                          VALID.encode("utf-8"))
    assert response.status_code == 500
    nothing_left(dataset, storage, before)


@pytest.fixture
def published(app, dataset, storage):
    """A valid table, uploaded through the API."""
    token = factories.SysadminWithToken()["token"]
    response = api_upload(app, token, "resource_create", table_fields(dataset),
                          VALID.encode("utf-8"))
    resource = response.json["result"]
    assert helpers.call_action("kg_validation_show", id=resource["id"])["status"] == "success"
    return helpers.call_action("resource_show", id=resource["id"])


def as_it_was(resource, storage, file_before):
    """The resource, its file, its report and its rows as they were."""
    assert helpers.call_action("resource_show", id=resource["id"]) == resource
    assert [p.read_bytes() for p in storage.joinpath("resources").rglob("*")
            if p.is_file()] == [file_before]
    shown = helpers.call_action("kg_validation_show", id=resource["id"])
    assert (shown["status"], shown["job"]["state"]) == ("success", "done")
    rows = helpers.call_action("datastore_search", resource_id=resource["id"])["records"]
    assert [r["population"] for r in rows] == [513000, 301600]


@pytest.mark.parametrize("refused", ["kg_validation_report", "kg_search_index"],
                         ids=["report", "after-the-file"])
def test_an_update_that_fails_puts_the_table_back_as_it_was(
        app, published, storage, refused, refuse_writes_to):
    token = factories.SysadminWithToken()["token"]
    file_before = VALID.encode("utf-8")
    refuse_writes_to(refused)
    response = api_upload(app, token, "resource_update",
                          dict(table_fields({"id": published["package_id"]}),
                               id=published["id"], name="population, new"),
                          INVALID.encode("utf-8"))
    assert response.status_code == 500
    as_it_was(published, storage, file_before)


def test_a_url_that_replaces_an_upload_and_fails_puts_the_file_back(
        app, published, storage, web_files, refuse_writes_to):
    token = factories.SysadminWithToken()["token"]
    refuse_writes_to(reports.TABLE)
    response = app.post("/api/3/action/resource_update", headers={"Authorization": token},
                        json=dict(table_fields({"id": published["package_id"]}),
                                  id=published["id"], clear_upload=True,
                                  url=web_files.add("/kalk.csv", INVALID)))
    assert response.status_code == 500
    as_it_was(published, storage, VALID.encode("utf-8"))


def test_a_dataset_created_with_a_table_that_fails_is_not_created(
        sysadmin, storage, refuse_writes_to):
    org = factories.Organization(name="nsc")
    before = traces()
    refuse_writes_to(reports.TABLE)
    upload = FileStorage(stream=io.BytesIO(VALID.encode("utf-8")), filename="population.csv")
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action(
            "package_create", context={"user": sysadmin["name"]}, name="kalk",
            private=True, owner_org=org["id"], **METADATA,
            resources=[dict(name="population", format="CSV", schema=SCHEMA,
                            url="population.csv", upload=upload)])
    assert error.value.error_dict == {
        "upload": ["The files could not be stored, so the dataset was not created."]}
    model.Session.rollback()
    assert model.Session.query(model.Package).count() == 0
    assert files_in(storage) == []
    assert traces() == before


def test_a_successful_update_leaves_no_second_name_of_the_old_file(app, published, storage):
    token = factories.SysadminWithToken()["token"]
    response = api_upload(app, token, "resource_update",
                          dict(table_fields({"id": published["package_id"]}),
                               id=published["id"]), INVALID.encode("utf-8"))
    assert response.status_code == 200
    files = [p for p in storage.joinpath("resources").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in files] == [INVALID.encode("utf-8")]
    assert files[0].name == published["id"][6:]  # CKAN's own name, and no other



def unmet_rules_of_nsc():
    """The rules nsc's datasets do not meet, with how many, as the index counts them."""
    found = helpers.call_action("kg_compliance_show", organization="nsc", rows=0)
    return [(rule["number"], rule["datasets"]) for rule in found["unmet_rules"]]


def test_an_update_undone_after_its_report_leaves_the_dataset_judged_by_its_old_file(
        app, dataset, storage, refuse_writes_to):
    token = factories.SysadminWithToken()["token"]
    first = api_upload(app, token, "resource_create", table_fields(dataset),
                       INVALID.encode("utf-8")).json["result"]
    assert unmet_rules_of_nsc() == [("5.3", 1)]
    refuse_writes_to("resource_view")  # after the new file's report: its preview
    response = api_upload(app, token, "resource_update",
                          dict(table_fields(dataset), id=first["id"]), VALID.encode("utf-8"))
    assert response.status_code == 500
    assert [p.read_bytes() for p in storage.joinpath("resources").rglob("*")
            if p.is_file()] == [INVALID.encode("utf-8")]
    assert helpers.call_action("kg_validation_show", id=first["id"])["status"] == "failure"
    assert unmet_rules_of_nsc() == [("5.3", 1)]
