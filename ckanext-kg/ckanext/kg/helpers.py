"""Template helpers: texts in the reader's language, code lists for forms."""
from __future__ import annotations

import hashlib
import logging
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from sqlalchemy.exc import SQLAlchemyError

from ckanext.kg import code, figures, reader_language, sources, table_schema, tabular

log = logging.getLogger(__name__)

__all__ = [
    "kg_translated",
    "kg_admin_division_choices",
    "kg_languages",
    "kg_validation_status",
    "kg_tables",
    "kg_compliance",
    "kg_table_preview",
    "kg_table_explorer",
    "kg_download_address",
    "kg_table_examples",
    "kg_download_formats",
    "kg_dataset_sources",
    "kg_front_page",
    "kg_counts",
    "kg_most_downloaded",
    "kg_agency_compliance",
    "kg_dataset_agency",
    "kg_agency_title",
    "kg_percent",
    "kg_number",
    "kg_facet_items",
    "kg_date",
    "kg_resource_description",
    "kg_table_columns",
    "kg_chart_column_options",
    "kg_table_versions",
    "kg_resource_facts",
    "resource_display_name",
    "kg_view_title",
    "kg_language_name",
    "kg_error_page",
    "kg_reader_tags",
    "markdown_extract",
    "kg_text_with_links",
]


@tk.chained_helper
def markdown_extract(up: Any, text: Any, extract_length: int = 190) -> Any:
    """CKAN's plain-text extract of a description, remembered: each dataset
    in a list of results had its whole description rendered as Markdown
    and cleaned on every page (a sixth of a search page's time). The key is
    the text's digest (a long description is not kept), so a changed
    description is rendered anew."""
    if not isinstance(text, str) or not isinstance(extract_length, int) \
            or extract_length <= 0:  # no extract: the whole text, not kept
        return up(text, extract_length)
    key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass")).digest(), extract_length)
    found = _EXTRACTS.get(key)
    if found is None:
        found = _EXTRACTS[key] = up(text, extract_length)
        while len(_EXTRACTS) > EXTRACTS_KEPT:
            _EXTRACTS.pop(next(iter(_EXTRACTS)), None)  # the oldest
    return found


EXTRACTS_KEPT = 1024
_EXTRACTS: dict[tuple[bytes, int], Any] = {}


def _remembered(kept: dict[Any, Any], key: Any, make: Any) -> Any:
    found = kept.get(key)
    if found is None:
        found = kept[key] = make()
        while len(kept) > EXTRACTS_KEPT:
            kept.pop(next(iter(kept)), None)  # the oldest
    return found


def kg_text_with_links(text: Any) -> Any:
    """`text|urlize` in a page's template (its addresses as links, the rest
    escaped unless it is markup already), remembered like `markdown_extract`:
    each dataset in a list of results had its extract's links made anew on
    every page (6% of the `/dataset` page's time). The key is the text's
    digest and whether it is markup."""
    from flask import current_app
    from jinja2.filters import do_urlize
    from jinja2.nodes import EvalContext
    from markupsafe import Markup

    def make() -> Any:
        return do_urlize(EvalContext(current_app.jinja_env, "snippets/package_item.html"), text)
    if not isinstance(text, str):
        return make()
    key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass")).digest(),
           isinstance(text, Markup))
    return _remembered(_LINKED, key, make)


_LINKED: dict[tuple[bytes, bool], Any] = {}


def kg_translated(value: Any, language: str | None = None) -> str:
    """The text in the reader's language, else in ky, ru, en (in that order)."""
    return reader_language.translated_text(value, language)


def kg_admin_division_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """Regions and districts for the spatial coverage field, in the reader's
    language where the code list has it (Kyrgyz, English)."""
    from kg_validation.codelist import admin_divisions
    english = reader_language.current_language() == "en"
    return [{"value": d.code, "label": f"{d.name_en if english else d.name_ky} ({d.code})"}
            for d in admin_divisions().values() if d.level in (1, 2)]


def kg_languages() -> tuple[str, ...]:
    return code.LANGUAGES


def kg_language_name(language: str) -> str:
    """A language's name in the reader's language (Babel's): "орусча" for
    `ru` on a Kyrgyz page, "английский" for `en` on a Russian one."""
    from babel import Locale
    return Locale.parse(language).get_display_name(figures.reader_locale()) or language


def _viewer_context() -> dict[str, Any]:
    from ckanext.kg.views import _context  # the one context helper
    return _context()


def kg_validation_status(resource: dict[str, Any]) -> Optional[str]:
    """For a table: the status of its current file's report (`success`,
    `failure`, `needs-schema`), or `none` while it has none; None for a
    resource that is not a table."""
    if not tabular.is_tabular(resource):
        return None
    return code.validation_status(resource) or "none"


def kg_compliance(dataset: dict[str, Any]) -> dict[str, Any]:
    """Which rules of the code a dataset (as package_show returns it) meets."""
    return code.compliance(dataset)


def kg_tables(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's tables, each with `kg_status`, its validation status."""
    return [dict(resource, kg_status=kg_validation_status(resource))
            for resource in dataset.get("resources") or [] if tabular.is_tabular(resource)]


def kg_table_preview(resource: dict[str, Any], rows: int = 10) -> Optional[dict[str, Any]]:
    """The first rows of a table from the DataStore, which only ever holds
    rows of a file that passed validation; None when it holds none. Each
    value is shown in the reader's format, as its Table Schema field says
    (`figures.kind_of`)."""
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
    kinds = _value_kinds(resource, fields)
    return {"fields": fields, "total": result.get("total"),
            "rows": [[figures.cell(record.get(f["id"]), kind)
                      for f, kind in zip(fields, kinds, strict=True)]
                     for record in result["records"]]}


def kg_table_explorer(resource: dict[str, Any], rows: int = 20) -> Optional[dict[str, Any]]:
    """The `kg_preview` view's rows, filters, downloads and chart as the
    page's address asks (`table_explorer.explore`)."""
    from flask import request

    from ckanext.kg import table_explorer
    return table_explorer.explore(resource, request.args, rows)


def kg_download_address(dataset_name: str, resource: dict[str, Any], fmt: str) -> str:
    """A download of the rows the page's address selects (all without one)."""
    from flask import request

    from ckanext.kg import table_explorer
    base = tk.h.url_for("kg.download", id=dataset_name, resource_id=resource["id"], fmt=fmt)
    return table_explorer.download_address(base, request.args, resource)


def _value_kinds(resource: dict[str, Any], fields: list[dict[str, Any]]) -> list[str]:
    """How each DataStore column's values are shown: as its Table Schema
    field says; as given for a column the schema does not name."""
    schema = table_schema.of_resource(resource) or {"fields": []}
    by_name = {f.get("name"): f for f in schema["fields"] if isinstance(f, dict)}
    return [figures.kind_of(by_name[f["id"]], schema) if f["id"] in by_name
            else figures.AS_GIVEN for f in fields]


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
    with how many public datasets it has, and the recently updated ones.
    Public datasets only, for every reader (a sysadmin's front page too)."""
    search = tk.get_action("package_search")(_viewer_context(), {
        "rows": recent, "sort": "metadata_modified desc",
        "facet.field": ["theme", "organization"], "facet.limit": -1})
    counts = _facet_counts(search, "theme")
    themes = [{"value": c["value"], "label": kg_translated(c["label"]),
               "count": counts.get(c["value"], 0)} for c in _theme_choices()]
    return {"themes": themes, "agencies": _agencies(_facet_counts(search, "organization")),
            "recent": search["results"], "count": search["count"]}


def _facet_counts(search: dict[str, Any], field: str) -> dict[str, int]:
    items = search["search_facets"].get(field, {}).get("items", [])
    return {item["name"]: item["count"] for item in items}


def _agencies(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The agencies with public datasets (`counts`: name -> datasets, from
    the same search), most first, each with its names per
    language. A publisher with nothing to show leads nowhere, so it is left
    out. Read in one statement: `organization_list` with all fields shows
    every agency one by one, which was half of the front page's time."""
    from ckan import model
    if not counts:
        return []
    found = model.Session.query(
        model.Group.id, model.Group.name, model.Group.title, model.Group.extras).filter(
        model.Group.name.in_(list(counts)), model.Group.is_organization.is_(True),
        model.Group.state == "active").all()
    agencies = [{"id": agency.id, "name": agency.name, "title": agency.title,
                 "display_name": agency.title or agency.name,
                 "title_translated": code.translated((agency.extras or {}).get(
                     "title_translated")),
                 "package_count": counts[agency.name]} for agency in found]
    return sorted(agencies, key=lambda a: (-a["package_count"], kg_agency_title(a)))[
        :AGENCIES_SHOWN]


AGENCIES_SHOWN = 25  # as many as CKAN's organization_list gave with all fields


def kg_counts(dataset: dict[str, Any]) -> dict[str, Any]:
    """A dataset's views and downloads, for its page (which only those who
    may see the dataset get): `views`, `downloads` and `tables`, each
    table's (in the dataset's order) with its display name."""
    from ckanext.kg import counts
    found = counts.of_dataset(dataset["id"])
    tables = [{"id": r["id"], "name": tk.h.resource_display_name(r),
               **found["tables"].get(r["id"], {"views": 0, "downloads": 0})}
              for r in dataset.get("resources") or []]
    return {"views": found["views"], "downloads": found["downloads"], "tables": tables}


def kg_most_downloaded(limit: int = 5) -> list[dict[str, Any]]:
    """The public datasets downloaded most, for the front page; none when
    the counts cannot be read (the page is shown all the same)."""
    try:
        return tk.get_action("kg_most_downloaded_list")(_viewer_context(), {"limit": limit})
    except SQLAlchemyError:
        log.exception("most downloaded datasets not read")
        return []


def kg_dataset_agency(agency_id: str) -> dict[str, Any]:
    """The agency box beside a dataset: its name, title, picture and
    description, without what CKAN's `get_organization` also reads and the
    box does not show (its dataset count by a search, followers, members,
    groups), which was a third of the dataset page's time."""
    return tk.get_action("organization_show")(_viewer_context(), {
        "id": agency_id, "include_dataset_count": False, "include_followers": False,
        "include_users": False, "include_groups": False})


def kg_agency_title(agency: dict[str, Any]) -> str:
    return (kg_translated(code.translated(agency.get("title_translated")))
            or agency.get("display_name") or agency.get("title") or agency["name"])


def kg_agency_compliance(agency_id: str) -> Optional[dict[str, Any]]:
    """The share of an agency's datasets (those the viewer may see) that comply."""
    try:
        return tk.get_action("kg_compliance_show")(
            _viewer_context(), {"organization": agency_id, "rows": 0})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def kg_percent(share: Optional[float]) -> str:
    """A share (0.5) as a percentage in the reader's locale ("50%", "50 %")."""
    if share is None:
        return "—"
    from flask_babel import format_percent
    return format_percent(share)


def kg_reader_tags(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's tags that are its keywords in the reader's language
    (else in ky, ru, en), and any tag that is no keyword at all."""
    keywords = code.translated(dataset.get("keywords"))
    tags = dataset.get("tags") or []
    if not keywords:
        return tags
    language = reader_language.current_language()
    shown = next((keywords[lang] for lang in (language, *code.LANGUAGES)
                  if keywords.get(lang)), [])
    every = {word for words in keywords.values() if isinstance(words, list) for word in words}
    return [tag for tag in tags if tag.get("name") in shown or tag.get("name") not in every]


def kg_number(value: Any) -> str:
    """A count or a figure in the reader's format (2 172 300, 1,5)."""
    return figures.number(value)


def kg_facet_items(name: str, items: list[dict[str, Any]],
                   extras: Optional[dict[str, Any]] = None,
                   alternative_url: Optional[str] = None) -> list[dict[str, Any]]:
    """A facet's items for its list, each with its link (`href`: CKAN's
    `add_url_param`, or `remove_url_param` for an active one) and its count
    in the reader's format (`count_text`), from one address per facet
    (`page_links.facet_items`)."""
    from ckanext.kg import page_links
    return page_links.facet_items(name, items, extras, alternative_url)


def kg_date(value: Any) -> str:
    """A date in the reader's format (22 янв. 2020 г.)."""
    return figures.date(value)


def _resource_names(resource: dict[str, Any]) -> set[str]:
    names = code.translated(resource.get("name_translated"))
    return {text.strip() for text in [resource.get("name"), *names.values()]
            if isinstance(text, str) and text.strip()}


@tk.chained_helper
def resource_display_name(next_helper: Any, resource: dict[str, Any]) -> str:
    """A resource's name in the reader's language (its `name_translated`,
    else ky, ru, en), else CKAN's own choice (its name, or description)."""
    name = kg_translated(code.translated(resource.get("name_translated")))
    return name or next_helper(resource)


def kg_resource_description(resource: dict[str, Any]) -> str:
    """A resource's description in the reader's language (else ky, ru, en),
    else CKAN's own field; nothing when that only repeats the table's name
    (a Data Package's resource title is kept there for CKAN's clients)."""
    described = kg_translated(code.translated(resource.get("description_translated")))
    if described:
        return described
    plain = (resource.get("description") or "").strip()
    return "" if plain in _resource_names(resource) else plain


def kg_table_columns(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The resource's Table Schema as rows for its page (`table_schema.columns`)."""
    return table_schema.columns(resource)


def kg_chart_column_options(field_name: str,
                            resource: dict[str, Any]) -> Optional[list[dict[str, str]]]:
    """The choices of the resource form's `chart_x`, `chart_y` or `chart_by`
    select: the columns of the resource's Table Schema that may take that
    role in some chart (`charts.fitting`), titled in the reader's language
    (a column without a title by its name), after a blank choice; a value already set that is
    not among them is kept, so the form shows it and its refusal. None
    without a Table Schema (the form then takes a column's name as text)."""
    from ckanext.kg import charts
    schema = table_schema.of_resource(resource)
    if schema is None:
        return None
    role = field_name.removeprefix("chart_")
    names = list(dict.fromkeys(name for kind in charts.KINDS
                               for name in charts.fitting(schema, kind, role)))
    fields = {f["name"]: f for f in schema["fields"] if isinstance(f, dict) and f.get("name")}
    titles = {name: table_schema.title_of(fields[name]) for name in names}
    blank = tk._("None: one line") if role == "by" else tk._("Chosen by the portal")
    options = [{"value": "", "text": blank}]
    for name in names:  # the name only where two columns share a title
        shared = list(titles.values()).count(titles[name]) > 1
        options.append({"value": name,
                        "text": f"{titles[name]} ({name})" if shared else titles[name]})
    current = resource.get(field_name)
    if isinstance(current, str) and current and current not in names:
        options.append({"value": current, "text": current})
    return options


def kg_table_versions(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The versions of a table the viewer may read, newest first, each with
    its time of publication in the reader's format (`published_text`)."""
    try:
        shown = tk.get_action("kg_resource_versions")(_viewer_context(), {"id": resource["id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []
    return [dict(v, published_text=figures.timestamp(v["published"]) + " UTC")
            for v in shown["versions"]]


def kg_resource_facts(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """What the resource page's "Additional information" adds to CKAN's
    dates, format and licence: the file's size and media type, and the
    resource's identifier for the API (`code`: shown as code); never its
    Table Schema or any raw JSON."""
    facts = []
    if isinstance(resource.get("size"), int) or str(resource.get("size") or "").isdigit():
        from ckan.lib.formatters import localised_filesize
        facts.append({"label": tk._("File size"), "code": False,
                      "value": localised_filesize(int(resource["size"]))})
    if resource.get("mimetype"):
        facts.append({"label": tk._("Media type"), "value": resource["mimetype"], "code": True})
    facts.append({"label": tk._("Identifier (for the API)"), "value": resource["id"],
                  "code": True})
    return facts


def kg_view_title(view: dict[str, Any]) -> str:
    """A resource view's title in the reader's language (`preview.title_of`)."""
    from ckanext.kg import preview
    return preview.title_of(view)


CKAN_SERVER_ERROR = "Internal server error"  # CKAN's own text of a 500, never translated


def _error_titles() -> dict[int, str]:
    _ = tk._
    return {400: _("Bad request"), 403: _("Access denied"), 404: _("Page not found"),
            405: _("Method not allowed"), 409: _("Conflict"), 413: _("File too large"),
            429: _("Too many requests"), 500: _("Server error"),
            503: _("Service unavailable")}


def _error_texts() -> dict[int, str]:
    _ = tk._
    return {404: _("The address may be mistyped, or the page was moved or removed."),
            500: _("Something went wrong on the server. Please try again later.")}


def kg_error_page(status_code: Any, name: Any, content: Any) -> dict[str, Any]:
    """An error page's title and text in the reader's language: CKAN shows
    the web server's English name of the status ("Not Found"), and its
    English description when a page gave none of its own."""
    from werkzeug.exceptions import default_exceptions
    status = (status_code[0] if isinstance(status_code, list) and status_code
              else status_code)  # CKAN passes a 500's code as [500]
    title = _error_titles().get(status) if isinstance(status, int) else None
    text = content
    known = default_exceptions.get(status) if isinstance(status, int) else None
    english = {CKAN_SERVER_ERROR, known.description if known else None}
    if title and content in english:
        text = _error_texts().get(status, "")
    return {"title": f"{status} {title}" if title else (f"{status} {name}" if name else ""),
            "text": text}
