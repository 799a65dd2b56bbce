"""Template helpers: texts in the reader's language, code lists for forms."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.kg import code

__all__ = [
    "kg_translated",
    "kg_admin_division_choices",
    "kg_languages",
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
