"""Validation after an upload: at once for small files, as a job for large ones."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.kg import code
from ckanext.kg.publishing import validation


def validate_after_upload(resource: dict[str, Any]) -> None:
    path = validation.current_file(resource)
    if path is None or not code.is_tabular(resource):
        return
    if path.stat().st_size <= tk.config.get("ckanext.kg.validation.sync_max_bytes"):
        validation.validate_resource(resource)
    else:
        tk.enqueue_job(validate_resource_job, [resource["id"]],
                       title=f"kg: validate resource {resource['id']}")


def validate_resource_job(resource_id: str) -> None:
    resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
    validation.validate_resource(resource)
