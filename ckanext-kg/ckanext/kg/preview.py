"""`kg_preview`: the first rows of a published table as a resource view, so
that a table's resource page is never empty. The same preview as the
dataset page's, values in the reader's format (`figures`).

The publication step creates the view once a table's rows are served
(`ensure_view`); `ckan views create kg_preview` adds it to tables published
before this plugin was enabled.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.kg import tabular

VIEW_TYPE = "kg_preview"
# stored as the view's title and translated when shown (`title_of`): a stored
# title is in one language, a page in the reader's
TITLE = "Preview"
ROWS = 20


class TablePreviewPlugin(p.SingletonPlugin):
    p.implements(p.IResourceView, inherit=True)

    def info(self) -> dict[str, Any]:
        return {"name": VIEW_TYPE, "title": tk._("Preview"), "default_title": TITLE,
                "icon": "table", "iframed": False, "requires_datastore": True}

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return is_published_table(data_dict["resource"])

    def setup_template_variables(self, context: Any,
                                 data_dict: dict[str, Any]) -> dict[str, Any]:
        return {"rows": ROWS}

    def view_template(self, context: Any, data_dict: dict[str, Any]) -> str:
        return "kg/views/table_preview.html"


def is_published_table(resource: dict[str, Any]) -> bool:
    """A table whose validated rows the DataStore serves."""
    return tabular.is_tabular(resource) and bool(resource.get("datastore_active"))


def title_of(view: dict[str, Any]) -> str:
    """A view's title in the reader's language: ours translated, others as stored."""
    if view.get("view_type") == VIEW_TYPE and view.get("title") == TITLE:
        return tk._("Preview")
    return view.get("title") or ""


def ensure_view(resource_id: str) -> None:
    """Give a published table its preview view, unless it has one (or the
    plugin is not enabled)."""
    if not p.plugin_loaded(VIEW_TYPE):
        return
    from ckanext.kg.site_user import site_context
    views = tk.get_action("resource_view_list")(site_context(), {"id": resource_id})
    if any(view["view_type"] == VIEW_TYPE for view in views):
        return
    tk.get_action("resource_view_create")(site_context(), {
        "resource_id": resource_id, "view_type": VIEW_TYPE, "title": TITLE})
