"""Which chart a table's Table Schema allows, and its figures.

A column of time (`date`, `datetime`, `year`, `yearmonth`) and a measure
(a number that is no code, identifier or year: `figures.kind_of`) make a
line chart; a category (a text column) and a measure make a bar chart.
A line chart may draw one line per value of a category (`by`), such as
one per country. A column of the Kyrgyz administrative division codes
(`divisions`: the code's `KG` + 11 digits, as its region-code check reads
them) and a measure make a chart by region: each row's figure is added
to the region (oblast, or Bishkek or Osh city) its division lies in.
A publisher may choose the chart (the resource's `chart_type`,
`chart_x`, `chart_y`, `chart_by`), a reader another on the page; both
are checked here (`unfit`).

Nothing here reads CKAN: functions take a Table Schema and rows; the
divisions come from the code list of `kg_validation` (Open Admin Data's
administrative divisions, CC-BY-4.0, also a dataset of the portal).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Optional

from ckanext.kg import figures

LINE, BAR, REGION = "line", "bar", "region"
KINDS = (LINE, BAR, REGION)
# the patterns a Table Schema gives a column of division codes
DIVISION_PATTERNS = ("^KG[0-9]{11}$", "^KG\\d{11}$", "KG[0-9]{11}", "KG\\d{11}")
TIME_TYPES = ("date", "datetime", "year", "yearmonth")
MOST_BARS = 40  # bars on one chart: the largest shown
MOST_LINES = 8  # lines on one chart: the categories with most rows
ROLES = ("x", "y", "by")


@dataclass(frozen=True)
class Chart:
    kind: str  # LINE or BAR
    x: str  # time (line) or category (bar)
    y: str  # the measure
    by: Optional[str] = None  # a category: one line per value (line only)


def _fields(schema: Optional[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in (schema or {}).get("fields") or []
            if isinstance(f, dict) and isinstance(f.get("name"), str)]


def measures(schema: Optional[dict[str, Any]]) -> list[str]:
    """Columns of quantities: numbers shown grouped (no code or year)."""
    return [f["name"] for f in _fields(schema)
            if f.get("type") in ("integer", "number")
            and figures.kind_of(f, schema) == figures.GROUPED]


def times(schema: Optional[dict[str, Any]]) -> list[str]:
    return [f["name"] for f in _fields(schema) if f.get("type") in TIME_TYPES]


def categories(schema: Optional[dict[str, Any]]) -> list[str]:
    """Text columns, those with an `enum` (few values) first."""
    texts = [f for f in _fields(schema) if (f.get("type") or "string") == "string"]
    listed = [f["name"] for f in texts if (f.get("constraints") or {}).get("enum")]
    return listed + [f["name"] for f in texts if f["name"] not in listed]


def divisions(schema: Optional[dict[str, Any]]) -> list[str]:
    """Text columns of administrative division codes: their pattern is the
    code's (`DIVISION_PATTERNS`), or every value of their `enum` is the
    code of a division (`region_of`)."""
    found = []
    for field in _fields(schema):
        if (field.get("type") or "string") != "string":
            continue
        constraints = field.get("constraints") or {}
        listed = constraints.get("enum")
        if constraints.get("pattern") in DIVISION_PATTERNS or (
                isinstance(listed, list) and listed
                and all(isinstance(v, str) and region_of(v) for v in listed)):
            found.append(field["name"])
    return found


def default_chart(schema: Optional[dict[str, Any]]) -> Optional[Chart]:
    """The chart a table gets when its publisher chose none: a line over
    time where it has a time column, else bars by category; None when it
    has no measure, or neither."""
    found = measures(schema)
    if not found:
        return None
    if times(schema):
        listed = [name for name in categories(schema) if _has_enum(schema, name)]
        return Chart(LINE, times(schema)[0], found[0], listed[0] if listed else None)
    if divisions(schema):
        return Chart(REGION, divisions(schema)[0], found[0])
    if categories(schema):
        return Chart(BAR, categories(schema)[0], found[0])
    return None


def _has_enum(schema: Optional[dict[str, Any]], name: str) -> bool:
    return any(f["name"] == name and (f.get("constraints") or {}).get("enum")
               for f in _fields(schema))


def fitting(schema: Optional[dict[str, Any]], kind: str, role: str) -> list[str]:
    """The columns that may take `role` in a chart of `kind`."""
    if role == "y":
        return measures(schema)
    if role == "by":
        return categories(schema) if kind == LINE else []
    if kind == REGION:
        return divisions(schema)
    return times(schema) if kind == LINE else categories(schema)


def unfit(schema: Optional[dict[str, Any]], kind: str, role: str,
          name: Optional[str]) -> Optional[str]:
    """Why column `name` cannot take `role` in a chart of `kind`: `missing`
    (no such column) or `type` (not of a fitting type); None if it can."""
    if not name:
        return None
    if name not in {f["name"] for f in _fields(schema)}:
        return "missing"
    return None if name in fitting(schema, kind, role) else "type"


def chosen(schema: Optional[dict[str, Any]], kind: Optional[str],
           x: Optional[str] = None, y: Optional[str] = None,
           by: Optional[str] = None) -> Optional[Chart]:
    """The chart of `kind` with the columns named, each column not named
    (or not fitting) taken from the default; None when none can be drawn."""
    if kind not in KINDS:
        return default_chart(schema)
    named = {"x": x, "y": y, "by": by}
    picked = {role: named[role] if named[role] and not unfit(schema, kind, role, named[role])
              else None for role in ROLES}
    default = default_chart(schema)
    x_found = picked["x"] or (default.x if default and default.kind == kind else None)
    x_found = x_found or next(iter(fitting(schema, kind, "x")), None)
    y_found = picked["y"] or next(iter(measures(schema)), None)
    if x_found is None or y_found is None:
        return None
    by_found = picked["by"] if kind == LINE and picked["by"] != x_found else None
    return Chart(kind, x_found, y_found, by_found)


def region_of(code: str) -> Optional[str]:
    """The code of the region (level 1: an oblast, Bishkek or Osh city) that
    the division of `code` lies in; None for a code not in the list the
    region-code check reads (`kg_validation.codelist`)."""
    from kg_validation.codelist import admin_divisions
    found = admin_divisions().get(code)
    while found is not None and found.level > 1:
        found = admin_divisions().get(found.parent_code)
    return found.code if found is not None else None


def region_name(code: str, language: str) -> str:
    """A region's name from the divisions list: English for `en`, else the
    Kyrgyz name (the list, like its source, has no Russian names)."""
    from kg_validation.codelist import admin_divisions
    found = admin_divisions().get(code)
    if found is None:
        return code
    return found.name_en if language == "en" and found.name_en else found.name_ky


def figures_of(chart: Chart, records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The chart's labels (x values, in order: time sorted, bars and
    regions largest first) and one series per line, each y summed over
    the rows sharing an x (and a `by`); `summed` says whether any were.
    By region, x is the region of a row's division code (`region_of`);
    `unknown` counts the rows whose code is not a division's (left out)."""
    totals: dict[Any, dict[Any, Decimal]] = {}
    counts: dict[Any, int] = {}
    summed = False
    unknown = 0
    for record in records:
        x, y = record.get(chart.x), _decimal(record.get(chart.y))
        if x is None or y is None:
            continue
        if chart.kind == REGION:
            x = region_of(str(x).strip())
            if x is None:
                unknown += 1
                continue
        series = record.get(chart.by) if chart.by else None
        line = totals.setdefault(series, {})
        summed = summed or x in line
        line[x] = line.get(x, Decimal(0)) + y
        counts[series] = counts.get(series, 0) + 1
    if chart.kind in (BAR, REGION):
        line = totals.get(None, {})
        labels = sorted(line, key=lambda key: -line[key])[:MOST_BARS]
    else:
        labels = sorted({x for line in totals.values() for x in line}, key=str)
    kept = sorted(totals, key=lambda s: (-counts[s], str(s)))[:MOST_LINES]
    return {"labels": labels, "summed": summed, "unknown": unknown,
            "series": [{"name": name, "values": [
                float(totals[name][x]) if x in totals[name] else None for x in labels]}
                for name in sorted(kept, key=str)]}


def _decimal(value: Any) -> Optional[Decimal]:
    if isinstance(value, bool) or value is None:
        return None
    try:
        found = Decimal(str(value))
    except ArithmeticError:
        return None
    return found if found.is_finite() else None
