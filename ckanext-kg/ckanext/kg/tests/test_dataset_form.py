"""The real web form of the code's dataset schema (CKAN's views, rendered)."""
import ckan.model as model
import pytest
from ckan.lib.helpers import url_for
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema


@pytest.fixture
def editor():
    user = factories.UserWithToken()
    factories.Organization(name="nsc", users=[{"name": user["name"], "capacity": "editor"}])
    return user


def form(**overrides):
    data = {
        "title_translated-ky": "Өнүгүү программасы",
        "title_translated-ru": "Программа развития",
        "notes_translated-ky": "Программанын аткарылышы.",
        "notes_translated-ru": "Исполнение программы.",
        "keywords-ky": "санарип, өнүгүү",
        "keywords-ru": "цифровизация",
        "name": "",
        "owner_org": model.Group.get("nsc").id,
        "contact_name": "Асан Асанов",
        "contact_email": "info@example.invalid",
        "license_id": "cc-by",
        "access_level": "open",
        "frequency": "ANNUAL",
        "temporal_start": "2018-09-01",
        "spatial_divisions": "KG08000000000",
        "theme": "GOVE",
        "private": "True",
        "save": "",
    }
    data.update(overrides)
    return data


def test_the_form_shows_one_input_per_language(app, editor):
    page = app.get(url_for("dataset.new"), headers={"Authorization": editor["token"]})
    for name in ("title_translated-ky", "title_translated-ru", "title_translated-en",
                 "notes_translated-ky", "keywords-ru"):
        assert f'name="{name}"' in page.body
    assert 'value="KG08000000000"' in page.body  # spatial coverage choices


def test_the_form_creates_a_private_dataset_with_a_transliterated_name(app, editor):
    response = app.post(url_for("dataset.new"), data=form(),
                        headers={"Authorization": editor["token"]}, follow_redirects=False)
    assert response.status_code == 302, response.body
    dataset = model.Package.get("onuguu-programmasy")
    assert dataset is not None and dataset.private is True
    assert dataset.title == "Өнүгүү программасы"
    assert sorted(t.name for t in dataset.get_tags()) == ["санарип", "цифровизация", "өнүгүү"]


def test_the_form_names_every_broken_field_and_saves_nothing(app, editor):
    response = app.post(url_for("dataset.new"),
                        data=form(**{"contact_email": "nope",
                                     "spatial_divisions": "KG99999999999",
                                     "title_translated-ky": "<b>Калк</b>"}),
                        headers={"Authorization": editor["token"]})
    assert response.status_code == 200
    body = response.body
    assert "Not a valid e-mail address (rule 2.2)." in body
    assert "Unknown administrative division code: KG99999999999 (rule 4.3)." in body
    assert "HTML is not allowed here." in body
    assert model.Session.query(model.Package).count() == 0


def test_publishing_an_incomplete_dataset_through_the_form_is_refused(app, editor):
    response = app.post(url_for("dataset.new"),
                        data=form(private="False", theme="", frequency=""),
                        headers={"Authorization": editor["token"]})
    assert response.status_code == 200
    assert "4.1 The update frequency is given." in response.body
    assert "4.4 A theme is chosen." in response.body
    assert model.Session.query(model.Package).count() == 0


@pytest.mark.parametrize("lang, help_text", [
    ("en", "Rule 2.2: a contact name and an e-mail address or a contact web page."),
    ("ky", "2.2-эреже: байланыш үчүн аты-жөнү жана электрондук почта дареги же байланыш "
           "веб-барагы."),
    ("ru", "Правило 2.2: контактное лицо и адрес электронной почты или контактная "
           "веб-страница.")])
def test_the_form_asks_for_an_e_mail_address_or_a_contact_web_page(app, editor, lang,
                                                                    help_text):
    from bs4 import BeautifulSoup
    page = app.get(f"/{lang}/dataset/new", headers={"Authorization": editor["token"]})
    form_page = BeautifulSoup(page.body, "html.parser")
    assert form_page.select_one("input#field-contact_url")["name"] == "contact_url"
    assert help_text in " ".join(form_page.get_text(" ").split())


def test_the_form_keeps_a_contact_web_page_and_refuses_a_bad_one(app, editor):
    bad = app.post(url_for("dataset.new"),
                   data=form(contact_email="", contact_url="javascript:alert(1)"),
                   headers={"Authorization": editor["token"]})
    assert bad.status_code == 200
    assert ("Not a valid web address: it must start with http:// or https:// (rule 2.2)."
            in bad.body)
    assert model.Session.query(model.Package).count() == 0
    good = app.post(url_for("dataset.new"),
                    data=form(contact_email="", contact_url="https://stat.kg/contacts"),
                    headers={"Authorization": editor["token"]}, follow_redirects=False)
    assert good.status_code == 302, good.body
    compliance = helpers.call_action("kg_compliance_show", id="onuguu-programmasy")
    assert [r["met"] for r in compliance["rules"] if r["number"] == "2.2"] == [True]
    assert model.Package.get("onuguu-programmasy").extras["contact_url"] == (
        "https://stat.kg/contacts")


SOURCES = [{"title": "Улуттук статистика комитети: облустардын калкы",
            "path": "https://stat.kg/ky/statistics/naselenie/",
            "repository": "https://github.com/example-kg/population",
            "commit": "425fc447a53a26c767a15a7de60c4cc2478a0595", "file": "data/regions.csv"}]


def submitted(page_body):
    """What a browser sends for the page's dataset form, as it is."""
    from bs4 import BeautifulSoup
    page_form = BeautifulSoup(page_body, "html.parser").select_one("form#dataset-edit")
    data = {}
    for element in page_form.select("input[name], textarea[name], select[name]"):
        if element.name == "select":
            chosen = element.select("option[selected]") or element.select("option")[:1]
            data[element["name"]] = chosen[0].get("value", "") if chosen else ""
        elif element.get("type") in ("checkbox", "radio") and not element.has_attr("checked"):
            continue
        elif element.get("type") not in ("submit", "button", "file"):
            data[element["name"]] = (element.get_text() if element.name == "textarea"
                                     else element.get("value", ""))
    return data


def test_editing_in_the_form_keeps_the_sources_as_they_are(app, editor):
    dataset = helpers.call_action(
        "package_create", context={"user": editor["name"]}, private=True,
        owner_org=model.Group.get("nsc").id, title_translated={"ky": "Калк", "ru": "Население"},
        sources=SOURCES)
    page = app.get(f"/dataset/edit/{dataset['name']}", headers={"Authorization": editor["token"]})
    assert "Улуттук статистика комитети: облустардын калкы" in page.body  # not \\u-escaped
    data = dict(submitted(page.body), save="")
    response = app.post(f"/dataset/edit/{dataset['name']}", data=data,
                        headers={"Authorization": editor["token"]}, follow_redirects=False)
    assert response.status_code == 302, response.body
    assert helpers.call_action("package_show", id=dataset["id"])["sources"] == SOURCES


def test_every_choice_is_labelled_in_the_three_languages():
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    schema = scheming_get_dataset_schema("dataset")
    for field in schema["dataset_fields"] + schema["resource_fields"]:
        for choice in field.get("choices") or []:
            label = choice["label"]
            if isinstance(label, dict):
                assert sorted(label) == ["en", "ky", "ru"], (field["field_name"], label)
                assert all(isinstance(text, str) and text for text in label.values()), label
