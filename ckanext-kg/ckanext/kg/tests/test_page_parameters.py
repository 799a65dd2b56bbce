"""Pages whose view reads a value before checking it (`page_parameters.py`):
a DCAT address in a format ckanext-dcat does not write is not found, and a
login or resource form posted without its fields is refused; the formats
it writes and a complete login form still work."""
import pytest
from ckan.tests import factories

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema


@pytest.mark.parametrize("path", ["/catalog.csv", "/catalog.ky", "/dataset/kalk.xlsx"])
def test_a_dcat_address_in_a_format_it_does_not_write_is_not_found(app, path):
    factories.Dataset(name="kalk")
    assert app.get(path, status=None).status_code == 404


def test_a_dcat_address_in_a_format_it_writes_answers(app):
    assert app.get("/catalog.ttl", status=None).status_code == 200


@pytest.mark.parametrize("form", [{}, {"login": "someone"}, {"password": "secret"}])
def test_a_login_form_without_its_fields_is_refused(app, form):
    assert app.post("/user/login", data=form, status=None).status_code == 400


def test_a_complete_login_form_that_fails_is_the_form_again(app):
    response = app.post("/user/login", data={"login": "nobody", "password": "wrong"},
                        status=None)
    assert response.status_code == 200


def test_a_resource_form_without_its_save_button_is_refused(app):
    dataset = factories.Dataset()
    response = app.post(f"/dataset/{dataset['id']}/resource/new", data={}, status=None)
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/user/", "/dataset/", "/organization/", "/group/"])
def test_a_page_beyond_the_last_one_a_list_can_have_is_refused_naming_it(app, path):
    response = app.get(path, query_string={"page": "99999999999999999999"}, status=None,
                       headers={"Accept-Language": "ru"})
    assert response.status_code == 400
    assert "1000000000" in response.get_data(as_text=True)
    assert app.get(path, query_string={"page": "1000000000"}, status=None).status_code == 200


def test_an_action_reads_its_own_page_parameter(app):
    response = app.get("/api/3/action/package_list",
                       query_string={"page": "99999999999999999999"}, status=None)
    assert response.status_code == 200


@pytest.mark.parametrize("limit", ["inf", "nan", "1e308", "-5", "0", "99999999999999999999"])
def test_the_list_of_users_refuses_a_length_it_cannot_read(app, limit):
    response = app.get("/user/", query_string={"limit": limit}, status=None)
    assert response.status_code == 400
    assert "1000000000" in response.get_data(as_text=True)


def test_the_list_of_users_takes_a_length_it_can(app):
    factories.User(name="reader-one")
    response = app.get("/user/", query_string={"limit": "5"})
    assert "reader-one" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["organization", "group"])
@pytest.mark.parametrize("params", [{"q": '"калк'}, {"q": "\\"}, {"sort": "' OR 1=1 --"}])
def test_an_agency_or_group_page_whose_search_is_refused_says_so(app, kind, params):
    """CKAN leaves such a page without facets; it is shown, with its
    search-error notice, and no dataset."""
    owner = factories.Organization(name="stat") if kind == "organization" else None
    group = owner or factories.Group(name="stat")
    factories.Dataset(name="kalk", owner_org=owner["id"] if owner else None,
                      groups=[] if owner else [{"name": group["name"]}])
    response = app.get(f"/{kind}/stat", query_string=params, status=None)
    assert response.status_code == 200
    assert 'id="search-error"' in response.body
    assert "/dataset/kalk" not in response.body
    # the same page with a query it can run lists the dataset
    assert "/dataset/kalk" in app.get(f"/{kind}/stat").body
