"""What a passing table becomes: an XLSX source loaded typed, and a data
dictionary in the reader's language."""
import io
import json

import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema

DICTIONARY_SCHEMA = {"fields": [
    {"name": "region", "type": "string", "title": "Region",
     "description": "Region of the Kyrgyz Republic.",
     "kg": {"title_translated": {"ky": "Облус", "ru": "Область", "en": "Region"},
            "description_translated": {"ky": "Кыргыз Республикасынын облусу.",
                                       "ru": "Область Кыргызской Республики."}}},
    {"name": "population", "type": "integer", "title": "Population"},
    {"name": "note", "type": "string"}]}


def xlsx(rows):
    from openpyxl import Workbook
    book = Workbook()
    for row in rows:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def test_an_xlsx_table_is_validated_and_loaded_typed(upload_file, dataset):
    schema = {"fields": [{"name": "region", "type": "string"},
                         {"name": "year", "type": "integer"},
                         {"name": "share", "type": "number"}]}
    data = xlsx([("region", "year", "share"), ("Ысык-Көл", 2023, 12.5),
                 ("Нарын", 2023, 7.25)])
    resource = upload_file(data, "population.xlsx", package_id=dataset["id"],
                           url="population.xlsx", format="XLSX", schema=json.dumps(schema))
    shown = helpers.call_action("kg_validation_show", id=resource["id"])
    assert shown["status"] == "success", shown["report"].get("errors")
    assert shown["report"]["datastore"] == {"loaded": True, "rows": 2}
    result = helpers.call_action("datastore_search", resource_id=resource["id"],
                                 sort="share desc")
    assert [(f["id"], f["type"]) for f in result["fields"]][1:] == [
        ("region", "text"), ("year", "int8"), ("share", "numeric")]
    assert [(r["region"], r["year"], float(r["share"])) for r in result["records"]] == [
        ("Ысык-Көл", 2023, 12.5), ("Нарын", 2023, 7.25)]


def test_an_xlsx_table_with_a_wrong_value_is_not_loaded(upload_file, dataset):
    schema = {"fields": [{"name": "region", "type": "string"},
                         {"name": "year", "type": "integer"}]}
    data = xlsx([("region", "year"), ("Ысык-Көл", "эки миң"), ("Нарын", 2023)])
    resource = upload_file(data, "population.xlsx", package_id=dataset["id"],
                           url="population.xlsx", format="XLSX", schema=json.dumps(schema))
    shown = helpers.call_action("kg_validation_show", id=resource["id"])
    assert shown["status"] == "failure"
    assert [(e["fieldNumber"], e["type"]) for e in shown["report"]["errors"]] == [
        (2, "type-error")]
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("datastore_search", resource_id=resource["id"])


@pytest.fixture
def dictionary_table(upload_file, dataset):
    return upload_file("region,population,note\nНарын,301600,\n", "population.csv",
                       package_id=dataset["id"], url="population.csv", format="CSV",
                       schema=json.dumps(DICTIONARY_SCHEMA, ensure_ascii=False))


def dictionary(app, lang, action, resource_id):
    token = factories.SysadminWithToken()["token"]
    result = app.get(f"/{lang}/api/3/action/{action}",
                     query_string={"id" if action == "datastore_info" else "resource_id":
                                   resource_id},
                     headers={"Authorization": token}).json["result"]
    return [(f["id"], f.get("info", {}).get("label"), f.get("info", {}).get("notes"))
            for f in result["fields"] if f["id"] != "_id"]


@pytest.mark.parametrize("action", ["datastore_info", "datastore_search"])
def test_the_data_dictionary_speaks_the_readers_language(app, dictionary_table, action):
    rid = dictionary_table["id"]
    assert dictionary(app, "ky", action, rid) == [
        ("region", "Облус", "Кыргыз Республикасынын облусу."),
        ("population", "Population", None), ("note", None, None)]
    assert dictionary(app, "ru", action, rid)[0] == (
        "region", "Область", "Область Кыргызской Республики.")
    # no English notes in the schema's kg block: the schema's own description
    assert dictionary(app, "en", action, rid)[0] == (
        "region", "Region", "Region of the Kyrgyz Republic.")


def test_a_new_dictionary_replaces_the_old_one_without_reloading(
        dictionary_table, sysadmin):
    schema = json.loads(json.dumps(DICTIONARY_SCHEMA))
    schema["fields"][1]["title"] = "Population, people"
    helpers.call_action("resource_patch", context={"user": sysadmin["name"]},
                        id=dictionary_table["id"], schema=json.dumps(schema))
    fields = helpers.call_action("datastore_info", id=dictionary_table["id"])["fields"]
    assert [f.get("info", {}).get("label") for f in fields if f["id"] == "population"] == [
        "Population, people"]


def test_a_table_in_postgresqls_own_syntax_is_copied_as_it_is(tmp_path):
    from ckanext.kg.publishing.load.datastore import copies_as_is
    canonical = tmp_path / "canonical.csv"
    canonical.write_text("region,share\nНарын,12.5\n", encoding="utf-8")
    plain = {"fields": [{"name": "region", "type": "string"},
                        {"name": "share", "type": "number"}]}
    comma = {"fields": [plain["fields"][0], dict(plain["fields"][1], decimalChar=",")]}
    assert copies_as_is(plain, canonical) is True
    assert copies_as_is(comma, canonical) is False
    assert copies_as_is(dict(plain, missingValues=["", "-"]), canonical) is False
    assert copies_as_is({"fields": plain["fields"][::-1]}, canonical) is False


@pytest.mark.parametrize("missing", [None, ["", "-"]], ids=["as-is", "row-by-row"])
def test_missing_values_are_nulls_either_way(upload_file, dataset, missing):
    schema = {"fields": [{"name": "region", "type": "string"},
                         {"name": "population", "type": "integer"}]}
    if missing:
        schema["missingValues"] = missing
    resource = upload_file('region,population\n"",301600\nНарын,\n', "population.csv",
                           package_id=dataset["id"], url="population.csv", format="CSV",
                           schema=json.dumps(schema))
    result = helpers.call_action("datastore_search", resource_id=resource["id"],
                                 sort="_id")
    assert [(r["region"], r["population"]) for r in result["records"]] == [
        (None, 301600), ("Нарын", None)]


def test_full_text_search_finds_loaded_rows(upload_file, dataset):
    resource = upload_file("region,population\nНарын,301600\nТалас,270000\n",
                           "population.csv", package_id=dataset["id"],
                           url="population.csv", format="CSV", schema=json.dumps(
                               {"fields": [{"name": "region", "type": "string"},
                                           {"name": "population", "type": "integer"}]}))
    for q, expected in (("Талас", ["Талас"]), ("301600", ["Нарын"]), ("Ош", [])):
        result = helpers.call_action("datastore_search", resource_id=resource["id"], q=q)
        assert [r["region"] for r in result["records"]] == expected, q


def test_a_column_name_the_datastore_refuses_is_named_in_the_report(
        app, upload_file, dataset):
    resource = upload_file("_code,population\nKG02,301600\n", "population.csv",
                           package_id=dataset["id"], url="population.csv", format="CSV",
                           schema=json.dumps({"fields": [
                               {"name": "_code", "type": "string"},
                               {"name": "population", "type": "integer"}]}))
    token = factories.SysadminWithToken()["token"]
    shown = {lang: app.get(f"/{lang}/api/3/action/kg_validation_show",
                           query_string={"id": resource["id"]},
                           headers={"Authorization": token}).json["result"]
             for lang in ("en", "ky", "ru")}
    assert shown["en"]["status"] == "failure"
    assert shown["en"]["report"]["datastore"]["loaded"] is False
    assert shown["en"]["report"]["datastore"]["message"].startswith(
        "The table passed validation, but the DataStore cannot have these column "
        "names: «_code».")
    assert shown["ky"]["report"]["datastore"]["message"].startswith(
        "Таблица текшерүүдөн өттү, бирок DataStore мындай мамыча аттарын кабыл "
        "албайт: «_code».")
    assert shown["ru"]["report"]["datastore"]["message"].startswith(
        "Таблица прошла проверку, но DataStore не принимает такие имена столбцов: "
        "«_code».")
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("datastore_search", resource_id=resource["id"])


def test_a_table_the_vectorised_rows_do_not_model_is_loaded_row_by_row(
        upload_file, dataset, tmp_path):
    """COPY has begun on the vectorised rows when their writer gives up
    (`write_copy_rows` models valid cells only): it is rolled back, and
    the table is loaded from the rows read one by one instead."""
    from ckanext.kg.publishing.files import stored
    from ckanext.kg.publishing.load import datastore
    schema = {"fields": [{"name": "region", "type": "string"},
                         {"name": "population", "type": "integer"}],
              "missingValues": ["", "-"]}
    resource = upload_file("region,population\nНарын,-\n", "population.csv",
                           package_id=dataset["id"], url="population.csv", format="CSV",
                           schema=json.dumps(schema))
    canonical = tmp_path / "canonical.csv"
    rows = [f"Айыл {n},{n}" for n in range(200_000)] + ["Ош,көп"]
    canonical.write_text("region,population\n" + "\n".join(rows) + "\n", "utf-8")
    loaded = datastore.load_table(resource["id"], canonical, schema)
    assert loaded == 200_001
    result = helpers.call_action("datastore_search", resource_id=resource["id"],
                                 sort="_id desc", limit=2)
    assert [(r["region"], r["population"]) for r in result["records"]] == [
        ("Ош", None), ("Айыл 199999", 199999)]
    with stored.open_current(resource["id"], "csv") as served:
        assert served.read().decode("utf-8").endswith("Айыл 199999,199999\nОш,\n")
