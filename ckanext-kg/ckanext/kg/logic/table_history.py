"""A table's history through the API: its versions (`kg_resource_versions`)
and the differences between two of them (`kg_resource_diff`).

Whoever may read the resource (`resource_show`) may read every version of
it; a hidden one answers as an unknown one (`auth.py`).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.kg.publishing.files import diffs, stored, versions

DIFF_PAGE = 50  # rows of differences a call answers by default
DIFF_PAGE_MAX = 1000


def _resource_id(context: Context, data_dict: DataDict) -> str:
    """The `id` given: one value, as text (a list, an object or a number
    was read as an id: a 500)."""
    from ckanext.kg.logic import schema
    rules = [tk.get_validator(name) for name in ("not_empty", "kg_single_value",
                                                 "unicode_safe")]
    return schema.checked(context, data_dict, {"id": rules})["id"]


def _readable_resource(context: Context, action: str, resource_id: str) -> dict[str, Any]:
    """The resource's id and its dataset's, once the caller may read it (the
    auth function is `resource_show`'s). Its dataset is not shown again:
    on the resource page that was a tenth of the page's time."""
    tk.check_access(action, context, {"id": resource_id})
    resource = context["model"].Resource.get(resource_id)
    if resource is None or resource.state != "active":
        raise tk.ObjectNotFound(tk._("Resource was not found."))
    return {"id": resource.id, "package_id": resource.package_id}


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
    resource_id = _resource_id(context, data_dict)
    resource = _readable_resource(context, "kg_resource_versions", resource_id)
    shown = []
    for version in table_versions(resource["id"]):
        public = {k: version.get(k) for k in ("number", "published", "checksum", "rows",
                                               "fields", "schema", "current", "kept")}
        shown.append(dict(public, downloads=_download_urls(resource, version)))
    return {"id": resource["id"], "versions": shown}


def _number(data_dict: DataDict, name: str, default: Any, low: int, high: int) -> Any:
    value = data_dict.get(name, default)
    if value is None or value == "":
        return default
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        raise tk.ValidationError({name: [tk._("Give a whole number from {low} to {high}.")
                                         .format(low=low, high=high)]})
    return number


def _version(listed: list[dict[str, Any]], number: int, name: str) -> dict[str, Any]:
    found = next((v for v in listed if v["number"] == number), None)
    if found is None:
        raise tk.ValidationError({name: [tk._("This table has no version {number}.")
                                         .format(number=number)]})
    if not found.get("kept"):
        raise tk.ValidationError({name: [tk._("The files of version {number} are no "
                                              "longer kept.").format(number=number)]})
    return found


def table_diff(resource_id: str, data_dict: DataDict) -> dict[str, Any]:
    """The differences between two versions (`from`, default the one before
    `to`; `to`, default the current one) and a page of their rows."""
    listed = list(reversed(table_versions(resource_id)))
    if not listed:
        raise tk.ValidationError({"id": [tk._("This table has no published version.")]})
    last = listed[-1]["number"]
    to = _number(data_dict, "to", last, 1, last)
    start = _number(data_dict, "from", max(1, to - 1), 1, last)
    limit = _number(data_dict, "limit", DIFF_PAGE, 0, DIFF_PAGE_MAX)
    offset = _number(data_dict, "offset", 0, 0, 10**12)
    old, new = _version(listed, start, "from"), _version(listed, to, "to")
    found = diffs.between(stored.folder(resource_id), old, new)
    if found is None:
        raise tk.ValidationError({"to": [tk._("These versions have no Parquet files to "
                                              "compare.")]})
    summary, rows = found
    return {"id": resource_id, "from": start, "to": to, "by": summary["by"],
            "key": summary["key"], "added": summary["added"], "removed": summary["removed"],
            "changed": summary["changed"], "schema": summary["schema"],
            "total": summary["rows"], "offset": offset, "limit": limit,
            "rows": [_jsonable(row) for row in diffs.page(rows, offset, limit)]}


def _jsonable(value: Any) -> Any:
    """Dates and times as ISO 8601 text, the rest as it is."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@tk.side_effect_free
def kg_resource_diff(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The differences between two versions of a table, row by row.

    By the primary key of the Table Schema (the newer version's, else the
    older's) when both versions have its columns: rows added, removed and
    changed (with the columns whose cells differ); without one, rows
    compared whole (``by``: ``row``): a changed row is one removed and one
    added.

    :param id: the id of a resource
    :type id: string
    :param from: the older version's number (default: the one before ``to``)
    :type from: int
    :param to: the newer version's number (default: the current one)
    :type to: int
    :param limit: rows of differences to answer (default 50, at most 1000)
    :type limit: int
    :param offset: rows of differences to skip
    :type offset: int
    :returns: ``from``, ``to``, ``by`` (``key`` or ``row``), ``key``,
        ``added``, ``removed``, ``changed``, ``schema`` (columns
        ``added``, ``removed`` and ``retyped``), ``total`` (rows of
        differences) and ``rows``: each with ``change`` (``added``,
        ``removed``, ``changed``), ``changed`` (column names), ``key``,
        ``old`` and ``new`` (the row in each version, or ``None``), in the
        order of the key
    """
    resource_id = _resource_id(context, data_dict)
    resource = _readable_resource(context, "kg_resource_diff", resource_id)
    return table_diff(resource["id"], data_dict)
