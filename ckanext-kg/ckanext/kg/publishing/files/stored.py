"""The stored files of a published table: its canonical CSV and its Parquet
file, served as they are for whole-table downloads.

They are written at publication, in the same step that swaps the DataStore
rows, under `<ckan.storage_path>/kg/tables/<resource id>/`, each named by
its own SHA-256 checksum. `current.json` there names the files of the rows
being served. The files get their final names before the DataStore swap
commits; `current.json` is replaced (atomically) after it, and only then
are the previous version's files removed. A publication that fails leaves
the previous files, like the previous rows, in place. Every completed
publication is a version of the table (`versions`): the files of earlier
versions are kept (`ckanext.kg.versions.keep`, default all) and removed
only once no kept version names them.

The CSV is UTF-8, `,` and `\\n`, with a header naming the columns: the
validator's canonical CSV when PostgreSQL loads it as it is, else the rows
as read by the Table Schema's rules (what the DataStore was loaded from).
The Parquet file has the DataStore columns' types (as the filtered
Parquet download does). `current.json` also says how an empty quoted cell
("") was read (`empty_is_null`), so the CSV can be read again exactly as
PostgreSQL read it (`stored_rows`).

A publication killed while writing leaves its `.<tag>.<kind>.partial`
files behind; the next publication of the table removes those older than
`LEFTOVER_AGE`, far longer than any publication runs (a job is stopped
after `ckan.jobs.timeout`, 180 s by default; an early load waits at most
an hour for its verdict), so never a file that a running publication is
still writing. The tag begins with the time the publication began: a
partial CSV may be a second name of an older file (`copy_csv`), whose
modification time says nothing about the publication.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, BinaryIO, Callable, Optional, Union

import ckan.plugins.toolkit as tk

from ckanext.kg.publishing.files import diffs, versions

log = logging.getLogger(__name__)
POINTER = "current.json"
KINDS = ("csv", "parquet")
BLOCK = 1 << 20
LEFTOVER_AGE = 6 * 3600  # seconds after which a .partial file is a leftover
TAGGED = re.compile(r"\.([0-9]+)-[0-9a-f]+\.")  # .<begun>-<random>.<kind>.partial


def folder(resource_id: str) -> Path:
    return Path(tk.config.get("ckan.storage_path")) / "kg" / "tables" / resource_id


def _pointer(resource_id: str) -> dict[str, Any]:
    try:
        return json.loads((folder(resource_id) / POINTER).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def served(resource_id: str) -> dict[str, Any]:
    """`current.json` read once: `files` (kind -> file name), `fields` (id
    and DataStore type of each column), `rows`, and `empty_is_null`
    (whether PostgreSQL read a quoted "" of the CSV as NULL, else as an
    empty string; missing for publications before it was recorded). Read
    it once per download, so its parts belong to one publication."""
    return _pointer(resource_id)


def current(resource_id: str) -> dict[str, str]:
    """The files being served for `resource_id`: kind -> file name."""
    files = _pointer(resource_id).get("files", {})
    return {k: v for k, v in files.items() if k in KINDS}


def open_current(resource_id: str, kind: str,
                 snapshot: Optional[dict[str, Any]] = None) -> Optional[BinaryIO]:
    """The stored `kind` file being served (or named in `snapshot`, from
    `served`), opened (so a publication that replaces it meanwhile does
    not cut the download short), or None."""
    files = (_pointer(resource_id) if snapshot is None else snapshot).get("files", {})
    name = files.get(kind) if kind in KINDS else None
    if not name:
        return None
    try:
        return (folder(resource_id) / name).open("rb")
    except OSError:
        return None


def withdraw(resource_id: str) -> None:
    """The rows were changed other than by publication: serve no stored
    file for them (and free the space)."""
    target = folder(resource_id)
    if target.is_dir():
        shutil.rmtree(target, ignore_errors=True)
        log.info("resource %s: stored files withdrawn", resource_id)


def withdraw_deleted(package_id: str) -> None:
    """The stored files of the dataset's deleted tables (CKAN's DataStore
    drops their tables without an action this extension could chain)."""
    from ckan import model
    deleted = model.Session.query(model.Resource.id).filter_by(
        package_id=package_id, state="deleted")
    for (resource_id,) in deleted:
        withdraw(resource_id)


def compare_with_previous(resource_id: str) -> None:
    """Compute (and keep) the differences of the newest version from the
    one before, when both keep their files, so that pages and feeds read
    them instead of comparing on request."""
    target = folder(resource_id)
    listed = versions.listed(target)
    if len(listed) >= 2 and listed[-2].get("kept") and listed[-1].get("kept"):
        diffs.between(target, listed[-2], listed[-1])


def tag() -> str:
    """A new publication's tag for its partial files: when it began, and a
    random part."""
    return f"{int(time.time())}-{uuid.uuid4().hex}"


def remove_leftovers(target: Path, max_age: float = LEFTOVER_AGE) -> list[str]:
    """Remove the `.partial` files in `target` of publications begun, and
    not written to, `max_age` seconds ago or more (killed while writing
    them); their names. A name without the time it began (written before
    tags had it) is judged by its modification time alone."""
    cutoff = time.time() - max_age
    removed = []
    for path in target.glob(".*.partial"):
        tagged = TAGGED.match(path.name)
        if tagged and int(tagged.group(1)) >= cutoff:
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:  # removed meanwhile (by another publication)
            continue
    if removed:
        log.info("%s: removed leftover files %s", target, ", ".join(sorted(removed)))
    return removed


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _closed(writer: Any) -> None:
    """Close `writer` (a Parquet writer, or None); None."""
    if writer is not None:
        writer.close()


def _link_or_copy(source: Path, target: Path) -> None:
    """`target` is `source`: a second name where the file system allows,
    else a copy."""
    try:
        os.link(source, target)
        return
    except OSError:
        pass
    with source.open("rb") as reader, target.open("wb") as writer:
        for block in iter(lambda: reader.read(BLOCK), b""):
            writer.write(block)


def _link_or_copy_opened(source: BinaryIO, target: Path) -> None:
    """`target` is the file open as `source`: a second name where the file
    system allows (`linkat` of `/proc/self/fd/N`; a directory descriptor
    makes Python call linkat, which follows it), else a copy read from the
    file's start without moving `source`'s position."""
    descriptor = source.fileno()
    directory = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(f"/proc/self/fd/{descriptor}", target.name, dst_dir_fd=directory)
        return
    except OSError:
        pass
    finally:
        os.close(directory)
    with target.open("wb") as writer:
        offset = 0
        while block := os.pread(descriptor, BLOCK, offset):
            writer.write(block)
            offset += len(block)


class Version:
    """The files of one publication, written under temporary names first."""

    def __init__(self, resource_id: str, fields: list[dict[str, Any]]) -> None:
        self.resource_id = resource_id
        self.fields = [{"id": f["id"], "type": f["type"]} for f in fields]
        self.folder = folder(resource_id)
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_leftovers(self.folder)
        begun = tag()
        self.partial = {kind: self.folder / f".{begun}.{kind}.partial" for kind in KINDS}
        self.names: dict[str, str] = {}
        self.empty_is_null: Optional[bool] = None
        self.planned: Optional[dict[str, str]] = None
        self.csv_checksum: Optional[Callable[[], str]] = None  # hex SHA-256 of the CSV
        self.schema: Optional[dict[str, Any]] = None  # the Table Schema, kept with the version

    @property
    def csv(self) -> Path:
        return self.partial["csv"]

    def copy_csv(self, source: Union[Path, BinaryIO]) -> None:
        """The CSV is `source`: a second name for the same file where the
        file system allows (files are replaced, never rewritten in place:
        CKAN stores a new upload under a new file), else a copy. An open
        `source` is the file it was opened on, even if its path names
        another file by now (a new upload of the same resource)."""
        if isinstance(source, Path):
            _link_or_copy(source, self.csv)
        else:
            _link_or_copy_opened(source, self.csv)

    def write_parquet(self, empty_is_null: bool, block: Optional[int] = None) -> None:
        """The Parquet file, read from the CSV with the columns' types, a
        row group for each `block` bytes (`rows_parquet.BLOCK`).
        `empty_is_null`: a quoted "" is NULL too (else an empty string).
        A table pyarrow reads differently from PostgreSQL gets none: its
        Parquet download then comes from the DataStore."""
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        from ckanext.kg.publishing.files.rows_parquet import BLOCK as ROWS_BLOCK
        from ckanext.kg.publishing.files.rows_parquet import arrow_schema, writer
        schema = arrow_schema(self.fields)
        read = pa_csv.ReadOptions(column_names=schema.names, skip_rows=1,
                                  block_size=block or ROWS_BLOCK)
        convert = pa_csv.ConvertOptions(
            column_types=schema, null_values=[""], strings_can_be_null=True,
            quoted_strings_can_be_null=empty_is_null)
        target = self.partial["parquet"]
        self.empty_is_null = empty_is_null
        parquet = None
        try:
            with pa_csv.open_csv(self.csv, read_options=read, convert_options=convert) \
                    as reader:
                for batch in reader:  # a row group each; the first chooses dictionaries
                    if parquet is None:
                        parquet = writer(target, schema, pa.Table.from_batches([batch]))
                    parquet.write_batch(batch)
            if parquet is None:  # no rows: the file of none
                parquet = writer(target, schema, schema.empty_table())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            log.warning("resource %s: no stored Parquet file (%s)", self.resource_id, error)
            parquet = _closed(parquet)
            target.unlink(missing_ok=True)
        finally:
            _closed(parquet)

    def adopt_parquet(self, source: Path) -> None:
        """The Parquet file is `source`, written from the rows of the CSV as
        they were written (`rows_parquet`): what `write_parquet` would
        write, without reading the CSV back (an empty field is NULL)."""
        self.empty_is_null = False
        _link_or_copy(source, self.partial["parquet"])

    @property
    def has_parquet(self) -> bool:
        return self.partial["parquet"].exists()

    def compute_names(self) -> None:
        """Each written file's final name: its checksum (the CSV's given by
        `csv_checksum`, a function, when the caller knows it)."""
        known = {"csv": self.csv_checksum} if self.csv_checksum else {}
        self.planned = {kind: f"{known[kind]() if kind in known else sha256(path)}.{kind}"
                        for kind, path in self.partial.items() if path.exists()}

    def place(self) -> None:
        """Give each written file its final name (before the DataStore swap
        commits; nothing serves these names yet)."""
        if self.planned is None:
            self.compute_names()
        for kind, name in self.planned.items():
            os.replace(self.partial[kind], self.folder / name)
            self.names[kind] = name

    def publish(self, rows: int) -> Optional[dict[str, Any]]:
        """The swap has committed: serve these files, list them as the
        table's next version (`versions`), then remove the files that no
        kept version names (the previous version's too, when only the
        newest `ckanext.kg.versions.keep` are kept). The new version."""
        previous = served(self.resource_id)
        pointer = self.folder / f".{tag()}.{POINTER}.partial"
        content = {"files": self.names, "fields": self.fields, "rows": rows,
                   "empty_is_null": self.empty_is_null}
        pointer.write_text(json.dumps(content, ensure_ascii=False), "utf-8")
        os.replace(pointer, self.folder / POINTER)
        try:
            entry, freed = versions.record(
                self.folder, self.names, self.fields, self.schema, rows, self.empty_is_null,
                previous=previous, keep=tk.config.get("ckanext.kg.versions.keep"))
        except OSError:  # these files are served: keep every file, list it next time
            log.exception("resource %s: version not recorded", self.resource_id)
            return None
        if freed:
            diffs.forget(self.folder)
        unnamed = set(previous.get("files", {}).values()) | freed
        for name in unnamed - versions.kept_names(self.folder) - set(self.names.values()):
            (self.folder / name).unlink(missing_ok=True)
        return entry

    def discard(self) -> None:
        """The publication failed: remove what it wrote, never the files
        being served or of a kept version (a file with the same checksum
        has the same bytes)."""
        named = set(current(self.resource_id).values()) | versions.kept_names(self.folder)
        for path in self.partial.values():
            path.unlink(missing_ok=True)
        for name in set(self.names.values()) - named:
            (self.folder / name).unlink(missing_ok=True)
