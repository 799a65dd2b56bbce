"""Search answers kept in the process: served again only for the same
search under the same committed index, never to another reader, never
from a transaction's uncommitted writes, and within their budget."""
import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.kg.search import (
    facet_counts,
    frequent_words,
    index_table,
    prepared,
    result_cache,
)

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "kg_pgsearch"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "nothing_kept"),
]
FACETS = '["organization", "groups", "tags", "res_format", "license_id"]'


@pytest.fixture
def nothing_kept():
    result_cache.forget()
    yield
    result_cache.forget()


@pytest.fixture
def searches_run():
    """The search statements sent to PostgreSQL (those reading the index's
    rows or counts), as they are sent."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        read = statement.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH", "EXECUTE")
        if read and "kg_search_" in statement and not any(other in statement for other in (
                facet_counts.VERSION, "to_regclass", "FROM kg_search_index_words WHERE")):
            sent.append(statement)

    engine = model.Session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(engine, "before_cursor_execute", record)


def search(user="", **params):
    result = helpers.call_action(
        "package_search", context={"user": user, "ignore_auth": False},
        **{"facet.field": FACETS, "rows": 5, **params})
    return (result["count"], sorted(d["name"] for d in result["results"]),
            result["facets"]["tags"])


def test_the_same_search_is_answered_again_without_running_it(people, searches_run):
    factories.Dataset(name="open", owner_org=people["stat"]["id"], tags=[{"name": "aa"}])
    first = search(q="open")
    ran = len(searches_run)
    assert ran >= 1
    assert search(q="open") == first == (1, ["open"], {"aa": 1})
    assert len(searches_run) == ran  # kept: nothing sent
    search(q="open", rows=6)  # another value: another search
    assert len(searches_run) > ran


def test_a_commit_to_the_index_is_seen_by_the_next_search(people):
    stat = people["stat"]["id"]
    first = factories.Dataset(name="first", owner_org=stat, tags=[{"name": "aa"}])
    assert search() == (1, ["first"], {"aa": 1})
    second = factories.Dataset(name="second", owner_org=stat, tags=[{"name": "aa"}])
    assert search() == (2, ["first", "second"], {"aa": 2})
    helpers.call_action("package_patch", id=second["id"], tags=[{"name": "bb"}])
    assert search() == (2, ["first", "second"], {"aa": 1, "bb": 1})
    helpers.call_action("package_patch", id=first["id"], private=True)
    assert search() == (1, ["second"], {"bb": 1})
    helpers.call_action("package_delete", id=second["id"])
    assert search() == (0, [], {})


def test_a_members_answer_is_never_given_to_another_reader(people):
    stat = people["stat"]["id"]
    factories.Dataset(name="open", owner_org=stat, tags=[{"name": "aa"}])
    factories.Dataset(name="secret", owner_org=stat, private=True, tags=[{"name": "bb"}])
    outsider = factories.User(name="outsider")
    member = people["member"]["name"]
    everything = (2, ["open", "secret"], {"aa": 1, "bb": 1})
    public = (1, ["open"], {"aa": 1})
    result_cache.forget()  # those the datasets' creation asked
    for _ in range(2):  # the second round from what was kept
        assert search(member, include_private=True) == everything
        assert search("", include_private=True) == public
        assert search(outsider["name"], include_private=True) == public
        assert search(member, include_private=True, q="secret") == (
            1, ["secret"], {"bb": 1})
        assert search("", include_private=True, q="secret") == (0, [], {})
    assert result_cache.kept_count() == 5


def test_a_transaction_with_index_writes_of_its_own_neither_reads_nor_keeps(
        people, searches_run):
    factories.Dataset(name="open", owner_org=people["stat"]["id"])
    assert search() == (1, ["open"], {})
    session = model.Session
    index_table.upsert(session, [{
        "id": "uncommitted", "index_id": "uncommitted", "name": "uncommitted",
        "site_id": tk.config["ckan.site_id"], "capacity": "public", "state": "active",
        "dataset_type": "dataset", "permission_labels": ["public"],
        "metadata_modified": "2026-01-01T00:00:00Z",
        "validated_data_dict": '{"name": "uncommitted"}'}])
    ran = len(searches_run)
    written = session.execute(sa.text(
        "SELECT doc->>'name' FROM kg_search_index ORDER BY 1")).scalars().all()
    assert written == ["open", "uncommitted"]
    # its own writes are in its answer, which it does not take from the kept one
    assert search()[0] == 2
    assert len(searches_run) > ran
    session.rollback()
    ran = len(searches_run)
    assert search() == (1, ["open"], {})  # the answer kept before the write
    assert len(searches_run) == ran


def test_a_version_changes_at_commit_not_before():
    session = model.Session
    index_table.ensure_table(session)
    session.commit()

    def committed():
        with session.get_bind().connect() as other:
            return tuple(other.execute(sa.text(facet_counts.VERSION_READ)).one())[:2]

    before = committed()
    index_table.upsert(session, [{
        "id": "x", "index_id": "x", "name": "x", "site_id": "kg-portal",
        "capacity": "public", "state": "active", "dataset_type": "dataset",
        "permission_labels": ["public"]}])
    assert committed() == before
    assert session.execute(sa.text(facet_counts.VERSION_READ)).one()[2] is True
    session.commit()
    after = committed()
    assert after[0] == before[0] and after[1] > before[1]
    index_table.upsert(session, [{
        "id": "y", "index_id": "y", "name": "y", "site_id": "kg-portal",
        "capacity": "public", "state": "active", "dataset_type": "dataset",
        "permission_labels": ["public"]}])
    session.rollback()
    assert committed() == after  # a rolled-back write changes nothing


@pytest.mark.ckan_config("ckanext.kg.search.result_cache_mb", 0)
def test_turned_off_nothing_is_kept_and_no_version_is_read(people):
    factories.Dataset(name="open", owner_org=people["stat"]["id"])
    versions = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if facet_counts.VERSION in statement:
            versions.append(statement)

    engine = model.Session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert search() == search() == (1, ["open"], {})
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert result_cache.kept_count() == 0
    assert versions == []


def test_answers_stay_within_their_budget_least_recently_asked_given_up_first():
    answers = result_cache._Answers()
    budget = 2000
    answers.put("v1", "a", ["rows of a"], 250, budget)
    answers.put("v1", "b", ["rows of b"], 100, budget)
    answers.put("v1", "c", ["rows of c"], 251, budget)  # more than an eighth: not kept
    assert answers.get("v1", "c") is None
    assert answers.get("v1", "a") == ["rows of a"]  # now the most recently asked
    for key in "defghij":
        answers.put("v1", key, [f"rows of {key}"], 235, budget)
    assert answers.size == 1995  # 250 + 100 + 7 × 235: all kept
    answers.put("v1", "k", ["rows of k"], 50, budget)
    assert answers.size == 1945
    assert answers.get("v1", "b") is None  # the least recently asked went first
    assert answers.get("v1", "a") == ["rows of a"]
    assert list(answers.rows) == [*"defghijk", "a"]
    assert answers.get("v2", "a") is None  # another version: not served
    answers.put("v2", "a", ["rows of a, again"], 250, budget)  # but replaced
    assert answers.get("v2", "a") == ["rows of a, again"]
    assert answers.get("v1", "a") is None
    assert answers.size == 1945


def test_a_key_holds_every_value_of_the_search():
    frozen = result_cache._frozen({"labels": ["public", "member-x"], "_rows": 20,
                                   "_fields": ["tags"], "nested": {"b": [1], "a": 2}})
    assert frozen == (("_fields", ("tags",)), ("_rows", 20),
                      ("labels", ("public", "member-x")), ("nested", (("a", 2), ("b", (1,)))))
    assert hash(frozen) == hash(result_cache._frozen(
        {"nested": {"a": 2, "b": [1]}, "_fields": ["tags"], "_rows": 20,
         "labels": ["public", "member-x"]}))


def test_keeping_frequent_words_renews_the_version(people, searches_run):
    factories.Dataset(name="open", owner_org=people["stat"]["id"], title="Калк")
    assert search(q="калк") == (1, ["open"], {})
    session = model.Session
    before = session.execute(sa.text(facet_counts.VERSION_READ)).one()[:2]
    frequent_words.keep(session, ["калк"], 1)
    session.commit()
    assert session.execute(sa.text(facet_counts.VERSION_READ)).one()[:2] > before
    ran = len(searches_run)
    assert search(q="калк") == (1, ["open"], {})
    # computed again, from the kept word's hits this time
    assert any(frequent_words.HITS in prepared.statement_of(session, s)
               for s in searches_run[ran:])


def test_an_index_made_anew_serves_no_answer_kept_before(people):
    factories.Dataset(name="open", owner_org=people["stat"]["id"])
    assert search() == (1, ["open"], {})
    session = model.Session
    session.execute(sa.text("DROP TABLE kg_search_index CASCADE"))  # by hand
    session.commit()
    assert search() == (0, [], {})


@pytest.mark.ckan_config("ckanext.kg.search.result_cache_mb", 1)
def test_searches_with_empty_answers_count_their_statements_against_the_budget(people):
    """Made-up words with `rows=0`: each answer is one row, but each is kept
    under its own statement; those count, so the budget holds."""
    factories.Dataset(name="open", owner_org=people["stat"]["id"])
    long_word = "ж" * 2000
    for k in range(300):
        assert helpers.call_action("package_search", q=f"{long_word}{k}",
                                   rows=0)["count"] == 0
    assert result_cache._answers.size <= 1024 * 1024
    assert 0 < result_cache.kept_count() < 300


@pytest.mark.ckan_config("ckanext.kg.search.result_cache_mb", 1)
def test_a_pages_documents_count_against_the_budget(people):
    """CKAN's pages read each dataset's JSON as text: a kept answer weighs
    what its documents weigh, so a budget of 1 MB keeps at most 1 MB of them."""
    notes = "ж" * 5_000
    for k in range(12):
        factories.Dataset(name=f"big-{k}", notes=notes, owner_org=people["stat"]["id"])
    for rows in range(1, 13):  # each a search of its own
        assert len(helpers.call_action("package_search", rows=rows)["results"]) == rows
    kept = sum(len(text) for _, answer, _ in result_cache._answers.rows.values()
               for row in answer for text in (row.texts or []) if text)
    assert result_cache._answers.size >= kept > 0
    assert result_cache._answers.size <= 1024 * 1024


def test_a_private_write_leaves_the_answers_of_readers_who_cannot_see_it_standing(
        people, searches_run):
    stat = people["stat"]["id"]
    factories.Dataset(name="open", owner_org=stat, tags=[{"name": "aa"}])
    secret = factories.Dataset(name="secret", owner_org=stat, private=True,
                               tags=[{"name": "bb"}])
    outsider = factories.User(name="outsider")["name"]
    member, root = people["member"]["name"], people["sysadmin"]["name"]
    public = (1, ["open"], {"aa": 1})
    assert search("", include_private=True) == public
    assert search(outsider, include_private=True) == public
    assert search(member, include_private=True) == (2, ["open", "secret"], {"aa": 1, "bb": 1})
    assert search(root, include_private=True) == (2, ["open", "secret"], {"aa": 1, "bb": 1})
    helpers.call_action("package_patch", id=secret["id"], tags=[{"name": "cc"}])
    ran = len(searches_run)
    # neither could see it, before or after: their answers are served again
    assert search("", include_private=True) == public
    assert search(outsider, include_private=True) == public
    assert len(searches_run) == ran
    # the agency's member could: computed again, with the new tag
    assert search(member, include_private=True) == (2, ["open", "secret"], {"aa": 1, "cc": 1})
    assert len(searches_run) > ran
    # a sysadmin's search requires no label: any write renews it
    ran = len(searches_run)
    assert search(root, include_private=True) == (2, ["open", "secret"], {"aa": 1, "cc": 1})
    assert len(searches_run) > ran


def test_a_dataset_changing_visibility_changes_every_answer_that_sees_it_before_or_after(
        people):
    stat = people["stat"]["id"]
    factories.Dataset(name="open", owner_org=stat, tags=[{"name": "aa"}])
    other = factories.Dataset(name="other", owner_org=stat, tags=[{"name": "aa"}])
    member = people["member"]["name"]
    both = (2, ["open", "other"], {"aa": 2})
    for _ in range(2):  # the second time from the kept answers
        assert search("", include_private=True) == both
        assert search(member, include_private=True) == both
    helpers.call_action("package_patch", id=other["id"], private=True)
    assert search("", include_private=True) == (1, ["open"], {"aa": 1})
    assert search(member, include_private=True) == both
    helpers.call_action("package_patch", id=other["id"], private=False,
                        tags=[{"name": "bb"}])
    assert search("", include_private=True) == (2, ["open", "other"], {"aa": 1, "bb": 1})
    assert search(member, include_private=True) == (2, ["open", "other"], {"aa": 1, "bb": 1})


def test_a_draft_is_in_no_anonymous_answer_until_it_is_made_active(people, searches_run):
    stat = people["stat"]["id"]
    factories.Dataset(name="open", owner_org=stat)
    draft = factories.Dataset(name="draft", owner_org=stat, state="draft")
    member = people["member"]["name"]
    assert search("", include_drafts=True) == (1, ["open"], {})
    assert search(member, include_drafts=True) == (2, ["draft", "open"], {})
    helpers.call_action("package_patch", id=draft["id"], title="Still a draft")
    ran = len(searches_run)
    assert search("", include_drafts=True) == (1, ["open"], {})
    assert len(searches_run) == ran
    helpers.call_action("package_patch", id=draft["id"], state="active")
    assert search("", include_drafts=True) == (2, ["draft", "open"], {})
    assert len(searches_run) > ran


def test_the_labels_version_is_a_sum_that_grows_with_any_of_its_labels():
    """Two commits may take their labels' numbers in one order and commit
    in the other: the greatest number of a reader's labels would then stay
    the same across the later commit; their sum does not."""
    session = model.Session
    index_table.ensure_table(session)
    session.execute(sa.text(f"DELETE FROM {facet_counts.LABEL_VERSIONS}"))
    session.execute(sa.text(
        f"INSERT INTO {facet_counts.LABEL_VERSIONS} VALUES ('member-a', 5), ('member-b', 20)"))

    def version(labels):
        return session.execute(sa.text(facet_counts.LABELLED_VERSION_READ),
                               {"labels": labels}).one()[1]

    before = version(["member-a", "member-b", "public"])
    session.execute(sa.text(
        f"UPDATE {facet_counts.LABEL_VERSIONS} SET n = 10 WHERE label = 'member-a'"))
    assert version(["member-a", "member-b", "public"]) == before + 5
    assert version(["member-b"]) == 20
    assert version(["public"]) == 0  # no write has touched it
    session.rollback()


def test_labels_versions_change_at_commit_for_the_labels_before_and_after():
    session = model.Session
    index_table.ensure_table(session)
    session.commit()
    row = {"id": "x", "index_id": "x", "name": "x", "site_id": "kg-portal",
           "capacity": "private", "state": "active", "dataset_type": "dataset",
           "permission_labels": ["member-a", "creator-u"]}

    def committed():
        with session.get_bind().connect() as other:
            return dict(other.execute(sa.text(
                f"SELECT label, n FROM {facet_counts.LABEL_VERSIONS}")).all())

    before = committed()
    index_table.upsert(session, [row])
    assert committed() == before
    session.commit()
    after = committed()
    assert {k for k in after if after[k] != before.get(k)} == {"member-a", "creator-u"}
    index_table.upsert(session, [dict(row, capacity="public", permission_labels=["public"])])
    session.commit()
    moved = committed()
    assert {k for k in moved if moved[k] != after.get(k)} == {
        "member-a", "creator-u", "public"}
    index_table.upsert(session, [dict(row, name="y", permission_labels=["public"])])
    session.rollback()
    assert committed() == moved  # a rolled-back write changes none
    assert session.execute(sa.text(
        f"SELECT count(*) FROM {facet_counts.TOUCHED}")).scalar() == 0
