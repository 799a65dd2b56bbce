"""A resource_create or resource_update that fails leaves nothing behind.

CKAN stores an uploaded file before its transaction commits, and a table
is validated (and, when it passes, loaded) after the commit. A failure
at any point would otherwise leave a file no resource names, a resource
whose new file was never judged, or a resource pointing at a file that
the failed action overwrote. The chained actions (`logic/action.py`)
take a `Snapshot` of what they change before calling CKAN, and undo it
when anything fails, before the error goes back to the caller:

- a new resource is removed whole: its row and views, its file, its
  validation state and reports, its DataStore table and stored files;
- a changed resource gets back its row, its file (kept by a hard link
  while the action runs) and its validation state.

The dataset's `metadata_modified` is put back and its search entry
rebuilt. CKAN records activity only for actions that succeed: the failed
action has none, and what the actions it called recorded meanwhile (the
DataStore marks the resource as loaded) is removed with it. One thing
cannot be undone: once a changed table's new rows have been swapped into
the DataStore, a failure to store its report leaves them served (`jobs`
stores the report right after).

Undoing never raises: what it could not undo is logged, and the
action's own error is what the caller sees.
"""
from __future__ import annotations

import copy
import datetime as dt
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    """What a resource action may change, as it was before the action."""

    package_id: Optional[str] = None
    package_modified: Optional[dt.datetime] = None
    resource_id: Optional[str] = None  # the resource changed; None for a new one
    taken_id: Optional[str] = None  # an id given for a new resource, already taken
    row: Optional[dict[str, Any]] = None  # its columns
    replaces_file: bool = False  # the action brings a new file, or removes the old one
    backup: Optional[Path] = None  # the old file, under a second name
    state: Optional[dict[str, Any]] = None  # its validation state
    taken_at: dt.datetime = field(default_factory=lambda: _utc_now())

    def done(self) -> None:
        """The action succeeded: the file's second name is not needed."""
        if self.backup is not None:
            self.backup.unlink(missing_ok=True)


def before_create(package_id: Any, given_id: Any = None) -> Snapshot:
    """Before a resource is added to the dataset `package_id` (with the
    id `given_id`, if the caller gave one)."""
    from ckan import model
    package = model.Package.get(package_id) if isinstance(package_id, str) else None
    if package is None:
        return Snapshot()
    taken = isinstance(given_id, str) and model.Resource.get(given_id) is not None
    return Snapshot(package.id, package.metadata_modified, taken_id=given_id if taken else None)


def before_update(resource_id: Any, replaces_file: bool) -> Snapshot:
    """Before the resource `resource_id` changes; `replaces_file` when the
    action brings a new file or removes the old one (only then is the
    file put back: a failed action that never touched it must not undo
    another's upload)."""
    from ckan import model

    from ckanext.kg.publishing.gate import state
    resource = model.Resource.get(resource_id) if isinstance(resource_id, str) else None
    if resource is None:
        return Snapshot()
    return Snapshot(resource.package_id, resource.package.metadata_modified,
                    resource_id=resource.id, row=_row(resource), replaces_file=replaces_file,
                    backup=_second_name(resource.id) if replaces_file else None,
                    state=state.find(resource.id))


def undo_create(snapshot: Snapshot, resource_id: Optional[str]) -> None:
    """Remove every trace of the resource a failed resource_create made
    (`resource_id`: the id CKAN gave it, if it got that far)."""
    if not resource_id or snapshot.package_id is None or resource_id == snapshot.taken_id:
        return
    try:
        if discard_resource(resource_id):
            _dataset_back(snapshot)
    except Exception:  # noqa: BLE001 - the action's own error goes to the caller
        log.exception("resource %s of a failed resource_create not removed", resource_id)


def undo_update(snapshot: Snapshot, committed: bool) -> None:
    """Put back what a failed resource_update changed: its row when the
    action had `committed` it, its file when it brought or removed one,
    its validation state when it began a new validation. What others
    changed meanwhile (a job's progress, the DataStore's flag) stays."""
    if snapshot.resource_id is None:
        return
    from ckan import model

    from ckanext.kg.publishing.gate import state
    try:
        model.Session.rollback()
        resource = model.Resource.get(snapshot.resource_id)
        if committed and resource is not None:
            for name, value in (snapshot.row or {}).items():
                setattr(resource, name, value)
        _file_back(snapshot)  # first: the dataset's compliance is judged from its file
        if committed and resource is not None:
            _dataset_back(snapshot)
        if (state.find(snapshot.resource_id) or {}).get("key") != \
                (snapshot.state or {}).get("key"):
            state.put_back(snapshot.resource_id, snapshot.state)
    except Exception:  # noqa: BLE001 - the action's own error goes to the caller
        log.exception("resource %s of a failed resource_update not put back",
                      snapshot.resource_id)


def discard_resource(resource_id: str) -> bool:
    """A resource that must not exist: its DataStore table and stored
    files, validation state and reports, row (and views), and file.
    Whether it had a row."""
    from ckan import model

    from ckanext.kg.publishing.files import stored
    from ckanext.kg.publishing.gate import reports, state
    model.Session.rollback()
    _drop_table(resource_id)
    stored.withdraw(resource_id)
    state.put_back(resource_id, None)
    reports.remove(model.Session, resource_id)
    resource = model.Session.get(model.Resource, resource_id)
    if resource is not None:
        model.Session.delete(resource)  # its views go with it (ON DELETE CASCADE)
    model.Session.commit()
    path = upload_path(resource_id)
    if path is not None:
        path.unlink(missing_ok=True)
        Path(f"{path}~").unlink(missing_ok=True)  # CKAN's file while it is written
    return resource is not None


def discard_dataset(dataset_id: str) -> None:
    """A dataset that must not exist: each of its resources discarded,
    then the dataset purged."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    from ckanext.kg.site_user import site_context
    model.Session.rollback()
    ids = [r.id for r in model.Session.query(model.Resource.id).filter_by(
        package_id=dataset_id)]
    for resource_id in ids:
        discard_resource(resource_id)
    tk.get_action("dataset_purge")(site_context(), {"id": dataset_id})


def upload_path(resource_id: str) -> Optional[Path]:
    """Where CKAN keeps the uploaded file of `resource_id`."""
    from ckan.lib import uploader
    try:
        return Path(uploader.get_resource_uploader({}).get_path(resource_id))
    except Exception:  # noqa: BLE001 - no storage path, or an id that names no file
        return None


def _row(resource: Any) -> dict[str, Any]:
    from ckan.model.resource import resource_table
    return {c.name: copy.deepcopy(getattr(resource, c.name)) for c in resource_table.c}


def _second_name(resource_id: str) -> Optional[Path]:
    """A second name for the resource's current file, which CKAN replaces
    by renaming the new file over it (or removes): a hard link, so the old
    bytes stay at no cost; a copy where links are not possible."""
    path = upload_path(resource_id)
    if path is None or not path.is_file():
        return None
    backup = path.with_name(f".{path.name}.{uuid.uuid4().hex}.before")
    try:
        os.link(path, backup)
    except OSError:
        shutil.copy2(path, backup)
    return backup


def _file_back(snapshot: Snapshot) -> None:
    """The resource's file as it was; a file it did not have, removed."""
    path = upload_path(snapshot.resource_id or "")
    if path is None or not snapshot.replaces_file:
        return
    if snapshot.backup is not None:
        os.replace(snapshot.backup, path)
        snapshot.backup = None
    else:
        path.unlink(missing_ok=True)
    Path(f"{path}~").unlink(missing_ok=True)


def _drop_table(resource_id: str) -> None:
    """The resource's DataStore table, without CKAN's datastore_delete
    (which would record the change on the resource being removed)."""
    from ckanext.datastore.backend import DatastoreBackend
    backend = DatastoreBackend.get_active_backend()
    if backend.resource_exists(resource_id):
        backend.delete({}, {"resource_id": resource_id})
        backend.clear_table_stats(resource_id)


def _dataset_back(snapshot: Snapshot) -> None:
    """The dataset's `metadata_modified` and activity as they were, and its
    search entry rebuilt from what the database now holds; committed."""
    from ckan import model
    from ckan.lib import search
    package = model.Package.get(snapshot.package_id)
    if package is not None:
        package.metadata_modified = snapshot.package_modified
    _forget_activity(snapshot)
    model.Session.commit()
    if package is not None:
        search.rebuild(snapshot.package_id)
        model.Session.commit()


def _forget_activity(snapshot: Snapshot) -> None:
    """The dataset's activity recorded since the snapshot: by the actions
    the failed one called (CKAN's activity times are naive UTC)."""
    from ckan import model, plugins
    if not plugins.plugin_loaded("activity"):
        return
    from ckanext.activity.model import Activity
    model.Session.query(Activity).filter(
        Activity.object_id == snapshot.package_id,
        Activity.timestamp >= snapshot.taken_at).delete(synchronize_session=False)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
