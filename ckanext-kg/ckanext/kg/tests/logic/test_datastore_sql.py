"""`datastore_search_sql` within bounds (`logic/datastore_sql.py`), on the
real DataStore database: CKAN's allow-lists in force, a statement
stopped at the timeout, an answer cut at its rows and bytes, and every
failure a refusal of `sql` with PostgreSQL's reason and no SQL text."""
import time
from pathlib import Path

import pytest
from ckan.tests import helpers

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema + [
    pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", True)]

ValidationError = helpers.logic.ValidationError
NotAuthorized = helpers.logic.NotAuthorized
NotFound = helpers.logic.NotFound


def sql(statement, user=None):
    return helpers.call_action("datastore_search_sql", context={
        "user": user["name"] if user else "", "ignore_auth": False}, sql=statement)


def refusal(statement, user=None):
    with pytest.raises(ValidationError) as raised:
        sql(statement, user)
    return raised.value.error_dict


def test_rows_come_with_the_types_ckan_gives_them(sysadmin, table):
    answer = sql(f'SELECT region, year, share, day FROM "{table}" ORDER BY year', sysadmin)
    assert answer["fields"] == [{"id": "region", "type": "text"}, {"id": "year", "type": "int4"},
                                {"id": "share", "type": "numeric"}, {"id": "day", "type": "date"}]
    assert answer["records"] == [
        {"region": "Чүй", "year": 2021, "share": 40, "day": "2021-06-15"},
        {"region": "Нарын", "year": 2022, "share": -3.25, "day": "2022-12-31"},
        {"region": "Ош", "year": 2023, "share": 12.5, "day": "2023-01-02"}]
    assert "records_truncated" not in answer


def test_a_table_the_caller_may_not_read_is_answered_as_an_unknown_one(table):
    with pytest.raises(NotFound) as hidden:
        sql(f'SELECT region FROM "{table}"')
    with pytest.raises(NotFound) as unknown:
        sql('SELECT region FROM "00000000-0000-0000-0000-000000000000"')
    assert str(hidden.value) == str(unknown.value).replace(
        "00000000-0000-0000-0000-000000000000", table)


@pytest.mark.parametrize("statement", [
    "SELECT usename FROM pg_user",
    "SELECT table_name FROM information_schema.tables",
])
def test_system_tables_are_refused(sysadmin, statement):
    with pytest.raises(NotAuthorized):
        sql(statement, sysadmin)


@pytest.mark.parametrize("function", ["pg_sleep(1)", "pg_read_file('/etc/passwd')",
                                      "set_config('statement_timeout', '0', false)"])
def test_a_function_outside_ckans_allow_list_is_refused(sysadmin, function):
    with pytest.raises(NotAuthorized) as raised:
        sql(f"SELECT {function}", sysadmin)
    name = function.split("(")[0]
    assert str(raised.value) == f"The function {name} is not allowed in SQL queries."


@pytest.mark.ckan_config("ckan.datastore.sqlsearch.allowed_functions_file",
                        str(Path(__file__).with_name("allowed_functions.txt")))
def test_the_allow_list_is_the_file_ckan_names(sysadmin):
    """The file lists `count` alone: `lower`, allowed by CKAN's own list, is not."""
    assert sql("SELECT count(*) AS n", sysadmin)["records"] == [{"n": 1}]
    with pytest.raises(NotAuthorized):
        sql("SELECT lower('A')", sysadmin)


def test_ckans_own_allow_list_lets_ordinary_functions_through(sysadmin):
    assert sql("SELECT lower('A') AS a", sysadmin)["records"] == [{"a": "a"}]


@pytest.mark.ckan_config("ckanext.kg.datastore.sql_timeout", 1)
def test_a_statement_longer_than_the_timeout_is_stopped_in_bounded_time(sysadmin):
    started = time.monotonic()
    errors = refusal("SELECT count(*) FROM generate_series(1, 10000000000)", sysadmin)
    assert time.monotonic() - started < 5
    assert errors == {"sql": ["The query ran longer than 1 s and was stopped."]}


@pytest.mark.ckan_config("ckanext.kg.datastore.sql_max_rows", 3)
def test_an_answer_is_cut_at_the_row_limit(sysadmin):
    answer = sql("SELECT g FROM generate_series(1, 10) AS g", sysadmin)
    assert answer["records"] == [{"g": 1}, {"g": 2}, {"g": 3}]
    assert answer["records_truncated"] is True


@pytest.mark.ckan_config("ckanext.kg.datastore.sql_max_rows", 3)
def test_an_answer_of_exactly_the_row_limit_is_whole(sysadmin):
    answer = sql("SELECT g FROM generate_series(1, 3) AS g", sysadmin)
    assert [r["g"] for r in answer["records"]] == [1, 2, 3]
    assert "records_truncated" not in answer


@pytest.mark.ckan_config("ckanext.kg.datastore.sql_max_bytes", 100)
def test_an_answer_is_cut_at_the_byte_limit(sysadmin):
    # each row's text, as PostgreSQL writes it, is "(g,xxx…)": 34 bytes
    answer = sql("SELECT g, repeat('x', 30) AS text FROM generate_series(1, 9) AS g", sysadmin)
    assert [r["g"] for r in answer["records"]] == [1, 2]
    assert answer["records_truncated"] is True


@pytest.mark.ckan_config("ckanext.kg.datastore.sql_max_bytes", 1000)
def test_a_row_larger_than_the_byte_limit_never_leaves_the_database(sysadmin):
    answer = sql("SELECT 1 AS one, repeat('x', 5000000) AS big", sysadmin)
    assert answer == {"fields": [{"id": "one", "type": "int4"}, {"id": "big", "type": "text"}],
                      "records": [], "records_truncated": True, "sql": answer["sql"]}


@pytest.mark.parametrize("statement, message", [
    ("SELECT 1/0", "The query failed: division by zero"),
    ("SELECT chr(0)", "The query failed: null character not permitted"),
    ("SELECT 'abc'::int", 'The query failed: invalid input syntax for type integer: "abc"'),
    ("SELECT no_such_column", 'The query failed: column "no_such_column" does not exist'),
])
def test_a_statement_that_fails_as_it_runs_is_refused_with_postgresqls_reason(
        sysadmin, statement, message):
    assert refusal(statement, sysadmin) == {"sql": [message]}


def test_an_xml_failure_is_refused_with_postgresqls_reason(sysadmin):
    [message] = refusal("SELECT xmlparse(content '<a>')", sysadmin)["sql"]
    assert message.startswith("The query failed: ")
    assert "xmlparse" not in message and "SELECT" not in message


@pytest.mark.parametrize("params, message", [
    ({}, "Missing value"),
    ({"sql": ""}, "Missing value"),
    ({"sql": ["SELECT 1"]}, "Give one value, not a list or an object."),
    ({"sql": "SELECT 1; SELECT 2"}, "Give exactly one SQL statement."),
    ({"sql": "SELEC 1"}, 'The statement is not valid SQL: syntax error at or near "SELEC", '
                         'at index 0'),
])
def test_a_statement_that_is_not_one_select_is_refused_naming_sql(sysadmin, params, message):
    with pytest.raises(ValidationError) as raised:
        helpers.call_action("datastore_search_sql", context={"user": sysadmin["name"]},
                            **params)
    assert raised.value.error_dict == {"sql": [message]}


def test_percent_signs_colons_comments_and_repeated_names_read_as_written(sysadmin):
    answer = sql("SELECT 'a:b' AS x, '50%' AS y, 1 AS z, 2 AS z -- a comment", sysadmin)
    assert answer["records"] == [{"x": "a:b", "y": "50%", "z": 2}]
    assert [f["id"] for f in answer["fields"]] == ["x", "y", "z", "z"]
