"""A reader's permission labels are CKAN's, for every kind of reader."""
import pytest
from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels, get_permission_labels
from ckan.tests import factories, helpers

from ckanext.kg.logic import labels
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import METADATA

pytestmark = portal_schema


def below(parent, child):
    """`child` sits under `parent` in the agencies' hierarchy, as CKAN's
    hierarchy query reads it (the child's member row naming the parent)."""
    model.Session.add(model.Member(group=model.Group.get(child["id"]), table_id=parent["id"],
                                   table_name="group", capacity="parent", state="active"))
    model.Session.commit()


def act(action, **data):
    return helpers.call_action(action, context={"user": _site_admin()}, **data)


def _site_admin():
    return model.Session.query(model.User).filter_by(sysadmin=True, state="active").first().name


def user_in(agency, capacity):
    user = factories.User()
    act("organization_member_create", id=agency["id"],
                        username=user["name"], role=capacity)
    return user


@pytest.fixture
def readers():
    """Readers of every kind over a three-level hierarchy of agencies, a
    deleted agency, a group (not an agency) and a withdrawn membership."""
    factories.Sysadmin()
    ministry, committee, office = (factories.Organization() for _ in range(3))
    below(ministry, committee)
    below(committee, office)
    closed, retired = factories.Organization(), factories.Organization()
    group = factories.Group()
    people = {
        "admin of the ministry": user_in(ministry, "admin"),
        "editor of the ministry": user_in(ministry, "editor"),
        "member of the committee": user_in(committee, "member"),
        "member of a closed agency": user_in(closed, "member"),
        "member of a retired agency": user_in(retired, "member"),
        "of no agency": factories.User(),
        "sysadmin": factories.Sysadmin(),
    }
    act("group_member_create", id=group["id"],
                        username=people["of no agency"]["name"], role="member")
    act("organization_delete", id=closed["id"])
    # a deleted agency whose memberships are still active
    model.Group.get(retired["id"]).state = "deleted"
    model.Session.commit()
    withdrawn = user_in(office, "editor")
    act("organization_member_delete", id=office["id"],
                        username=withdrawn["name"])
    people["withdrawn from the office"] = withdrawn
    twice = user_in(committee, "admin")
    act("organization_member_create", id=office["id"],
                        username=twice["name"], role="member")
    people["admin of the committee, member of the office"] = twice
    people["agencies"] = {"ministry": ministry["id"], "committee": committee["id"],
                          "office": office["id"]}
    return people


def both(user_name):
    user = model.User.get(user_name) if user_name else model.AnonymousUser()
    return sorted(labels.of_reader(user)), sorted(
        DefaultPermissionLabels().get_user_dataset_labels(user))


def test_the_portal_answers_for_the_labels():
    assert get_permission_labels().get_user_dataset_labels.__func__.__module__ == (
        "ckanext.kg.plugin")


@pytest.mark.parametrize("cascading", ["admin", "admin editor", ""])
def test_every_readers_labels_are_ckans(readers, cascading, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.auth.roles_that_cascade_to_sub_groups",
                        cascading.split())
    agencies = readers.pop("agencies")
    assert both(None) == (["public"], ["public"])
    for kind, user in readers.items():
        ours, ckans = both(user["name"])
        assert ours == ckans, kind
    admin = readers["admin of the ministry"]
    reached = ["ministry", "committee", "office"] if "admin" in cascading.split() else [
        "ministry"]
    assert both(admin["name"])[0] == sorted(
        ["public", f"creator-{admin['id']}"] + [f"member-{agencies[a]}" for a in reached])


@pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", "true")
def test_a_collaborators_labels_are_ckans(readers):
    sysadmin = factories.Sysadmin()
    agency = factories.Organization()
    dataset = helpers.call_action("package_create", context={"user": sysadmin["name"]},
                                  private=True, owner_org=agency["id"], **METADATA)
    collaborator = readers["of no agency"]
    act("package_collaborator_create", id=dataset["id"],
                        user_id=collaborator["id"], capacity="member")
    ours, ckans = both(collaborator["name"])
    assert ours == ckans
    assert f"collaborator-{dataset['id']}" in ours
