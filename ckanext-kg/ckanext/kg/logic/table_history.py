"""A table's history through the API: its versions (`kg_resource_versions`).

Whoever may read the resource (`resource_show`) may read every version of
it; a hidden one answers as an unknown one (`auth.py`).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.kg.publishing.files import stored, versions


def _readable_resource(context: Context, action: str, resource_id: str) -> dict[str, Any]:
    tk.check_access(action, context, {"id": resource_id})
    return tk.get_action("resource_show")(dict(context), {"id": resource_id})


def table_versions(resource_id: str) -> list[dict[str, Any]]:
    """The versions of a table, newest first, each with `current` (the
    version being served)."""
    served = stored.served(resource_id)
    listed = versions.listed(stored.folder(resource_id), served)
    serving = served.get("files", {}).get("csv"), served.get("files", {}).get("parquet")
    shown = []
    for version in reversed(listed):
        files = version.get("files", {})
        current = bool(served) and (files.get("csv"), files.get("parquet")) == serving \
            and version is listed[-1]
        shown.append(dict(version, current=current))
    return shown


def _download_urls(resource: dict[str, Any], version: dict[str, Any]) -> dict[str, str]:
    return {kind: tk.url_for("kg.version_download", id=resource["package_id"],
                             resource_id=resource["id"], number=version["number"],
                             fmt=kind, _external=True)
            for kind in versions.KINDS if version.get("files", {}).get(kind)}


@tk.side_effect_free
def kg_resource_versions(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The versions of a table: every successful publication is one.

    :param id: the id of a resource
    :type id: string
    :returns: ``id`` and ``versions``, newest first, each with ``number``,
        ``published`` (UTC, ISO 8601), ``checksum`` (SHA-256 of its CSV),
        ``rows``, ``fields`` (column ids and DataStore types), ``schema``
        (its Table Schema; ``None`` for a version published before
        versions were kept), ``current`` (being served), ``kept`` (its
        files are kept, see ``ckanext.kg.versions.keep``) and
        ``downloads`` (format -> address: ``csv``, ``parquet``)
    """
    resource_id = tk.get_or_bust(data_dict, "id")
    resource = _readable_resource(context, "kg_resource_versions", resource_id)
    shown = []
    for version in table_versions(resource["id"]):
        public = {k: version.get(k) for k in ("number", "published", "checksum", "rows",
                                               "fields", "schema", "current", "kept")}
        shown.append(dict(public, downloads=_download_urls(resource, version)))
    return {"id": resource["id"], "versions": shown}
