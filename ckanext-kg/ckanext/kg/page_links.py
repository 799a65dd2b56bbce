"""The links of a page of search results, built from one address.

CKAN's facet list links each item with `h.add_url_param` or
`h.remove_url_param`, and each call asks the router for the page's
address again (`url_for`): a third of the `/dataset` page's time, with
ten facets of up to ten items. Here the page's address is asked for once
per facet and each item's query is joined from the request's parameters,
each encoded once, exactly as those helpers encode them: the same
parameters in the same order (the request's, without `page`, then the
item's), the same escaping (`urlencode` of UTF-8 values), the same
language prefix (the router's address carries it). The tests compare
every link with CKAN's own helpers.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from flask import request

from ckanext.kg import figures, reader_language


def page_address(extras: Optional[dict[str, Any]] = None,
                 alternative_url: Optional[str] = None) -> str:
    """The address CKAN's `add_url_param` and `remove_url_param` put the
    query on: `alternative_url` when given, else the current view's address
    with `extras` as its arguments (the request's own without any)."""
    if alternative_url:
        return alternative_url
    if not extras:
        extras = dict(request.view_args or {})
    blueprint, view = tk.get_endpoint()
    controller = getattr(tk.g, "controller", blueprint)
    action = getattr(tk.g, "action", view)
    return tk.h.url_for(f"{controller}.{action}", **extras)


def encoded(key: str, value: Any) -> str:
    """One `key=value` of a query, as CKAN's `_url_with_params` writes it."""
    return urlencode([(key, value.encode("utf-8") if isinstance(value, str) else str(value))])


def with_query(address: str, pairs: Iterable[str]) -> str:
    """The address with the encoded pairs as its query; none without pairs."""
    query = "&".join(pairs)
    return f"{address}?{query}" if query else address


def facet_items(name: str, items: list[dict[str, Any]],
                extras: Optional[dict[str, Any]] = None,
                alternative_url: Optional[str] = None) -> list[dict[str, Any]]:
    """The facet's items, each with `href`, the link that selects it (an
    active one: that removes it), and `count_text`, its count in the
    reader's format."""
    address = page_address(extras, alternative_url)
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    pairs = [encoded(k, v) for k, v in params]
    language = reader_language.current_language()
    shown = []
    for item in items:
        if item.get("active"):
            href = with_query(address, _without(params, pairs, name, item["name"]))
        else:
            href = with_query(address, [*pairs, encoded(name, item["name"])])
        shown.append(dict(item, href=href, count_text=figures.count(item["count"], language)))
    return shown


def _without(params: list[tuple[str, Any]], pairs: list[str], key: str,
             value: Any) -> list[str]:
    """The pairs without `key=value` (its first occurrence), or without
    every `key` when the value is empty, as `remove_url_param` does."""
    if value:
        first = params.index((key, value))
        return pairs[:first] + pairs[first + 1:]
    return [pair for (k, _v), pair in zip(params, pairs, strict=True) if k != key]
