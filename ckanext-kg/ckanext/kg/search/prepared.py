"""Search statements planned once per database connection, not per request.

The statement of a page without words (the `/dataset` page, a sorted or a
deep page) or of a kept frequent word has the same text for every request of
its shape; only its values change (the reader's labels, the page, the
word). Planning it took longer than running it: 4 ms of planning for the
`/dataset` page's counts and facets at 100,000 datasets. Such a statement is
`PREPARE`d on the connection the first time it runs there, and `EXECUTE`d
with the request's values after that; PostgreSQL keeps planning it with
those values for its first five runs and then, when a plan that ignores
them costs no more, uses that one.

A statement PostgreSQL cannot prepare (a value whose type its text does not
say) runs as before, from then on, for the whole process: preparing it is
tried in a savepoint, so a search inside a writing transaction loses
nothing. What a connection has prepared is recorded in its pool record's
`info`, which SQLAlchemy empties when it opens a new connection in its
place; a connection holds at most `_AT_MOST` of them, the least recently
used given up first. `ckanext.kg.search.prepared_statements` turns it off
(for a pooler that does not keep a session on one server connection).
"""
from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa

# a bound value as `sqlalchemy.text` reads it: `:name`, not `::type`
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
_EXECUTE = re.compile(r"^EXECUTE (kg_search_\w+)\(")
_AT_MOST = 64
_INFO_KEY = "kg_search_prepared"
_UNPREPARABLE: set[str] = set()


def enabled() -> bool:
    import ckan.plugins.toolkit as tk
    # the default also when only `kg_pgsearch` is loaded (its options are
    # declared by `kg`)
    return tk.asbool(tk.config.get("ckanext.kg.search.prepared_statements", True))


def run(session: Any, sql: str, params: dict[str, Any]) -> list[Any]:
    """The rows of `sql` (with `:name` values from `params`), from its
    prepared statement on the session's connection."""
    names: list[str] = []

    def position(match: re.Match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    positional = _BIND.sub(position, sql)
    name = "kg_search_" + hashlib.sha1(positional.encode()).hexdigest()[:20]
    connection = session.connection()
    prepared: OrderedDict[str, None] = connection.info.setdefault(_INFO_KEY, OrderedDict())
    if name in prepared:
        prepared.move_to_end(name)
    elif name in _UNPREPARABLE or not _prepare(session, name, positional, prepared):
        return session.execute(sa.text(sql), params).all()
    arguments = ", ".join(f":{value}" for value in names)
    return session.execute(sa.text(f"EXECUTE {name}({arguments})"),
                           {value: params[value] for value in names}).all()


def _prepare(session: Any, name: str, positional: str,
             prepared: OrderedDict[str, None]) -> bool:
    try:
        with session.begin_nested():
            _driver_execute(session, f"PREPARE {name} AS {positional}")
    except sa.exc.DBAPIError:
        if len(_UNPREPARABLE) >= _AT_MOST * 16:  # shapes come from requests
            _UNPREPARABLE.clear()
        _UNPREPARABLE.add(name)
        return False
    prepared[name] = None
    if len(prepared) > _AT_MOST:
        oldest, _ = prepared.popitem(last=False)
        _driver_execute(session, f"DEALLOCATE {oldest}")
    return True


def _driver_execute(session: Any, statement: str) -> None:
    # the text as it is: no bound values to read in it
    session.connection().exec_driver_sql(statement)


def statement_of(session: Any, text: str) -> str:
    """The statement an `EXECUTE` of this module runs, as it was
    prepared (any other text as it is): what tests and plans look at."""
    match = _EXECUTE.match(text.strip())
    if not match:
        return text
    return session.execute(sa.text(
        "SELECT statement FROM pg_prepared_statements WHERE name = :n"),
        {"n": match.group(1)}).scalar() or text
