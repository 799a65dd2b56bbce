"""API tokens: the owner signed in, the last use recorded once per interval."""
import datetime

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema


def my_agencies(app, token, status=200):
    response = app.get("/api/3/action/organization_list_for_user",
                       headers={"Authorization": token} if token else {},
                       status=status)
    return [org["name"] for org in response.json["result"]]


def last_access(token_id):
    model.Session.expire_all()
    return model.ApiToken.get(token_id).last_access


def token_id(token):
    from ckan.lib.api_token import decode
    return decode(token)["jti"]


class TokenWrites:
    """The statements sent while counting that `kind` (a function of the
    statement's text)."""

    def __init__(self, kind=lambda statement: statement.lstrip().upper().startswith(
            "UPDATE API_TOKEN")):
        self.kind = kind
        self.statements = []

    def __call__(self, conn, cursor, statement, *args):
        if self.kind(statement):
            self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(model.meta.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(model.meta.engine, "before_cursor_execute", self)


@pytest.fixture
def member():
    user = factories.UserWithToken()
    agency = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return user, agency


def test_a_token_signs_in_its_owner(app, member):
    user, agency = member
    assert my_agencies(app, user["token"]) == [agency["name"]]
    assert my_agencies(app, None) == []


def test_the_token_and_its_owner_are_read_in_one_statement(app, member):
    user, agency = member
    my_agencies(app, user["token"])  # its last use recorded now

    def reads_token_or_user(statement):
        text = " ".join(statement.split()).lower()
        return text.startswith("select") and (
            "from api_token" in text or 'from "user"' in text)

    with TokenWrites(reads_token_or_user) as reads:
        assert my_agencies(app, user["token"]) == [agency["name"]]
    assert len(reads.statements) == 1
    assert "join" in reads.statements[0].lower()


def test_a_post_signed_with_a_token_is_accepted(app):
    sysadmin = factories.SysadminWithToken()
    response = app.post("/api/3/action/organization_create",
                        json={"name": "signed-with-a-token",
                              "title_translated": {"ky": "Агенттик", "ru": "Агентство"}},
                        headers={"Authorization": sysadmin["token"]})
    assert response.json["result"]["name"] == "signed-with-a-token"


def test_a_revoked_or_forged_token_signs_in_nobody(app, member):
    user, _ = member
    forged = user["token"][:-4] + ("AAAA" if not user["token"].endswith("AAAA") else "BBBB")
    assert my_agencies(app, forged) == []
    helpers.call_action("api_token_revoke", context={"user": user["name"]},
                        jti=token_id(user["token"]))
    assert my_agencies(app, user["token"]) == []


def test_the_last_use_is_recorded_once_per_interval(app, member):
    user, agency = member
    jti = token_id(user["token"])
    assert last_access(jti) is None
    my_agencies(app, user["token"])
    first = last_access(jti)
    assert first is not None
    with TokenWrites() as writes:
        assert my_agencies(app, user["token"]) == [agency["name"]]
    assert writes.statements == []
    assert last_access(jti) == first

    earlier = datetime.datetime.utcnow() - datetime.timedelta(seconds=61)
    model.ApiToken.get(jti).last_access = earlier
    model.Session.commit()
    with TokenWrites() as writes:
        assert my_agencies(app, user["token"]) == [agency["name"]]
    assert len(writes.statements) == 1
    assert last_access(jti) > earlier + datetime.timedelta(seconds=60)


@pytest.mark.ckan_config("ckanext.kg.api_token.last_access_interval", "0")
def test_an_interval_of_zero_records_every_use(app, member):
    user, _ = member
    with TokenWrites() as writes:
        for _ in range(3):
            my_agencies(app, user["token"])
    assert len(writes.statements) == 3


@pytest.mark.parametrize("header", [
    "Bearer abc", "токен", "x" * 10000, "a.b.c", "eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0.",
])
def test_a_header_that_is_no_token_reads_as_anonymous(app, header):
    assert my_agencies(app, header) == []
