"""Every path into the portal validates a table: URL resources (fetched
within limits), tables given to package_create and package_update, schema
changes; a table is held back until its current file has passed."""
import io
import json

import pytest
import requests
from ckan.tests import factories, helpers
from werkzeug.datastructures import FileStorage

from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import INVALID, SCHEMA, VALID

pytestmark = [*portal_schema,
              pytest.mark.ckan_config("ckanext.kg.fetch.allow_private_addresses", True)]
ObjectNotFound = helpers.logic.NotFound


def call(action, user, **data):
    return helpers.call_action(action, context={"user": user["name"]}, **data)


def url_table(sysadmin, dataset, url, **extra):
    return call("resource_create", sysadmin, package_id=dataset["id"], url=url,
                name="population", format="CSV", schema=SCHEMA, **extra)


def shown(resource_id, lang="en"):
    return helpers.call_action("kg_validation_show", id=resource_id)


def rows(resource_id):
    result = helpers.call_action("datastore_search", resource_id=resource_id,
                                 sort="population desc")
    return [(r["region"], r["population"]) for r in result["records"]]


def download_status(app, dataset, resource):
    token = factories.SysadminWithToken()["token"]
    response = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download",
                       headers={"Authorization": token}, follow_redirects=False)
    return response.status_code


def test_a_url_table_is_fetched_validated_and_loaded(app, sysadmin, dataset, web_files):
    resource = url_table(sysadmin, dataset, web_files.add("/population.csv", VALID))
    report = shown(resource["id"])
    assert (report["status"], report["job"]["state"]) == ("success", "done")
    assert report["report"]["path"] == "population.csv"
    assert rows(resource["id"]) == [("Ысык-Көл", 513000), ("Нарын", 301600)]
    assert download_status(app, dataset, resource) == 302  # on to the URL itself


def test_an_invalid_url_table_is_held_back(app, sysadmin, dataset, web_files):
    resource = url_table(sysadmin, dataset, web_files.add("/population.csv", INVALID))
    report = shown(resource["id"])
    assert report["status"] == "failure"
    assert [(e["rowNumber"], e["fieldNumber"], e["type"])
            for e in report["report"]["errors"]] == [(2, 3, "type-error")]
    with pytest.raises(ObjectNotFound):
        helpers.call_action("datastore_search", resource_id=resource["id"])
    assert download_status(app, dataset, resource) == 404


@pytest.mark.parametrize("path, serve, error, english", [
    ("/missing.csv", None, "http-status",
     "The address answered with HTTP status 404 instead of the file."),
    ("/page.csv", ("<html><body>Данные</body></html>", "text/html", 200, {}), "html",
     "The address serves a web page, not a table: give the address of the file itself."),
    ("/loop.csv", ("", "text/plain", 302, {"Location": "/loop.csv"}), "too-many-redirects",
     "The address redirects too many times."),
])
def test_a_url_that_gives_no_table_gets_a_clear_report(
        app, sysadmin, dataset, web_files, path, serve, error, english):
    if serve:
        body, content_type, status, headers = serve
        web_files.add(path, body, content_type, status, **headers)
    resource = url_table(sysadmin, dataset, web_files.url(path))
    report = shown(resource["id"])
    assert report["status"] == "failure"
    assert report["report"]["fetch"]["error"] == error
    assert report["report"]["errors"][0]["message"] == english
    assert download_status(app, dataset, resource) == 404
    token = factories.SysadminWithToken()["token"]
    messages = {lang: app.get(f"/{lang}/api/3/action/kg_validation_show",
                              query_string={"id": resource["id"]},
                              headers={"Authorization": token}).json["result"]
                ["report"]["errors"][0]["message"] for lang in ("ky", "ru")}
    assert messages["ky"] != english and messages["ru"] != english
    assert len(set(messages.values())) == 2


def test_an_unreachable_address_is_reported(sysadmin, dataset, web_files):
    address = web_files.url("/population.csv")
    web_files.server.shutdown()
    web_files.server.server_close()  # nothing listens there any more
    resource = url_table(sysadmin, dataset, address)
    report = shown(resource["id"])
    assert report["status"] == "failure"
    assert report["report"]["errors"][0]["message"] == \
        "The address could not be reached: ConnectionError."


def test_an_address_inside_the_portals_network_is_refused(
        sysadmin, dataset, web_files, ckan_config, monkeypatch):
    # the module allows the local test server; production does not
    monkeypatch.setitem(ckan_config, "ckanext.kg.fetch.allow_private_addresses", False)
    resource = url_table(sysadmin, dataset, web_files.add("/population.csv", VALID))
    report = shown(resource["id"])
    assert (report["status"], report["report"]["fetch"]["error"]) == (
        "failure", "forbidden-address")


@pytest.mark.ckan_config("ckanext.kg.fetch.max_bytes", 20)
def test_a_url_file_over_the_limit_is_refused(sysadmin, dataset, web_files):
    resource = url_table(sysadmin, dataset, web_files.add("/population.csv", VALID))
    report = shown(resource["id"])
    assert report["report"]["errors"][0]["message"] == \
        "The file is larger than the portal accepts (20 bytes)."


def test_a_new_url_needs_a_new_report(sysadmin, dataset, web_files):
    resource = url_table(sysadmin, dataset, web_files.add("/good.csv", VALID))
    call("resource_patch", sysadmin, id=resource["id"],
         url=web_files.add("/bad.csv", INVALID))
    assert shown(resource["id"])["status"] == "failure"
    assert rows(resource["id"]) == [("Ысык-Көл", 513000), ("Нарын", 301600)]


def test_tables_given_to_package_create_are_validated(sysadmin, web_files):
    org = factories.Organization()
    from ckanext.kg.tests.publishing.conftest import METADATA
    dataset = call("package_create", sysadmin, owner_org=org["id"], private=True,
                   **METADATA, resources=[
                       {"name": "good", "url": web_files.add("/good.csv", VALID),
                        "format": "CSV", "schema": SCHEMA},
                       {"name": "bad", "url": web_files.add("/bad.csv", INVALID),
                        "format": "CSV", "schema": SCHEMA}])
    good, bad = dataset["resources"]
    assert [shown(good["id"])["status"], shown(bad["id"])["status"]] == [
        "success", "failure"]
    assert rows(good["id"]) == [("Ысык-Көл", 513000), ("Нарын", 301600)]
    with pytest.raises(ObjectNotFound):
        helpers.call_action("datastore_search", resource_id=bad["id"])


def test_an_upload_given_to_package_update_is_validated(app, sysadmin, dataset):
    upload = FileStorage(io.BytesIO(INVALID.encode("utf-8")), filename="population.csv")
    updated = call("package_update", sysadmin, **dict(
        helpers.call_action("package_show", id=dataset["id"]), resources=[
            {"name": "population", "url": "population.csv", "upload": upload,
             "format": "CSV", "schema": SCHEMA}]))
    resource = updated["resources"][0]
    assert resource["url_type"] == "upload"
    assert shown(resource["id"])["status"] == "failure"
    assert download_status(app, dataset, resource) == 404


def test_a_corrected_schema_is_validated_again(upload_file, sysadmin, dataset):
    resource = upload_file(INVALID, "population.csv", package_id=dataset["id"],
                           url="population.csv", format="CSV", schema=SCHEMA)
    assert shown(resource["id"])["status"] == "failure"
    as_text = json.loads(SCHEMA)
    as_text["fields"][2]["type"] = "string"
    call("resource_patch", sysadmin, id=resource["id"], schema=json.dumps(as_text))
    assert shown(resource["id"])["status"] == "success"


def test_an_unrelated_change_does_not_validate_again(upload_file, sysadmin, dataset):
    resource = upload_file(VALID, "population.csv", package_id=dataset["id"],
                           url="population.csv", format="CSV", schema=SCHEMA)
    before = shown(resource["id"])
    call("package_patch", sysadmin, id=dataset["id"], frequency="MONTHLY")
    call("resource_patch", sysadmin, id=resource["id"], description="Калктын саны")
    after = shown(resource["id"])
    assert (after["created"], after["job"]["updated"]) == (
        before["created"], before["job"]["updated"])


def test_the_publisher_validates_a_url_again_from_the_report_page(
        app, sysadmin, dataset, web_files):
    resource = url_table(sysadmin, dataset, web_files.url("/population.csv"))
    assert shown(resource["id"])["status"] == "failure"  # nothing there yet
    page = f"/dataset/{dataset['name']}/resource/{resource['id']}/validation"
    token = factories.SysadminWithToken()["token"]
    assert "Validate again" in app.get(page, headers={"Authorization": token}).body
    web_files.add("/population.csv", VALID)
    response = app.post(page + "/retry", headers={"Authorization": token},
                        follow_redirects=False)
    assert response.status_code == 302 and response.location.endswith(page)
    assert shown(resource["id"])["status"] == "success"
    assert rows(resource["id"]) == [("Ысык-Көл", 513000), ("Нарын", 301600)]


def test_a_stranger_cannot_validate_again(app, sysadmin, dataset, web_files):
    resource = url_table(sysadmin, dataset, web_files.url("/population.csv"))
    stranger = factories.UserWithToken()["token"]
    response = app.post(f"/dataset/{dataset['name']}/resource/{resource['id']}"
                        "/validation/retry", headers={"Authorization": stranger})
    assert response.status_code == 404


def test_an_upload_given_to_package_create_is_stored_and_validated(app, sysadmin):
    """CKAN 2.12's package_create alone would not store the file."""
    from ckanext.kg.tests.publishing.conftest import METADATA
    files = [FileStorage(io.BytesIO(data.encode("utf-8")), filename="population.csv")
             for data in (VALID, INVALID)]
    dataset = call("package_create", sysadmin, owner_org=factories.Organization()["id"],
                   private=True, **METADATA, resources=[
                       {"name": name, "url": "population.csv", "upload": upload,
                        "format": "CSV", "schema": SCHEMA}
                       for name, upload in zip(("good", "bad"), files, strict=True)])
    good, bad = dataset["resources"]
    assert (good["url_type"], bad["url_type"]) == ("upload", "upload")
    assert [shown(good["id"])["status"], shown(bad["id"])["status"]] == [
        "success", "failure"]
    assert rows(good["id"]) == [("Ысык-Көл", 513000), ("Нарын", 301600)]
    assert download_status(app, dataset, bad) == 404
    assert download_status(app, dataset, good) == 200


@pytest.mark.ckan_config("ckan.max_resource_size", 1)
def test_a_dataset_whose_upload_cannot_be_stored_is_not_created(sysadmin):
    """No half-saved dataset: the second file is over the size limit."""
    from ckanext.kg.tests.publishing.conftest import METADATA
    too_large = "region,population\n" + "Ысык-Көл,513000\n" * 80000  # about 1.6 MB
    files = [FileStorage(io.BytesIO(data.encode("utf-8")), filename="population.csv")
             for data in (VALID, too_large)]
    from ckan import model
    agency = factories.Organization()
    with pytest.raises(helpers.logic.ValidationError) as refused:
        call("package_create", sysadmin, name="half-saved", private=True,
             owner_org=agency["id"], **METADATA, resources=[
                 {"name": name, "url": "population.csv", "upload": upload,
                  "format": "CSV", "schema": SCHEMA}
                 for name, upload in zip(("good", "large"), files, strict=True)])
    assert refused.value.error_dict == {
        "upload": ["The file is larger than the portal accepts (1 MB)."]}
    assert model.Session.query(model.Package).filter_by(owner_org=agency["id"]).count() == 0


def test_a_connection_that_reaches_a_private_address_sends_nothing(web_files):
    # what DNS rebinding comes to: the name was checked as public, but the
    # connection reaches the portal's own network; the server must see nothing
    from ckanext.kg.publishing.gate import fetch
    seen = []
    web_files.files["/secret"] = (200, {}, b"internal")
    original = web_files.server.RequestHandlerClass.do_GET

    def record(handler):
        seen.append(handler.path)
        return original(handler)

    web_files.server.RequestHandlerClass.do_GET = record
    with fetch.session(allow_private=False) as web, \
            pytest.raises(requests.ConnectionError) as error:
        web.get(web_files.url("/secret"), timeout=5)
    assert fetch.reached_private_address(error.value)
    assert seen == []
    with fetch.session(allow_private=True) as web:  # the same request, allowed
        assert web.get(web_files.url("/secret"), timeout=5).content == b"internal"
    assert seen == ["/secret"]
