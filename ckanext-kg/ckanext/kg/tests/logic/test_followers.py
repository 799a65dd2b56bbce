"""Follower counts in one statement (logic/followers.py), each the count
CKAN's own model gives. CKAN's follow tests run on them too
(tests/ckan_compat/test_ckan_followers.py)."""
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema


@pytest.fixture
def followed():
    """A dataset, an agency, a group and a user, each followed by two
    people, one of whom is then deleted, and a third object of each kind
    that is deleted after being followed."""
    people = [factories.User(), factories.User()]
    agency = factories.Organization()
    objects = {
        "dataset": factories.Dataset(owner_org=agency["id"]),
        "organization": agency,
        "group": factories.Group(),
        "user": factories.User(),
    }
    follow = {"dataset": "follow_dataset", "organization": "follow_group",
              "group": "follow_group", "user": "follow_user"}
    for kind, thing in objects.items():
        for person in people:
            helpers.call_action(follow[kind], {"user": person["name"]}, id=thing["id"])
    helpers.call_action("user_delete", id=people[1]["id"])
    return objects


TABLES = {"dataset": "package", "organization": '"group"', "group": '"group"',
          "user": '"user"'}
KINDS = {  # kind -> (action, CKAN's model class)
    "dataset": ("dataset_follower_count", "UserFollowingDataset"),
    "organization": ("organization_follower_count", "UserFollowingGroup"),
    "group": ("group_follower_count", "UserFollowingGroup"),
    "user": ("user_follower_count", "UserFollowingUser"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_the_count_is_ckans_leaving_out_deleted_followers(followed, kind):
    action, model_class = KINDS[kind]
    thing = followed[kind]
    assert helpers.call_action(action, id=thing["id"]) == 1
    assert getattr(model, model_class).follower_count(thing["id"]) == 1
    assert helpers.call_action(action, id=thing["name"]) == 1  # by name too


@pytest.mark.parametrize("kind", KINDS)
def test_a_deleted_object_has_no_followers_as_in_ckan(followed, kind):
    action, model_class = KINDS[kind]
    thing = followed[kind]
    model.Session.execute(sa.text(
        f"UPDATE {TABLES[kind]} SET state = 'deleted' WHERE id = :id"), {"id": thing["id"]})
    model.Session.commit()
    assert getattr(model, model_class).follower_count(thing["id"]) == 0
    assert helpers.call_action(action, id=thing["id"]) == 0


@pytest.mark.parametrize("action, named", [
    ("dataset_follower_count", "Dataset"), ("organization_follower_count", "Group"),
    ("group_follower_count", "Group"), ("user_follower_count", "User")])
def test_an_unknown_object_is_refused_as_ckan_refuses_it(action, named):
    with pytest.raises(tk.ValidationError) as refused:
        helpers.call_action(action, id="no-such-thing")
    assert refused.value.error_dict == {"id": [f"Not found: {named}"]}


def test_a_count_is_one_statement(followed):
    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)
    sa.event.listen(model.meta.engine, "before_cursor_execute", note)
    try:
        assert helpers.call_action("group_follower_count", id=followed["group"]["id"]) == 1
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", note)
    assert len([s for s in seen if "following" in s]) == 1
