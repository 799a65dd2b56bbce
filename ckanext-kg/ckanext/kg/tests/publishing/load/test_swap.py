"""A new version of a table is built beside the live one and swapped in:
readers keep the old rows (and columns, aliases, read access) until the
new ones are complete, and nothing of a build is ever left behind."""
import json

import pytest
from ckan.tests import helpers
from sqlalchemy import text

from ckanext.kg.publishing.load import datastore, swap
from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import SCHEMA, VALID
from ckanext.kg.tests.publishing.gate.test_validation import dataset, upload  # noqa: F401

pytestmark = portal_schema

# the same table with one more column
WIDER_SCHEMA = json.dumps({"fields": [
    *json.loads(SCHEMA)["fields"],
    {"name": "households", "type": "integer", "title": "Үй чарбалары"}],
    "primaryKey": "region"})
WIDER = "region,year,population,households\nЧүй,2023,1001000,250000\n"
# passes validation (an integer), but no PostgreSQL bigint holds it
TOO_BIG = "region,year,population,households\nЧүй,2023,1001000,99999999999999999999\n"


def rows(resource_id, **search):
    result = helpers.call_action("datastore_search", resource_id=resource_id,
                                 sort="_id", **search)
    columns = [f["id"] for f in result["fields"] if f["id"] != "rank"]  # `q` adds a rank
    return columns, [tuple(r[c] for c in columns if c != "_id") for r in result["records"]]


def status(resource_id):
    return helpers.call_action("kg_validation_show", id=resource_id)["status"]


def replace(upload_file, dataset, resource, data, schema):  # noqa: F811
    upload(upload_file, dataset, data, schema=schema, action="resource_update",
           id=resource["id"])
    return status(resource["id"])


def datastore_sql(sql, **params):
    from ckanext.datastore.backend.postgres import get_write_engine
    with get_write_engine().connect() as connection:
        return connection.execute(text(sql), params).fetchall()


def staged_tables():
    return datastore_sql("SELECT tablename FROM pg_tables WHERE schemaname = :s",
                         s=swap.STAGING)


def test_a_table_whose_columns_change_keeps_its_rows_until_new_ones_load(
        upload_file, dataset):  # noqa: F811
    resource = upload(upload_file, dataset, VALID)
    before = rows(resource["id"])
    assert before == (["_id", "region", "year", "population"],
                      [("Ысык-Көл", 2023, 513000), ("Нарын", 2023, 301600)])
    assert replace(upload_file, dataset, resource, TOO_BIG, WIDER_SCHEMA) == "failure"
    assert rows(resource["id"]) == before  # old columns, old rows
    assert staged_tables() == []
    assert replace(upload_file, dataset, resource, WIDER, WIDER_SCHEMA) == "success"
    assert rows(resource["id"]) == (["_id", "region", "year", "population", "households"],
                                    [("Чүй", 2023, 1001000, 250000)])
    info = helpers.call_action("datastore_info", id=resource["id"])
    assert [(f["id"], f["type"]) for f in info["fields"]] == [
        ("region", "text"), ("year", "int8"), ("population", "int8"),
        ("households", "int8")]
    assert info["fields"][3]["info"]["label"] == "Үй чарбалары"
    assert rows(resource["id"], q="Чүй")[1] == [("Чүй", 2023, 1001000, 250000)]
    assert datastore_sql("SELECT indexdef FROM pg_indexes WHERE tablename = :t "
                         "AND indexdef LIKE 'CREATE UNIQUE%%(region)'", t=resource["id"])


def test_an_alias_and_read_access_survive_a_new_version(upload_file, dataset, sysadmin):  # noqa: F811,E501
    resource = upload(upload_file, dataset, VALID)
    alias = "kalk-" + resource["id"]  # the DataStore outlives a test's database
    helpers.call_action("datastore_create", context={"user": sysadmin["name"]},
                        resource_id=resource["id"], aliases=alias, force=True)
    newer = VALID.replace("513000", "514000")
    assert replace(upload_file, dataset, resource, newer, SCHEMA) == "success"
    # the read-only role reads the new table and the alias, re-created on it
    assert rows(alias)[1] == [("Ысык-Көл", 2023, 514000), ("Нарын", 2023, 301600)]
    assert rows(resource["id"])[1] == [("Ысык-Көл", 2023, 514000), ("Нарын", 2023, 301600)]


def test_rows_are_served_before_their_full_text_search_is_built(upload_file, dataset):  # noqa: F811,E501
    resource = upload(upload_file, dataset, VALID)
    schema = json.loads(SCHEMA)
    newer = VALID.replace("Нарын", "Талас")
    # what a job does before it reports the stage `indexing`
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "kalk.csv"
        source.write_text(newer, "utf-8")
        assert datastore.load_table(resource["id"], source, schema) == 2
    assert rows(resource["id"])[1] == [("Ысык-Көл", 2023, 513000), ("Талас", 2023, 301600)]
    assert rows(resource["id"], q="Талас")[1] == []  # not searchable yet
    datastore.build_search(resource["id"], schema)
    assert rows(resource["id"], q="Талас")[1] == [("Талас", 2023, 301600)]
    assert datastore_sql(f'SELECT count(*) FROM "{resource["id"]}" '
                         "WHERE _full_text IS NULL") == [(0,)]
    indexes = [row[0] for row in datastore_sql(
        "SELECT indexdef FROM pg_indexes WHERE tablename = :t", t=resource["id"])]
    # the index method is a setting (GIN for the portal, CKAN's GiST here)
    assert any(index.endswith(" (_full_text)") for index in indexes)
    # rows added by hand later get their full text from CKAN's trigger
    helpers.call_action("datastore_upsert", context={"ignore_auth": True},
                        resource_id=resource["id"], method="insert", force=True,
                        records=[{"region": "Баткен", "year": 2023, "population": 1}])
    assert rows(resource["id"], q="Баткен")[1] == [("Баткен", 2023, 1)]
    assert staged_tables() == []


@pytest.mark.parametrize("data", [VALID, VALID.replace("301600", "көп")])
def test_nothing_is_left_in_the_staging_schema(upload_file, dataset, data):  # noqa: F811
    upload(upload_file, dataset, data)
    assert staged_tables() == []


def test_a_table_removed_meanwhile_is_not_recreated_without_its_grants():
    from ckanext.datastore.backend.postgres import get_write_engine

    def fill(cursor, table):
        raise AssertionError("never filled")

    with pytest.raises(swap.TableGone):
        swap.replace(get_write_engine(), "no-such-table", [("region", "text")], [], fill)
    assert datastore_sql("SELECT to_regclass('public.\"no-such-table\"')") == [(None,)]
    assert staged_tables() == []


def test_readers_are_not_held_up_while_a_new_version_waits_to_be_swapped_in(
        upload_file, dataset, tmp_path):  # noqa: F811
    import threading
    resource = upload(upload_file, dataset, VALID)
    source = tmp_path / "kalk.csv"
    source.write_text(VALID.replace("Нарын", "Талас"), "utf-8")
    reached, go = threading.Event(), threading.Event()

    def gate():  # where a load during validation waits for the verdict
        reached.set()
        assert go.wait(30)

    loading = threading.Thread(target=datastore.load_table, args=(
        resource["id"], source, json.loads(SCHEMA)), kwargs={"gate": gate})
    loading.start()
    try:
        assert reached.wait(30)
        from ckanext.datastore.backend.postgres import get_read_engine
        with get_read_engine().connect() as connection:
            connection.execute(text("SET lock_timeout = '2s'"))  # fails if it must wait
            regions = connection.execute(text(
                f'SELECT region FROM "{resource["id"]}" ORDER BY _id')).scalars().all()
        assert regions == ["Ысык-Көл", "Нарын"]  # the old rows, at once
    finally:
        go.set()
        loading.join(30)
    assert rows(resource["id"])[1] == [("Ысык-Көл", 2023, 513000), ("Талас", 2023, 301600)]


@pytest.mark.ckan_config("ckanext.kg.validation.job_timeout", "7200")
def test_the_full_text_indexes_are_built_within_the_jobs_limit(upload_file, dataset):  # noqa: F811,E501
    """CKAN's DataStore gives a statement 60 s; a GIN index over ten million
    rows takes longer, so the search job gives them its own limit."""
    import sqlalchemy as sa

    from ckanext.datastore.backend.postgres import get_write_engine
    resource = upload(upload_file, dataset, VALID)
    limits = []

    def note(conn, cursor, statement, *args):
        if "statement_timeout" in statement:
            limits.append(statement.split()[-1])

    engine = get_write_engine()
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        datastore.build_search(resource["id"], json.loads(SCHEMA))
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert limits and set(limits) == {"7200000"}
