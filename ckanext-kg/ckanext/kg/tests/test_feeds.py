"""Atom feeds of new versions: per dataset, per agency and per theme, each
entry a version with its differences in words; valid Atom (RFC 4287); a
private dataset's versions in no feed but its own, for those who may read
it; CKAN's dataset following keeps working."""
import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests import atom
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.files.test_diffs import KEYED, SECOND
from ckanext.kg.tests.publishing.files.test_downloads import (
    TABLE,
    table,  # noqa: F401 (fixture)
)
from ckanext.kg.tests.publishing.files.test_stored_files import replace
from ckanext.kg.tests.publishing.gate.test_validation import dataset  # noqa: F401 (fixture)

pytestmark = portal_schema


@pytest.fixture
def versioned(upload_file, table):  # noqa: F811
    """The table published three times (versions 1 to 3), its dataset public."""
    assert replace(upload_file, table, TABLE, KEYED) == "success"
    assert replace(upload_file, table, SECOND, KEYED) == "success"
    return table


def make_public(table):  # noqa: F811
    helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]},
                        id=table["package_id"], private=False)
    return helpers.call_action("package_show", id=table["package_id"])


def feed(app, url, status=200, **headers):
    response = app.get(url, headers=headers, status=status)
    if status == 200:
        assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return response


def test_a_datasets_feed_announces_each_version_with_its_differences(app, versioned):
    shown = make_public(versioned)
    response = feed(app, f"/en/dataset/{shown['name']}/versions.atom")
    assert atom.problems(response.data) == []
    entries = atom.entries(response.data)
    assert [e["title"] for e in entries] == [
        "Облустардын калкы: version 3", "Облустардын калкы: version 2",
        "Облустардын калкы: version 1"]
    assert [e["summary"] for e in entries] == [
        "+1 row, −1, 1 changed", "+0 rows, −0, 0 changed",  # the same rows, now with a key
        "First version: 3 rows"]
    assert entries[0]["link"].endswith(
        f"/dataset/{shown['name']}/resource/{versioned['id']}/diff?from=2&to=3")
    assert entries[0]["id"].endswith(f"/resource/{versioned['id']}/version/3")
    assert "public" in response.headers["Cache-Control"]


def test_feeds_speak_the_readers_language(app, versioned):
    shown = make_public(versioned)
    response = feed(app, f"/ru/dataset/{shown['name']}/versions.atom")
    assert atom.entries(response.data)[0]["summary"] == "+1 строка, −1, 1 изменена"
    kyrgyz = feed(app, f"/ky/dataset/{shown['name']}/versions.atom")
    assert atom.entries(kyrgyz.data)[0]["summary"] == "+1 сап, −1, 1 өзгөргөн"


def test_agency_and_theme_feeds_list_public_datasets_only(app, versioned):
    org = helpers.call_action("package_show", id=versioned["package_id"])["organization"]
    for url in (f"/feeds/versions/organization/{org['name']}.atom",
                "/feeds/versions/theme/SOCI.atom"):
        private = feed(app, url)
        assert atom.problems(private.data) == []
        assert atom.entries(private.data) == []  # the dataset is private
        assert "Облустардын" not in private.body
    make_public(versioned)
    for url in (f"/feeds/versions/organization/{org['name']}.atom",
                "/feeds/versions/theme/SOCI.atom"):
        public = feed(app, "/en" + url)
        assert atom.problems(public.data) == []
        assert [e["title"] for e in atom.entries(public.data)][0] == \
            "Облустардын калкы: version 3"
    feed(app, "/feeds/versions/theme/NOSUCH.atom", status=404)
    feed(app, "/feeds/versions/organization/no-such-agency.atom", status=404)


def test_a_private_datasets_feed_is_hidden_as_an_unknown_one(app, versioned):
    outsider = factories.UserWithToken()
    for headers in ({}, {"Authorization": outsider["token"]}):
        hidden = feed(app, f"/dataset/{versioned['package_id']}/versions.atom", status=404,
                      **headers)
        unknown = feed(app, "/dataset/no-such-dataset/versions.atom", status=404, **headers)
        assert hidden.status_code == unknown.status_code
        assert "Облустардын" not in hidden.body
    token = factories.SysadminWithToken()["token"]
    mine = feed(app, f"/dataset/{versioned['package_id']}/versions.atom",
                Authorization=token)
    assert len(atom.entries(mine.data)) == 3
    assert "private" in mine.headers["Cache-Control"]


def test_following_a_dataset_keeps_working(app, versioned):
    shown = make_public(versioned)
    user = factories.User()
    helpers.call_action("follow_dataset", context={"user": user["name"]}, id=shown["id"])
    assert helpers.call_action("am_following_dataset", context={"user": user["name"]},
                               id=shown["id"]) is True
    assert helpers.call_action("dataset_follower_count", id=shown["id"]) == 1
