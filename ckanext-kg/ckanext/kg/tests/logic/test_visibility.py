"""What a caller may not see does not exist for them: CKAN's real actions,
called as a user of no agency (the outsider), a member of the agency and a
sysadmin, about a private dataset and its table."""
import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import METADATA, SCHEMA, VALID

pytestmark = portal_schema
UNKNOWN_ID = "0e5a7b1c-0000-4000-8000-000000000003"


@pytest.fixture
def agency():
    return factories.Organization(name="nsc")


@pytest.fixture
def hidden(agency):
    return helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]},
        name="jashyruun", private=True, owner_org=agency["id"], **METADATA)


def as_user(user) -> dict:
    return {"user": user["name"] if user else "", "ignore_auth": False}


def answer(action: str, user, **data) -> tuple:
    """What the caller gets: the result, or the error's kind and words."""
    try:
        return ("result", helpers.call_action(action, context=as_user(user), **data))
    except helpers.logic.ValidationError as error:
        return ("ValidationError", error.error_dict)
    except (helpers.logic.NotFound, helpers.logic.NotAuthorized) as error:
        return (type(error).__name__, str(error))


@pytest.mark.parametrize("action, data", [
    ("package_show", {}),
    ("package_patch", {"notes": "x"}),
    ("package_delete", {}),
    ("dataset_purge", {}),
    ("follow_dataset", {}),
    ("dataset_follower_list", {}),
    ("package_activity_list", {}),
    ("package_relationships_list", {}),
    ("package_collaborator_list", {}),
    ("kg_compliance_show", {}),
    ("dcat_dataset_show", {}),
])
def test_a_hidden_dataset_answers_as_an_unknown_one(hidden, action, data):
    outsider = factories.User()
    mine = answer(action, outsider, id=hidden["name"], **data)
    assert mine == answer(action, outsider, id="no-such-dataset", **data)
    assert mine == answer(action, outsider, id=hidden["id"], **data)


def test_anonymous_callers_get_the_same_answer(hidden):
    assert answer("package_show", None, id=hidden["name"]) == ("NotFound", "")
    assert answer("package_show", None, id="no-such-dataset") == ("NotFound", "")


def test_a_hidden_table_answers_as_an_unknown_one_echoing_the_callers_words(
        upload_file, hidden):
    table = upload_file(VALID, "kalk.csv", package_id=hidden["id"], url="kalk.csv",
                        format="CSV", schema=SCHEMA)
    outsider = factories.User()
    for action in ("datastore_search", "datastore_info"):
        mine = answer(action, outsider, resource_id=table["id"])
        unknown = answer(action, outsider, resource_id=UNKNOWN_ID)
        assert mine[0] == "NotFound" and table["id"] in mine[1]
        assert mine == (unknown[0], unknown[1].replace(UNKNOWN_ID, table["id"]))
    assert answer("resource_show", outsider, id=table["id"]) == ("NotFound", "")
    assert answer("resource_patch", outsider, id=table["id"], name="x") == answer(
        "resource_patch", outsider, id=UNKNOWN_ID, name="x")


def test_members_and_sysadmins_keep_their_access(upload_file, hidden, agency):
    table = upload_file(VALID, "kalk.csv", package_id=hidden["id"], url="kalk.csv",
                        format="CSV", schema=SCHEMA)
    member, editor = factories.User(), factories.User()
    for user, role in ((member, "member"), (editor, "editor")):
        helpers.call_action("organization_member_create", id=agency["id"],
                            username=user["name"], role=role)
    for user in (member, editor, factories.Sysadmin()):
        kind, shown = answer("package_show", user, id=hidden["name"])
        assert (kind, shown["id"]) == ("result", hidden["id"])
        kind, rows = answer("datastore_search", user, resource_id=table["id"])
        assert [r["region"] for r in rows["records"]] == ["Ысык-Көл", "Нарын"]
    assert answer("package_patch", member, id=hidden["name"], notes="x")[0] == "NotAuthorized"
    kind, patched = answer("package_patch", editor, id=hidden["name"], notes="Жаңы.")
    assert (kind, patched["notes"]) == ("result", "Жаңы.")


def test_an_outsider_cannot_follow_a_hidden_dataset(hidden):
    assert answer("follow_dataset", factories.User(), id=hidden["name"])[0] == "NotFound"
    assert helpers.call_action("dataset_follower_count", id=hidden["id"]) == 0
