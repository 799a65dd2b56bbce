"""Datasets in several languages, for search and for display."""
from __future__ import annotations

from typing import Any

from ckanext.kg import code, helpers


def add_languages(doc: dict[str, Any]) -> dict[str, Any]:
    """Index every language of the title, description and keywords as text
    fields of their own (`title_ky`, `notes_ru`, ...), so a word from any of
    them finds the dataset, the titles weighing most."""
    for field, prefix in (("title_translated", "title"),
                          ("notes_translated", "notes")):
        for lang, text in code.translated(doc.get(field)).items():
            if lang in code.LANGUAGES and text:
                doc[f"{prefix}_{lang}"] = text
    for lang, words in code.translated(doc.get("keywords")).items():
        if lang in code.LANGUAGES and words:
            doc[f"keywords_{lang}"] = words
    return doc


def localise(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Title and description in the reader's language, for pages."""
    title = helpers.kg_translated(pkg_dict.get("title_translated"))
    notes = helpers.kg_translated(pkg_dict.get("notes_translated"))
    if title:
        pkg_dict["title"] = title
    if notes:
        pkg_dict["notes"] = notes
    return pkg_dict
