"""An upload is all or nothing: resource_create and resource_update, through
the API and the web form, either save the resource with its file judged,
or answer an error and leave nothing behind (no resource, no file, no
report, no DataStore table); a damaged file is reported, never half-saved."""
import io

import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import SCHEMA

pytestmark = portal_schema
NUL_TABLE = "region,year,population\nЫсык-Көл,2023,513000\nНа\x00рын,2023,301600\n"


def api_upload(app, token, action, data, body, lang="en"):
    prefix = "" if lang == "en" else f"/{lang}"
    return app.post(f"{prefix}/api/3/action/{action}", headers={"Authorization": token},
                    data=dict(data, upload=(io.BytesIO(body), "population.csv")))


def table_fields(dataset, **extra):
    return dict(package_id=dataset["id"], name="population", format="CSV",
                schema=SCHEMA, url="population.csv", **extra)


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
