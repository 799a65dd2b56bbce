"""The data-exchange code through CKAN's real actions: what can be public."""
import ckan.model as model
import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema

ValidationError = helpers.logic.ValidationError


@pytest.fixture
def agency():
    return factories.Organization(name="nsc", title="Улуттук статистика комитети")


@pytest.fixture
def compliant(agency):
    def make(**overrides):
        data = {
            "title_translated": {"ky": "Кыргыз Республикасынын калкы",
                                 "ru": "Население Кыргызской Республики",
                                 "en": "Population of the Kyrgyz Republic"},
            "notes_translated": {"ky": "Калктын саны облустар боюнча.",
                                 "ru": "Численность населения по областям."},
            "keywords": {"ky": ["калк"], "ru": ["население"], "en": ["population"]},
            "owner_org": agency["id"],
            "contact_name": "Асан Асанов",
            "contact_email": "info@stat.kg",
            "license_id": "cc-by",
            "access_level": "open",
            "frequency": "ANNUAL",
            "temporal_start": "2010-01-01",
            "spatial_divisions": ["KG02000000000", "KG08000000000"],
            "theme": "SOCI",
            "resources": [{"url": "http://example.invalid/report.pdf",
                           "format": "PDF", "name": "Report"}],
            "private": False,
        }
        data.update(overrides)
        return data
    return make


def create(data, user=None):
    user = user or factories.Sysadmin()
    return helpers.call_action("package_create", context={"user": user["name"]}, **data)


def refused_rules(error):
    return sorted(m.split(" ", 1)[0] for ms in error.value.error_dict.values()
                  if isinstance(ms, list) for m in ms
                  if isinstance(m, str) and m[:1].isdigit())


def test_a_compliant_dataset_is_published_with_a_transliterated_name(compliant):
    dataset = create(compliant())
    assert dataset["private"] is False
    assert dataset["name"] == "kyrgyz-respublikasynyn-kalky"
    assert dataset["title"] == "Кыргыз Республикасынын калкы"
    assert dataset["title_translated"]["ru"] == "Население Кыргызской Республики"
    assert sorted(t["name"] for t in dataset["tags"]) == ["population", "калк", "население"]
    compliance = helpers.call_action("kg_compliance_show", id=dataset["id"])
    assert (compliance["met"], compliance["total"], compliance["publishable"]) == (14, 14, True)
    assert compliance["openness_stars"] == 1


@pytest.mark.parametrize("change, rules", [
    ({"title_translated": {"ky": "Калк"}}, ["1.1"]),
    ({"notes_translated": {"ru": "Только по-русски"}}, ["1.2"]),
    ({"keywords": {"en": ["population"]}}, ["1.3"]),
    ({"contact_email": ""}, ["2.2"]),
    ({"access_level": "restricted"}, ["3.2"]),
    ({"frequency": ""}, ["4.1"]),
    ({"temporal_start": ""}, ["4.2"]),
    ({"spatial_divisions": []}, ["4.3"]),
    ({"theme": ""}, ["4.4"]),
    ({"resources": []}, ["5.1"]),
    ({"resources": [{"url": "http://example.invalid/t.csv", "format": "CSV"}]},
     ["5.2", "5.3"]),
    ({"notes_translated": {}, "theme": "", "contact_name": ""}, ["1.2", "2.2", "4.4"]),
])
def test_an_unmet_rule_keeps_the_dataset_from_the_public(compliant, change, rules):
    with pytest.raises(ValidationError) as error:
        create(compliant(**change))
    assert refused_rules(error) == rules
    assert model.Session.query(model.Package).count() == 0


def test_an_incomplete_dataset_can_be_kept_private_but_not_made_public(compliant):
    dataset = create(compliant(private=True, theme="", frequency=""))
    assert dataset["private"] is True
    with pytest.raises(ValidationError) as error:
        helpers.call_action("package_patch", id=dataset["id"], private=False)
    assert refused_rules(error) == ["4.1", "4.4"]
    model.Session.rollback()
    assert model.Package.get(dataset["id"]).private is True


def test_bulk_publishing_passes_the_same_gate(compliant, agency):
    dataset = create(compliant(private=True, theme=""))
    with pytest.raises(ValidationError) as error:
        helpers.call_action("bulk_update_public", datasets=[dataset["id"]],
                            org_id=agency["id"])
    assert error.value.error_dict == {dataset["name"]: ["4.4 A theme is chosen."]}
    assert model.Package.get(dataset["id"]).private is True


def test_bulk_publishing_checks_the_callers_right_before_reading_anything(compliant, agency):
    dataset = create(compliant(private=True, theme=""))
    editor_elsewhere = factories.User()
    other = factories.Organization()
    helpers.call_action("organization_member_create", id=other["id"],
                        username=editor_elsewhere["name"], role="editor")
    for org_id in (agency["id"], other["id"]):
        with pytest.raises(helpers.logic.NotAuthorized) as error:
            helpers.call_action("bulk_update_public", context={
                "user": editor_elsewhere["name"], "ignore_auth": False},
                datasets=[dataset["id"]], org_id=org_id)
        assert dataset["name"] not in str(error.value) and dataset["id"] not in str(error.value)
    assert model.Package.get(dataset["id"]).private is True


def test_bulk_publishing_judges_only_the_agencys_own_datasets(compliant, agency):
    """As CKAN changes only the datasets the agency owns, a dataset of
    another agency is neither judged nor named."""
    admin = factories.User()
    other = factories.Organization()
    helpers.call_action("organization_member_create", id=agency["id"],
                        username=admin["name"], role="admin")
    elsewhere = create(compliant(private=True, theme="", owner_org=other["id"]))
    helpers.call_action("bulk_update_public", context={
        "user": admin["name"], "ignore_auth": False},
        datasets=[elsewhere["id"]], org_id=agency["id"])
    assert model.Package.get(elsewhere["id"]).private is True


def test_a_dataset_whose_licence_is_unclear_stays_private(compliant):
    dataset = create(compliant(private=True, license_id="notspecified"))
    with pytest.raises(ValidationError) as error:
        helpers.call_action("package_patch", id=dataset["id"], private=False)
    assert refused_rules(error) == ["3.1"]


def test_a_table_waits_for_its_validation_report(compliant):
    """Until the ingestion step validates a file, no table can be public."""
    dataset = create(compliant(private=True, resources=[{
        "url": "http://example.invalid/t.csv", "format": "CSV",
        "schema": '{"fields": [{"name": "year", "type": "integer"}]}'}]))
    with pytest.raises(ValidationError) as error:
        helpers.call_action("package_patch", id=dataset["id"], private=False)
    assert refused_rules(error) == ["5.3"]


@pytest.mark.parametrize("change, field", [
    ({"license_id": "other-closed"}, "license_id"),
    ({"spatial_divisions": ["KG99999999999"]}, "spatial_divisions"),
    ({"contact_email": "not an e-mail"}, "contact_email"),
    ({"title_translated": {"ky": "<script>alert(1)</script>", "ru": "Калк"}},
     "title_translated"),
    ({"title_translated": {"ky": "К" * 100_000, "ru": "Калк"}}, "title_translated"),
    ({"title_translated": {"kk": "Халық", "ru": "Население"}}, "title_translated"),
    ({"keywords": {"ky": ["калк!"]}}, "keywords"),
])
def test_bad_values_are_refused_even_for_private_datasets(compliant, change, field):
    with pytest.raises(ValidationError) as error:
        create(compliant(private=True, **change))
    assert field in error.value.error_dict
    assert model.Session.query(model.Package).count() == 0


# rule 2.2: a name and an e-mail address or a contact web page

CONTACT_REFUSED = {
    "": "2.2 A contact point is given: a name and an e-mail address or a contact web page.",
    "/ru": "2.2 Указано контактное лицо: имя и адрес электронной почты или контактная "
           "веб-страница.",
    "/ky": "2.2 Байланыш көрсөтүлгөн: аты-жөнү жана электрондук почта дареги же байланыш "
           "веб-барагы.",
}


def test_a_contact_web_page_without_an_e_mail_address_meets_rule_2_2(compliant):
    dataset = create(compliant(private=True, contact_email="",
                               contact_url="https://stat.kg/ru/contacts/"))
    published = helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]},
                                    id=dataset["id"], private=False)
    assert (published["private"], published["contact_email"], published["contact_url"]) == (
        False, "", "https://stat.kg/ru/contacts/")
    compliance = helpers.call_action("kg_compliance_show", id=dataset["id"])
    assert next(r for r in compliance["rules"] if r["number"] == "2.2")["met"] is True


@pytest.mark.parametrize("prefix", sorted(CONTACT_REFUSED))
def test_neither_e_mail_nor_web_page_is_refused_in_the_users_language(app, compliant, prefix):
    token = factories.SysadminWithToken()["token"]
    response = app.post(f"{prefix}/api/3/action/package_create",
                        json=compliant(contact_email="", contact_url=""),
                        headers={"Authorization": token}, status=409)
    errors = {k: v for k, v in response.json["error"].items() if k != "__type"}
    assert errors == {"contact_email": [CONTACT_REFUSED[prefix]]}


WEB_ADDRESS_REFUSED = {
    "": "Not a valid web address: it must start with http:// or https:// (rule 2.2).",
    "/ru": "Недопустимый веб-адрес: он должен начинаться с http:// или https:// (правило 2.2).",
    "/ky": "Веб-дарек жараксыз: ал http:// же https:// менен башталышы керек (2.2-эреже).",
}


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "ftp://x", "example.org", "http://", "https://exa mple.org",
    "http://" + "a" * 2000 + ".kg"])
def test_a_malformed_contact_page_is_refused_even_for_a_private_dataset(compliant, url):
    with pytest.raises(ValidationError) as error:
        create(compliant(private=True, contact_url=url))
    assert error.value.error_dict == {"contact_url": [WEB_ADDRESS_REFUSED[""]]}
    assert model.Session.query(model.Package).count() == 0


@pytest.mark.parametrize("prefix", sorted(WEB_ADDRESS_REFUSED))
def test_the_web_address_refusal_speaks_the_users_language(app, compliant, prefix):
    token = factories.SysadminWithToken()["token"]
    response = app.post(f"{prefix}/api/3/action/package_create",
                        json=compliant(private=True, contact_url="ftp://stat.kg"),
                        headers={"Authorization": token}, status=409)
    assert response.json["error"]["contact_url"] == [WEB_ADDRESS_REFUSED[prefix]]


def test_a_malformed_e_mail_address_is_refused_even_for_a_private_dataset(compliant):
    with pytest.raises(ValidationError) as error:
        create(compliant(private=True, contact_email="info@", contact_url=""))
    assert error.value.error_dict == {
        "contact_email": ["Not a valid e-mail address (rule 2.2)."]}


def test_a_taken_name_gets_the_next_free_number(compliant):
    first = create(compliant())
    second = create(compliant())
    assert (first["name"], second["name"]) == (
        "kyrgyz-respublikasynyn-kalky", "kyrgyz-respublikasynyn-kalky-2")


@pytest.mark.parametrize("q", ["калкы", "население", "population"])
def test_search_finds_a_word_of_any_language(compliant, q):
    dataset = create(compliant())
    result = helpers.call_action("package_search", q=q)
    assert [d["name"] for d in result["results"]] == [dataset["name"]]


def test_search_filters_and_facets_by_administrative_division(compliant):
    chui = create(compliant(spatial_divisions=["KG08000000000"]))
    create(compliant(spatial_divisions=["KG02000000000", "KG03000000000"]))
    result = helpers.call_action(
        "package_search", fq='spatial_divisions:"KG08000000000"',
        **{"facet.field": '["spatial_divisions"]'})
    assert [d["name"] for d in result["results"]] == [chui["name"]]
    assert result["search_facets"]["spatial_divisions"]["items"] == [
        {"name": "KG08000000000", "display_name": "KG08000000000", "count": 1}]


@pytest.mark.parametrize("inn, valid", [
    ("01234567891234", True), ("", True), ("1234", False), ("0123456789123x", False)])
def test_agency_inn_has_fourteen_digits(inn, valid):
    data = {"name": "tunduk", "title_translated": {"ky": "Түндүк", "ru": "Тундук"},
            "inn": inn, "kind": "state_enterprise"}
    if valid:
        org = helpers.call_action("organization_create",
                                  context={"user": factories.Sysadmin()["name"]}, **data)
        assert org["title"] == "Түндүк"
    else:
        with pytest.raises(ValidationError) as error:
            helpers.call_action("organization_create",
                                context={"user": factories.Sysadmin()["name"]}, **data)
        assert "inn" in error.value.error_dict


@pytest.mark.parametrize("prefix, message", [
    ("", "4.4 A theme is chosen."),
    ("/ru", "4.4 Выбрана тема."),
    ("/ky", "4.4 Тема тандалган."),
])
def test_refusals_speak_the_users_language(app, compliant, prefix, message):
    token = factories.SysadminWithToken()["token"]
    response = app.post(f"{prefix}/api/3/action/package_create", json=compliant(theme=""),
                        headers={"Authorization": token}, status=409)
    assert response.json["error"]["theme"] == [message]


def test_agency_compliance_is_the_share_of_its_datasets_that_comply(compliant, agency):
    create(compliant())
    create(compliant(private=True, theme=""))
    sysadmin = factories.Sysadmin()
    as_sysadmin = helpers.call_action("kg_compliance_show", context={"user": sysadmin["name"]},
                                      organization="nsc")
    assert {k: v for k, v in as_sysadmin.items() if k != "results"} == {
        "organization": "nsc", "datasets": 2, "compliant": 1, "unjudged": 0, "share": 0.5,
        "unmet_rules": [{"number": "4.4", "field": "theme", "text": "A theme is chosen.",
                         "datasets": 1}],
        "count": 2, "start": 0}
    assert [(d["private"], d["publishable"], [r["number"] for r in d["unmet"]])
            for d in sorted(as_sysadmin["results"], key=lambda d: d["private"])] == [
        (False, True, []), (True, False, ["4.4"])]
    anonymous = helpers.call_action("kg_compliance_show",
                                    context={"user": "", "ignore_auth": False},
                                    organization="nsc")
    assert (anonymous["datasets"], anonymous["compliant"], anonymous["unmet_rules"]) == (
        1, 1, [])


@pytest.fixture
def seven_datasets(compliant, agency):
    """nsc: four public compliant datasets (kalk-1, -2, -4, -5) and three
    private ones without a theme or a contact point (kalk-0, -3, -6)."""
    for k in range(7):
        unmet = {"private": True, "theme": ""} if k % 3 == 0 else {}
        if k == 3:
            unmet["contact_name"] = ""
        create(compliant(name=f"kalk-{k}", **unmet))


def agency_compliance(user="", **params):
    return helpers.call_action("kg_compliance_show", context={"user": user, "ignore_auth": False},
                               organization="nsc", **params)


def names(found):
    return [d["name"] for d in found["results"]]


def test_an_agencys_share_counts_every_dataset_whatever_the_page(seven_datasets):
    sysadmin = factories.Sysadmin()["name"]
    pages = [agency_compliance(sysadmin, start=start, rows=3) for start in (0, 3, 6)]
    assert [(p["datasets"], p["compliant"], p["count"], p["start"]) for p in pages] == [
        (7, 4, 7, 0), (7, 4, 7, 3), (7, 4, 7, 6)]
    assert [names(p) for p in pages] == [
        ["kalk-0", "kalk-1", "kalk-2"], ["kalk-3", "kalk-4", "kalk-5"], ["kalk-6"]]
    assert [(r["number"], r["datasets"]) for r in pages[0]["unmet_rules"]] == [
        ("2.2", 1), ("4.4", 3)]
    counted = agency_compliance(sysadmin, rows=0)
    assert (counted["datasets"], counted["compliant"], counted["results"]) == (7, 4, [])


def test_an_agencys_datasets_are_listed_by_whether_they_comply(seven_datasets):
    sysadmin = factories.Sysadmin()["name"]
    failing = agency_compliance(sysadmin, complies=False)
    assert (failing["count"], names(failing)) == (3, ["kalk-0", "kalk-3", "kalk-6"])
    assert [[r["number"] for r in d["unmet"]] for d in failing["results"]] == [
        ["4.4"], ["2.2", "4.4"], ["4.4"]]
    passing = agency_compliance(sysadmin, complies="true", start=1, rows=2)
    assert (passing["datasets"], passing["count"], names(passing)) == (
        7, 4, ["kalk-2", "kalk-4"])
    assert agency_compliance(sysadmin, complies=False, rows=0)["count"] == 3
    anonymous = agency_compliance(complies=False)
    assert (anonymous["datasets"], anonymous["count"], anonymous["results"]) == (4, 0, [])


def test_an_agencys_share_is_read_from_the_counts_of_the_index(seven_datasets):
    """Not by collecting every dataset of the agency (the `hits` of a search
    with a filter) and counting their verdicts."""
    import sqlalchemy as sa

    from ckanext.kg.search import facet_counts, prepared
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)
    sa.event.listen(model.meta.engine, "before_cursor_execute", record)
    try:
        found = agency_compliance(factories.Sysadmin()["name"], rows=0)
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", record)
    searches = [prepared.statement_of(model.Session, s) for s in seen
                if "kg_search" in s and ("EXECUTE" in s or "WITH" in s)]
    assert (found["datasets"], found["compliant"]) == (7, 4)
    assert searches and all(facet_counts.COUNTS in s and "hits AS" not in s
                            for s in searches), searches


def index_without_verdicts(monkeypatch, *names):
    """The datasets indexed as a release before verdicts indexes them."""
    from ckan.lib import search

    from ckanext.kg import indexing
    with monkeypatch.context() as patched:
        patched.setattr(indexing, "add_compliance", lambda doc, dataset: doc)
        for name in names:
            search.rebuild(model.Package.get(name).id)
    model.Session.commit()


def test_datasets_indexed_before_verdicts_are_told_apart(seven_datasets, monkeypatch):
    index_without_verdicts(monkeypatch, "kalk-0", "kalk-1")
    found = agency_compliance(factories.Sysadmin()["name"], rows=0)
    assert (found["datasets"], found["unjudged"], found["compliant"], found["share"]) == (
        7, 2, 3, 0.6)
    assert [(r["number"], r["datasets"]) for r in found["unmet_rules"]] == [
        ("2.2", 1), ("4.4", 2)]


@pytest.mark.parametrize("params, refused", [
    ({"rows": 1001}, "rows"), ({"rows": "all"}, "rows"), ({"start": -1}, "start"),
    ({"complies": "maybe"}, "complies"), ({"complies": ["true", "false"]}, "complies")])
def test_an_agencys_listing_refuses_what_it_cannot_read(agency, params, refused):
    with pytest.raises(ValidationError) as error:
        agency_compliance(**params)
    assert list(error.value.error_dict) == [refused]


def test_compliance_of_a_private_dataset_is_unknown_to_anonymous_users(compliant):
    dataset = create(compliant(private=True))
    with pytest.raises(helpers.logic.NotFound) as error:
        helpers.call_action("kg_compliance_show", context={"user": "", "ignore_auth": False},
                            id=dataset["id"])
    assert str(error.value) == ""  # as for an unknown dataset
