"""Validate a resource's current file with kg_validation and keep the report."""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Optional, Union

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import uploader

from ckanext.kg import tabular
from ckanext.kg.publishing.gate import checksums, fetch, reports, state
from ckanext.kg.publishing.load import early
from kg_validation.fast.copy_rows import CopyRows
from kg_validation.report import build_report
from kg_validation.validate import validate_table

# kg_validation is imported above, not when first used: the jobs worker
# forks a process for every job, which then finds it loaded (about half a
# second saved per job)

log = logging.getLogger(__name__)
LANGUAGES = ("ky", "ru", "en")
SPREADSHEETS = ("xlsx", "ods")
REPLACED_TRIES = 3  # a file replaced again and again while validated: given up
# told the stage ("fetching", "validating", "loading") and rows loaded so far
Progress = Optional[Callable[..., None]]


def current_file(resource: dict[str, Any]) -> Optional[Path]:
    """The stored file of an uploaded resource (URL resources have none here)."""
    if resource.get("url_type") != "upload" or not resource.get("id"):
        return None
    path = Path(uploader.get_resource_uploader(resource).get_path(resource["id"]))
    return path if path.is_file() else None


def checksum(path: Path) -> str:
    """"sha256:<hex>" of a file, read once while it is unchanged (checksums)."""
    return checksums.of(path)


def table_schema(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    schema = resource.get("schema")
    if isinstance(schema, str) and schema.strip():
        try:
            schema = json.loads(schema)
        except ValueError:
            return None
    return schema if isinstance(schema, dict) and schema.get("fields") else None


def schema_digest(resource: dict[str, Any]) -> str:
    schema = table_schema(resource)
    text = json.dumps(schema, sort_keys=True, ensure_ascii=False) if schema else ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def is_url_resource(resource: dict[str, Any]) -> bool:
    return not resource.get("url_type") and fetch.is_web_address(resource.get("url"))


def source_key(resource: dict[str, Any]) -> Optional[str]:
    """What validating the resource now would judge: its file (or URL), the
    format it is read as, and its Table Schema. None for a resource that is
    not a table to validate."""
    if not resource.get("id") or not tabular.is_tabular(resource):
        return None
    path = current_file(resource)
    if path is not None:
        source = checksum(path)
    elif is_url_resource(resource):
        source = "url:" + resource["url"].strip()
    else:
        return None
    fmt = (resource.get("format") or "").strip().lower()
    return f"{source} format:{fmt} schema:{schema_digest(resource)}"


def validate_resource(resource: dict[str, Any], progress: Progress = None,
                      max_fetch_bytes: Optional[int] = None,
                      key: Optional[str] = None) -> Optional[dict[str, Any]]:
    """Validate the resource's current file (uploaded, or fetched from its
    URL) and store the report. `key` names the run in `state` (a URL's
    fetched file becomes current there only for the run of its key).

    Returns the stored report, or None for a resource that is not a table
    to validate. A URL file larger than `max_fetch_bytes` raises
    `fetch.TooLarge` when `max_fetch_bytes` is given (the caller then
    queues a job), and is a failure report otherwise.
    """
    if not tabular.is_tabular(resource):
        return None
    progress = progress or (lambda stage, rows=None: None)
    for _ in range(REPLACED_TRIES):
        path = current_file(resource)
        if path is None:
            break
        try:
            return _validate_stored(resource, path, progress)
        except Replaced:
            log.info("resource %s: its file was replaced while it was validated; "
                     "validating the new one", resource["id"])
    else:
        raise Replaced(resource["id"])
    if is_url_resource(resource):
        return _validate_url(resource, progress, max_fetch_bytes, key)
    return None


class Replaced(Exception):
    """The resource's file was replaced while it was being validated."""


def _validate_stored(resource: dict[str, Any], path: Path, progress: Progress) -> dict[str, Any]:
    """Validate the uploaded file at `path`. Its checksum, which names the
    report, is computed while it is validated, from the same file: a file
    replaced in between (a publisher's correction arriving) raises
    `Replaced` before anything is loaded or stored, so a report never
    names a file it did not judge."""
    judged = _identity(path)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-checksum") as pool:
        return validate_file(resource, path, pool.submit(checksum, path), progress,
                             unchanged=lambda: _identity(path) == judged)


def _identity(path: Path) -> Optional[str]:
    try:
        return checksums.identity(path.stat())
    except FileNotFoundError:
        return None


def validate_file(resource: dict[str, Any], path: Path, digest: Union[str, Future],
                  progress: Progress,
                  unchanged: Callable[[], bool] = lambda: True) -> dict[str, Any]:
    """Validate one file of the resource, load it if it passes, keep the
    report under the file's checksum `digest` (or its future). `unchanged`
    says, once the file is read, whether it is still the one validated
    (else `Replaced`)."""
    schema = table_schema(resource)
    progress(state.VALIDATING)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-canonical-") as work:
        canonical = Path(work) / "canonical.csv"
        source = _named(path, resource, Path(work))
        copy_rows = _copy_rows(schema, Path(work))
        loading = early.start(resource["id"], source, schema, functools.partial(
            _hex, digest), copy_rows) if source == path or copy_rows else None
        status = None
        try:
            # the canonical CSV is the load's source only where the rows for
            # COPY were not written whole: else only its first block is written
            result = validate_table(source, schema, output=canonical, copy_rows=copy_rows,
                                    max_bytes=largest_accepted_file(), canonical_if_needed=True)
            log.info("resource %s: checked in %.2f s", resource["id"],
                     time.perf_counter() - started)
            if isinstance(digest, Future):
                digest.result()  # the checksum's reading is done too
            if not unchanged():
                raise Replaced(resource["id"])
            if not result.valid:
                status = reports.FAILURE
            elif schema is None:
                status = reports.NEEDS_SCHEMA  # a draft schema counts only once confirmed
            else:
                status = reports.SUCCESS
            report = {lang: build_report(result, lang=lang) for lang in LANGUAGES}
            if status == reports.SUCCESS:
                status = _publish_rows(resource["id"], canonical, schema, report, progress,
                                       loading, copy_rows)
        finally:
            if loading is not None and status != reports.SUCCESS:
                loading.abandon()
    for per_language in report.values():
        per_language["path"] = _file_name(resource, path)  # never the server's own path
    if isinstance(digest, Future):
        digest = digest.result()
    return _store(resource["id"], digest, status, report)


def largest_accepted_file() -> int:
    """Bytes of the largest file the portal takes: an upload of
    `ckan.max_resource_size` MiB or a file fetched of
    `ckanext.kg.fetch.max_bytes`. Validation refuses no file the portal
    accepted (its own default, 2 GiB, refused a 3.4 GB table of ten
    million rows that the upload had taken)."""
    return max(tk.config.get("ckan.max_resource_size") * 1024 * 1024,
               tk.config.get("ckanext.kg.fetch.max_bytes"))


def _copy_rows(schema: Optional[dict[str, Any]], work: Path) -> Optional[CopyRows]:
    """The rows for PostgreSQL, to be written by validation in its own pass,
    for a table PostgreSQL would not read as it is (see `load.datastore`)."""
    from ckanext.kg.publishing.files import rows_parquet
    from ckanext.kg.publishing.load import datastore
    if not schema or datastore.schema_copies_as_is(schema):
        return None
    parquet = rows_parquet.ParquetRows(work / "copy-rows.parquet", rows_parquet.arrow_schema(
        datastore.datastore_fields(schema)))  # the stored Parquet file, from the same pass
    return CopyRows(work / "copy-rows.csv", datastore.copy_cell, parquet)


def _hex(digest: Union[str, Future]) -> str:
    """The hex SHA-256 of a checksum ("sha256:<hex>"), or of its future."""
    return (digest.result() if isinstance(digest, Future) else digest).split(":", 1)[1]


def _named(path: Path, resource: dict[str, Any], work: Path) -> Path:
    """The file under a name whose extension says its format (CKAN stores
    uploads without one; the engine reads spreadsheets by extension)."""
    fmt = (resource.get("format") or "").strip().lower()
    if fmt not in SPREADSHEETS or path.suffix.lower() == "." + fmt:
        return path
    named = work / f"source.{fmt}"
    named.symlink_to(path.resolve())
    return named


def _file_name(resource: dict[str, Any], path: Path) -> str:
    url = (resource.get("url") or "").rstrip("/")
    return url.rsplit("/", 1)[-1] or path.name


def _store(resource_id: str, digest: str, status: str,
           report: dict[str, Any]) -> dict[str, Any]:
    reports.save(model.Session, resource_id, digest, status, report)
    model.Session.commit()
    log.info("validated resource %s (%s): %s", resource_id, digest, status)
    _index_dataset_of(resource_id)
    return reports.find(model.Session, resource_id, digest)


def _index_dataset_of(resource_id: str) -> None:
    """The dataset's search document says whether it complies with the
    code, and rule 5.3 reads the stored reports: it is indexed again once
    a report is stored. A failure is logged, never raised: the report
    stands, and the next change of the dataset indexes it."""
    from ckan.lib import search
    resource = model.Session.get(model.Resource, resource_id)
    if resource is None:
        return
    try:
        search.rebuild(resource.package_id)
        model.Session.commit()
    except Exception:  # noqa: BLE001 - see above
        model.Session.rollback()
        log.exception("dataset %s not indexed again after its report", resource.package_id)


def _validate_url(resource: dict[str, Any], progress: Progress,
                  max_fetch_bytes: Optional[int], key: Optional[str]) -> dict[str, Any]:
    url = resource["url"].strip()
    largest = tk.config.get("ckanext.kg.fetch.max_bytes")
    limit = min(max_fetch_bytes or largest, largest)
    progress(state.FETCHING)
    with tempfile.TemporaryDirectory(prefix="kg-fetch-") as work:
        suffix = Path(url.split("?")[0]).suffix[:8]
        target = Path(work) / f"source{suffix}"
        try:
            fetch.fetch(url, target, limit,
                        tk.config.get("ckanext.kg.fetch.timeout"),
                        tk.config.get("ckanext.kg.fetch.allow_private_addresses"))
        except fetch.TooLarge:
            if limit < largest:
                raise  # too large to wait for: the caller queues a job
            return _fetch_failed(resource["id"], url, fetch.TooLarge(largest), key)
        except fetch.FetchError as error:
            return _fetch_failed(resource["id"], url, error, key)
        digest = checksum(target)
        found = validate_file(resource, target, digest, progress)
    state.finish(resource["id"], source=url, checksum=digest, key=key)
    return found


def _fetch_failed(resource_id: str, url: str, error: fetch.FetchError,
                  key: Optional[str]) -> dict[str, Any]:
    """A report saying why the URL gave no file, in every language."""
    digest = "fetch:" + hashlib.sha256(url.encode("utf-8")).hexdigest()
    report = {lang: {
        "valid": False, "path": url,
        "fetch": {"url": url, "error": error.code},
        "totals": {"errors": 1},
        "errors": [{"type": f"fetch-{error.code}", "message": error.message(lang)}],
    } for lang in LANGUAGES}
    found = _store(resource_id, digest, reports.FAILURE, report)
    state.finish(resource_id, source=url, checksum=digest, key=key)
    return found


LOAD_FAILED = {
    "en": "The table passed validation but could not be loaded into the DataStore; "
          "the previous version stays published. Please try again or contact the "
          "portal's administrators.",
    "ky": "Таблица текшерүүдөн өттү, бирок DataStore'го жүктөлгөн жок; мурунку "
          "версиясы жарыяланган бойдон калат. Кайра аракет кылыңыз же порталдын "
          "администраторлоруна кайрылыңыз.",
    "ru": "Таблица прошла проверку, но не загружена в DataStore; предыдущая версия "
          "остаётся опубликованной. Повторите попытку или обратитесь к "
          "администраторам портала.",
}


COLUMNS_REFUSED = {
    "en": "The table passed validation, but the DataStore cannot have these "
          "column names: {columns}. A name must not be empty, start with \"_\", "
          "contain a double quote or control characters, begin or end with a "
          "space, or be longer than 63 bytes. Rename them in the file and in "
          "the Table Schema.",
    "ky": "Таблица текшерүүдөн өттү, бирок DataStore мындай мамыча аттарын кабыл "
          "албайт: {columns}. Ат бош болбошу, \"_\" белгиси менен башталбашы, "
          "кош тырмакчаны же башкаруучу белгилерди камтыбашы, боштук менен "
          "башталып же бүтпөшү жана 63 байттан узун болбошу керек. Аларды файлда "
          "жана Table Schema'да өзгөртүңүз.",
    "ru": "Таблица прошла проверку, но DataStore не принимает такие имена "
          "столбцов: {columns}. Имя не должно быть пустым, начинаться с \"_\", "
          "содержать двойную кавычку или управляющие символы, начинаться или "
          "заканчиваться пробелом, быть длиннее 63 байт. Переименуйте их в файле "
          "и в Table Schema.",
}


def _publish_rows(resource_id: str, canonical: Path, schema: dict[str, Any],
                  report: dict[str, Any], progress: Progress,
                  loading: Optional[early.EarlyLoad] = None,
                  copy_rows: Optional[CopyRows] = None) -> str:
    """Load the passing table into the DataStore (or commit the load that
    ran during validation, `early`), from the rows for PostgreSQL that
    validation wrote when it did (`copy_rows`); a failed load is no success."""
    from ckanext.kg.publishing.load import datastore
    refused = datastore.refused_columns(schema)
    if refused:
        columns = ", ".join(f"«{name}»" for name in refused)
        for lang, per_language in report.items():
            per_language["datastore"] = {
                "loaded": False, "message": COLUMNS_REFUSED[lang].format(columns=columns)}
        return reports.FAILURE
    started = time.perf_counter()
    try:
        progress(state.LOADING)
        rows = loading.publish(canonical) if loading is not None else None
        if rows is None:
            written = copy_rows if copy_rows is not None and copy_rows.written else None
            rows = datastore.load_table(resource_id, canonical, schema, progress,
                                        copy_rows=written)
        log.info("resource %s: %d rows loaded in %.2f s", resource_id, rows,
                 time.perf_counter() - started)
    except Exception:  # the old rows stay; the publisher is told, ops get the trace
        log.exception("DataStore load failed for resource %s", resource_id)
        for lang, per_language in report.items():
            per_language["datastore"] = {"loaded": False, "message": LOAD_FAILED[lang]}
        return reports.FAILURE
    for per_language in report.values():
        per_language["datastore"] = {"loaded": True, "rows": rows}
    return reports.SUCCESS


def rows_published(found: Optional[dict[str, Any]]) -> bool:
    """Whether this run loaded the table's rows (its stored report says so)."""
    if not found or found["status"] != reports.SUCCESS:
        return False
    return bool((found["report"].get("en") or {}).get("datastore", {}).get("loaded"))


def build_search(resource: dict[str, Any]) -> None:
    """After publication: the full-text search of the rows just served."""
    from ckanext.kg.publishing.load import datastore
    datastore.build_search(resource["id"], table_schema(resource))


def current_report(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The stored report of the resource's current file, if it has one: an
    uploaded file by its checksum; a URL by the last file fetched from that
    very URL."""
    if not resource.get("id"):
        return None
    path = current_file(resource)
    if path is not None:
        return reports.find(model.Session, resource["id"], checksum(path))
    if is_url_resource(resource):
        found = state.find(resource["id"])
        if found and found["checksum"] and found["source"] == resource["url"].strip():
            return reports.find(model.Session, resource["id"], found["checksum"])
    return None


def status_of(resource: dict[str, Any]) -> Optional[str]:
    """The validation status of the resource's current file, if it has one."""
    found = current_report(resource)
    return found["status"] if found else None
