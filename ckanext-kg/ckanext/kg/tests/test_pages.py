"""The portal's pages: the front page, a dataset's tables, an agency's
compliance and the developers' page, in Kyrgyz and Russian."""
import json

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.gate.test_validation import (
    INVALID,
    VALID,
    dataset,  # noqa: F401 (fixture)
    publish,
    upload,
)

pytestmark = portal_schema + [
    pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", True)]


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def texts(elements) -> list[str]:
    return [" ".join(e.get_text(" ", strip=True).split()) for e in elements]


@pytest.fixture
def published(upload_file, dataset):  # noqa: F811
    table = upload(upload_file, dataset, VALID, name="Облустардын калкы")
    publish(dataset)
    return dataset, table


def test_a_published_table_shows_status_downloads_preview_and_examples(app, published):
    pkg, table = published
    page = soup(app.get(f"/dataset/{pkg['name']}"))
    status = page.select("[data-kg-validation-status]")
    assert [s["data-kg-validation-status"] for s in status] == ["success"]
    links = page.select("section#kg-downloads a[data-kg-format]")
    assert [(a["data-kg-format"], a["href"]) for a in links] == [
        (fmt, f"/dataset/{pkg['name']}/resource/{table['id']}/export/{fmt}")
        for fmt in ("csv", "excel", "xlsx", "parquet", "json")]
    preview = page.select_one("table#kg-preview")
    assert texts(preview.select("th")) == ["region", "year", "population"]
    assert [texts(row.select("td")) for row in preview.select("tbody tr")] == [
        ["Ысык-Көл", "2023", "513,000"], ["Нарын", "2023", "301,600"]]
    examples = page.select_one("section#kg-developer-examples")
    assert examples.select_one('pre > code[data-kg-example="curl"]').get_text() == (
        "curl 'http://test.ckan.net/api/3/action/datastore_search"
        f"?resource_id={table['id']}&limit=5'")
    assert examples.select_one('code[data-kg-example="python"]').get_text() == (
        "from ckanapi import RemoteCKAN\n\n"
        'portal = RemoteCKAN("http://test.ckan.net")\n'
        f'result = portal.action.datastore_search(resource_id="{table["id"]}", limit=5)\n'
        'for row in result["records"]:\n    print(row)')
    assert examples.select_one('code[data-kg-example="sql"]').get_text() == (
        "curl -G 'http://test.ckan.net/api/3/action/datastore_search_sql' "
        f"--data-urlencode 'sql=SELECT * FROM \"{table['id']}\" LIMIT 5'")
    assert page.select_one("#kg-compliance a")["href"] == \
        f"/dataset/{pkg['name']}/compliance"


def test_the_examples_keep_the_portals_address_in_russian(app, published):
    pkg, table = published
    page = soup(app.get(f"/ru/dataset/{pkg['name']}"))
    assert page.select_one('code[data-kg-example="curl"]').get_text().startswith(
        "curl 'http://test.ckan.net/api/3/action/datastore_search?")
    assert texts(page.select("#kg-downloads a")) == [
        "CSV", "CSV для Excel", "Книга Excel (XLSX)", "Parquet", "JSON"]
    assert texts(page.select("#kg-developer-examples h2")) == ["Для разработчиков"]
    assert texts(page.select("[data-kg-validation-status]")) == ["прошла проверку"]
    assert texts(page.select("#kg-preview caption")) == [
        "Облустардын калкы: первые 2 из 2 строк"]


def test_the_dataset_page_speaks_kyrgyz(app, published):
    pkg, table = published
    page = soup(app.get(f"/ky/dataset/{pkg['name']}"))
    assert texts(page.select("#kg-downloads h2, #kg-preview-section h2, "
                             "#kg-developer-examples h2")) == [
        "Жүктөп алуу", "Алдын ала көрүү", "Иштеп чыгуучуларга"]
    assert texts(page.select("#kg-downloads a"))[:3] == [
        "CSV", "Excel үчүн CSV", "Excel китеби (XLSX)"]
    assert texts(page.select("[data-kg-validation-status]")) == ["текшерүүдөн өттү"]
    assert texts(page.select(".kg-compliance-summary"))[0].startswith(
        "14 эрежеден 14 эреже аткарылды. Ачыктык: 5 жылдыздан 3.")


def test_a_failed_table_has_no_downloads_preview_or_examples(app, upload_file,
                                                             dataset):  # noqa: F811
    table = upload(upload_file, dataset, INVALID)
    token = factories.SysadminWithToken()["token"]
    page = soup(app.get(f"/ky/dataset/{dataset['name']}", headers={"Authorization": token}))
    assert [s["data-kg-validation-status"]
            for s in page.select("[data-kg-validation-status]")] == ["failure"]
    assert texts(page.select("[data-kg-validation-status]")) == ["текшерүүдөн өткөн жок"]
    assert page.select_one(f'a[href="/ky/dataset/{dataset["name"]}/resource/{table["id"]}'
                           '/validation"]') is not None
    assert page.select("#kg-downloads, #kg-preview, #kg-developer-examples") == []


def test_anonymous_users_can_read_a_public_tables_report(app, published):
    pkg, table = published
    page = soup(app.get(f"/dataset/{pkg['name']}"))
    link = page.select_one(f'[data-kg-resource-id="{table["id"]}"] a')["href"]
    assert link == f"/dataset/{pkg['name']}/resource/{table['id']}/validation"
    assert "kg-status-success" in app.get(link).body


# the front page

def test_the_front_page_shows_themes_publishers_and_recent_datasets(app, published):
    pkg, _ = published
    helpers.call_action("organization_create", context={"user": factories.Sysadmin()["name"]},
                        name="no-public-datasets",
                        title_translated={"ky": "Бош уюм", "ru": "Пустая организация"})
    page = soup(app.get("/ky/"))
    assert page.html["lang"] == "ky"
    assert page.select_one("form[role=search] input[type=search]")["name"] == "q"
    themes = page.select(".kg-themes a")
    assert len(themes) == 13
    assert texts(themes[10:11]) == ["Калк жана коом 1 маалыматтар топтому"]
    assert themes[10]["href"] == "/ky/dataset/?theme=SOCI"
    assert page.select_one("#kg-agencies-title").get_text() == "Жарыялоочулар"
    agencies = page.select(".kg-agencies a")  # not the publisher with nothing public
    assert [a["href"] for a in agencies] == ["/ky/organization/nsc"]
    assert texts(agencies)[0].endswith(" 1 маалыматтар топтому")
    assert [a["href"] for a in page.select(".kg-recent a")] == [f"/ky/dataset/{pkg['name']}"]
    assert texts(page.select(".kg-recent a")) == ["Облустардын калкы"]


def _dataset_of(agency: dict, name: str, private: bool = False) -> dict:
    return helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]}, private=private,
        owner_org=agency["id"], name=name, title_translated={"ky": name, "ru": name},
        notes_translated={"ky": "Калктын саны.", "ru": "Численность населения."},
        keywords={"ky": ["калк"], "ru": ["население"]},
        contact_name="Маалымат бөлүмү", contact_email="info@example.invalid",
        license_id="cc-by", access_level="open", frequency="ANNUAL",
        temporal_start="2023-01-01", spatial_divisions=["KG02000000000"], theme="SOCI",
        resources=[{"url": "http://example.invalid/report.pdf", "format": "PDF"}])


def test_the_front_pages_publishers_count_public_datasets_for_every_reader(app):
    member = factories.UserWithToken()
    tied = factories.Organization(name="tied", title_translated={"ky": "Айыл чарба",
                                                                 "ru": "Сельское хозяйство"})
    most = factories.Organization(name="most", title_translated={"ky": "Статистика",
                                                                 "ru": "Статистика"})
    hidden = factories.Organization(name="hidden", title_translated={"ky": "Жабык", "ru": "Закрыт"},
                                    users=[{"name": member["name"], "capacity": "member"}])
    for n in range(3):
        _dataset_of(most, f"most-{n}")
    _dataset_of(tied, "tied-0")
    _dataset_of(hidden, "hidden-0")
    _dataset_of(hidden, "hidden-1", private=True)
    _dataset_of(hidden, "hidden-2", private=True)

    def publishers(headers):
        page = soup(app.get("/ru/", headers=headers))
        return [(a["href"], " ".join(a.get_text(" ", strip=True).split()))
                for a in page.select(".kg-agencies a")]
    assert publishers({}) == [
        ("/ru/organization/most", "Статистика 3 набора данных"),
        ("/ru/organization/hidden", "Закрыт 1 набор данных"),
        ("/ru/organization/tied", "Сельское хозяйство 1 набор данных")]
    assert publishers({"Authorization": member["token"]}) == publishers({})
    assert publishers({"Authorization": factories.SysadminWithToken()["token"]}) == \
        publishers({})


def test_the_front_page_speaks_russian(app, published):
    page = soup(app.get("/ru/"))
    assert texts(page.select("main h2, [role=main] h2")) == [
        "Темы", "Издатели", "Недавно обновлённые наборы данных"]
    assert texts(page.select(".kg-themes a"))[10] == "Население и общество 1 набор данных"
    assert texts(page.select(".kg-recent a")) == ["Население областей"]


def test_private_datasets_stay_off_the_front_page(app, dataset):  # noqa: F811
    page = soup(app.get("/"))
    assert page.select(".kg-recent a") == []
    assert "Облустардын" not in page.get_text()


def test_the_theme_link_finds_the_themes_datasets(app, published):
    pkg, _ = published
    page = soup(app.get("/dataset/?theme=SOCI"))
    assert f'/dataset/{pkg["name"]}' in [a["href"] for a in page.select(".dataset-heading a")]
    page = soup(app.get("/dataset/?theme=ECON"))
    assert page.select(".dataset-heading a") == []


# agencies

@pytest.fixture
def agency_datasets(published):
    """nsc: one public compliant dataset, one private one without a theme."""
    pkg, _ = published
    sysadmin = factories.Sysadmin()
    private = helpers.call_action(
        "package_create", context={"user": sysadmin["name"]}, private=True,
        owner_org=pkg["owner_org"],
        title_translated={"ky": "Жашыруун маалымат", "ru": "Скрытые данные"})
    return pkg, private


def test_the_agency_page_shows_the_share_of_compliant_datasets(app, agency_datasets):
    token = factories.SysadminWithToken()["token"]
    page = soup(app.get("/ru/organization/nsc", headers={"Authorization": token}))
    share = page.select_one(".kg-agency-compliance .kg-share")
    assert share["data-kg-share"] == "0.5"
    assert texts([share]) == ["50 % наборов данных соответствуют кодексу (1 из 2)."]
    assert page.select_one(".kg-agency-compliance a")["href"] == "/ru/organization/nsc/compliance"
    page = soup(app.get("/ky/organization/nsc"))
    assert texts(page.select(".kg-agency-compliance .kg-share")) == [
        "100% — кодекске ылайык келген маалыматтар топтомдорунун үлүшү (1 ичинен 1)."]


def test_the_agency_compliance_page_lists_unmet_rules(app, agency_datasets):
    public, private = agency_datasets
    token = factories.SysadminWithToken()["token"]
    page = soup(app.get("/ky/organization/nsc/compliance", headers={"Authorization": token}))
    rows = page.select("tr[data-kg-dataset]")
    assert [r["data-kg-dataset"] for r in rows] == sorted([public["name"], private["name"]])
    unmet = {r["data-kg-dataset"]: [li.get_text().split()[0] for li in r.select("li")]
             for r in rows}
    assert unmet == {public["name"]: [],
                     private["name"]: ["1.2", "1.3", "2.2", "4.1", "4.2", "4.3", "4.4",
                                       "5.1"]}
    private_rules = page.select(f'tr[data-kg-dataset="{private["name"]}"] li')
    assert "4.4 Тема тандалган." in texts(private_rules)
    assert ("2.2 Байланыш көрсөтүлгөн: аты-жөнү жана электрондук почта дареги же байланыш "
            "веб-барагы.") in texts(private_rules)


def test_the_agency_compliance_page_counts_the_unmet_rules(app, agency_datasets):
    token = factories.SysadminWithToken()["token"]
    page = soup(app.get("/ru/organization/nsc/compliance", headers={"Authorization": token}))
    rules = page.select("table.kg-unmet-rules tr[data-kg-rule]")
    assert [r["data-kg-rule"] for r in rules] == [
        "1.2", "1.3", "2.2", "4.1", "4.2", "4.3", "4.4", "5.1"]
    assert texts(rules)[-2:] == [
        "4.4 Выбрана тема. 1", "5.1 В наборе данных есть хотя бы один ресурс. 1"]


@pytest.mark.parametrize("query, listed, active", [
    ("", ["public", "private"], "Все"),
    ("?complies=false", ["private"], "Не соответствует"),
    ("?complies=true", ["public"], "Соответствует"),
    ("?complies=perhaps", ["public", "private"], "Все"),
])
def test_the_agency_compliance_page_lists_those_that_comply_or_not(app, agency_datasets,
                                                                  query, listed, active):
    named = {"public": agency_datasets[0]["name"], "private": agency_datasets[1]["name"]}
    token = factories.SysadminWithToken()["token"]
    page = soup(app.get(f"/ru/organization/nsc/compliance{query}",
                        headers={"Authorization": token}))
    assert [r["data-kg-dataset"] for r in page.select("tr[data-kg-dataset]")] == sorted(
        named[which] for which in listed)
    assert texts(page.select('.kg-compliance-filter a[aria-current="page"]')) == [active]
    assert [a["href"] for a in page.select(".kg-compliance-filter a")] == [
        "/ru/organization/nsc/compliance", "/ru/organization/nsc/compliance?complies=false",
        "/ru/organization/nsc/compliance?complies=true"]


def test_the_agency_compliance_page_lists_a_page_at_a_time(app, agency_datasets, monkeypatch):
    from ckanext.kg import views
    monkeypatch.setattr(views, "AGENCY_COMPLIANCE_PAGE", 1)
    token = factories.SysadminWithToken()["token"]
    names = sorted(d["name"] for d in agency_datasets)
    shown = []
    for number in (1, 2):
        page = soup(app.get(f"/ky/organization/nsc/compliance?page={number}",
                            headers={"Authorization": token}))
        shown += [r["data-kg-dataset"] for r in page.select("tr[data-kg-dataset]")]
        assert page.select_one(".kg-share")["data-kg-share"] == "0.5"
    assert shown == names
    links = {a["href"] for a in page.select(".pagination a")}
    assert "/ky/organization/nsc/compliance?page=1" in links
    filtered = soup(app.get("/ky/organization/nsc/compliance?complies=false&page=1",
                            headers={"Authorization": token}))
    assert [r["data-kg-dataset"] for r in filtered.select("tr[data-kg-dataset]")] == [
        agency_datasets[1]["name"]]
    beyond = soup(app.get("/ky/organization/nsc/compliance?complies=false&page=2",
                          headers={"Authorization": token}))
    assert beyond.select("tr[data-kg-dataset]") == []
    assert texts(beyond.select(".kg-none")) == [
        "Бул тизмеде бул органдын маалыматтар топтомдору жок."]


def test_the_agency_page_tells_datasets_not_judged_yet(app, agency_datasets, monkeypatch):
    from ckanext.kg.tests.logic.test_publication_gate import index_without_verdicts
    index_without_verdicts(monkeypatch, agency_datasets[1]["name"])
    token = factories.SysadminWithToken()["token"]
    page = soup(app.get("/ru/organization/nsc", headers={"Authorization": token}))
    assert texts(page.select(".kg-agency-compliance .kg-share, .kg-unjudged")) == [
        "100 % наборов данных соответствуют кодексу (1 из 1).",
        "1 набор данных ещё не оценён: доля считается по остальным."]
    assert soup(app.get("/organization/nsc")).select(".kg-unjudged") == []  # not to them


def test_anonymous_users_never_see_the_agencys_private_datasets(app, agency_datasets):
    public, private = agency_datasets
    page = app.get("/organization/nsc/compliance")
    rows = soup(page).select("tr[data-kg-dataset]")
    assert [r["data-kg-dataset"] for r in rows] == [public["name"]]
    assert private["name"] not in page.body
    assert "Жашыруун" not in page.body


def test_an_unknown_agency_is_not_found(app):
    app.get("/organization/no-such-agency/compliance", status=404)


# developers

def test_the_developers_page_documents_each_action_with_live_examples(app, published):
    pkg, table = published
    page = soup(app.get("/ru/developers"))
    assert page.html["lang"] == "ru"
    sections = page.select("section[id] > h2 > code")
    assert texts(sections) == ["package_search", "package_show", "datastore_search",
                               "datastore_search_sql", "kg_compliance_show",
                               "kg_validation_show", "kg_resource_versions",
                               "kg_resource_diff", "kg_most_downloaded_list"]
    commands = {c["data-kg-action"]: c.get_text() for c in page.select("code[data-kg-action]")}
    assert commands["package_show"] == \
        f"curl 'http://test.ckan.net/api/3/action/package_show?id={pkg['name']}'"
    assert commands["kg_validation_show"] == \
        f"curl 'http://test.ckan.net/api/3/action/kg_validation_show?id={table['id']}'"
    assert commands["kg_most_downloaded_list"] == \
        "curl 'http://test.ckan.net/api/3/action/kg_most_downloaded_list?limit=5'"
    assert commands["kg_resource_diff"] == \
        f"curl 'http://test.ckan.net/api/3/action/kg_resource_diff?id={table['id']}'"
    assert page.select_one("a[data-kg-openapi]")["href"] == "http://test.ckan.net/api/openapi.json"
    assert texts(page.select("h1")) == ["Для разработчиков: API этого портала"]


def test_the_developers_page_on_an_empty_portal_shows_placeholders(app):
    page = soup(app.get("/ky/developers"))
    commands = {c["data-kg-action"]: c.get_text() for c in page.select("code[data-kg-action]")}
    assert commands["package_show"] == \
        "curl 'http://test.ckan.net/api/3/action/package_show?id=<маалыматтар топтомунун аты>'"
    assert commands["datastore_search_sql"] == (
        "curl -G 'http://test.ckan.net/api/3/action/datastore_search_sql' "
        "--data-urlencode 'sql=SELECT * FROM \"<ресурстун идентификатору>\" LIMIT 5'")
    assert texts(page.select("h1")) == ["Иштеп чыгуучуларга: бул порталдын API'си"]
    # only the actions that name no dataset are live: package_search, kg_most_downloaded_list
    assert len(page.select("a[rel=nofollow]")) == 2


def test_the_header_links_to_the_developers_page(app):
    page = soup(app.get("/en/dataset/"))
    assert "/en/developers" in [a["href"] for a in page.select("header a")]


def test_the_openapi_description_is_valid_and_names_this_portal(app):
    from openapi_spec_validator import validate

    from ckanext.kg.developers import ACTIONS
    document = app.get("/api/openapi.json").json
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://test.ckan.net"}]
    assert sorted(document["paths"]) == sorted(f"/api/3/action/{a}" for a in ACTIONS)


def test_the_openapi_file_in_the_extension_is_valid():
    from openapi_spec_validator import validate

    from ckanext.kg.developers import _openapi_file
    validate(json.loads(json.dumps(_openapi_file())))


def test_the_dataset_page_names_the_agency_in_the_readers_language(app):
    agency = factories.Organization(title_translated={
        "ky": "Улуттук статистика комитети", "ru": "Национальный статистический комитет"})
    pkg = helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]}, private=False,
        owner_org=agency["id"], name="kalk",
        title_translated={"ky": "Калк", "ru": "Население"},
        notes_translated={"ky": "Калктын саны.", "ru": "Численность населения."},
        keywords={"ky": ["калк"], "ru": ["население"]},
        contact_name="Маалымат бөлүмү", contact_email="info@example.invalid",
        license_id="cc-by", access_level="open", frequency="ANNUAL",
        temporal_start="2023-01-01", spatial_divisions=["KG02000000000"], theme="SOCI",
        resources=[{"url": "http://example.invalid/report.pdf", "format": "PDF"}])
    for lang, name in (("ky", "Улуттук статистика комитети"),
                       ("ru", "Национальный статистический комитет")):
        page = soup(app.get(f"/{lang}/dataset/{pkg['name']}"))
        assert name in texts(page.select(".breadcrumb a")), lang
    box = soup(app.get(f"/dataset/{pkg['name']}")).select_one("#organization-info")
    assert (texts(box.select("h2.heading")), box.select_one(".image a")["href"]) == (
        [agency["title"]], f"/organization/{agency['name']}")


# where the figures come from

SOURCES = [
    {"title": "World Bank: Population, total (SP.POP.TOTL)",
     "path": "http://data.worldbank.org/indicator/SP.POP.TOTL",
     "repository": "https://github.com/datasets/population",
     "commit": "425fc447a53a26c767a15a7de60c4cc2478a0595", "file": "data/population.csv"},
    {"title": "Kabar, 03.04.20", "path": "002_8e2727cdbd391d77.txt", "date": "2020-04-03"}]
LICENSES = [{"name": "ODC-PDDL-1.0", "path": "http://opendatacommons.org/licenses/pddl/",
             "title": "Open Data Commons Public Domain Dedication and License v1.0"}]


@pytest.fixture
def sourced():
    agency = factories.Organization(name="world-bank")
    return helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]}, private=False,
        owner_org=agency["id"], name="kalk",
        title_translated={"ky": "Калк", "ru": "Население"},
        notes_translated={"ky": "Калктын саны.", "ru": "Численность населения."},
        keywords={"ky": ["калк"], "ru": ["население"]},
        contact_name="Маалымат бөлүмү", contact_url="https://stat.example.invalid/contacts",
        license_id="odc-pddl", access_level="open", frequency="ANNUAL",
        temporal_start="2023-01-01", spatial_divisions=["KG02000000000"], theme="SOCI",
        sources=SOURCES, licenses=LICENSES,
        resources=[{"url": "http://example.invalid/report.pdf", "format": "PDF"}])


def test_the_dataset_page_lists_its_sources_with_links_and_the_licence(app, sourced):
    page = soup(app.get("/en/dataset/kalk"))
    section = page.select_one("section#kg-sources")
    assert texts(section.select("h2, h3")) == ["Sources", "Licence"]
    assert section["aria-labelledby"] == "kg-sources-title"
    items = section.select("li[data-kg-source]")
    assert [texts(i.select("li")) for i in items] == [
        ["Repository: https://github.com/datasets/population",
         "File: data/population.csv at commit 425fc447a53a"],
        ["Document: 002_8e2727cdbd391d77.txt"]]
    assert [(a.get_text(strip=True), a["href"]) for a in section.select("a")] == [
        ("World Bank: Population, total (SP.POP.TOTL)",
         "http://data.worldbank.org/indicator/SP.POP.TOTL"),
        ("https://github.com/datasets/population", "https://github.com/datasets/population"),
        ("data/population.csv at commit 425fc447a53a",
         "https://github.com/datasets/population/blob/"
         "425fc447a53a26c767a15a7de60c4cc2478a0595/data/population.csv"),
        ("Open Data Commons Public Domain Dedication and License v1.0",
         "http://opendatacommons.org/licenses/pddl/")]
    assert texts(items[1].select(".kg-source-title")) == ["Kabar, 03.04.20"]
    assert "(2020-04-03)" in texts(items[1:])[0]


@pytest.mark.parametrize("lang, headings, file", [
    ("ky", ["Булактар", "Лицензия"], "Файл: data/population.csv (коммит 425fc447a53a)"),
    ("ru", ["Источники", "Лицензия"], "Файл: data/population.csv (коммит 425fc447a53a)")])
def test_the_sources_speak_the_readers_language(app, sourced, lang, headings, file):
    section = soup(app.get(f"/{lang}/dataset/kalk")).select_one("section#kg-sources")
    assert texts(section.select("h2, h3")) == headings
    assert file in texts(section.select("li li"))


def test_the_contact_web_page_is_a_link(app, sourced):
    page = soup(app.get("/en/dataset/kalk"))
    assert "https://stat.example.invalid/contacts" in [
        a["href"] for a in page.select(".additional-info a")]
    assert "[" not in texts(page.select(".additional-info"))[0]  # no raw JSON of sources
    helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]},
                        id="kalk", contact_url="", contact_email="info@example.invalid")
    page = soup(app.get("/en/dataset/kalk"))
    assert [a for a in page.select(".additional-info a") if not a.get_text(strip=True)] == []


def test_a_dataset_without_sources_has_no_sources_section(app, published):
    pkg, _ = published
    assert soup(app.get(f"/dataset/{pkg['name']}")).select("#kg-sources") == []


# error pages

@pytest.mark.parametrize("path, lang, title, text", [
    ("/no/such/page", "ky", "404 Барак табылган жок",
     "404 Барак табылган жок Дарек туура эмес терилген болушу мүмкүн, же барак "
     "көчүрүлгөн же өчүрүлгөн."),
    ("/no/such/page", "ru", "404 Страница не найдена",
     "404 Страница не найдена Возможно, адрес набран с ошибкой, или страница "
     "перемещена или удалена."),
    ("/dataset/no-such-dataset", "ru", "404 Страница не найдена",
     "404 Страница не найдена Набор данных не найден или у вас нет прав на его просмотр"),
    ("/ckan-admin", "ky", "403 Кирүүгө тыюу салынган", None)])
def test_an_error_page_speaks_the_readers_language(app, path, lang, title, text):
    page = soup(app.get(f"/{lang}{path}", status=int(title[:3])))
    content = page.select_one("#error-content")
    assert texts(content.select("h1")) == [title]
    if text:
        assert texts([content]) == [text]


@pytest.mark.parametrize("lang, tags", [("ky", ["калк"]), ("ru", ["население"]),
                                        ("en", ["калк"])])
def test_the_dataset_page_shows_the_keywords_of_the_readers_language(app, published,
                                                                     lang, tags):
    pkg, _ = published
    page = soup(app.get(f"/{lang}/dataset/{pkg['name']}"))
    assert texts(page.select(".tag-list a")) == tags
