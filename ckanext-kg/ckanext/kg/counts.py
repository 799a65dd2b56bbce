"""How often each dataset and table is viewed and downloaded, counted on
the server, with nothing about the person: no IP address, no user agent,
no user. What is kept is one counter per (dataset, table, day, kind).

A request is counted after its view has answered (a Flask `after_request`
function registered by the plugin), by its endpoint and its answer:

- a **download**: a GET of a table's file (CKAN's resource download, also
  when it redirects to a linked file's address), of an `/export/<format>`
  download (whole or filtered) or of CKAN's DataStore dump, answered 200,
  a redirect, or 206 for a range that starts at the first byte. A HEAD, a
  304 (the client already has the file) and a range that continues an
  interrupted download are not counted: one download, one count;
- a **view**: a GET of a dataset's or a table's page answered 200.

Nothing tells a person from a robot: every request that fits is counted
(CKAN keeps no list of robots, and the user agent is never read).

Each count is one `INSERT ... ON CONFLICT DO UPDATE` of its day's counter,
committed at once on a connection of its own (without waiting for the
disk: `synchronous_commit` off for that transaction), so it never joins
the request's transaction; a count that cannot be written is logged and
the answer is sent all the same.
"""
from __future__ import annotations

import copy
import json
import logging
import time
from typing import Any, Optional

import flask
import sqlalchemy as sa
from sqlalchemy.exc import ProgrammingError, SQLAlchemyError

from ckanext.kg.publishing.gate import tables

log = logging.getLogger(__name__)

TABLE = "kg_count"
_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    package_id text NOT NULL,
    resource_id text NOT NULL DEFAULT '',
    day date NOT NULL,
    kind text NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY (package_id, resource_id, day, kind))"""

VIEW, DOWNLOAD = "view", "download"
DOWNLOAD_ENDPOINTS = frozenset({"kg.download", "resource.download",
                                "dataset_resource.download", "datastore.dump"})
PAGE_ENDPOINTS = frozenset({"dataset.read", "resource.read", "dataset_resource.read"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})

_INCREMENT = sa.text(f"""
    INSERT INTO {TABLE} (package_id, resource_id, day, kind, count)
    VALUES (:p, :r, (now() AT TIME ZONE 'UTC')::date, :k, 1)
    ON CONFLICT (package_id, resource_id, day, kind)
    DO UPDATE SET count = {TABLE}.count + 1""")


def _engine() -> Any:
    from ckan import model
    return model.meta.engine


_NO_FLUSH_WAIT = sa.text("SET LOCAL synchronous_commit TO off")


def add(package_id: str, resource_id: Optional[str], kind: str) -> None:
    """One more view or download of a dataset (or of one of its tables)
    today. Committed without waiting for the write-ahead log to reach the
    disk: a crash may lose the last fraction of a second of counts, never
    corrupt them, and no reader waits on a disk flush for a counter."""
    params = {"p": package_id, "r": resource_id or "", "k": kind}
    try:
        with _engine().begin() as connection:
            connection.execute(_NO_FLUSH_WAIT)
            connection.execute(_INCREMENT, params)
    except ProgrammingError:  # the table is created at the first count
        with _engine().begin() as connection:
            tables.ensure(connection, TABLE, _DDL)
            connection.execute(_NO_FLUSH_WAIT)
            connection.execute(_INCREMENT, params)


def kind_of(endpoint: Optional[str], method: str, status: int,
            range_start: Optional[int]) -> Optional[str]:
    """What a request counts as (`VIEW`, `DOWNLOAD`), or None."""
    if method != "GET":
        return None
    if endpoint in PAGE_ENDPOINTS:
        return VIEW if status == 200 else None
    if endpoint not in DOWNLOAD_ENDPOINTS:
        return None
    if status == 200 or status in REDIRECTS or (status == 206 and range_start == 0):
        return DOWNLOAD
    return None


def count_request(response: Any) -> Any:
    """Flask `after_request`: count the request if it is a view or a download."""
    from flask import request
    kind = kind_of(request.endpoint, request.method, response.status_code,
                   _range_start(request.range))
    if kind is None:
        return response
    args = request.view_args or {}
    try:
        found = _dataset_and_table(args.get("id"), args.get("resource_id"))
        if found is not None:
            add(*found, kind)
    except SQLAlchemyError:
        log.exception("%s of %s not counted", kind, request.path)
    return response


def _range_start(ranges: Any) -> Optional[int]:
    if ranges is None or not ranges.ranges:
        return 0
    return ranges.ranges[0][0]


def _dataset_and_table(dataset: Optional[str],
                       resource_id: Optional[str]) -> Optional[tuple[str, Optional[str]]]:
    """The dataset's id (from its id or name, or from its table) and the table's id."""
    from ckan import model
    if resource_id:
        resource = model.Resource.get(resource_id)
        return None if resource is None else (resource.package_id, resource.id)
    package = model.Package.get(dataset) if dataset else None
    return None if package is None else (package.id, None)


def of_dataset(package_id: str) -> dict[str, Any]:
    """A dataset's counts: `views` and `downloads` in all, and per table
    (`tables`: resource id -> {"views": n, "downloads": n}); read once per
    request (a download shows its dataset three times: the gate's check,
    CKAN's `resource_show` and `package_show`)."""
    if not flask.has_request_context():
        return _read_dataset(package_id)
    known = flask.request.environ.setdefault("kg.dataset_counts", {})
    if package_id not in known:
        known[package_id] = _read_dataset(package_id)
    return copy.deepcopy(known[package_id])


def _read_dataset(package_id: str) -> dict[str, Any]:
    found = {"views": 0, "downloads": 0, "tables": {}}
    with _engine().connect() as connection:
        if not tables.exists(connection, TABLE):
            return found
        rows = connection.execute(sa.text(
            f"SELECT resource_id, kind, sum(count) FROM {TABLE} WHERE package_id = :p "
            "GROUP BY resource_id, kind"), {"p": package_id}).fetchall()
    for resource_id, kind, number in rows:
        key = {VIEW: "views", DOWNLOAD: "downloads"}.get(kind)
        if key is None:
            continue
        found[key] += int(number)
        if resource_id:
            table = found["tables"].setdefault(resource_id, {"views": 0, "downloads": 0})
            table[key] += int(number)
    return found


FIELD = "kg_downloads"


def add_to_dataset(context: Any, pkg_dict: dict[str, Any]) -> None:
    """`package_show`'s dataset with its downloads (`kg_downloads`: in all,
    and each table's). package_show has checked that the caller may see
    the dataset. Not for the search index's own `package_show` (validate
    off: the dict it stores would keep a count that goes stale)."""
    if context.get("validate") is False or not pkg_dict.get("id"):
        return
    try:
        found = of_dataset(pkg_dict["id"])
    except SQLAlchemyError:
        log.exception("downloads of %s not read", pkg_dict["id"])
        return
    pkg_dict[FIELD] = found["downloads"]
    for resource in pkg_dict.get("resources") or []:
        resource[FIELD] = found["tables"].get(resource.get("id"), {}).get("downloads", 0)


def left_out(doc: dict[str, Any]) -> dict[str, Any]:
    """A search document without counts: they change with every download,
    and the search entry (its text, its stored dataset) must not. Also
    what package_create and package_update are given back is left out."""
    doc.pop(FIELD, None)
    for resource in doc.get("resources") or []:
        if isinstance(resource, dict):
            resource.pop(FIELD, None)
    stored = doc.get("validated_data_dict")
    if isinstance(stored, str) and f'"{FIELD}"' in stored:
        dataset = json.loads(stored)
        dataset.pop(FIELD, None)
        for resource in dataset.get("resources") or []:
            resource.pop(FIELD, None)
        doc["validated_data_dict"] = json.dumps(dataset)
    return doc


_MOST_DOWNLOADED = sa.text(f"""
    SELECT c.package_id, sum(c.count) AS downloads
    FROM {TABLE} c JOIN package p ON p.id = c.package_id
    WHERE c.kind = '{DOWNLOAD}' AND p.state = 'active' AND NOT p.private
    GROUP BY c.package_id ORDER BY downloads DESC, c.package_id LIMIT :n""")
_ranking: dict[str, Any] = {"at": None, "limit": 0, "rows": []}


def most_downloaded(limit: int, cache_seconds: int = 0) -> list[tuple[str, int]]:
    """The public, active datasets downloaded most: (id, downloads), most
    first. The ranking is kept `cache_seconds`; whoever shows it checks
    again that each dataset may be seen (`logic.action.kg_most_downloaded_list`)."""
    now = time.monotonic()
    kept = _ranking["at"] is not None and now - _ranking["at"] < cache_seconds
    if kept and _ranking["limit"] >= limit:
        return _ranking["rows"][:limit]
    with _engine().connect() as connection:
        if not tables.exists(connection, TABLE):
            return []
        rows = [(package_id, int(n)) for package_id, n
                in connection.execute(_MOST_DOWNLOADED, {"n": limit})]
    _ranking.update(at=now, limit=limit, rows=rows)
    return rows
