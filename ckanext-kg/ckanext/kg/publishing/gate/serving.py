"""Nothing invalid is served: a table's file (uploaded, or behind its URL)
is downloadable through the portal only when its current version has
passed validation.

CKAN's resource download view has no hook, so the check runs before that
view (a Flask `before_request` function registered by the plugin). The
DataStore-based downloads keep serving the last valid version meanwhile.
"""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk
from flask import request

from ckanext.kg import tabular
from ckanext.kg.publishing.gate import reports, validation

DOWNLOAD_ENDPOINTS = frozenset({"resource.download", "dataset_resource.download"})


def hold_unvalidated_downloads() -> Optional[Any]:
    if request.endpoint not in DOWNLOAD_ENDPOINTS:
        return None
    resource_id = (request.view_args or {}).get("resource_id")
    context = {"user": tk.current_user.name if tk.current_user else ""}
    try:
        resource = tk.get_action("resource_show")(context, {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None  # CKAN's own view answers, as it would for any resource
    if not tabular.is_tabular(resource) or not (
            resource.get("url_type") == "upload" or validation.is_url_resource(resource)):
        return None
    if validation.status_of(resource) == reports.SUCCESS:
        return None
    return tk.abort(404, tk._("This table has not passed validation yet; it can be "
                              "downloaded once it has."))
