"""The real web form of the code's dataset schema (CKAN's views, rendered)."""
import ckan.model as model
import pytest
from ckan.lib.helpers import url_for
from ckan.tests import factories

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
