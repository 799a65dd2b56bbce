"""The compliance page of a dataset."""
import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema


@pytest.fixture
def draft_dataset():
    org = factories.Organization(name="nsc")
    return helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]},
        title_translated={"ky": "Калк", "ru": "Население"}, owner_org=org["id"],
        private=True)


def test_the_page_lists_every_rule_with_its_status(app, draft_dataset):
    sysadmin = factories.SysadminWithToken()
    page = app.get(f"/dataset/{draft_dataset['name']}/compliance",
                   headers={"Authorization": sysadmin["token"]})
    body = page.body
    assert body.count('class="kg-rule-met"') == 6  # 1.1 2.1 3.1 3.2, and 5.2 5.3: no tables
    assert body.count('class="kg-rule-unmet"') == 8
    assert "6 of 14 rules met." in body
    assert "Cannot be public yet" in body


def test_the_page_speaks_kyrgyz(app, draft_dataset):
    sysadmin = factories.SysadminWithToken()
    page = app.get(f"/ky/dataset/{draft_dataset['name']}/compliance",
                   headers={"Authorization": sysadmin["token"]})
    assert "14 эрежеден 6 эреже аткарылды." in page.body
    assert "Аткарылган жок" in page.body


@pytest.mark.parametrize("prefix, row", [
    ("", "2.2 A contact point is given: a name and an e-mail address or a contact web page. "
         "Not met"),
    ("/ky", "2.2 Байланыш көрсөтүлгөн: аты-жөнү жана электрондук почта дареги же байланыш "
            "веб-барагы. Аткарылган жок"),
    ("/ru", "2.2 Указано контактное лицо: имя и адрес электронной почты или контактная "
            "веб-страница. Не выполнено")])
def test_the_page_states_rule_2_2_in_the_readers_language(app, draft_dataset, prefix, row):
    from bs4 import BeautifulSoup
    sysadmin = factories.SysadminWithToken()
    page = app.get(f"{prefix}/dataset/{draft_dataset['name']}/compliance",
                   headers={"Authorization": sysadmin["token"]})
    rows = [" ".join(tr.get_text(" ").split())
            for tr in BeautifulSoup(page.body, "html.parser").select("tbody tr")]
    assert rows[4] == row


def test_a_private_dataset_page_is_not_found_for_anonymous_users(app, draft_dataset):
    response = app.get(f"/dataset/{draft_dataset['name']}/compliance", status=404)
    assert "Калк" not in response.body


def test_the_validation_report_page_shows_errors_in_kyrgyz(app, upload_file,
                                                           draft_dataset):
    resource = upload_file(
        "region,population\nНарын,көп\n", "t.csv", package_id=draft_dataset["id"],
        url="t.csv", format="CSV",
        schema='{"fields": [{"name": "region", "type": "string"}, '
               '{"name": "population", "type": "integer"}]}')
    token = factories.SysadminWithToken()["token"]
    page = app.get(f"/ky/dataset/{draft_dataset['name']}/resource/{resource['id']}/validation",
                   headers={"Authorization": token})
    assert "kg-status-failure" in page.body
    assert page.body.count("<tr><td>2</td><td>2</td>") == 1
    assert "көп" in page.body
