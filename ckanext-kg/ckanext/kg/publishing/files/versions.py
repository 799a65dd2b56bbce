"""The versions of a published table: every successful publication is one.

`versions.json`, beside the stored files of the table
(`<ckan.storage_path>/kg/tables/<resource id>/`), lists them in order:
the version's number (1, 2, ...), when it was published (UTC), its stored
files (kind -> name, each named by its SHA-256: `stored`), the CSV's
checksum, its number of rows, its columns with their DataStore types
(`fields`) and its Table Schema (`schema`, whose `primaryKey` a diff
reads). A version whose files were removed to keep only the newest
(`ckanext.kg.versions.keep`) stays listed, with no files (`kept` false):
the history is never rewritten, only its bytes freed.

Two versions may share a file (the same bytes published again under a
new schema, say): a file is removed only when no kept version names it,
and the version being served is always kept. The index is rewritten under
an exclusive lock and replaced atomically, so a reader sees the list
before or after a publication, never half of it. The whole folder goes
with the table (`stored.withdraw`).

No CKAN import: the caller gives the folder and the setting.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

INDEX = "versions.json"
KINDS = ("csv", "parquet")


def listed(folder: Path, served: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
    """The versions of the table in `folder`, oldest first. A table
    published before versions were kept has no index: its served
    publication (`served`, the content of `current.json`) is then its
    version 1."""
    try:
        return json.loads((folder / INDEX).read_text("utf-8"))["versions"]
    except (OSError, ValueError, KeyError):
        return [_adopted(folder, served)] if served and served.get("files") else []


def _adopted(folder: Path, served: dict[str, Any]) -> dict[str, Any]:
    """Version 1 of a table published before versions were kept: what
    `current.json` says of it, published when that file was written."""
    try:
        when = dt.datetime.fromtimestamp((folder / "current.json").stat().st_mtime, dt.UTC)
    except OSError:
        when = dt.datetime.now(dt.UTC)
    files = {k: v for k, v in served.get("files", {}).items() if k in KINDS}
    return {"number": 1, "published": _iso(when), "files": files,
            "checksum": files.get("csv", "").split(".")[0] or None,
            "rows": served.get("rows"), "fields": served.get("fields", []),
            "schema": None, "empty_is_null": served.get("empty_is_null"), "kept": True}


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """The folder itself locked (flock on its descriptor): one writer of
    the index at a time."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _write(folder: Path, versions: list[dict[str, Any]]) -> None:
    partial = folder / f".{uuid.uuid4().hex}.{INDEX}.partial"
    partial.write_text(json.dumps({"versions": versions}, ensure_ascii=False), "utf-8")
    os.replace(partial, folder / INDEX)


def record(folder: Path, files: dict[str, str], fields: list[dict[str, Any]],
           schema: Optional[dict[str, Any]], rows: int, empty_is_null: Optional[bool],
           previous: Optional[dict[str, Any]] = None, keep: int = 0,
           now: Optional[dt.datetime] = None) -> tuple[dict[str, Any], set[str]]:
    """A publication has completed (its files being served): list it as
    the next version and keep the files of the newest `keep` versions only
    (0: all). `previous` is what `current.json` said before, adopted as
    version 1 when the table has no index yet. Returns the new version and
    the names of the files that no kept version names any more (for the
    caller to remove)."""
    with _locked(folder):
        versions = listed(folder, previous)
        entry = {"number": (versions[-1]["number"] + 1) if versions else 1,
                 "published": _iso(now or dt.datetime.now(dt.UTC)),
                 "files": {k: v for k, v in files.items() if k in KINDS},
                 "checksum": files.get("csv", "").split(".")[0] or None,
                 "rows": rows, "fields": fields, "schema": schema,
                 "empty_is_null": empty_is_null, "kept": True}
        versions.append(entry)
        freed = _retain(versions, keep)
        _write(folder, versions)
    return entry, freed


def _retain(versions: list[dict[str, Any]], keep: int) -> set[str]:
    """Mark all but the newest `keep` versions (0: all) as not kept; the
    names of files that only those name."""
    if keep <= 0 or len(versions) <= keep:
        return set()
    dropped = [v for v in versions[:-keep] if v.get("kept")]
    for version in dropped:
        version["kept"] = False
    needed = names_of(versions)
    freed = {name for v in dropped for name in v["files"].values()} - needed
    for version in dropped:
        version["files"] = {}
    return freed


def names_of(versions: list[dict[str, Any]]) -> set[str]:
    """The file names the kept versions name."""
    return {name for v in versions if v.get("kept") for name in v["files"].values()}


def kept_names(folder: Path) -> set[str]:
    """The file names some kept version of the table in `folder` names."""
    return names_of(listed(folder))


def find(folder: Path, number: int,
         served: Optional[dict[str, Any]] = None) -> Optional[dict[str, Any]]:
    """Version `number`, or None."""
    return next((v for v in listed(folder, served) if v["number"] == number), None)


def open_file(folder: Path, version: dict[str, Any], kind: str) -> Optional[Any]:
    """The `kind` file of a kept version, opened, or None."""
    name = version.get("files", {}).get(kind) if kind in KINDS else None
    if not name:
        return None
    try:
        return (folder / name).open("rb")
    except OSError:
        return None
