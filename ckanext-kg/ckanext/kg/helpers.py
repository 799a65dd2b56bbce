"""Template helpers: texts in the reader's language, code lists for forms."""
from __future__ import annotations

import logging
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from sqlalchemy.exc import SQLAlchemyError

from ckanext.kg import code, sources

log = logging.getLogger(__name__)

__all__ = [
    "kg_translated",
    "kg_admin_division_choices",
    "kg_languages",
    "kg_validation_status",
    "kg_tables",
    "kg_compliance",
    "kg_table_preview",
    "kg_table_examples",
    "kg_download_formats",
    "kg_dataset_sources",
    "kg_front_page",
    "kg_agency_compliance",
    "kg_agency_title",
    "kg_percent",
]


def current_language() -> str:
    """The request's language; the site's default outside a request (CLI, jobs)."""
    try:
        return tk.h.lang()
    except RuntimeError:
        return tk.config.get("ckan.locale_default") or code.LANGUAGES[0]


def kg_translated(value: Any, language: str | None = None) -> str:
    """The text in the reader's language, else in ky, ru, en (in that order)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    language = language or current_language()
    for lang in (language, *code.LANGUAGES):
        if value.get(lang):
            return value[lang]
    return ""


def kg_admin_division_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Regions and districts for the spatial coverage field, in the reader's
    language where the code list has it (Kyrgyz, English)."""
    from kg_validation.codelist import admin_divisions
    english = current_language() == "en"
    return [{"value": d.code, "label": f"{d.name_en if english else d.name_ky} ({d.code})"}
            for d in admin_divisions().values() if d.level in (1, 2)]


def kg_languages() -> tuple[str, ...]:
    return code.LANGUAGES


def _viewer_context() -> dict[str, Any]:
    from ckanext.kg.views import _context  # the one context helper
    return _context()


def kg_validation_status(resource: dict[str, Any]) -> Optional[str]:
    """For a table: the status of its current file's report (`success`,
    `failure`, `needs-schema`), or `none` while it has none; None for a
    resource that is not a table."""
    if not code.is_tabular(resource):
        return None
    return code.validation_status(resource) or "none"


def kg_compliance(dataset: dict[str, Any]) -> dict[str, Any]:
    """Which rules of the code a dataset (as package_show returns it) meets."""
    return code.compliance(dataset)


def kg_tables(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's tables, each with `kg_status`, its validation status."""
    return [dict(resource, kg_status=kg_validation_status(resource))
            for resource in dataset.get("resources") or [] if code.is_tabular(resource)]


def kg_table_preview(resource: dict[str, Any], rows: int = 10) -> Optional[dict[str, Any]]:
    """The first rows of a table from the DataStore, which only ever holds
    rows of a file that passed validation; None when it holds none."""
    if not resource.get("datastore_active"):
        return None
    try:
        result = tk.get_action("datastore_search")(
            _viewer_context(), {"resource_id": resource["id"], "limit": rows,
                                "include_total": True})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None
    except SQLAlchemyError:  # the DataStore database is down: the page still shows
        log.exception("No preview of %s: the DataStore did not answer", resource["id"])
        return None
    fields = [f for f in result["fields"] if f["id"] != "_id"]
    return {"fields": fields, "total": result.get("total"),
            "rows": [[record.get(f["id"]) for f in fields] for record in result["records"]]}


def kg_table_examples(resource_id: str) -> dict[str, str]:
    from ckanext.kg import developers
    return developers.table_examples(resource_id)


def kg_download_formats() -> list[tuple[str, str]]:
    """The formats a published table downloads as: (name in the URL, label)."""
    return [("csv", tk._("CSV")), ("excel", tk._("CSV for Excel")),
            ("xlsx", tk._("Excel workbook (XLSX)")), ("parquet", tk._("Parquet")),
            ("json", tk._("JSON"))]


def kg_dataset_sources(dataset: dict[str, Any]) -> dict[str, Any]:
    """Where the dataset's figures come from: its sources and licences."""
    return {"sources": sources.source_entries(dataset.get("sources")),
            "licences": sources.licence_entries(dataset)}


def _theme_choices() -> list[dict[str, Any]]:
    schema = tk.h.scheming_get_dataset_schema("dataset")
    field = tk.h.scheming_field_by_name(schema["dataset_fields"], "theme")
    return field["choices"]


def kg_front_page(recent: int = 6) -> dict[str, Any]:
    """What the front page shows: the code's themes and the agencies, each
    with how many datasets the viewer may see, and the recently updated ones."""
    search = tk.get_action("package_search")(_viewer_context(), {
        "rows": recent, "sort": "metadata_modified desc",
        "facet.field": ["theme"], "facet.limit": -1})
    counts = search["search_facets"].get("theme", {}).get("items", [])
    counts = {item["name"]: item["count"] for item in counts}
    themes = [{"value": c["value"], "label": kg_translated(c["label"]),
               "count": counts.get(c["value"], 0)} for c in _theme_choices()]
    agencies = [agency for agency in tk.get_action("organization_list")(_viewer_context(), {
        "all_fields": True, "include_extras": True, "sort": "package_count"})
        if agency["package_count"]]  # a publisher with nothing to show leads nowhere
    return {"themes": themes, "agencies": agencies, "recent": search["results"],
            "count": search["count"]}


def kg_agency_title(agency: dict[str, Any]) -> str:
    return (kg_translated(code.translated(agency.get("title_translated")))
            or agency.get("display_name") or agency.get("title") or agency["name"])


def kg_agency_compliance(agency_id: str) -> Optional[dict[str, Any]]:
    """The share of an agency's datasets (those the viewer may see) that comply."""
    try:
        return tk.get_action("kg_compliance_show")(
            _viewer_context(), {"organization": agency_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def kg_percent(share: Optional[float]) -> str:
    """A share (0.5) as a percentage in the reader's locale ("50%", "50 %")."""
    if share is None:
        return "—"
    from flask_babel import format_percent
    return format_percent(share)
