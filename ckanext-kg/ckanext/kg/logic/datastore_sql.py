"""`datastore_search_sql` within bounds: a statement timeout, an answer
of at most so many rows and bytes, and failures answered as refusals of
`sql` with no SQL text in them.

CKAN's own checks stay in force and come first: its parser and its
allow-list of syntax (`sanitize_sql`), of functions
(`ckan.datastore.sqlsearch.allowed_functions_file`) and of tables (each
one the caller may read). The statement then runs inside two queries:
one that only describes its columns (`LIMIT 0`), and one that numbers its
rows' sizes as PostgreSQL sends them and stops after the byte budget, so
that no row beyond it ever leaves the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import pglast
from ckan.types import Context
from sqlalchemy.exc import DBAPIError

from ckanext.kg.logic import refusals


@dataclass(frozen=True)
class Limits:
    seconds: int
    rows: int
    bytes: int

    @classmethod
    def from_config(cls) -> "Limits":
        return cls(seconds=tk.config.get("ckanext.kg.datastore.sql_timeout"),
                   rows=tk.config.get("ckanext.kg.datastore.sql_max_rows"),
                   bytes=tk.config.get("ckanext.kg.datastore.sql_max_bytes"))


def search(context: Context, sql: str) -> dict[str, Any]:
    """The answer to one SQL statement: `fields`, `records`, and
    `records_truncated` when the rows or bytes ran over the limits."""
    from ckanext.datastore.backend.postgres import get_read_engine
    limits = Limits.from_config()
    _check_single_statement(sql)
    with get_read_engine().connect() as connection:
        connection = connection.execution_options(no_parameters=True)
        try:
            connection.exec_driver_sql(
                f"SET LOCAL statement_timeout = {int(limits.seconds * 1000)}")
            statement = _allowed_statement(context, connection, sql)
            columns = connection.exec_driver_sql(
                f"SELECT * FROM ({statement}) AS kg_query LIMIT 0").cursor.description
            rows = connection.exec_driver_sql(_bounded(statement, len(columns), limits)).all()
            types = _type_names(connection, [c.type_code for c in columns])
        except DBAPIError as error:
            raise _refusal(error, limits) from None
    return _answer(columns, types, rows, limits)


def _check_single_statement(sql: str) -> None:
    try:
        statements = pglast.parser.parse_sql(sql)
    except pglast.parser.ParseError as error:
        raise tk.ValidationError({"sql": [tk._(
            "The statement is not valid SQL: {reason}").format(reason=error)]}) from None
    if len(statements) != 1:
        raise tk.ValidationError({"sql": [tk._("Give exactly one SQL statement.")]})


def _allowed_statement(context: Context, connection: Any, sql: str) -> str:
    """The statement as CKAN's parser writes it back (one statement, no
    comments), once every table, function and syntax in it is allowed."""
    from ckanext.datastore.backend import DatastoreBackend
    from ckanext.datastore.backend.postgres import sanitize_sql
    try:
        statement, tables, functions = sanitize_sql(connection, sql)
    except tk.ValidationError as error:
        raise tk.ValidationError({"sql": [tk._("This SQL is not allowed: {reason}").format(
            reason=error.error_dict.get("message"))]}) from None
    if any(schema not in (None, "public") or name.startswith("pg_")
           for schema, name in tables):
        raise tk.NotAuthorized(tk._("Only the DataStore's tables can be queried."))
    tk.check_access("datastore_search_sql",
                    dict(context, table_names=[name for _schema, name in tables]),
                    {"sql": sql})
    allowed = DatastoreBackend.get_active_backend().allowed_sql_functions
    for name in functions:
        if len(name) != 1 or not {name[0].lower(), f'"{name[0]}"'} & set(allowed):
            raise tk.NotAuthorized(tk._(
                "The function {name} is not allowed in SQL queries.").format(
                    name=".".join(name)))
    return statement


def _bounded(statement: str, width: int, limits: Limits) -> str:
    """At most `limits.rows` + 1 rows of the statement, each with the
    running total of the rows' sizes (PostgreSQL's text of the row, in
    bytes), last column. Rows stop after the first one that takes the
    total over `limits.bytes`, which comes with its values left out: the
    sign that the answer was cut. Columns are renamed by position
    (`c0`…), so no name of the statement's can clash with ours."""
    if width == 0:
        return f"SELECT 0 FROM ({statement}) AS kg_query LIMIT {limits.rows + 1}"
    names = [f"c{i}" for i in range(width)]
    budget = int(limits.bytes)
    size = "octet_length(kg_row::text)"
    shown = ", ".join(f"CASE WHEN kg_total <= {budget} THEN {n} END" for n in names)
    return f"""
        SELECT {shown}, kg_total FROM (
            SELECT kg_row.*,
                   sum({size}) OVER (ROWS UNBOUNDED PRECEDING) AS kg_total,
                   coalesce(sum({size}) OVER (
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS kg_before
            FROM (SELECT * FROM ({statement}) AS kg_query
                  LIMIT {int(limits.rows) + 1}) AS kg_row({", ".join(names)})
        ) AS kg_sized
        WHERE kg_before <= {budget}"""


def _type_names(connection: Any, oids: list[int]) -> list[str]:
    found = dict(connection.exec_driver_sql(
        "SELECT oid, typname FROM pg_type WHERE oid IN ("
        + ", ".join(str(int(oid)) for oid in oids) + ")").all()) if oids else {}
    return [found.get(oid, "text") for oid in oids]


def _answer(columns: Any, types: list[str], rows: list[Any],
            limits: Limits) -> dict[str, Any]:
    from ckanext.datastore.backend.postgres import convert
    truncated = len(rows) > limits.rows
    if rows and columns and rows[-1][-1] > limits.bytes:
        rows, truncated = rows[:-1], True
    rows = rows[:limits.rows]
    names = [str(c.name) for c in columns]
    records = [{name: convert(value, typ)  # a row's last value is its running size
                for name, typ, value in zip(names, types, row[:len(names)], strict=True)}
               for row in rows]
    answer = {"fields": [{"id": name, "type": typ}
                         for name, typ in zip(names, types, strict=True)],
              "records": records}
    if truncated:
        answer["records_truncated"] = True
    return answer


def _refusal(error: DBAPIError, limits: Limits) -> Exception:
    """PostgreSQL's failure of the statement, as a refusal of `sql` that
    gives PostgreSQL's reason (never the statement)."""
    code = refusals.sqlstate(error) or ""
    if code == refusals.PERMISSION_DENIED:
        return tk.NotAuthorized(tk._("Only the DataStore's tables can be queried."))
    reason = getattr(getattr(error.orig, "diag", None), "message_primary", None) or ""
    if code == refusals.QUERY_CANCELED:
        message = tk._("The query ran longer than {seconds} s and was stopped.").format(
            seconds=limits.seconds)
    elif code.startswith("53"):  # insufficient resources
        message = tk._("The query needs more memory or work than one query may use: "
                       "{reason}").format(reason=reason)
    else:
        message = tk._("The query failed: {reason}").format(reason=reason)
    return tk.ValidationError({"sql": [message]})
