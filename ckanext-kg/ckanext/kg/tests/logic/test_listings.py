"""Tags, formats and an agency's members: only what the caller may see."""
import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import METADATA

pytestmark = portal_schema
REPORT = {"url": "http://example.invalid/report.pdf", "format": "PDF", "name": "Report"}


@pytest.fixture
def agency():
    return factories.Organization(name="nsc")


@pytest.fixture
def member(agency):
    user = factories.User()
    helpers.call_action("organization_member_create", id=agency["id"],
                        username=user["name"], role="member")
    return user


def dataset(agency, name: str, ky: list[str], private: bool, **extra) -> dict:
    return helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]},
        **dict(METADATA, name=name, owner_org=agency["id"], private=private,
               keywords={"ky": ky, "ru": ["население"]}, **extra))


@pytest.fixture
def catalogue(agency):
    """A public dataset tagged ачыкбелги, a private one tagged жашыруунбелги
    with a SECRETFMT resource, and a draft tagged долбоорбелги."""
    return {
        "open": dataset(agency, "achyk", ["ачыкбелги"], False, resources=[REPORT]),
        "private": dataset(agency, "jashyruun", ["жашыруунбелги"], True, resources=[
            dict(REPORT, format="SECRETFMT")]),
        "draft": dataset(agency, "doolboor", ["долбоорбелги"], True, state="draft"),
    }


def call(action: str, user=None, **data):
    return helpers.call_action(action, context={
        "user": user["name"] if user else "", "ignore_auth": False}, **data)


def test_free_tags_are_those_of_datasets_the_caller_may_see(catalogue, member):
    assert sorted(call("tag_list")) == ["ачыкбелги", "население"]
    assert sorted(call("tag_list", factories.User())) == ["ачыкбелги", "население"]
    assert sorted(call("tag_list", member)) == [
        "ачыкбелги", "долбоорбелги", "жашыруунбелги", "население"]
    assert sorted(t["name"] for t in call("tag_list", all_fields=True)) == [
        "ачыкбелги", "население"]
    assert call("tag_autocomplete", query="белги") == ["ачыкбелги"]
    assert sorted(call("tag_autocomplete", member, query="белги")) == [
        "ачыкбелги", "долбоорбелги", "жашыруунбелги"]
    found = call("tag_search", query="белги")
    assert (found["count"], [t["name"] for t in found["results"]]) == (1, ["ачыкбелги"])


def test_tag_search_counts_and_pages_after_the_hidden_tags_are_left_out(agency, member):
    for number in (1, 2, 3):
        dataset(agency, f"ashyk-{number}", [f"тегаа{number}"], False, resources=[REPORT])
    dataset(agency, "jashyruun", ["тегаа0"], True)
    found = call("tag_search", query="тегаа", limit=2, offset=1)
    assert found["count"] == 3 and len(found["results"]) == 2
    assert {t["name"] for t in found["results"]} < {"тегаа1", "тегаа2", "тегаа3"}
    assert call("tag_search", member, query="тегаа", limit=10)["count"] == 4
    assert len(call("tag_autocomplete", query="тегаа", limit=2)) == 2
    with pytest.raises(helpers.logic.ValidationError) as error:
        call("tag_search", query="тегаа", limit="many")
    assert list(error.value.error_dict) == ["limit"]


def test_a_tag_only_hidden_datasets_carry_is_unknown(catalogue, member):
    with pytest.raises(helpers.logic.NotFound) as hidden:
        call("tag_show", id="жашыруунбелги")
    with pytest.raises(helpers.logic.NotFound) as unknown:
        call("tag_show", id="белгисизбелги")
    assert str(hidden.value) == str(unknown.value)
    assert call("tag_show", member, id="жашыруунбелги")["name"] == "жашыруунбелги"
    assert call("tag_show", id="ачыкбелги")["name"] == "ачыкбелги"


def test_formats_are_those_of_resources_the_caller_may_see(catalogue, member):
    assert call("format_autocomplete", q="SECRET") == []
    assert call("format_autocomplete", member, q="SECRET") == ["secretfmt"]
    assert call("format_autocomplete", q="pd") == ["pdf"]


def test_an_agencys_datasets_are_those_the_caller_may_read(catalogue, agency, member):
    def listed(user=None):
        return sorted(m[0] for m in call("member_list", user, id=agency["id"],
                                         object_type="package"))
    assert listed() == [catalogue["open"]["id"]]
    assert listed(factories.User()) == [catalogue["open"]["id"]]
    assert catalogue["private"]["id"] in listed(member)
    assert listed(member) == listed(factories.Sysadmin())
