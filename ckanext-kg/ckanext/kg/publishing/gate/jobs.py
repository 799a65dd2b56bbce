"""When a table is validated: after every change of its file, URL or Table
Schema; at once when small, by the jobs worker when large.

`validate_changed` runs after every committed `package_create`,
`package_update`, `resource_create` and `resource_update` (and so after
`resource_patch`, the web form and the CLI). A resource is validated again
only when what it would be judged on (`validation.source_key`) changed,
or when the publisher asks for a retry. Each run records its state and
progress (`state`); a run that fails or is interrupted leaves the previous
report and DataStore rows in place. A run that breaks off before its
report is stored is logged and left for a retry, or, with `strict`,
raised: `resource_create` and `resource_update` then undo themselves
(`undo`). Once the report is stored, the upload stands: a full-text
search that could not be built is an error the retry repairs.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import functools
import logging
import uuid
from typing import Any, Iterable, Optional

import ckan.plugins.toolkit as tk

from ckanext.kg import preview
from ckanext.kg.publishing.gate import fetch, state, validation, workspace
from kg_validation.memory import use_jemalloc

log = logging.getLogger(__name__)
# resources being validated in this thread: loading the DataStore updates
# the resource (datastore_active), which must not start another validation
_validating: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "kg_validating", default=frozenset())
STALE_AFTER = dt.timedelta(minutes=10)  # a run in a request that made no progress


def validate_changed(resources: Iterable[dict[str, Any]], sync: bool = False,
                     strict: bool = False) -> None:
    for resource in resources:
        key = validation.source_key(resource)
        if key is None or resource["id"] in _validating.get():
            continue
        found = state.find(resource["id"])
        if found is None or found["key"] != key:
            validate(resource, key, sync, strict)


def validate(resource: dict[str, Any], key: str, sync: bool = False,
             strict: bool = False) -> None:
    """At once when small (or `sync`), else by a job. A run that breaks
    off is logged; with `strict` its error is raised too."""
    limit = tk.config.get("ckanext.kg.validation.sync_max_bytes")
    path = validation.current_file(resource)
    if path is not None and path.stat().st_size > limit and not sync:
        return enqueue(resource["id"], key)
    state.start(resource["id"], key, state.RUNNING)
    try:
        _run(resource, key, max_fetch_bytes=None if sync else limit)
    except fetch.TooLarge:  # a URL file too large to wait for
        enqueue(resource["id"], key)
    except Exception:
        log.exception("validation of resource %s failed", resource["id"])
        if strict:  # the action undoes itself
            raise


def enqueue(resource_id: str, key: str) -> None:
    job_id = str(uuid.uuid4())
    state.start(resource_id, key, state.QUEUED, job_id)
    tk.enqueue_job(validate_resource_job, [resource_id, key],
                   title=f"kg: validate resource {resource_id}",
                   rq_kwargs={"job_id": job_id,
                              "timeout": tk.config.get("ckanext.kg.validation.job_timeout")})


def _run(resource: dict[str, Any], key: Optional[str],
         max_fetch_bytes: Optional[int] = None) -> None:
    """Validate, publish and index; the state of the run started for `key`
    says how far it got (a newer run's state is left alone, `state`)."""
    resource_id = resource["id"]
    token = _validating.set(_validating.get() | {resource_id})
    try:
        found = validation.validate_resource(
            resource, functools.partial(state.progress, resource_id, key=key),
            max_fetch_bytes, key=key)
        searchable = not validation.rows_published(found) or _build_search(resource, key)
        if validation.rows_published(found):
            preview.ensure_view(resource_id)  # its page shows the rows
    except fetch.TooLarge:
        raise
    except Exception:
        state.fail(resource_id, key=key)
        raise
    finally:
        _validating.reset(token)
    if searchable:
        state.finish(resource_id, key=key)
    else:
        state.fail(resource_id, key=key)


def _build_search(resource: dict[str, Any], key: Optional[str]) -> bool:
    """The full-text search of rows just published; whether it was built.
    The rows are served and their report stored, so a failure here is
    logged and left for a retry, never raised."""
    state.progress(resource["id"], state.INDEXING, key=key)
    try:
        validation.build_search(resource)
    except Exception:  # noqa: BLE001 - see above
        log.exception("full-text search of resource %s not built", resource["id"])
        return False
    return True


def validate_resource_job(resource_id: str, key: Optional[str] = None) -> None:
    """The job: validate the resource's current file, unless it has changed
    again since the job was queued (a newer job then does it)."""
    from ckanext.kg.site_user import site_context
    try:
        resource = tk.get_action("resource_show")(site_context(), {"id": resource_id})
    except tk.ObjectNotFound:
        return
    found = state.find(resource_id)
    if key is not None and found is not None and found["key"] != key:
        return
    state.progress(resource_id, state.VALIDATING, key=key)
    use_jemalloc()  # the job's process (a fork of the worker) validates one table
    with workspace.job_folder():  # its files, removed by the next job if it is killed
        _run(resource, key)


def retry(resource: dict[str, Any]) -> None:
    """Validate the resource's current file again, even if unchanged."""
    state.forget(resource["id"])
    validate_changed([resource])


def shown_state(resource_id: str) -> Optional[dict[str, Any]]:
    """The state for the publisher: a queued or running job that no longer
    exists, or failed, or a run that stopped reporting, is `interrupted`."""
    found = state.find(resource_id)
    if found is None:
        return None
    if found["state"] in (state.QUEUED, state.RUNNING) and _is_gone(found):
        found["state"] = state.INTERRUPTED
    return {k: found[k] for k in ("state", "stage", "rows", "updated")}


def _is_gone(found: dict[str, Any]) -> bool:
    if not found["job_id"]:
        updated = dt.datetime.fromisoformat(found["updated"])
        return dt.datetime.now(dt.timezone.utc) - updated > STALE_AFTER
    from ckan.lib.jobs import job_from_id
    from redis.exceptions import RedisError
    try:
        job = job_from_id(found["job_id"])
        return job.get_status(refresh=True) in ("failed", "stopped", "canceled")
    except KeyError:
        return True
    except RedisError:  # the queue cannot be asked: say what was last known
        log.warning("cannot reach the jobs queue to check job %s", found["job_id"])
        return False
