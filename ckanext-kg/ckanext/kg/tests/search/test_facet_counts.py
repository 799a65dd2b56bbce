"""The page with no query is counted from `facet_counts`: exactly what
counting the index gives, for every reader, after every kind of write, and
rolled back with the dataset."""
import ckan.logic as logic
import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.kg.search import facet_counts, prepared, sort_order
from ckanext.kg.tests.search.conftest import COUNTED_ENTRIES

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "kg_pgsearch"),
    pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", True),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]
FACETS = '["organization", "groups", "tags", "res_format", "license_id"]'
# also counted: what CKAN asks on every agency and group page
COUNTED_FACETS = '["organization", "groups", "tags", "res_format", "license_id", "owner_org"]'
# matches every dataset, but reads the row: counted from the index itself
THROUGH_THE_INDEX = "+name:*"


def search_as(user, **params):
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return helpers.call_action("package_search", context=context, **params)


def answer(user, **params):
    result = search_as(user, **params)
    return (result["count"], result["facets"],
            [d["name"] for d in result["results"]])


def plans_of(search, off=(), analyze=False):
    """The plans of the search statements `search()` runs, with the
    planner's methods `off` turned off in its transaction (as run, with
    their rows, when `analyze`)."""
    plans = []
    connection = model.Session.connection()
    for setting in off:
        connection.execute(sa.text(f"SET LOCAL {setting} = off"))
    original = connection.execute

    def explain(statement, *args, **kwargs):
        text = str(statement)
        if (text.lstrip().startswith(("WITH", "EXECUTE"))
                and "kg_search_index" in prepared.statement_of(model.Session, text)):
            plans.extend(row[0] for row in original(
                sa.text(("EXPLAIN (ANALYZE) " if analyze else "EXPLAIN ") + text),
                *args, **kwargs))
        return original(statement, *args, **kwargs)

    model.Session.execute, saved = explain, model.Session.execute
    try:
        search()
    finally:
        model.Session.execute = saved
    return plans


@pytest.fixture
def readers(people):
    member, collaborator, sysadmin = people["member"], people["collaborator"], people["sysadmin"]
    stat, health, group = people["stat"], people["health"], people["group"]
    for k in range(3):
        factories.Dataset(name=f"open-{k}", owner_org=stat["id"],
                          tags=[{"name": "калк"}, {"name": f"t{k}"}],
                          groups=[{"name": group["name"]}] if k else [],
                          resources=[{"url": "http://x.invalid", "format": "CSV"}])
    private = factories.Dataset(name="secret", owner_org=stat["id"], private=True,
                                tags=[{"name": "калк"}], license_id="cc-by")
    factories.Dataset(name="other-secret", owner_org=health["id"], private=True,
                      tags=[{"name": "калк"}])
    factories.Dataset(name="sketch", state="draft", owner_org=stat["id"], user=member,
                      tags=[{"name": "draft-only"}])
    helpers.call_action("package_collaborator_create", id=private["id"],
                        user_id=collaborator["id"], capacity="member")
    return {"anonymous": None, "member": member, "collaborator": collaborator,
            "sysadmin": sysadmin}


def assert_counts_match_the_index(readers):
    for who, user in readers.items():
        for params in ({}, {"include_private": True},
                       {"include_private": True, "include_drafts": True}):
            page = dict(params, **{"facet.field": COUNTED_FACETS, "facet.limit": -1})
            counted = answer(user, fq="+dataset_type:dataset", **page)
            through_index = answer(user, fq=f"+dataset_type:dataset {THROUGH_THE_INDEX}",
                                   **page)
            assert counted == through_index, (who, params)
    stored = model.Session.execute(sa.text(
        f"SELECT site_id, capacity, state, dataset_type, permission_labels, term, "
        f"sum(n) FROM {facet_counts.COUNTS} WHERE word_id = 0 GROUP BY 1, 2, 3, 4, 5, 6 "
        f"HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6")).all()
    recounted = model.Session.execute(sa.text(
        "SELECT site_id, capacity, state, dataset_type, permission_labels, t, count(*) "
        f"FROM kg_search_index, {COUNTED_ENTRIES} "
        "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6")).all()
    assert stored == recounted


class TestExactCounts:
    def test_every_reader_gets_what_the_index_counts(self, readers):
        assert answer(None, **{"facet.field": FACETS})[:2] == (
            3, {"organization": {"stat": 3}, "groups": {"economy": 2},
                "tags": {"калк": 3, "t0": 1, "t1": 1, "t2": 1},
                "res_format": {"CSV": 3}, "license_id": {}})
        member = answer(readers["member"], include_private=True, include_drafts=True,
                        **{"facet.field": FACETS})
        assert member[0] == 5 and member[1]["tags"]["калк"] == 4
        assert_counts_match_the_index(readers)

    def test_counts_follow_updates_deletes_and_purges(self, readers):
        helpers.call_action("package_patch", id="secret", private=False)
        helpers.call_action("package_patch", id="open-0", private=True,
                            tags=[{"name": "t9"}])
        helpers.call_action("package_delete", id="open-1")
        helpers.call_action("dataset_purge", id="open-2")
        helpers.call_action("package_patch", id="sketch", state="active")
        assert_counts_match_the_index(readers)
        assert answer(None)[0] == 2

    def test_counts_roll_back_with_the_dataset(self, readers):
        page = {"facet.field": FACETS}
        before = answer(None, **page)
        dataset = model.Package.get("open-0")
        dataset.private = True  # and indexed, as an action does before its commit
        logic.index_update_package({"ignore_auth": True}, dataset.id)
        assert answer(None, **page)[0] == 2  # within the transaction
        model.Session.rollback()
        assert answer(None, **page) == before
        assert_counts_match_the_index(readers)

    def test_counted_page_is_sorted_and_paged_like_the_index(self, readers):
        for sort in ("score desc, metadata_modified desc", "metadata_modified desc",
                     "title_string asc", "title_string desc", "name asc",
                     "metadata_created asc"):
            for start in (0, 2, 10):
                params = {"sort": sort, "start": start, "rows": 2,
                          "include_private": True, "include_drafts": True}
                assert (answer(readers["sysadmin"], **params)
                        == answer(readers["sysadmin"], fq=THROUGH_THE_INDEX, **params))


class TestAgencyCounts:
    """CKAN's count of every agency's and group's datasets
    (`get_group_dataset_counts`, on each agency and group page and the
    lists of them): from the counts, for each reader, not from the index."""

    def test_every_agencys_datasets_are_counted_for_each_reader(self, readers, people):
        from ckan.lib.dictization.model_dictize import get_group_dataset_counts
        from ckan.lib.search.query import PackageSearchQuery
        stat, health = people["stat"]["id"], people["health"]["id"]

        def through_index(labels):
            query = PackageSearchQuery()
            query.run({"q": "", "fq": f"dataset_type:dataset {THROUGH_THE_INDEX}",
                       "facet.field": ["groups", "owner_org"], "facet.limit": -1,
                       "rows": 1}, permission_labels=labels)
            return query.facets
        member = ["public", f"member-{stat}", f"creator-{people['member']['id']}"]
        counted = {who: get_group_dataset_counts(permissions_labels=labels)
                   for who, labels in (("anonymous", ["public"]), ("member", member),
                                       ("unfiltered", None))}
        assert {who: found["owner_org"] for who, found in counted.items()} == {
            "anonymous": {stat: 3}, "member": {stat: 4},
            "unfiltered": {stat: 4, health: 1}}
        assert {found["groups"]["economy"] for found in counted.values()} == {2}
        for labels, found in zip((["public"], member, None), counted.values(), strict=True):
            assert found == through_index(labels)
            assert get_group_dataset_counts(fq="entity_type:package",
                                            permissions_labels=labels) == found

    def test_the_agency_counts_are_read_from_the_counts(self, readers):
        """Not by collecting every matching row of the index (the `hits` of
        any other search) and counting their entries."""
        from ckan.lib.dictization.model_dictize import get_group_dataset_counts
        # as on an agency's page, and as the lists of agencies and groups ask
        for plans in (plans_of(get_group_dataset_counts), plans_of(
                lambda: get_group_dataset_counts(fq="entity_type:package",
                                                 permissions_labels=["public"]))):
            assert any(facet_counts.COUNTS in line for line in plans), plans
            assert not any("CTE hits" in line for line in plans), plans
        through_index = plans_of(lambda: get_group_dataset_counts(
            fq=f"dataset_type:dataset {THROUGH_THE_INDEX}"))
        assert any("CTE hits" in line for line in through_index), through_index

    def test_their_one_row_is_the_first_in_write_order(self, readers):
        """CKAN asks for one row in no order: read from the index of write
        order, not by sorting every dataset."""
        from ckan.lib.dictization.model_dictize import get_group_dataset_counts
        plans = plans_of(get_group_dataset_counts, off=("enable_sort",))
        assert any("kg_search_index_seq_idx" in line for line in plans), plans


class TestOneCountedFilter:
    """A search filtered on one counted entry (an agency's or a tag's
    datasets, as CKAN counts them for an agency's page) and the
    visibility columns, without facets: its number from the counts, its
    page from the index, what counting the index gives, for every reader."""

    @pytest.mark.parametrize("fq", ['+owner_org:"{stat}"', 'owner_org:{health}',
                                    "tags:калк", '+groups:"economy"', "organization:stat"])
    def test_every_reader_gets_what_the_index_counts(self, readers, people, fq):
        fq = fq.format(stat=people["stat"]["id"], health=people["health"]["id"])
        for who, user in readers.items():
            for params in ({}, {"include_private": True},
                           {"include_private": True, "include_drafts": True},
                           {"sort": "name asc", "rows": 2, "start": 1}):
                counted = answer(user, fq=fq, **params)
                assert counted == answer(user, fq=f"{fq} {THROUGH_THE_INDEX}", **params), (
                    who, params)
        assert answer(readers["sysadmin"], fq=fq, include_private=True)[0] > 0

    def test_its_number_is_read_from_the_counts(self, readers, people):
        fq = f'+owner_org:"{people["stat"]["id"]}"'
        plans = plans_of(lambda: search_as(None, fq=fq, rows=1))
        assert any(facet_counts.COUNTS in line for line in plans), plans
        assert not any("CTE hits" in line for line in plans), plans
        with_facets = plans_of(lambda: search_as(None, fq=fq, rows=1,
                                                 **{"facet.field": '["tags"]'}))
        assert any("CTE hits" in line for line in with_facets), with_facets


class TestSortIndexes:
    """The sorts of CKAN's pages read an index in order: its expressions
    are the ORDER BY that `sort_order` writes."""

    @pytest.mark.parametrize("sort, index", [
        ("metadata_modified desc", "modified_desc_idx"),
        ("score desc, metadata_modified desc", "modified_desc_idx"),
        ("title_string asc", "title_asc_idx"),
        ("title_string desc", "title_desc_idx"),
        ("name asc", "name_asc_idx"),
    ])
    def test_sort_reads_its_index(self, sort, index):
        factories.Dataset(name="one")
        plans = plans_of(lambda: helpers.call_action("package_search", sort=sort, rows=5),
                         off=("enable_sort", "enable_seqscan"))
        assert any(f"kg_search_index_{index}" in line for line in plans), plans
        assert index in sort_order.INDEX_NAMES


class TestDeepPage:
    def test_reader_filter_is_checked_on_index_entries(self, readers):
        """Newest first, the page's query reads only what the index holds
        (an index-only scan is possible), whatever the reader."""
        def pages():
            for user in (None, readers["member"]):
                search_as(user, sort="metadata_modified desc", start=3, rows=2,
                          include_private=True)

        plans = plans_of(pages, off=("enable_indexscan", "enable_bitmapscan",
                                     "enable_seqscan", "enable_sort"))
        scans = [line.strip() for line in plans if "kg_search_index_modified" in line]
        assert len(scans) == 2 and all(
            line.startswith("->  Index Only Scan using kg_search_index_modified_desc_idx")
            for line in scans), plans


class TestFacetsInCountOrder:
    """The page's facets read the first values of each visibility in count
    order, and sum the whole field only when those cannot hold the answer:
    with any `facet.limit`, what counting the index gives."""

    @pytest.fixture
    def more_tags(self, readers):
        for k, tags in enumerate([["bb", "cc"], ["bb", "cc"], ["bb"], ["cc", "dd"]]):
            factories.Dataset(name=f"more-{k}", owner_org="stat",
                              tags=[{"name": t} for t in tags])
        for k in range(3):  # only readers of `health` may count these
            factories.Dataset(name=f"hidden-{k}", owner_org="health", private=True,
                              tags=[{"name": "hidden"}, {"name": "bb"}])
        return readers

    def test_first_values_are_exact_for_each_reader(self, more_tags):
        def tags(user, limit, **params):
            return search_as(user, fq="+dataset_type:dataset", **params, **{
                "facet.field": FACETS, "facet.limit": limit})["facets"]["tags"]

        member, sysadmin = more_tags["member"], more_tags["sysadmin"]
        assert tags(None, 1) == {"bb": 3}
        assert tags(None, 2) == {"bb": 3, "cc": 3}
        assert tags(None, 3) == {"bb": 3, "cc": 3, "калк": 3}
        assert tags(member, 2, include_private=True) == {"калк": 4, "bb": 3}
        assert tags(member, 1, include_private=True, include_drafts=True) == {"калк": 4}
        assert tags(sysadmin, 1, include_private=True) == {"bb": 6}
        assert tags(sysadmin, 2, include_private=True) == {"bb": 6, "калк": 5}
        assert tags(sysadmin, 3, include_private=True) == {
            "bb": 6, "калк": 5, "cc": 3}
        assert tags(sysadmin, 4, include_private=True)["hidden"] == 3
        for user in (None, member):
            assert "hidden" not in tags(user, 50, include_private=True,
                                        include_drafts=True)

    def test_a_value_beyond_the_public_first_values_counts_there_too(self, more_tags):
        # `dd`: five private datasets of `stat`, which its member reads,
        # and one public dataset, where it is not among the first values
        for k in range(5):
            factories.Dataset(name=f"private-dd-{k}", owner_org="stat", private=True,
                              tags=[{"name": "dd"}])
        member = more_tags["member"]
        for limit in (1, 2):
            page = {"facet.field": FACETS, "facet.limit": limit, "include_private": True}
            counted = answer(member, fq="+dataset_type:dataset", **page)
            assert counted == answer(
                member, fq=f"+dataset_type:dataset {THROUGH_THE_INDEX}", **page)
            assert list(counted[1]["tags"].items())[0] == ("dd", 6)
        assert search_as(None, **{"facet.field": FACETS, "facet.limit": 50}
                         )["facets"]["tags"]["dd"] == 1

    def test_a_candidate_that_cannot_be_first_is_not_probed(self, more_tags):
        # public tags: калк 8, then bb and cc 3; `stat`'s private ones, which
        # its member reads: ee 3, ff 2, then калк and gg 1. For a
        # `facet.limit` of 1 each visibility's first two are read: калк has
        # 8 at least, and bb, cc, ee and ff can have at most 3 + 2 or 2 + 3
        # (what is known, plus the last count read where it is not): they
        # are left out unprobed. калк's private count is probed: 9.
        for k in range(5):
            factories.Dataset(name=f"more-kalk-{k}", owner_org="stat",
                              tags=[{"name": "калк"}])
        for k, tags in enumerate([["ee", "ff", "gg"], ["ee", "ff"], ["ee"]]):
            factories.Dataset(name=f"stat-private-{k}", owner_org="stat", private=True,
                              tags=[{"name": t} for t in tags])
        member = more_tags["member"]
        page = {"facet.field": FACETS, "facet.limit": 1, "include_private": True}

        def rows_of(cte, plan):
            line = plan[plan.index(f"CTE {cte}") + 1]
            actual = line.split("(actual ")[1]
            return int(actual.split(" rows=")[1].split(".")[0].split()[0])

        # asked first: a kept answer (`result_cache.py`) runs no statement
        plan = [line.strip().removeprefix("->  ") for line in plans_of(
            lambda: search_as(member, fq="+dataset_type:dataset", **page),
            analyze=True)]
        # of the tags' candidates known, bb, cc, ee and ff are left out
        assert rows_of("open", plan) < rows_of("known", plan)
        counted = answer(member, fq="+dataset_type:dataset", **page)
        assert counted == answer(
            member, fq=f"+dataset_type:dataset {THROUGH_THE_INDEX}", **page)
        assert counted[1]["tags"] == {"калк": 9}

    @pytest.mark.parametrize("limit", [1, 2, 3, 5, 50])
    def test_any_limit_gives_what_the_index_counts(self, more_tags, limit):
        for who, user in more_tags.items():
            for params in ({}, {"include_private": True},
                           {"include_private": True, "include_drafts": True},
                           {"facet.mincount": 3, "include_private": True}):
                page = dict(params, **{"facet.field": FACETS, "facet.limit": limit})
                counted = answer(user, fq="+dataset_type:dataset", **page)
                through_index = answer(
                    user, fq=f"+dataset_type:dataset {THROUGH_THE_INDEX}", **page)
                assert counted == through_index, (who, params)

    def test_a_writing_transaction_counts_its_own_changes(self, more_tags):
        dataset = model.Package.get("more-3")
        dataset.private = True  # and indexed, as an action does before its commit
        logic.index_update_package({"ignore_auth": True}, dataset.id)
        assert search_as(None, **{"facet.field": FACETS, "facet.limit": 2}
                         )["facets"]["tags"] == {"bb": 3, "калк": 3}
        model.Session.rollback()
        assert search_as(None, **{"facet.field": FACETS, "facet.limit": 2}
                         )["facets"]["tags"] == {"bb": 3, "cc": 3}
