"""Errors of the search index and the DataStore, answered as refusals of
the parameter at fault (`tk.ValidationError`, in the reader's language)
and never with the internal text CKAN would put in the answer: its dump
of the whole search query with the caller's permission filter, the
DataStore's generated SQL and PostgreSQL's error.

Which parameter is at fault is read from the error's structure: the
search backend's `QueryRefused` names it, and PostgreSQL's error code
(SQLSTATE) tells a value that does not fit its column from a text-search
expression it cannot read.
"""
from __future__ import annotations

from typing import Any, Optional

import ckan.plugins.toolkit as tk
import pysolr
from ckan.lib.search.common import SearchError, SearchQueryError

from ckanext.kg.search.client import QueryRefused


class _Messages:
    def __str__(self) -> str:  # CKAN's search page shows str(error)
        return "; ".join(f"{name}: {' '.join(texts)}"
                         for name, texts in self.error_dict.items())


class SearchRefusal(_Messages, tk.ValidationError, SearchError):
    """The API answers it as a refusal (409); CKAN's search pages show
    their search-error notice, as for any `SearchError`."""


class SearchQueryRefusal(_Messages, tk.ValidationError, SearchQueryError):
    """As `SearchRefusal`, where CKAN's pages answer 400 (a bad sort)."""


def search_refusal(error: SearchError) -> Exception:
    """The refusal to raise for a `SearchError` from `package_search`."""
    cause = error.__context__
    if isinstance(cause, QueryRefused):
        kind = SearchQueryRefusal if isinstance(error, SearchQueryError) else SearchRefusal
        reason = tk._(cause.template).format(**cause.values)  # in the reader's language
        return kind({cause.parameter: [tk._("The search cannot be run: {reason}").format(
            reason=reason)]})
    if isinstance(error, SearchQueryError) or not isinstance(cause, pysolr.SolrError):
        return error  # CKAN's own checks: they name the parameter, nothing internal
    return SearchRefusal({"q": [tk._("The search cannot be run with these parameters.")]})


# PostgreSQL error codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
QUERY_CANCELED = "57014"
PERMISSION_DENIED = "42501"
_DATASTORE_PARAMETERS = {  # SQLSTATE, or its class, -> the parameter at fault
    "22": "filters",  # data exception: a value that does not fit its column
    "42601": "q",  # syntax error: a text-search expression (plain=false)
    "42704": "language",  # undefined object: no such text-search configuration
}


def datastore_refusal(error: tk.ValidationError) -> tk.ValidationError:
    """A refusal of `datastore_search` without the statement, its
    parameters and PostgreSQL's message that CKAN puts under `info`."""
    code = sqlstate(error.__context__)
    if code is None:
        return tk.ValidationError({name: texts for name, texts in error.error_dict.items()
                                   if name != "info"})
    if code == QUERY_CANCELED:
        return tk.ValidationError({"q": [tk._(
            "The search took too long: narrow it down with filters.")]})
    parameter = _DATASTORE_PARAMETERS.get(code) or _DATASTORE_PARAMETERS.get(code[:2])
    messages = {
        "filters": tk._("A filter's value does not fit the type of its column."),
        "q": tk._("The full-text query cannot be read: with plain=false it must "
                  "follow PostgreSQL's tsquery syntax."),
        "language": tk._("There is no full-text search configuration of that name."),
    }
    if parameter is None:
        return tk.ValidationError({"query": [tk._(
            "The table cannot be searched with these parameters.")]})
    return tk.ValidationError({parameter: [messages[parameter]]})


def sqlstate(error: Optional[BaseException]) -> Optional[str]:
    """PostgreSQL's error code of a database error (SQLAlchemy's, or the
    driver's), or None for any other error."""
    original: Any = getattr(error, "orig", error)
    return getattr(original, "pgcode", None)
