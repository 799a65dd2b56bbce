"""What the portal tells developers: the OpenAPI description of the actions
that matter, and ready-to-copy queries of one table, with this portal's own
address in them."""
from __future__ import annotations

import copy
import functools
import os
from typing import Any, Optional

import ckan.plugins.toolkit as tk
import yaml

OPENAPI_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openapi.yaml")

# the actions the developer page documents, in its order
ACTIONS = ("package_search", "package_show", "datastore_search",
           "datastore_search_sql", "kg_compliance_show", "kg_validation_show",
           "kg_resource_versions", "kg_resource_diff", "kg_most_downloaded_list")


@functools.lru_cache(maxsize=1)
def _openapi_file() -> dict[str, Any]:
    with open(OPENAPI_FILE, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def openapi_document(site_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description, served from `site_url`."""
    document = copy.deepcopy(_openapi_file())
    document["servers"] = [{"url": site_url.rstrip("/")}]
    return document


def site_url() -> str:
    """The portal's address (ckan.site_url and root path), without a language."""
    return tk.h.url_for("home.index", _external=True, locale="default").rstrip("/")


def action_url(action: str, **params: Any) -> str:
    """The full URL of an API action with query parameters, in the given order."""
    return tk.h.url_for("api.action", ver=3, logic_function=action,
                        _external=True, locale="default", **params)


def table_examples(resource_id: str, limit: int = 5) -> dict[str, str]:
    """Queries of one DataStore table: curl, Python (ckanapi), SQL (curl)."""
    base = site_url()
    search = action_url("datastore_search", resource_id=resource_id, limit=limit)
    sql = f'SELECT * FROM "{resource_id}" LIMIT {limit}'
    return {
        "curl": f"curl '{search}'",
        "python": (
            "from ckanapi import RemoteCKAN\n\n"
            f'portal = RemoteCKAN("{base}")\n'
            f'result = portal.action.datastore_search(resource_id="{resource_id}", '
            f"limit={limit})\n"
            'for row in result["records"]:\n'
            "    print(row)"),
        "sql": (f"curl -G '{action_url('datastore_search_sql')}' "
                f"--data-urlencode 'sql={sql}'"),
    }


def _public_table(context: dict[str, Any]) -> tuple[Optional[dict], Optional[dict]]:
    """A public dataset to show in live examples, and its first table in the
    DataStore (either may be missing on an empty portal)."""
    found = tk.get_action("package_search")(dict(context), {
        "rows": 50, "sort": "metadata_modified desc", "include_private": False})
    for dataset in found["results"]:
        for resource in dataset.get("resources") or []:
            if resource.get("datastore_active"):
                return dataset, resource
    return (found["results"][0] if found["results"] else None), None


# stand-ins for a dataset name and a table id in the examples, replaced by a
# real public one, or by a translated placeholder on a portal without any
DATASET_SLOT, TABLE_SLOT = "kg-dataset-slot", "kg-table-slot"


def _fill(text: str, dataset: Optional[dict], resource: Optional[dict]) -> str:
    return (text.replace(DATASET_SLOT, dataset["name"] if dataset else tk._("<dataset name>"))
            .replace(TABLE_SLOT, resource["id"] if resource else tk._("<resource id>")))


def page_examples(context: dict[str, Any]) -> dict[str, Any]:
    """Live examples of each documented action against this portal, built
    on a real public dataset and table when the portal has one."""
    dataset, resource = _public_table(context)
    table = table_examples(TABLE_SLOT)
    urls = {
        "package_search": action_url("package_search", q="калк", rows=5),
        "package_show": action_url("package_show", id=DATASET_SLOT),
        "datastore_search": action_url("datastore_search", resource_id=TABLE_SLOT, limit=5),
        "kg_compliance_show": action_url("kg_compliance_show", id=DATASET_SLOT),
        "kg_validation_show": action_url("kg_validation_show", id=TABLE_SLOT),
        "kg_resource_versions": action_url("kg_resource_versions", id=TABLE_SLOT),
        "kg_resource_diff": action_url("kg_resource_diff", id=TABLE_SLOT),
        "kg_most_downloaded_list": action_url("kg_most_downloaded_list", limit=5),
    }
    commands = dict({a: f"curl '{url}'" for a, url in urls.items()},
                    datastore_search_sql=table["sql"])
    live = {"package_search": True, "package_show": bool(dataset),
            "kg_compliance_show": bool(dataset), "datastore_search": bool(resource),
            "kg_validation_show": bool(resource), "kg_resource_versions": bool(resource),
            "kg_resource_diff": bool(resource), "kg_most_downloaded_list": True}
    return {
        "site_url": site_url(),
        "openapi_url": tk.h.url_for("kg.openapi", _external=True, locale="default"),
        "dataset": dataset, "resource": resource,
        "python": _fill(table["python"], dataset, resource),
        "actions": [{"name": a, "command": _fill(commands[a], dataset, resource),
                     "url": _fill(urls[a], dataset, resource) if live.get(a) else None}
                    for a in ACTIONS],
    }
