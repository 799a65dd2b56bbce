"""Validate a resource's current file with kg_validation and keep the report."""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import tempfile
from pathlib import Path
from typing import Any, Optional

from ckan import model
from ckan.lib import uploader

from ckanext.kg import code
from ckanext.kg.publishing import reports

log = logging.getLogger(__name__)
LANGUAGES = ("ky", "ru", "en")


def current_file(resource: dict[str, Any]) -> Optional[Path]:
    """The stored file of an uploaded resource (URL resources have none here)."""
    if resource.get("url_type") != "upload" or not resource.get("id"):
        return None
    path = Path(uploader.get_resource_uploader(resource).get_path(resource["id"]))
    return path if path.is_file() else None


def checksum(path: Path) -> str:
    stat = path.stat()
    return _checksum(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _checksum(path: str, mtime_ns: int, size: int) -> str:
    """SHA-256 of a file, remembered while its size and time are unchanged."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def table_schema(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    schema = resource.get("schema")
    if isinstance(schema, str) and schema.strip():
        try:
            schema = json.loads(schema)
        except ValueError:
            return None
    return schema if isinstance(schema, dict) and schema.get("fields") else None


def validate_resource(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """Validate the resource's current file and store the report.

    Returns the stored report, or None for a resource that is not an
    uploaded table.
    """
    from kg_validation.report import build_report
    from kg_validation.validate import validate_table

    path = current_file(resource)
    if path is None or not code.is_tabular(resource):
        return None
    schema = table_schema(resource)
    with tempfile.TemporaryDirectory(prefix="kg-canonical-") as work:
        canonical = Path(work) / "canonical.csv"
        result = validate_table(path, schema, output=canonical)
        if not result.valid:
            status = reports.FAILURE
        elif schema is None:
            status = reports.NEEDS_SCHEMA  # a draft schema counts only once confirmed
        else:
            status = reports.SUCCESS
        report = {lang: build_report(result, lang=lang) for lang in LANGUAGES}
        if status == reports.SUCCESS:
            status = _publish_rows(resource["id"], canonical, schema, report)
    for per_language in report.values():
        per_language["path"] = path.name  # never the server's own path
    digest = checksum(path)
    reports.save(model.Session, resource["id"], digest, status, report)
    model.Session.commit()
    log.info("validated resource %s (%s): %s", resource["id"], digest, status)
    return reports.find(model.Session, resource["id"], digest)


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


def _publish_rows(resource_id: str, canonical: Path, schema: dict[str, Any],
                  report: dict[str, Any]) -> str:
    """Load the passing table into the DataStore; a failed load is no success."""
    from ckanext.kg.publishing import datastore
    try:
        rows = datastore.load_table(resource_id, canonical, schema)
    except Exception:  # the old rows stay; the publisher is told, ops get the trace
        log.exception("DataStore load failed for resource %s", resource_id)
        for lang, per_language in report.items():
            per_language["datastore"] = {"loaded": False, "message": LOAD_FAILED[lang]}
        return reports.FAILURE
    for per_language in report.values():
        per_language["datastore"] = {"loaded": True, "rows": rows}
    return reports.SUCCESS


def status_of(resource: dict[str, Any]) -> Optional[str]:
    """The validation status of the resource's current file, if it has one."""
    path = current_file(resource)
    if path is None:
        return None
    found = reports.find(model.Session, resource["id"], checksum(path))
    return found["status"] if found else None
