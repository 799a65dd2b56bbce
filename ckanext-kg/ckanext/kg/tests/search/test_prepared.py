"""Pages without words are planned once per connection: the same answers,
one prepared statement per shape, and a statement PostgreSQL cannot
prepare run as before without losing the transaction's work."""
import re

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.kg.search import frequent_words, prepared

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "kg_pgsearch"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
FACETS = '["organization", "groups", "tags", "res_format", "license_id"]'


def ours():
    return model.Session.execute(sa.text(
        "SELECT name, statement FROM pg_prepared_statements "
        "WHERE name LIKE 'kg_search_%' ORDER BY prepare_time")).all()


@pytest.fixture
def fresh_connection():
    """A connection with nothing prepared yet."""
    model.Session.execute(sa.text("DEALLOCATE ALL"))
    model.Session.connection().info.pop(prepared._INFO_KEY, None)
    model.Session.commit()


def test_a_page_without_words_is_prepared_once_and_answers_each_reader(
        people, fresh_connection):
    factories.Dataset(name="open", owner_org=people["stat"]["id"], tags=[{"name": "aa"}])
    factories.Dataset(name="secret", owner_org=people["stat"]["id"], private=True,
                      tags=[{"name": "bb"}])

    def page(user):
        result = helpers.call_action(
            "package_search", context={"user": user, "ignore_auth": False},
            include_private=True, rows=5, **{"facet.field": FACETS})
        return result["count"], result["facets"]["tags"]

    assert page("") == (1, {"aa": 1})
    [(name, statement)] = ours()
    assert "kg_search_index_facet_counts" in statement and "$1" in statement
    assert page(people["member"]["name"]) == (2, {"aa": 1, "bb": 1})
    assert page("") == (1, {"aa": 1})
    assert ours() == [(name, statement)]  # the same statement, other values


def test_a_pages_sizes_are_written_in_its_statement_and_a_later_start_is_a_value(
        people, fresh_connection):
    # PostgreSQL keeps one plan for a statement only when it need not
    # guess its sizes: the rows, facet numbers and a first page's start
    for k in range(3):
        factories.Dataset(name=f"open-{k}", tags=[{"name": "aa"}])

    def names(start):
        return [d["name"] for d in helpers.call_action(
            "package_search", rows=2, start=start, sort="name asc",
            **{"facet.field": '["tags"]', "facet.limit": 7})["results"]]

    assert names(0) == ["open-0", "open-1"]
    [(_, first)] = ours()
    assert re.search(r"LIMIT \d+ OFFSET 0\)", first) and "LIMIT 2 * 7" in first
    assert names(2) == ["open-2"]
    [_, (_, later)] = ours()
    assert re.search(r"LIMIT \d+ OFFSET \$\d+\)", later) and "LIMIT 2 * 7" in later
    assert names(1) == ["open-1", "open-2"]
    assert len(ours()) == 2  # every later page: the same statement


def forget_kept_words():
    """No word kept for the module's later tests (the words outlive `clean_index`)."""
    model.Session.rollback()
    frequent_words.keep(model.Session, [], 0)
    model.Session.commit()


def test_a_kept_word_is_planned_for_its_readers_labels(people, fresh_connection, request):
    # a plan for any labels guessed a few visible hits, and read and sorted
    # every hit of a frequent word for its page
    for k in range(3):
        factories.Dataset(name=f"open-{k}", title="Калк суу", tags=[{"name": "aa"}])
    frequent_words.keep(model.Session, ["калк", "суу"], 5)
    model.Session.commit()
    request.addfinalizer(forget_kept_words)

    def names(**params):
        found = [d["name"] for d in helpers.call_action(
            "package_search", sort="metadata_modified desc",
            **{"facet.field": FACETS}, **params)["results"]]
        plans = model.Session.execute(sa.text(
            "SELECT current_setting('plan_cache_mode')")).scalar()
        model.Session.rollback()  # a request's transaction ends
        return found, plans

    newest = ["open-2", "open-1", "open-0"]
    assert names(q="калк") == (newest, "force_custom_plan")
    assert names(q="суу") == (newest, "force_custom_plan")
    assert names() == (newest, "auto")  # a page without words: one plan
    [(_, word_statement), _] = ours()
    assert frequent_words.HITS in word_statement and "word_id = $1" in word_statement


@pytest.mark.ckan_config("ckanext.kg.search.prepared_statements", False)
def test_nothing_is_prepared_when_turned_off(people, fresh_connection):
    factories.Dataset(name="open", owner_org=people["stat"]["id"])
    assert helpers.call_action("package_search", **{"facet.field": FACETS})["count"] == 1
    assert ours() == []


def test_a_search_with_words_is_planned_for_its_words(people, fresh_connection):
    factories.Dataset(name="open", title="Калк")
    result = helpers.call_action("package_search", q="калк")
    assert [d["name"] for d in result["results"]] == ["open"]
    assert ours() == []


def test_a_statement_it_cannot_prepare_runs_as_before_in_the_same_transaction(
        fresh_connection):
    session = model.Session
    session.execute(sa.text("CREATE TEMP TABLE written (x int)"))
    session.execute(sa.text("INSERT INTO written VALUES (1)"))
    # the type of :x is nowhere in the text: PostgreSQL cannot prepare it
    sql = "SELECT count(*) AS n FROM written WHERE :x IS NULL"
    assert [tuple(r) for r in prepared.run(session, sql, {"x": None})] == [(1,)]
    assert [tuple(r) for r in prepared.run(session, sql, {"x": None})] == [(1,)]
    assert session.execute(sa.text("SELECT count(*) FROM written")).scalar() == 1
    assert ours() == []


def test_a_connection_keeps_at_most_its_share_of_statements(fresh_connection):
    session = model.Session
    for k in range(prepared._AT_MOST + 6):
        assert prepared.run(session, f"SELECT CAST(:v AS int) + {k} AS n",
                            {"v": 1})[0].n == k + 1
    kept = ours()
    assert len(kept) == prepared._AT_MOST
    assert kept[-1][1].endswith(f"+ {prepared._AT_MOST + 5} AS n")
    assert not any(statement.endswith("+ 0 AS n") for _, statement in kept)


def test_a_new_connection_prepares_again(fresh_connection):
    session = model.Session
    assert prepared.run(session, "SELECT CAST(:v AS int) AS n", {"v": 1})[0].n == 1
    session.connection().invalidate()  # closed: SQLAlchemy opens another
    session.rollback()
    assert ours() == []
    assert prepared.run(session, "SELECT CAST(:v AS int) AS n", {"v": 2})[0].n == 2
    assert len(ours()) == 1


@pytest.mark.parametrize("name, value, tags", [
    ("facet.limit", 1_500_000_000, {"aa": 1, "bb": 1}),
    ("facet.limit", 3_000_000_000, {"aa": 1, "bb": 1}),
    ("facet.limit", -3_000_000_000, {"aa": 1, "bb": 1}),
    ("facet.mincount", 3_000_000_000, {}),
])
def test_facet_numbers_beyond_an_integer_answer_as_the_largest(
        people, fresh_connection, name, value, tags):
    # after five runs PostgreSQL may keep a plan typed by the first values
    factories.Dataset(name="open", tags=[{"name": "aa"}, {"name": "bb"}])
    for _ in range(7):
        result = helpers.call_action("package_search", **{
            "facet.field": '["tags"]', name: value})
        assert (result["count"], result["facets"]["tags"]) == (1, tags)
        helpers.call_action("package_search", **{"facet.field": '["tags"]'})
