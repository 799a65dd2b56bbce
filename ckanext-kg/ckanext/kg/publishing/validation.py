"""Validate a resource's current file with kg_validation and keep the report."""
from __future__ import annotations

import hashlib
import json
import logging
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
    digest = hashlib.sha256()
    with path.open("rb") as stream:
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
    result = validate_table(path, schema)
    if not result.valid:
        status = reports.FAILURE
    elif schema is None:
        status = reports.NEEDS_SCHEMA  # a draft schema counts only once confirmed
    else:
        status = reports.SUCCESS
    report = {lang: build_report(result, lang=lang) for lang in LANGUAGES}
    for per_language in report.values():
        per_language["path"] = path.name  # never the server's own path
    digest = checksum(path)
    reports.save(model.Session, resource["id"], digest, status, report)
    model.Session.commit()
    log.info("validated resource %s (%s): %s", resource["id"], digest, status)
    return reports.find(model.Session, resource["id"], digest)


def status_of(resource: dict[str, Any]) -> Optional[str]:
    """The validation status of the resource's current file, if it has one."""
    path = current_file(resource)
    if path is None:
        return None
    found = reports.find(model.Session, resource["id"], checksum(path))
    return found["status"] if found else None
