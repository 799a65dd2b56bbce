import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.kg import indexing
from ckanext.kg.tests.conftest import portal_schema


def test_the_search_document_has_each_language_and_division_as_its_own_field():
    doc = {
        "name": "kalk",
        "title_translated": '{"ky": "Калк", "ru": "Население", "en": ""}',
        "notes_translated": '{"ky": "Калктын саны", "ru": "Численность"}',
        "keywords": '{"ky": ["калк"], "ru": ["население", "перепись"]}',
        "spatial_divisions": '["KG08000000000", "KG02000000000"]',
        "extras_title_translated": '{"ky": "Калк"}',
        "extras_spatial_divisions": '["KG08000000000"]',
        "theme": "SOCI",
    }
    assert indexing.search_document(doc) == {
        "name": "kalk",
        "title_ky": "Калк", "title_ru": "Население",
        "notes_ky": "Калктын саны", "notes_ru": "Численность",
        "keywords_ky": ["калк"], "keywords_ru": ["население", "перепись"],
        "spatial_divisions": ["KG08000000000", "KG02000000000"],
        "theme": "SOCI",
    }


def test_a_dataset_without_divisions_gets_an_empty_list():
    assert indexing.search_document({"name": "x"}) == {"name": "x", "spatial_divisions": []}


def test_each_language_of_a_tables_name_and_description_is_searchable_text():
    import json
    dataset = {"resources": [
        {"name": "population", "name_translated": {"ky": "Облустардын калкы",
                                                   "ru": "Население областей"},
         "description_translated": {"ky": "Жыл сайын."}},
        {"name": "towns", "name_translated": {}, "description_translated": {}}]}
    doc = {"name": "x", "res_name": ["population", "towns"], "res_description": ["", ""],
           "validated_data_dict": json.dumps(dataset)}
    shown = indexing.search_document(doc)
    assert (shown["res_name"], shown["res_description"]) == (
        ["population", "towns", "Облустардын калкы", "Население областей"],
        ["", "", "Жыл сайын."])


def test_the_search_document_holds_the_verdict_under_the_code_and_under_its_agency():
    import json
    dataset = {"id": "d1", "owner_org": "org-1",
               "title_translated": {"ky": "Калк", "ru": "Население"},
               "notes_translated": {"ky": "Калктын саны", "ru": "Численность"},
               "keywords": {"ky": ["калк"], "ru": ["население"]},
               "contact_name": "Асан", "contact_url": "https://stat.kg",
               "license_id": "cc-by", "access_level": "open", "frequency": "ANNUAL",
               "spatial_divisions": ["KG02000000000"], "theme": "SOCI",
               "resources": [{"url": "http://x.invalid/a.pdf", "format": "PDF"}]}
    doc = indexing.search_document({"name": "kalk", "validated_data_dict": json.dumps(dataset)})
    assert {k: v for k, v in doc.items() if k.startswith("kg_")} == {
        "kg_compliant": "false", "kg_unmet_rules": ["4.2"],
        "kg_agency_compliant": "org-1:false", "kg_agency_unmet_rules": ["org-1:4.2"]}
    dataset.update(temporal_start="2010-01-01", owner_org="")
    doc = indexing.search_document({"name": "kalk", "validated_data_dict": json.dumps(dataset)})
    assert {k: v for k, v in doc.items() if k.startswith("kg_")} == {
        "kg_compliant": "false", "kg_unmet_rules": ["2.1"]}
    dataset["owner_org"] = "org-1"
    doc = indexing.search_document({"name": "kalk", "validated_data_dict": json.dumps(dataset)})
    assert (doc["kg_compliant"], doc["kg_agency_compliant"], doc["kg_agency_unmet_rules"]) == (
        "true", "org-1:true", [])


@pytest.fixture
def statements():
    """The SQL statements run while the test runs, as PostgreSQL got them."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)
    sa.event.listen(model.meta.engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(model.meta.engine, "before_cursor_execute", count)


class TestAgencyNames:
    pytestmark = portal_schema

    def test_an_agency_is_named_in_the_readers_language_read_once_per_request(self, app,
                                                                             statements):
        agency = factories.Organization(title="Stat", title_translated={
            "ky": "Улуттук статистика комитети", "ru": "Национальный статистический комитет"})
        dataset = {"organization": {"id": agency["id"], "title": "Stat"}}
        with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": "ru"}):
            first = indexing.localise(dict(dataset))["organization"]["title"]
            read = len(statements)
            again = [indexing.localise(dict(dataset))["organization"]["title"] for _ in range(5)]
            assert len(statements) == read > 0
        assert [first] + again == ["Национальный статистический комитет"] * 6
        helpers.call_action("organization_patch", context={"user": factories.Sysadmin()["name"]},
                            id=agency["id"], title_translated={
            "ky": "Статкомитет", "ru": "Статкомитет КР"})
        with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": "ru"}):
            assert indexing.localise(dict(dataset))["organization"]["title"] == "Статкомитет КР"

    def test_a_page_of_results_names_its_agencies_reading_them_together(self, app,
                                                                         statements):
        names = [{"ky": "Статистика", "ru": "Статкомитет"}, {"ky": "Саламаттык", "ru": "Минздрав"},
                 {}]  # the last has no names of its own: CKAN's title stays
        agencies = [factories.Organization(title=f"Agency {n}", title_translated=t)
                    for n, t in enumerate(names)]
        datasets = [{"name": f"d{n}", "organization": {"id": a["id"], "title": a["title"]}}
                    for n, a in enumerate(agencies * 2)]
        statements.clear()
        with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": "ru"}):
            with indexing.agencies_named_together():
                shown = [indexing.localise(dict(d)) for d in datasets]
                assert [d["organization"]["title"] for d in shown] == [
                    a["title"] for a in agencies * 2]  # not yet: read when it ends
                assert statements == []
            assert len([s for s in statements if '"group"' in s]) == len(statements) == 1
        assert [d["organization"]["title"] for d in shown] == [
            "Статкомитет", "Минздрав", "Agency 2"] * 2

    def test_package_search_for_a_page_names_the_agencies(self, app):
        agency = factories.Organization(title="Stat", title_translated={
            "ky": "Улуттук статистика комитети", "ru": "Национальный статистический комитет"})
        factories.Dataset(owner_org=agency["id"],
                          title_translated={"ky": "Калк", "ru": "Население"},
                          notes_translated={"ky": "Калктын саны.", "ru": "Численность населения."},
                          keywords={"ky": ["калк"], "ru": ["население"]},
                          contact_name="Маалымат бөлүмү", contact_email="info@example.invalid",
                          license_id="cc-by", access_level="open", frequency="ANNUAL",
                          temporal_start="2023-01-01", spatial_divisions=["KG02000000000"],
                          theme="SOCI", resources=[{"url": "http://example.invalid/a.pdf",
                                                    "format": "PDF"}])
        for lang, title in (("ru", "Население"), ("ky", "Калк")):
            with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": lang}):
                found = helpers.call_action("package_search", context={"for_view": True})
            [result] = found["results"]
            assert (result["title"], result["organization"]["title"]) == (
                title, agency["title_translated"][lang])
