"""The reader's language (the request's, else the site's default) and a
per-language text in it, else in ky, ru, en.

Pages, template helpers, figures, Table Schemas shown as words and
actions that answer in the reader's language share these.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.kg import code


def current_language() -> str:
    """The request's language; the site's default outside a request (CLI, jobs)."""
    try:
        return tk.h.lang()
    except RuntimeError:
        return tk.config.get("ckan.locale_default") or code.LANGUAGES[0]


def translated_text(value: Any, language: str | None = None) -> str:
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
