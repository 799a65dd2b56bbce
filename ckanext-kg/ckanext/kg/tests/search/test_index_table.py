"""The index table's layout, and its upgrade from an older layout."""
import json
import re

import ckan.model as model
import pytest
import sqlalchemy as sa

from ckanext.kg.search import facet_counts, index_table
from ckanext.kg.search.client import PostgresSolr

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "kg_pgsearch"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]

# The first layout (before the filter columns), as it was created.
_LAYOUT_1 = [
    "DROP TABLE IF EXISTS kg_search_index",
    "CREATE SEQUENCE IF NOT EXISTS kg_search_index_seq",
    """CREATE TABLE kg_search_index (
        index_id text PRIMARY KEY, id text NOT NULL, site_id text,
        doc jsonb NOT NULL, sort_keys jsonb NOT NULL, terms text[] NOT NULL,
        tsv tsvector NOT NULL, seq bigint NOT NULL DEFAULT nextval('kg_search_index_seq'))""",
    "CREATE INDEX kg_search_index_terms_idx ON kg_search_index USING gin (terms)",
    "CREATE INDEX kg_search_index_tsv_idx ON kg_search_index USING gin (tsv)",
    "CREATE INDEX kg_search_index_id_idx ON kg_search_index (id)",
]


GIN_INDEXES = ("kg_search_index_terms_idx", "kg_search_index_tsv_idx")


def _gin_options(session):
    return dict(session.execute(sa.text(
        "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(:names)"),
        {"names": list(GIN_INDEXES)}).all())


def test_the_gin_indexes_take_each_write_at_once():
    """No pending list for every search to read (`fastupdate`)."""
    session = model.Session
    index_table.upsert(session, [_old_document("kalk")])
    session.commit()
    assert _gin_options(session) == {index: ["fastupdate=off"] for index in GIN_INDEXES}
    index_table.upsert(session, [_old_document(f"eksport-{k}") for k in range(50)])
    session.commit()
    for index in GIN_INDEXES:  # the pages a merge of the pending list would take
        assert session.execute(sa.text(
            f"SELECT gin_clean_pending_list('{index}'::regclass)")).scalar() == 0
    session.rollback()


def _old_document(name):
    return {"id": f"id-{name}", "index_id": f"ix-{name}", "name": name,
            "title": "Калк", "site_id": "kg-portal", "capacity": "public", "owner_org": "stat",
            "state": "active", "permission_labels": ["public"],
            "dataset_type": "dataset", "metadata_modified": "2026-01-01T00:00:00Z",
            "data_dict": json.dumps({"name": name, "of": "data_dict"}),
            "validated_data_dict": json.dumps({"name": name, "of": "validated"})}


def test_a_table_of_the_first_layout_is_rebuilt_from_its_documents():
    session = model.Session
    for statement in _LAYOUT_1:
        session.execute(sa.text(statement))
    for name in ("kalk", "eksport"):
        session.execute(sa.text(
            "INSERT INTO kg_search_index (index_id, id, site_id, doc, sort_keys, terms, tsv) "
            "VALUES (:i, :id, 'kg-portal', CAST(:doc AS jsonb), '{}', '{}', ''::tsvector)"),
            {"i": f"ix-{name}", "id": f"id-{name}",
             "doc": json.dumps(_old_document(name))})
    session.commit()

    index_table.ensure_table(session)

    rows = session.execute(sa.text(
        "SELECT index_id, capacity, state, permission_labels, "
        "obj_description('kg_search_index'::regclass, 'pg_class') "
        "FROM kg_search_index ORDER BY seq")).all()
    assert [tuple(r) for r in rows] == [
        ("ix-kalk", "public", "active", ["public"], index_table.LAYOUT),
        ("ix-eksport", "public", "active", ["public"], index_table.LAYOUT)]
    assert session.execute(sa.text(
        "SELECT to_regclass('kg_search_index_old_layout')")).scalar() is None
    assert index_table.has_field(session, "permission_labels")
    assert not index_table.has_field(session, "no_such_field")
    result = PostgresSolr().search(q="калк", fq='+capacity:public +site_id:"kg-portal"')
    assert sorted(d["name"] for d in result.docs) == ["eksport", "kalk"]


def test_a_rebuild_keeps_the_json_held_in_its_own_columns():
    """A table rebuilt from its documents (a layout with no way to be added
    to) takes the dataset's JSON from its columns where it has them."""
    session = model.Session
    session.execute(sa.text("DROP TABLE IF EXISTS kg_search_index"))  # an earlier test's
    session.commit()
    index_table.upsert(session, [_old_document("kalk"), _old_document("kalk-2")])
    session.execute(sa.text("COMMENT ON TABLE kg_search_index IS 'kg-search layout 0'"))
    session.commit()
    index_table.ensure_table(session)
    session.rollback()
    assert session.execute(sa.text(
        "SELECT obj_description('kg_search_index'::regclass, 'pg_class'), "
        "count(*) FILTER (WHERE data_dict IS NOT NULL AND validated_data_dict IS NOT NULL "
        "AND NOT doc ? 'data_dict') FROM kg_search_index")).one() == (index_table.LAYOUT, 2)
    result = PostgresSolr().search(q="калк", fl="id data_dict validated_data_dict",
                                   fq='+capacity:public +site_id:"kg-portal"')
    assert sorted(((json.loads(d["data_dict"]), json.loads(d["validated_data_dict"]))
                   for d in result.docs), key=lambda pair: pair[0]["name"]) == [
        ({"name": name, "of": "data_dict"}, {"name": name, "of": "validated"})
        for name in ("kalk", "kalk-2")]


def test_creating_the_table_commits_on_its_own():
    session = model.Session
    session.execute(sa.text("DROP TABLE IF EXISTS kg_search_index"))
    session.commit()
    index_table.ensure_table(session)
    session.rollback()  # a search request never commits
    assert session.execute(sa.text(
        "SELECT obj_description(to_regclass('kg_search_index'), 'pg_class')")
    ).scalar() == index_table.LAYOUT


def _counts_of_agencies(session):
    return session.execute(sa.text(
        f"SELECT capacity, term, n FROM {facet_counts.COUNTS} "
        "WHERE term LIKE 'owner!_org=%' ESCAPE '!' ORDER BY 1, 2")).all()


@pytest.mark.parametrize("layout", [7, 8, 9, 10, 11])
def test_a_table_of_an_older_layout_gets_what_is_new_without_a_rebuild(layout):
    session = model.Session
    index_table.upsert(session, [_old_document("kalk"), _old_document("kalk-2"),
                                 dict(_old_document("kalk-3"), capacity="private",
                                      owner_org="health")])
    session.commit()
    # layout 12: the dataset's JSON in columns of its own; before, in `doc`
    session.execute(sa.text(
        "UPDATE kg_search_index SET doc = doc || jsonb_build_object("
        "'data_dict', data_dict, 'validated_data_dict', validated_data_dict)"))
    session.execute(sa.text(
        "ALTER TABLE kg_search_index DROP COLUMN data_dict, DROP COLUMN validated_data_dict"))
    if layout == 11:
        session.execute(sa.text("COMMENT ON TABLE kg_search_index IS 'kg-search layout 11'"))
        _upgrade_and_check_the_json_of(session, ["kalk", "kalk-2", "kalk-3"])
        return
    if layout < 8:
        session.execute(sa.text("DROP INDEX kg_search_index_facet_counts_visibilities_idx"))
    for index in GIN_INDEXES:  # layout 11 writes them at once
        session.execute(sa.text(f"ALTER INDEX {index} RESET (fastupdate)"))
    # layout 11: the labels' versions, renewed by the commit trigger, and
    # the labels each write touches, noted by the write triggers
    session.execute(sa.text(
        f"DROP TABLE {facet_counts.LABEL_VERSIONS}, {facet_counts.TOUCHED}"))
    old_apply = facet_counts.APPLY.replace(f"{facet_counts.LABELS_RENEW};", "")
    assert old_apply != facet_counts.APPLY
    if layout < 9:  # layout 9: the index's version, and the commit trigger that renews it
        session.execute(sa.text(f"DROP TABLE {facet_counts.VERSION}"))
        old_apply = old_apply.replace(f"{facet_counts.VERSION_RENEW};", "")
    session.execute(sa.text(old_apply))
    # layout 10: the agencies' counts (`owner_org`), and the triggers that keep them
    assert _counts_of_agencies(session) == [("private", "owner_org=health", 1),
                                            ("public", "owner_org=stat", 2)]
    for function in facet_counts.CHANGE_FUNCTIONS:
        old_function = re.sub(rf"INSERT INTO {facet_counts.TOUCHED} [^;]*;", "", function)
        assert old_function != function
        if layout < 10:
            old_function = old_function.replace(facet_counts.counted_entries("r"),
                                                "array_append(r.facet_terms, ''::text)")
        session.execute(sa.text(old_function))
    if layout < 10:
        session.execute(sa.text(
            f"DELETE FROM {facet_counts.COUNTS} WHERE term LIKE 'owner!_org=%' ESCAPE '!'"))
        session.execute(sa.text("DROP INDEX kg_search_index_seq_idx"))
    session.execute(sa.text(f"COMMENT ON TABLE kg_search_index IS 'kg-search layout {layout}'"))
    session.commit()
    written = session.execute(sa.text("SELECT index_id, seq FROM kg_search_index")).all()
    # as every request begins: with no lock on the index yet (the upgrade
    # alters its GIN indexes, which waits for every transaction that read it)
    session.rollback()
    index_table.ensure_table(session)
    session.rollback()
    assert session.execute(sa.text(
        "SELECT to_regclass('kg_search_index_facet_counts_visibilities_idx') IS NOT NULL, "
        f"to_regclass('{facet_counts.VERSION}') IS NOT NULL, "
        "to_regclass('kg_search_index_seq_idx') IS NOT NULL, "
        "obj_description(to_regclass('kg_search_index'), 'pg_class')")).one() == (
        True, True, True, index_table.LAYOUT)
    # the same rows: not written again
    assert session.execute(sa.text("SELECT index_id, seq FROM kg_search_index")).all() == written
    assert _counts_of_agencies(session) == [("private", "owner_org=health", 1),
                                            ("public", "owner_org=stat", 2)]
    version = session.execute(sa.text(f"SELECT n FROM {facet_counts.VERSION}")).scalar()
    index_table.upsert(session, [_old_document("eksport")])
    session.commit()
    assert session.execute(sa.text(f"SELECT n FROM {facet_counts.VERSION}")).scalar() > version
    assert session.execute(sa.text(
        f"SELECT array_agg(label) FROM {facet_counts.LABEL_VERSIONS}")).scalar() == ["public"]
    assert _gin_options(session) == {index: ["fastupdate=off"] for index in GIN_INDEXES}
    assert _counts_of_agencies(session) == [("private", "owner_org=health", 1),
                                            ("public", "owner_org=stat", 3)]
    _assert_the_json_is_read_from_both_places(session, ["eksport", "kalk", "kalk-2"])
    session.execute(sa.text("DROP TABLE kg_search_index"))  # the next test creates its own
    session.commit()


def _upgrade_and_check_the_json_of(session, names):
    """Layout 11 becomes 12 by adding the columns: no row is written again."""
    written = session.execute(sa.text("SELECT index_id, seq, xmin::text FROM kg_search_index")
                              ).all()
    session.commit()
    index_table.ensure_table(session)
    session.rollback()
    assert session.execute(sa.text(
        "SELECT obj_description(to_regclass('kg_search_index'), 'pg_class')")
    ).scalar() == index_table.LAYOUT
    assert session.execute(sa.text("SELECT index_id, seq, xmin::text FROM kg_search_index")
                           ).all() == written
    index_table.upsert(session, [_old_document("eksport")])
    session.commit()
    _assert_the_json_is_read_from_both_places(session, ["eksport", *names[:2]])
    session.execute(sa.text("DROP TABLE kg_search_index"))
    session.commit()


def _assert_the_json_is_read_from_both_places(session, names):
    """Rows written before the upgrade hold the dataset's JSON in `doc`, a
    row written after in its columns; a search returns it alike."""
    placed = dict(session.execute(sa.text(
        "SELECT doc ->> 'name', validated_data_dict IS NOT NULL FROM kg_search_index")).all())
    assert placed["eksport"] is True and placed["kalk"] is False
    for fl, key in (("id validated_data_dict", "validated_data_dict"),
                    ("name data_dict", "data_dict"), ("*", "validated_data_dict"),
                    ("*", "data_dict"), ("name,data_dict,title", "data_dict")):
        result = PostgresSolr().search(q="калк", fl=fl, rows=10,
                                       fq='+capacity:public +site_id:"kg-portal"')
        assert sorted((json.loads(doc[key]) for doc in result.docs),
                      key=lambda read: read["name"]) == [
            {"name": name, "of": "data_dict" if key == "data_dict" else "validated"}
            for name in sorted(names)], fl


@pytest.mark.parametrize("table_there", [True, False])
def test_a_search_plans_without_jit_or_parallel_workers_in_its_transaction_only(
        table_there):
    session = model.Session
    index_table.ensure_table(session)
    if not table_there:
        session.execute(sa.text("DROP TABLE kg_search_index"))
    session.commit()

    def settings():
        return [session.execute(sa.text(f"SHOW {name}")).scalar()
                for name in ("jit", "max_parallel_workers_per_gather", "work_mem")]

    before = settings()
    session.rollback()
    assert before != ["off", "0", "32MB"]
    PostgresSolr().search(q="калк")
    assert settings() == ["off", "0", "32MB"]
    session.rollback()
    assert settings() == before


def test_times_sort_as_times_not_as_their_text():
    """Solr's stored form drops trailing zeros: ".1Z" is later than ".12Z"
    as text, earlier as a time."""
    client = PostgresSolr()
    times = {"a": "2026-01-01T00:00:00.1Z", "b": "2026-01-01T00:00:00.12Z",
             "c": "2026-01-01T00:00:00Z", "d": "2026-01-01T00:00:01Z"}
    client.add([{"id": name, "index_id": name, "name": name, "metadata_modified": time,
                 "site_id": "kg-portal"} for name, time in times.items()])
    result = client.search(q="*:*", sort="metadata_modified desc", rows=10)
    assert [d["name"] for d in result.docs] == ["d", "b", "a", "c"]
