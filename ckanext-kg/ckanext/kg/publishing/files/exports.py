"""The whole table as files in the other download formats: CSV for Excel,
JSON and XLSX, made once per publication from the stored CSV (`stored`)
and served as files, like the stored CSV and Parquet.

They are made right after publication: at once for a table of up to
`ckanext.kg.exports.sync_max_rows` rows, else by the jobs worker (and an
XLSX download asked for before then makes its file while it waits, as it
always had to write the whole workbook before sending it). Until a file
exists, CSV for Excel and JSON stream from the stored CSV with the same
writers (`export_writers`), so the first download and the later ones are
the same bytes. A table whose stored CSV does not give the DataStore's
values (a time not written as PostgreSQL writes it, see `stored_rows`)
gets its JSON and XLSX files from the DataStore, page by page, by the
same writers that stream them meanwhile.

Each file lies beside the stored files of its publication
(`<ckan.storage_path>/kg/tables/<resource id>/`), named by its own
SHA-256 checksum. `exports.json` there names them, with the publication
they were made from (`source`: the stored CSV, the columns, how it was
read and the settings that shape the files): a file made from another
publication is never served, and is removed when the next publication
completes; `stored.withdraw` removes the folder with everything in it.
An XLSX that Excel could not open (a cell too long) is not made; the
pointer records why, and the download says so in the reader's language.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Optional

import ckan.plugins.toolkit as tk

from ckanext.kg.publishing.files import export_writers, stored, stored_rows, xlsx_sheets

log = logging.getLogger(__name__)
POINTER = "exports.json"
EXTENSIONS = {"excel": "excel.csv", "json": "json", "xlsx": "xlsx"}  # format -> file


def _timespec() -> str:
    return "milliseconds" if tk.config.get("ckan.datastore.ms_in_timestamp") else "seconds"


def _limits() -> tuple[int, int]:
    return (tk.config.get("ckanext.kg.xlsx.max_rows"),
            tk.config.get("ckanext.kg.xlsx.max_cell_chars"))


def source_key(served: dict[str, Any]) -> Optional[str]:
    """What the files of the publication `served` (`stored.served`) are
    made from, as one checksum; None without a stored CSV."""
    csv_name = served.get("files", {}).get("csv")
    if not csv_name:
        return None
    made_from = [csv_name, served.get("fields"), served.get("empty_is_null"),
                 "parquet" in served.get("files", {}), _timespec(), _limits()]
    return hashlib.sha256(json.dumps(made_from).encode("utf-8")).hexdigest()


def _pointer(resource_id: str) -> dict[str, Any]:
    try:
        return json.loads((stored.folder(resource_id) / POINTER).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _current_pointer(resource_id: str) -> dict[str, Any]:
    """`exports.json` if it belongs to the publication being served, else {}."""
    pointer = _pointer(resource_id)
    key = source_key(stored.served(resource_id))
    return pointer if key is not None and pointer.get("source") == key else {}


def open_current(resource_id: str, fmt: str) -> Optional[BinaryIO]:
    """The file of `fmt` made from the publication being served, opened
    (a publication meanwhile cannot cut the download short), or None."""
    name = _current_pointer(resource_id).get("files", {}).get(fmt)
    if not name:
        return None
    try:
        return (stored.folder(resource_id) / name).open("rb")
    except OSError:
        return None


def refusal(resource_id: str, fmt: str) -> Optional[dict[str, Any]]:
    """Why the publication being served has no file of `fmt` (a cell too
    long for XLSX: `{"reason": "cell_too_long", "column", "limit"}`), or None."""
    return _current_pointer(resource_id).get("refused", {}).get(fmt)


def after_publication(resource_id: str, rows: int) -> None:
    """Publication has completed: remove the files of the previous one,
    then make this one's (and the differences from the version before,
    `diffs`), at once when the table is small, else by a job.
    Never raises: the rows are published whatever happens here."""
    try:
        remove_stale(resource_id)
        if rows <= tk.config.get("ckanext.kg.exports.sync_max_rows"):
            build(resource_id)
            _compare(resource_id)
        else:
            tk.enqueue_job(build_job, [resource_id], title=f"kg: files of {resource_id}",
                           rq_kwargs={"timeout": tk.config.get(
                               "ckanext.kg.validation.job_timeout")})
    except Exception:  # noqa: BLE001 - downloads stream until the files exist
        log.exception("resource %s: download files not made", resource_id)


def build_job(resource_id: str) -> None:
    """The job: make the files of the publication being served, and its
    differences from the version before."""
    build(resource_id)
    _compare(resource_id)


def _compare(resource_id: str) -> None:
    """The differences from the version before (`diffs`), for the pages and
    feeds; a failure leaves them to be computed on request."""
    try:
        stored.compare_with_previous(resource_id)
    except Exception:  # noqa: BLE001 - the rows and files are published anyway
        log.exception("resource %s: differences from the previous version not made",
                      resource_id)


def remove_stale(resource_id: str) -> None:
    """Remove the files made from another publication than the one served."""
    pointer = _pointer(resource_id)
    if not pointer or pointer.get("source") == source_key(stored.served(resource_id)):
        return
    folder = stored.folder(resource_id)
    (folder / POINTER).unlink(missing_ok=True)
    for name in pointer.get("files", {}).values():
        (folder / name).unlink(missing_ok=True)


def build(resource_id: str, formats: tuple[str, ...] = tuple(EXTENSIONS)) -> dict[str, Any]:
    """Make the missing files of `formats` for the publication being
    served, and name them in `exports.json`; its content."""
    served = stored.served(resource_id)
    key = source_key(served)
    if key is None:
        return {}
    pointer = _current_pointer(resource_id) or {"source": key, "files": {}, "refused": {}}
    made = dict(pointer)
    for fmt in formats:
        if fmt in pointer["files"] or fmt in pointer["refused"]:
            continue
        try:
            name = _make(resource_id, served, fmt)
        except export_writers.CellTooLong as error:
            made["refused"] = dict(made["refused"], **{fmt: {
                "reason": "cell_too_long", "column": error.column, "limit": error.limit}})
            continue
        if name is not None:
            made["files"] = dict(made["files"], **{fmt: name})
    if made != pointer:
        _name_files(resource_id, key, made)
    return made


def _name_files(resource_id: str, key: str, made: dict[str, Any]) -> None:
    """Write `exports.json`, unless another publication was served meanwhile
    (its files are then removed: nothing will serve them)."""
    folder = stored.folder(resource_id)
    if source_key(stored.served(resource_id)) != key:
        for name in made["files"].values():
            (folder / name).unlink(missing_ok=True)
        return
    partial = folder / f".{stored.tag()}.{POINTER}.partial"
    partial.write_text(json.dumps(made, ensure_ascii=False), "utf-8")
    os.replace(partial, folder / POINTER)


def _make(resource_id: str, served: dict[str, Any], fmt: str) -> Optional[str]:
    """Write the file of `fmt` and give it its checksum as its name; the
    name, or None when the stored files cannot give this format."""
    folder = stored.folder(resource_id)
    partial = folder / f".{stored.tag()}.{EXTENSIONS[fmt]}.partial"
    started = time.perf_counter()
    try:
        if fmt == "xlsx":
            sheet_rows, cell_chars = _limits()
            stored_columns = stored_rows.columns(resource_id)
            with partial.open("wb") as target:
                if stored_columns is not None:
                    xlsx_sheets.write_xlsx_columns(target, *stored_columns, sheet_rows,
                                                   cell_chars)
                else:
                    xlsx_sheets.write_xlsx(target, *_datastore_pages(resource_id),
                                           sheet_rows, cell_chars)
            checksum = stored.sha256(partial)
        else:
            chunks = stream(resource_id, fmt, served)
            if chunks is None and fmt == "json":
                from ckanext.kg.publishing.files import downloads
                chunks = downloads.json_stream(*_datastore_pages(resource_id))
            if chunks is None:
                return None
            checksum = _write(partial, chunks)
        name = f"{checksum}.{EXTENSIONS[fmt]}"
        os.replace(partial, folder / name)
        log.info("resource %s: %s file made in %.2f s", resource_id, fmt,
                 time.perf_counter() - started)
        return name
    finally:
        partial.unlink(missing_ok=True)


def _datastore_pages(resource_id: str):
    """The whole table from the DataStore, page by page, as a download
    without parameters would stream it: for a table whose stored CSV does
    not give the DataStore's values (a `time` or `interval` column)."""
    from ckanext.kg.publishing.files import downloads
    from ckanext.kg.site_user import site_context
    return downloads.pages(site_context(), resource_id, {})


def _write(target: Path, chunks: Iterator[bytes]) -> str:
    digest = hashlib.sha256()
    with target.open("wb") as writer:
        for chunk in chunks:
            digest.update(chunk)
            writer.write(chunk)
    return digest.hexdigest()


def stream(resource_id: str, fmt: str,
           served: Optional[dict[str, Any]] = None) -> Optional[Iterator[bytes]]:
    """CSV for Excel or JSON of the whole table, written from the stored CSV
    of the publication `served` (default: the one being served) as its
    file is; None when the stored files cannot give it."""
    served = stored.served(resource_id) if served is None else served
    fields = served.get("fields")
    if not fields:
        return None
    if fmt == "json" and not stored_rows.readable(resource_id, served):
        return None
    source = stored.open_current(resource_id, "csv", served)
    if source is None:
        return None
    if fmt == "excel":
        return _closing(source, export_writers.excel_csv(source, fields))
    import pyarrow as pa
    types = [pa.type_for_alias(stored_rows.READ_AS[f["type"]]) for f in fields]
    return _closing(source, export_writers.json_rows(
        source, fields, types, served["empty_is_null"], _timespec(), _values))


def _values(datastore_type: str, column: Any) -> list[Any]:
    return stored_rows._values(datastore_type)(column)


def _closing(source: BinaryIO, chunks: Iterator[bytes]) -> Iterator[bytes]:
    with source:
        yield from chunks
