"""Load a table while it is being validated, and commit only if it passes.

Validating and loading a large table are the two long steps of
publication. Most uploads are already what validation writes out (UTF-8,
commas, the schema's header): for those, the rows can be COPYed from the
uploaded file itself while the validator reads it, in another thread.
A table PostgreSQL would read otherwise (decimal commas, `%d.%m.%Y`
dates, types it lacks) is COPYed from the rows for PostgreSQL that the
validator writes in its own pass (kg_validation's `CopyRows`), read
while they are written.
The load builds its new table (`swap`) and then waits, uncommitted,
for the verdict. It commits only if the table passed and the validator's
canonical CSV is byte for byte the uploaded file (or the validator wrote
the rows for PostgreSQL whole), so the committed rows are exactly those
a load after validation would have committed. In every
other case the transaction is rolled back (nothing was ever visible) and
the table is loaded after validation as before.

Only a table whose DataStore table is new, or has the same columns and
data dictionary, is loaded early: nothing in the DataStore changes
before the verdict. A new table is declared empty first, and removed
again if the run does not publish it.
"""
from __future__ import annotations

import filecmp
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)
VERDICT_TIMEOUT = 3600.0  # seconds a load waits for its table's validation


class Abandoned(Exception):
    """The table failed, or its canonical CSV differs from the upload."""


class EarlyLoad:
    """A load of `source` into the DataStore, running until it would commit."""

    def __init__(self, resource_id: str, source: Path, schema: dict[str, Any],
                 created: bool, checksum: Callable[[], str], copy_rows: Any = None) -> None:
        from ckanext.kg.publishing.load import datastore
        self.resource_id, self.source, self.created = resource_id, source, created
        self.copy_rows = copy_rows
        self._verdict = threading.Event()
        self._commit = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-early")
        self._rows = self._pool.submit(datastore.load_table, resource_id, source, schema,
                                       None, gate=self._wait_for_verdict, declared=True,
                                       checksum=checksum, row_by_row=False,
                                       copy_rows=copy_rows)

    def _wait_for_verdict(self) -> None:
        if not self._verdict.wait(VERDICT_TIMEOUT) or not self._commit:
            raise Abandoned()

    def publish(self, canonical: Path) -> Optional[int]:
        """The table passed: commit if the canonical CSV is the upload (or
        the rows for PostgreSQL were written whole); the rows loaded, or
        None when the caller must load the table itself."""
        if self.copy_rows is not None:
            self._commit = self.copy_rows.written is not None
        else:
            self._commit = filecmp.cmp(canonical, self.source, shallow=False)
        self._verdict.set()
        try:
            rows = self._rows.result()
        except Abandoned:
            rows = None
        except Exception:  # noqa: BLE001 - e.g. PostgreSQL read a value otherwise
            log.info("resource %s: early load failed; loading after validation",
                     self.resource_id, exc_info=True)
            rows = None
        finally:
            self._pool.shutdown()
        return rows if self._commit else None

    def abandon(self) -> None:
        """The run publishes nothing: roll the load back, and remove the
        empty table declared for it."""
        if not self._verdict.is_set():
            self._verdict.set()
        self._rows.exception()  # wait for the rollback
        self._pool.shutdown()
        if self.created:
            from ckanext.kg.site_user import site_context
            try:
                tk.get_action("datastore_delete")(site_context(), {
                    "resource_id": self.resource_id, "force": True})
            except tk.ObjectNotFound:
                pass


def start(resource_id: str, source: Path, schema: Optional[dict[str, Any]],
          checksum: Callable[[], str], copy_rows: Any = None) -> Optional[EarlyLoad]:
    """An early load of `source` (whose hex SHA-256 `checksum` gives), or
    of the rows for PostgreSQL the validator will write (`copy_rows`), if
    it can be one (see the module)."""
    from ckanext.kg.publishing.load import datastore
    if not tk.config.get("ckanext.kg.validation.load_while_validating"):
        return None
    if not schema or datastore.refused_columns(schema):
        return None
    if copy_rows is None and not datastore.copies_as_is(schema, source):
        return None
    fields = datastore.datastore_fields(schema)
    try:
        current = datastore.current_fields(resource_id)
        if current is None:
            datastore.declare(resource_id, fields, schema.get("primaryKey"))
    except Exception:  # noqa: BLE001 - the load after validation will say why
        log.warning("resource %s: no early load", resource_id, exc_info=True)
        return None
    if current is not None and \
            current != [(f["id"], f["type"], f.get("info", {})) for f in fields]:
        return None
    return EarlyLoad(resource_id, source, schema, current is None, checksum, copy_rows)
