"""A search for one kept frequent word is answered from its hits and counts:
exactly what searching the index gives (count, facets at every limit, page
order, scores), for every reader, after every kind of write, and rolled
back with the dataset."""
import ckan.logic as logic
import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.kg.search import facet_counts, frequent_words, index_table, prepared
from ckanext.kg.tests.search.conftest import COUNTED_ENTRIES

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "kg_pgsearch"),
    pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", True),
    # which statement answers is what these tests look at: none kept
    pytest.mark.ckan_config("ckanext.kg.search.result_cache_mb", 0),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
FACETS = '["organization", "groups", "tags", "res_format", "license_id"]'
WORD = "калк"
# matches every dataset, but reads the row: the search goes through the index
THROUGH_THE_INDEX = "+name:*"
READS = ({}, {"include_private": True},
         {"include_private": True, "include_drafts": True})
SORTS = ("score desc, metadata_modified desc", "metadata_modified desc")


def search_as(user, **params):
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return helpers.call_action("package_search", context=context,
                               fl=["name", "score"], **params)


def answer(user, **params):
    result = search_as(user, **params)
    return (result["count"], result["facets"],
            [(d["name"], d["score"]) for d in result["results"]])


def kept_answer_is_the_index_answer(user, **params):
    """The answer from the kept word and from the index, and whether the
    first came from the kept word (its statement reads the hits)."""
    statements = []
    original = model.Session.execute

    def recorded(statement, *args, **kwargs):
        result = original(statement, *args, **kwargs)
        statements.append(prepared.statement_of(model.Session, str(statement)))
        return result

    model.Session.execute = recorded
    try:
        kept = answer(user, **params)
    finally:
        model.Session.execute = original
    fq = (params.pop("fq", "") + " " + THROUGH_THE_INDEX).strip()
    through_index = answer(user, fq=fq, **params)
    assert kept == through_index, params
    return any(frequent_words.HITS in s for s in statements)


def text(title="", notes="", tags=()):
    return {"title": title, "notes": notes, "tags": [{"name": t} for t in tags]}


@pytest.fixture
def readers(people):
    member, collaborator, sysadmin = people["member"], people["collaborator"], people["sysadmin"]
    stat, health, group = people["stat"], people["health"], people["group"]
    words = [text("Калк саны", "", ["t0"]), text("Бюджет", "калктын кирешеси", ["калк"]),
             text("Калкы", "калк калк", ["t2"]), text("Жер", "калк", ["t3"]),
             text("Суу", "башка население", ["t4"])]
    for k, fields in enumerate(words):
        factories.Dataset(name=f"open-{k}", owner_org=stat["id"],
                          groups=[{"name": group["name"]}] if k % 2 else [],
                          resources=[{"url": "http://x.invalid", "format": "CSV"}],
                          **fields)
    private = factories.Dataset(name="secret", owner_org=stat["id"], private=True,
                                license_id="cc-by",
                                **text("Калк жашыруун", "", ["secret-tag"]))
    factories.Dataset(name="other-secret", owner_org=health["id"], private=True,
                      **text("Калк", "калк население", ["hidden"]))
    factories.Dataset(name="sketch", state="draft", owner_org=stat["id"], user=member,
                      **text("Калк долбоор", "", ["draft-only"]))
    helpers.call_action("package_collaborator_create", id=private["id"],
                        user_id=collaborator["id"], capacity="member")
    frequent_words.keep(model.Session, [WORD, "суу"], 5)
    model.Session.commit()
    return {"anonymous": None, "member": member, "collaborator": collaborator,
            "sysadmin": sysadmin}


def assert_kept_answers_are_exact(readers, limits=(1, 2, 50, -1)):
    for who, user in readers.items():
        for reads in READS:
            for sort in SORTS:
                for limit in limits:
                    for q in (WORD, f"text:{WORD}", "Калк", f"+{WORD}"):
                        params = dict(reads, q=q, sort=sort, rows=3, **{
                            "facet.field": FACETS, "facet.limit": limit})
                        assert kept_answer_is_the_index_answer(user, **params), (
                            who, params)
            for start in (0, 2, 3):
                assert kept_answer_is_the_index_answer(
                    user, q=WORD, start=start, rows=2, **reads), (who, start)
            assert kept_answer_is_the_index_answer(
                user, q=WORD, fq="+dataset_type:dataset", **{
                    "facet.field": FACETS, "facet.mincount": 2}, **reads)
    stored = model.Session.execute(sa.text(
        f"SELECT word_id, site_id, capacity, state, dataset_type, permission_labels, "
        f"term, sum(n) FROM {facet_counts.COUNTS} WHERE word_id > 0 "
        f"GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7"
    )).all()
    recounted = model.Session.execute(sa.text(
        f"SELECT w.word_id, site_id, capacity, state, dataset_type, permission_labels, "
        f"t, count(*) FROM kg_search_index AS r JOIN {frequent_words.WORDS} AS w "
        f"ON r.tsv @@ w.query, {COUNTED_ENTRIES} "
        f"GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7")).all()
    assert stored == recounted


class TestKeptWords:
    def test_every_reader_gets_what_the_index_gives(self, readers):
        count, facets, page = answer(None, q=WORD, **{"facet.field": FACETS})
        assert count == 4
        # title and description, title, description and tag, description
        assert [name for name, _ in page] == ["open-2", "open-0", "open-1", "open-3"]
        assert facets["tags"] == {"t0": 1, "t2": 1, "t3": 1, "калк": 1}
        assert answer(readers["member"], q=WORD, include_private=True,
                      include_drafts=True)[0] == 6
        assert answer(readers["collaborator"], q=WORD, include_private=True)[0] == 5
        assert answer(readers["sysadmin"], q=WORD, include_private=True)[0] == 6
        assert_kept_answers_are_exact(readers)

    def test_answers_follow_creates_updates_deletes_and_purges(self, readers):
        factories.Dataset(name="fresh", owner_org="stat",
                          **text("Калк жаңы", "калк", ["t0"]))
        helpers.call_action("package_patch", id="secret", private=False)
        helpers.call_action("package_patch", id="open-0", private=True,
                            tags=[{"name": "t9"}])
        helpers.call_action("package_patch", id="open-4", notes="калк эми бар")
        helpers.call_action("package_patch", id="open-3", notes="жок")
        helpers.call_action("package_delete", id="open-1")
        helpers.call_action("dataset_purge", id="open-2")
        helpers.call_action("package_patch", id="sketch", state="active")
        assert_kept_answers_are_exact(readers)
        assert [n for n, _ in answer(None, q=WORD)[2]] == [
            "fresh", "sketch", "secret", "open-4"]
        # a hit holds the one sort key its orders read, whether `keep`
        # computed it or a write's trigger wrote it
        assert model.Session.execute(sa.text(
            f"SELECT DISTINCT jsonb_object_keys(sort_keys) FROM {frequent_words.HITS}")
        ).scalars().all() == ["metadata_modified"]

    def test_a_rollback_takes_the_hits_and_counts_with_it(self, readers):
        before = answer(None, q=WORD, **{"facet.field": FACETS})
        dataset = model.Package.get("open-0")
        dataset.private = True  # and indexed, as an action does before its commit
        logic.index_update_package({"ignore_auth": True}, dataset.id)
        within = answer(None, q=WORD, **{"facet.field": FACETS})
        assert within[0] == 3 and "open-0" not in [n for n, _ in within[2]]
        assert "t0" not in within[1]["tags"]
        model.Session.rollback()
        assert answer(None, q=WORD, **{"facet.field": FACETS}) == before
        assert_kept_answers_are_exact(readers, limits=(50,))

    def test_a_private_dataset_never_shows_to_who_may_not_see_it(self, readers):
        for user in (None, readers["member"], readers["collaborator"]):
            for reads in READS:
                for limit in (1, 50, -1):
                    count, facets, page = answer(
                        user, q=WORD, rows=50, **reads,
                        **{"facet.field": FACETS, "facet.limit": limit})
                    assert "other-secret" not in [n for n, _ in page]
                    assert "hidden" not in facets["tags"]
                    assert "health" not in facets["organization"]
        assert "secret-tag" not in answer(None, q=WORD, include_private=True, **{
            "facet.field": FACETS})[1]["tags"]
        assert "secret-tag" in answer(readers["collaborator"], q=WORD,
                                      include_private=True,
                                      **{"facet.field": FACETS})[1]["tags"]

    def test_other_searches_go_through_the_index(self, readers):
        for params in ({"q": f"{WORD} суу"}, {"q": f"{WORD}*"}, {"q": "title:калк"},
                       {"q": WORD, "sort": "title_string asc"},
                       {"q": WORD, "fq": "tags:t0"}, {"q": "башка"},
                       {"q": WORD, "sort": "score desc"},
                       {"q": WORD, "facet.field": '["notes"]'}):
            assert not kept_answer_is_the_index_answer(None, **params), params

    def test_a_process_remembers_the_kept_words_until_they_change(self, readers):
        generation = index_table.ensure_table(model.Session)
        assert generation  # set by `keep`
        # a process that has remembered nothing yet (an earlier test's searches
        # are remembered under the same generation: the same words were kept)
        frequent_words._REMEMBERED.clear()
        assert kept_answer_is_the_index_answer(None, q=WORD)
        looked_up = []
        original = model.Session.execute

        def recorded(statement, *args, **kwargs):
            if f"FROM {frequent_words.WORDS} " in str(statement):
                looked_up.append(str(statement))
            return original(statement, *args, **kwargs)

        model.Session.execute = recorded
        try:
            assert answer(None, q=WORD)[0] == 4
            assert answer(None, q="башка")[0] == 1  # not kept: remembered too
            assert answer(None, q="башка")[0] == 1
            long_word = "ж" * 65  # looked up each time: never kept in memory
            assert answer(None, q=long_word)[0] == 0
            assert answer(None, q=long_word)[0] == 0
        finally:
            model.Session.execute = original
        assert len(looked_up) == 3  # "башка" the first time, the long word twice
        assert not any(word == long_word for _, word in frequent_words._REMEMBERED)
        frequent_words.keep(model.Session, ["башка"], 5)
        model.Session.commit()
        assert index_table.ensure_table(model.Session) != generation
        assert not kept_answer_is_the_index_answer(None, q=WORD)
        assert kept_answer_is_the_index_answer(None, q="башка")

    def test_kept_again_after_the_layout_is_rebuilt(self, readers):
        before = answer(readers["sysadmin"], q=WORD, include_private=True,
                        **{"facet.field": FACETS})
        connection = model.Session.connection()
        connection.execute(sa.text("COMMENT ON TABLE kg_search_index IS 'old layout'"))
        model.Session.commit()
        assert answer(readers["sysadmin"], q=WORD, include_private=True,
                      **{"facet.field": FACETS}) == before
        assert_kept_answers_are_exact(readers, limits=(50,))


def rows_written(word_id):
    """The transactions that wrote a kept word's hits and counts."""
    return set(model.Session.execute(sa.text(
        f"SELECT CAST(xmin AS text) FROM {frequent_words.HITS} WHERE word_id = :w "
        f"UNION SELECT CAST(xmin AS text) FROM {facet_counts.COUNTS} "
        f"WHERE word_id = :w"), {"w": word_id}).scalars())


def kept_ids():
    return dict(model.Session.execute(sa.text(
        f"SELECT word, word_id FROM {frequent_words.WORDS}")).all())


def versions():
    """The kept words' generation and the versions kept answers are read under."""
    return (index_table.ensure_table(model.Session), model.Session.execute(sa.text(
        f"SELECT (SELECT n FROM {facet_counts.VERSION}), "
        f"(SELECT array_agg(n ORDER BY label) FROM {facet_counts.LABEL_VERSIONS})")).one())


class TestKeepingAgain:
    def test_the_words_kept_before_are_not_computed_again(self, readers):
        before = kept_ids()
        written = rows_written(before[WORD])
        assert written
        answers_read_under = versions()
        kept = frequent_words.keep(model.Session, ["суу", WORD], 5)
        model.Session.commit()
        assert kept == [("суу", 1), (WORD, 7)]  # in the order given
        assert kept_ids() == before
        assert rows_written(before[WORD]) == written
        # nothing changed: every process's words and kept answers stand
        assert versions() == answers_read_under
        assert kept_answer_is_the_index_answer(None, q=WORD)
        assert_kept_answers_are_exact(readers, limits=(50,))

    def test_a_new_word_is_computed_and_a_word_left_out_forgotten(self, readers):
        before = kept_ids()
        # the writes since the word was kept kept it exact
        helpers.call_action("package_patch", id="open-4", notes="калк эми бар")
        helpers.call_action("package_delete", id="open-1")
        written = rows_written(before[WORD])
        answers_read_under = versions()
        kept = frequent_words.keep(model.Session, [WORD, "население"], 5)
        model.Session.commit()
        assert [word for word, _ in kept] == [WORD, "население"]
        generation, (version, labels) = versions()
        assert generation != answers_read_under[0]
        assert version > answers_read_under[1][0]
        assert all(a > b for a, b in zip(labels, answers_read_under[1][1], strict=True))
        now = kept_ids()
        assert now[WORD] == before[WORD] and now["население"] not in before.values()
        assert "суу" not in now
        assert rows_written(before["суу"]) == set()  # its hits and counts gone
        assert rows_written(before[WORD]) == written  # not computed again
        assert kept_answer_is_the_index_answer(None, q="население")
        assert not kept_answer_is_the_index_answer(None, q="суу")
        assert_kept_answers_are_exact(readers)


class TestChoosingWords:
    def test_the_most_frequent_words_without_stems(self, readers):
        # every dataset in the index, drafts and private ones too
        assert frequent_words.candidates(model.Session, 10, 2) == [
            ("stat", 7), ("калк", 7), ("open", 5), ("economy", 2),
            ("secret", 2), ("население", 2)]  # not its stem, "населен"
        kept = frequent_words.keep(model.Session, ["калк", "Калк", "суу"], 5)
        model.Session.commit()
        assert kept == [("калк", 7), ("суу", 1)]  # "Калк" is the same search

    def test_command_keeps_the_words_it_prints(self, readers, cli):
        from ckanext.kg.cli import kg
        result = cli.invoke(kg, ["keep-frequent-words", "--count", "4",
                                 "--min-percent", "50"])
        assert result.exit_code == 0, result.output
        # in at least 4 of the 8 datasets
        assert result.stdout.splitlines() == ["stat\t7", "калк\t7", "open\t5"]
        result = cli.invoke(kg, ["keep-frequent-words", "--count", "0"])
        assert (result.exit_code, result.stdout) == (0, "")
        assert not kept_answer_is_the_index_answer(None, q=WORD)
