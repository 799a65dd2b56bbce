"""Listings that name datasets or their metadata show only what the
caller may see.

CKAN lists an agency's or group's members, free tags and resource formats
straight from its tables, private and draft datasets included. Here tags
and formats come from what the caller's own search finds (CKAN's
permission labels), and membership listings keep only the datasets the
caller may read. Vocabularies are lists of terms set by sysadmins, not
datasets' metadata: they are listed as CKAN lists them.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.kg.logic import schema, visibility


def visible_facet(context: Context, field: str) -> set[str]:
    """Every value of a search facet over the datasets the caller may see
    (drafts included: their own, or their agency's)."""
    search_context = {"user": context.get("user"),
                      "ignore_auth": context.get("ignore_auth", False)}
    result = tk.get_action("package_search")(search_context, {
        "q": "*:*", "rows": 0, "facet.field": [field], "facet.limit": -1,
        "include_private": True, "include_drafts": True})
    return set(result["facets"].get(field, {}))


def _free_tags(data_dict: DataDict) -> bool:
    return not data_dict.get("vocabulary_id")


def _paging(data_dict: DataDict) -> tuple[dict[str, Any], DataDict]:
    """`limit` and `offset` checked with CKAN's validators, and the data
    dict without them (paging is done after the hidden tags are left out)."""
    schema = {"limit": [tk.get_validator("ignore_missing"),
                        tk.get_validator("natural_number_validator")],
              "offset": [tk.get_validator("ignore_missing"),
                         tk.get_validator("natural_number_validator")]}
    paging, errors = tk.navl_validate(
        {k: data_dict[k] for k in ("limit", "offset") if data_dict.get(k) not in (None, "")},
        schema)
    if errors:
        raise tk.ValidationError(errors)
    rest = {k: v for k, v in data_dict.items() if k not in ("limit", "offset")}
    return paging, rest


def _page(items: list, paging: dict[str, Any]) -> list:
    start = int(paging.get("offset") or 0)
    limit = paging.get("limit")
    return items[start:] if limit is None else items[start:start + int(limit)]


@tk.side_effect_free
@tk.chained_action
def tag_list(up_func, context: Context, data_dict: DataDict):
    """Free tags: only those of datasets the caller may see."""
    result = up_func(context, data_dict)
    if not _free_tags(data_dict):
        return result
    visible = visible_facet(context, "tags")
    return [t for t in result if (t["name"] if isinstance(t, dict) else t) in visible]


@tk.side_effect_free
@tk.chained_action
def tag_search(up_func, context: Context, data_dict: DataDict):
    """Free tags: only those of datasets the caller may see, counted and
    paged after the others are left out."""
    if not _free_tags(data_dict):
        return up_func(context, data_dict)
    paging, rest = _paging(data_dict)
    visible = visible_facet(context, "tags")
    found = [t for t in up_func(context, rest)["results"] if t["name"] in visible]
    return {"count": len(found), "results": _page(found, paging)}


@tk.side_effect_free
@tk.chained_action
def tag_autocomplete(up_func, context: Context, data_dict: DataDict):
    """Free tags: only those of datasets the caller may see."""
    if not _free_tags(data_dict):
        return up_func(context, data_dict)
    paging, rest = _paging(data_dict)
    visible = visible_facet(context, "tags")
    return _page([name for name in up_func(context, rest) if name in visible], paging)


@tk.side_effect_free
@tk.chained_action
def tag_show(up_func, context: Context, data_dict: DataDict):
    """A free tag that no dataset the caller may see carries does not
    exist for them: CKAN's answer for an unknown tag."""
    result = up_func(context, data_dict)
    if _free_tags(data_dict) and result["name"] not in visible_facet(context, "tags"):
        raise tk.ObjectNotFound()
    return result


@tk.side_effect_free
@tk.chained_action
def format_autocomplete(up_func, context: Context, data_dict: DataDict):
    """Only the formats of resources of datasets the caller may see."""
    data_dict = schema.checked(context, data_dict, {"limit": [
        tk.get_validator("ignore_missing"), tk.get_validator("kg_single_value"),
        tk.get_validator("natural_number_validator"), schema.at_most(schema.LARGEST_NUMBER)]})
    visible = {f.lower() for f in visible_facet(context, "res_format")}
    return [f for f in up_func(context, data_dict) if f.lower() in visible]


@tk.side_effect_free
@tk.chained_action
def member_list(up_func, context: Context, data_dict: DataDict):
    """An agency's or group's datasets: only those the caller may read."""
    members = up_func(context, data_dict)
    ids = [m[0] for m in members if m[1] == "package"]
    if not ids:
        return members
    packages = model.Session.query(model.Package).filter(model.Package.id.in_(ids))
    readable = visibility.readable_datasets(context, packages)
    return [m for m in members if m[1] != "package" or m[0] in readable]


__all__ = ["tag_list", "tag_search", "tag_autocomplete", "tag_show",
           "format_autocomplete", "member_list"]
