"""A table's Table Schema as a reader sees it: one row per column with its
title in the reader's language, its type and constraints in words, and its
description; the schema itself only as a file to download."""
from __future__ import annotations

import json
from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.kg import code, figures, reader_language


def of_resource(resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The resource's Table Schema (stored as JSON text, shown as a dict),
    when it has fields; else None."""
    schema = resource.get("schema")
    if isinstance(schema, str):
        try:
            schema = json.loads(schema) if schema.strip() else None
        except ValueError:
            return None
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return None
    return schema if schema["fields"] else None


def as_file(schema: dict[str, Any]) -> str:
    """The schema as a JSON file a person can read: indented, letters as they are."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def type_names() -> dict[str, str]:
    """Table Schema's types in the reader's language."""
    _ = tk._
    return {
        "string": _("text"), "integer": _("whole number"), "number": _("number"),
        "boolean": _("yes or no"), "date": _("date"), "time": _("time of day"),
        "datetime": _("date and time"), "year": _("year"), "yearmonth": _("year and month"),
        "duration": _("duration"), "geopoint": _("geographic point"),
        "geojson": _("geometry (GeoJSON)"), "object": _("object (JSON)"),
        "array": _("list (JSON)"), "any": _("any value"),
    }


def _translated(field: dict[str, Any], key: str) -> str:
    given = code.translated((field.get("kg") or {}).get(f"{key}_translated"))
    own = field.get(key)
    return reader_language.translated_text(given) or (own if isinstance(own, str) else "")


def constraints_in_words(field: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, str]]:
    """What a column's values must be: one phrase per constraint, with the
    pattern a value must match (`code`) apart from the words."""
    _ = tk._
    given = field.get("constraints") or {}
    kind = figures.kind_of(field, schema)
    words = []
    if field.get("name") in figures.primary_key(schema):
        words.append(_("identifies the row (primary key)"))
    if given.get("required"):
        words.append(_("required"))
    if given.get("unique"):
        words.append(_("no two rows alike"))
    if "minimum" in given:
        words.append(_("at least {value}").format(value=figures.cell(given["minimum"], kind)))
    if "maximum" in given:
        words.append(_("at most {value}").format(value=figures.cell(given["maximum"], kind)))
    if "minLength" in given:
        words.append(_("at least {count} characters long").format(
            count=figures.number(given["minLength"])))
    if "maxLength" in given:
        words.append(_("at most {count} characters long").format(
            count=figures.number(given["maxLength"])))
    if isinstance(given.get("enum"), list):
        words.append(_("one of: {values}").format(
            values=", ".join(figures.cell(v, kind) for v in given["enum"])))
    phrases = [{"words": text, "code": ""} for text in words]
    if isinstance(given.get("pattern"), str) and given["pattern"]:
        phrases.append({"words": _("matches the pattern"), "code": given["pattern"]})
    return phrases


def title_of(field: dict[str, Any]) -> str:
    """A column's title in the reader's language, else its name."""
    return _translated(field, "title") or field["name"]


def columns(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per column of the resource's Table Schema, for its page."""
    schema = of_resource(resource)
    if schema is None:
        return []
    names = type_names()
    rows = []
    for field in schema["fields"]:
        if not isinstance(field, dict) or not field.get("name"):
            continue
        kind = field.get("type") or "string"
        rows.append({
            "name": field["name"],
            "title": title_of(field),
            "type": names.get(kind, kind),
            "constraints": constraints_in_words(field, schema),
            "description": _translated(field, "description"),
        })
    return rows
