"""Put the PostgreSQL client where CKAN looks for its Solr connection.

CKAN 2.12 has no search-backend interface: every search call goes through
``ckan.lib.search.common.make_connection``, which each search module imports
by name. Substituting that function in those modules is the one place this
project patches CKAN (documented in docs/search.md). The substitution is
module state, so it stays in place when CKAN's test runner unloads plugins.
"""
from __future__ import annotations

import importlib
import logging
from typing import Any, Callable

from .client import PostgresSolr

log = logging.getLogger(__name__)

_MODULES = ("ckan.lib.search", "ckan.lib.search.common",
            "ckan.lib.search.index", "ckan.lib.search.query")
_installed = False


def make_connection(decode_dates: bool = True) -> PostgresSolr:
    return PostgresSolr(decode_dates=decode_dates)


def check_schema_version(schema_file: Any = None) -> bool:
    """There is no Solr schema to check: the index table is ours."""
    return True


def _durable_clear(original: Callable[[str], None]) -> Callable[[str], None]:
    """`search.clear(id)` outside an action (``ckan search-index clear ID``):
    Solr applies it at once, so the index table commits it at once too."""
    if getattr(original, "_kg_durable", False):
        return original

    def clear(package_reference: str) -> None:
        from ckan import model
        original(package_reference)
        model.Session.commit()

    clear._kg_durable = True  # type: ignore[attr-defined]
    return clear


def install() -> None:
    """Route CKAN's search calls to PostgreSQL (idempotent)."""
    global _installed
    for name in _MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "make_connection"):
            module.make_connection = make_connection
    search = importlib.import_module("ckan.lib.search")
    search.check_solr_schema_version = check_schema_version
    search.clear = _durable_clear(search.clear)
    if not _installed:
        log.info("Search: PostgreSQL backend (kg_search_index) in place of Solr")
    _installed = True


def is_installed() -> bool:
    return _installed
