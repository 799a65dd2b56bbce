"""Where a resource's validation stands: queued, running (stage and rows),
done or error, for the publisher to follow.

One row per resource. Its `key` names what was (or is being) validated:
the file's checksum or the URL, with the Table Schema's digest, so a
resource is validated again only when one of them changes. A run tells
its progress and end under the key it was started for: once a newer
upload has queued its own run, an older run still going changes nothing
here, so the publisher is never told "done" while the newer file waits. For a URL
resource, `source` and `checksum` name the last fetched file whose report
is current; they change only when a new fetch has been validated, so a
failed or interrupted run leaves the previous report in force.

Every write commits on its own connection at once: the progress of a job
is visible while the job runs, and survives the job's own rollback.
"""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa

from ckanext.kg.publishing.gate import tables

TABLE = "kg_validation_job"
_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    resource_id text PRIMARY KEY,
    key text NOT NULL,
    state text NOT NULL,
    stage text,
    rows bigint,
    job_id text,
    source text,
    checksum text,
    updated timestamptz NOT NULL DEFAULT now())"""

QUEUED, RUNNING, DONE, ERROR = "queued", "running", "done", "error"
INTERRUPTED = "interrupted"  # queued or running, but the job is gone
# LOADING is the stage `load.datastore` reports (`datastore.LOADING`)
FETCHING, VALIDATING, LOADING = "fetching", "validating", "loading"
# the rows are published; their full-text search is being built
INDEXING = "indexing"
COLUMNS = ("resource_id", "key", "state", "stage", "rows", "job_id", "source",
           "checksum", "updated")


def _engine() -> Any:
    from ckan import model
    return model.meta.engine


def _write(sql: str, params: dict[str, Any]) -> None:
    with _engine().begin() as connection:
        tables.ensure(connection, TABLE, _DDL)
        connection.execute(sa.text(sql), params)


def start(resource_id: str, key: str, state: str, job_id: Optional[str] = None) -> None:
    """A new validation of `key` is queued or starts now."""
    _write(f"""
        INSERT INTO {TABLE} (resource_id, key, state, job_id) VALUES (:r, :k, :s, :j)
        ON CONFLICT (resource_id) DO UPDATE SET key = EXCLUDED.key,
            state = EXCLUDED.state, stage = NULL, rows = NULL,
            job_id = EXCLUDED.job_id, updated = now()""",
           {"r": resource_id, "k": key, "s": state, "j": job_id})


# the run's own row: the resource's, unless a newer run was started for
# another key since (a run started without a key owns the row as it is)
_OWN_ROW = "resource_id = :r AND (CAST(:k AS text) IS NULL OR key = :k)"


def progress(resource_id: str, stage: str, rows: Optional[int] = None,
             key: Optional[str] = None) -> None:
    _write(f"UPDATE {TABLE} SET state = :s, stage = :g, rows = :n, updated = now() "
           f"WHERE {_OWN_ROW}",
           {"r": resource_id, "k": key, "s": RUNNING, "g": stage, "n": rows})


def finish(resource_id: str, source: Optional[str] = None,
           checksum: Optional[str] = None, key: Optional[str] = None) -> None:
    """Done: the report is stored; for a URL, it is now the current one."""
    _write(f"""UPDATE {TABLE} SET state = :s, updated = now(),
               source = COALESCE(:src, source), checksum = COALESCE(:c, checksum)
               WHERE {_OWN_ROW}""",
           {"r": resource_id, "k": key, "s": DONE, "src": source, "c": checksum})


def fail(resource_id: str, key: Optional[str] = None) -> None:
    """The run broke off; the previous report and DataStore rows stay."""
    _write(f"UPDATE {TABLE} SET state = :s, updated = now() WHERE {_OWN_ROW}",
           {"r": resource_id, "k": key, "s": ERROR})


def forget(resource_id: str) -> None:
    """Validate again on request, even if nothing changed."""
    _write(f"UPDATE {TABLE} SET key = '' WHERE resource_id = :r", {"r": resource_id})


def put_back(resource_id: str, found: Optional[dict[str, Any]]) -> None:
    """The state as `find` gave it earlier; None: the resource had none."""
    if found is None:
        _write(f"DELETE FROM {TABLE} WHERE resource_id = :r", {"r": resource_id})
        return
    names = ", ".join(COLUMNS)
    values = ", ".join(f":{c}" for c in COLUMNS)
    changes = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])
    _write(f"INSERT INTO {TABLE} ({names}) VALUES ({values}) "
           f"ON CONFLICT (resource_id) DO UPDATE SET {changes}", found)


def find(resource_id: str) -> Optional[dict[str, Any]]:
    with _engine().connect() as connection:
        if not tables.exists(connection, TABLE):
            return None
        row = connection.execute(sa.text(
            f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE resource_id = :r"),
            {"r": resource_id}).first()
    if row is None:
        return None
    found = dict(zip(COLUMNS, row, strict=True))
    found["updated"] = found["updated"].isoformat()
    return found
