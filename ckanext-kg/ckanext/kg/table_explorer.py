"""The `kg_preview` view as a reader explores a table: its rows sorted,
filtered and paged as the page's address asks (`preview_query`), its
chart (`charts`), and downloads of exactly those rows.

Every row comes from CKAN's own `datastore_search` with the reader's
rights: a table the reader may not read shows none. The address's
parameters are checked before the page is built
(`refuse_unreadable_preview`), so hostile ones are a 400 naming the
parameter, in the reader's language.
"""
from __future__ import annotations

import logging
from typing import Any, Optional
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from sqlalchemy.exc import SQLAlchemyError

from ckanext.kg import charts, figures, table_schema
from ckanext.kg.preview_query import (
    LONGEST_TEXT,
    ROWS,
    Column,
    PreviewQuery,
    PreviewQueryError,
    columns_of,
    is_asked,
    parse,
)

log = logging.getLogger(__name__)

CHART_ROWS = 5_000  # rows a chart sums at most
RESOURCE_PAGES = ("dataset_resource.read", "resource.read",
                  "dataset_resource.view", "resource.view")
CHART_PARAMETERS = ("chart", "chart.x", "chart.y", "chart.by")
NO_CHART = "none"


def _context() -> dict[str, Any]:
    from ckanext.kg.views import _context as viewer_context
    return viewer_context()


def _store_fields(resource_id: str) -> list[dict[str, Any]]:
    """The table's DataStore fields, labels in the reader's language; the
    reader's rights checked (NotAuthorized, ObjectNotFound)."""
    return tk.get_action("datastore_search")(
        _context(), {"resource_id": resource_id, "limit": 0,
                     "include_total": False})["fields"]


def refuse_unreadable_preview() -> None:
    """Before a resource page: the preview's and the chart's parameters
    checked against the table's columns; a refusal is a 400 (`errors`)."""
    from flask import request
    if request.endpoint not in RESOURCE_PAGES or not (
            is_asked(request.args) or any(k in request.args for k in CHART_PARAMETERS)):
        return
    resource_id = (request.view_args or {}).get("resource_id")
    try:
        resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
        fields = _store_fields(resource["id"]) if resource.get("datastore_active") else []
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return  # the page answers, as for any address
    try:
        parse(request.args, columns_of(fields, table_schema.of_resource(resource)))
        asked_chart(request.args, resource)
    except PreviewQueryError as error:
        raise tk.ValidationError({error.parameter: [error.message]}) from None


def publisher_chart(resource: dict[str, Any]) -> Optional[str]:
    """The chart kind the publisher chose (`chart_type`): line, bar,
    `none`, or None (the portal chooses)."""
    kind = resource.get("chart_type")
    return kind if kind in (*charts.KINDS, NO_CHART) else None


def asked_chart(args: Any, resource: dict[str, Any]) -> Optional[charts.Chart]:
    """The chart to draw: the reader's choice (`chart`, `chart.x`, ...),
    else the publisher's, else the schema's default; None for none."""
    from ckanext.kg.preview_query import _single
    schema = table_schema.of_resource(resource)
    kind = _single(args, "chart")
    if kind not in (None, NO_CHART, *charts.KINDS):
        raise PreviewQueryError("chart", tk._("Choose one of: {values}.").format(
            values=", ".join((*charts.KINDS, NO_CHART))))
    named = {role: _single(args, f"chart.{role}") for role in charts.ROLES}
    reason = {"missing": tk._("This table has no column named {name}."),
              "type": tk._("Column {name} cannot be drawn this way.")}
    if any(named.values()) and kind is None:
        kind = publisher_chart(resource) if publisher_chart(resource) in charts.KINDS else None
        kind = kind or getattr(charts.default_chart(schema), "kind", None)
    for role, name in named.items():
        why = charts.unfit(schema, kind or "", role, name) if kind in charts.KINDS else None
        if why:
            raise PreviewQueryError(f"chart.{role}", reason[why].format(name=name))
    if kind is None and not any(named.values()):
        kind = publisher_chart(resource)
        named = {role: resource.get(f"chart_{role}") for role in charts.ROLES}
    if kind == NO_CHART:
        return None
    return charts.chosen(schema, kind, **named)


def explore(resource: dict[str, Any], args: Any, rows: int = ROWS) -> Optional[dict[str, Any]]:
    """What the preview shows: the page of rows asked for, in the reader's
    format, with its columns' filters and sort links, the parameters of
    its downloads, and its chart; None when no rows can be shown (not
    published, the reader may not read them, the DataStore is down)."""
    if not resource.get("datastore_active"):
        return None
    schema = table_schema.of_resource(resource)
    try:
        fields = [f for f in _store_fields(resource["id"]) if f["id"] != "_id"]
        columns = columns_of(fields, schema)
        query = parse(args, columns)
        result = tk.get_action("datastore_search")(
            _context(), {"resource_id": resource["id"], **query.search(rows)})
        chart = asked_chart(args, resource)
        drawn = _chart(resource, query, chart, fields) if chart else None
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError, PreviewQueryError):
        return None
    except SQLAlchemyError:  # the DataStore database is down: the page still shows
        log.exception("No preview of %s: the DataStore did not answer", resource["id"])
        return None
    kinds = [_kind(schema, f["id"]) for f in fields]
    total = result.get("total") or 0
    kept = _kept(args)

    def link(clear: bool = False, **changes: Any) -> str:
        """This page's address with `changes` to the query (or none at all)."""
        return "?" + urlencode(kept + ([] if clear else list(query.address(**changes).items())))
    return {"columns": [_column(column, fld, query, link) for column, fld in zip(
                columns, fields, strict=True)],
            "rows": [[figures.cell(record.get(f["id"]), kind)
                      for f, kind in zip(fields, kinds, strict=True)]
                     for record in result["records"]],
            "total": total, "page": query.page, "pages": max(1, -(-total // rows)),
            "first": (query.page - 1) * rows + 1, "filtered": bool(query.conditions),
            "query": query, "kept": kept, "link": link, "chart": drawn,
            "longest": LONGEST_TEXT, "download": query.download()}


def _kind(schema: Optional[dict[str, Any]], name: str) -> str:
    found = next((f for f in (schema or {}).get("fields") or []
                  if isinstance(f, dict) and f.get("name") == name), None)
    return figures.kind_of(found, schema) if found else figures.AS_GIVEN


def _title(field: dict[str, Any]) -> str:
    info = field.get("info") if isinstance(field.get("info"), dict) else {}
    return info.get("label") or field["id"]


def _column(column: Column, field: dict[str, Any], query: PreviewQuery,
            link: Any) -> dict[str, Any]:
    sorted_now = "descending" if query.sort == column.name and query.descending else (
        "ascending" if query.sort == column.name else None)
    toggled = {"sort": column.name, "order": "desc" if sorted_now == "ascending" else None,
               "page": None}
    return {"name": column.name, "title": _title(field), "kind": column.kind,
            "operations": column.operations, "sorted": sorted_now,
            "sort_address": link(**toggled),
            "choices": [{"value": str(c).lower() if isinstance(c, bool) else str(c),
                         "label": figures.cell(c, figures.BOOLEAN if isinstance(c, bool)
                                               else figures.AS_GIVEN)}
                        for c in column.choices],
            "values": {op: query.shown.get(f"{op}.{column.name}", "")
                       for op in ("eq", "has", "min", "max")}}


def _kept(args: Any) -> list[tuple[str, str]]:
    """The parameters a link keeps as they are: the page's view, the chart."""
    return [(name, args.get(name)) for name in ("view_id", *CHART_PARAMETERS)
            if isinstance(args.get(name), str) and args.get(name)]


def _chart(resource: dict[str, Any], query: PreviewQuery, chart: charts.Chart,
           fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The chart's figures from the rows the query selects (at most
    `CHART_ROWS`), its labels in the reader's language."""
    search = query.search(CHART_ROWS)
    search.update(offset=0, fields=[n for n in (chart.x, chart.y, chart.by) if n],
                  sort='"' + chart.x.replace('"', '""') + '"')
    result = tk.get_action("datastore_search")(
        _context(), {"resource_id": resource["id"], **search})
    found = charts.figures_of(chart, result["records"])
    titles = {f["id"]: _title(f) for f in fields}
    schema = table_schema.of_resource(resource)
    locale = figures.reader_locale()
    from babel import numbers as babel_numbers
    return {"kind": chart.kind, "x": chart.x, "y": chart.y, "by": chart.by,
            "titles": titles, "x_title": tk._("Region") if chart.kind == charts.REGION
            else titles.get(chart.x, chart.x), "unknown": found["unknown"],
            "y_title": titles.get(chart.y, chart.y),
            "by_title": titles.get(chart.by, chart.by) if chart.by else "",
            "labels": _labels(chart, found["labels"], _kind(schema, chart.x)),
            "series": [{"name": figures.cell(s["name"], figures.AS_GIVEN) if s["name"]
                        is not None else titles.get(chart.y, chart.y),
                        "values": s["values"],
                        "shown": [figures.number(v) if v is not None else "—"
                                  for v in s["values"]]} for s in found["series"]],
            "summed": found["summed"], "cut": (result.get("total") or 0) > CHART_ROWS,
            "choices": {kind: {role: charts.fitting(schema, kind, role)
                               for role in charts.ROLES} for kind in charts.KINDS},
            "group": babel_numbers.get_group_symbol(locale),
            "decimal": babel_numbers.get_decimal_symbol(locale)}


def _labels(chart: charts.Chart, values: list[Any], kind: str) -> list[str]:
    """The x values as the reader reads them: regions by name in the
    reader's language, anything else in the reader's format."""
    if chart.kind == charts.REGION:
        from ckanext.kg.reader_language import current_language
        return [charts.region_name(code, current_language()) for code in values]
    return [figures.cell(x, kind) for x in values]


def download_address(base: str, args: Any, resource: dict[str, Any]) -> str:
    """A download link for the rows the page's address selects."""
    if not is_asked(args):
        return base
    try:
        fields = _store_fields(resource["id"])
        query = parse(args, columns_of(fields, table_schema.of_resource(resource)))
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError, PreviewQueryError):
        return base
    found = query.download()
    return f"{base}?{urlencode(found)}" if found else base
