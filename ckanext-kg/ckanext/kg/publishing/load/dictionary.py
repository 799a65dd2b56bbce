"""The DataStore data dictionary, per language, from the Table Schema.

A field's `info` keeps CKAN's own `label` and `notes` (the schema's `title`
and `description`) and, where the schema gives them under `kg`, the label
and notes in each language (`title_translated`, `description_translated`).
`datastore_info` and `datastore_search` then answer with `label` and
`notes` in the reader's language, so CKAN's own data dictionary shows them.
"""
from __future__ import annotations

from typing import Any

TRANSLATED = (("label", "title", "title_translated"),
              ("notes", "description", "description_translated"))


def field_info(field: dict[str, Any]) -> dict[str, Any]:
    """The data dictionary `info` of one Table Schema field."""
    own = field.get("kg") or {}
    info: dict[str, Any] = {}
    for key, plain, translated in TRANSLATED:
        per_language = {lang: text for lang, text in (own.get(translated) or {}).items()
                        if isinstance(text, str) and text.strip()}
        if field.get(plain):
            info[key] = field[plain]
        if per_language:
            info[f"{key}_translated"] = per_language
    return info


def localise(fields: list[dict[str, Any]], language: str,
             fallback: tuple[str, ...]) -> list[dict[str, Any]]:
    """The fields with `label` and `notes` in `language` where known."""
    for field in fields:
        info = field.get("info")
        if not isinstance(info, dict):
            continue
        for key, _plain, _translated in TRANSLATED:
            per_language = info.get(f"{key}_translated")
            if not isinstance(per_language, dict):
                continue
            # the reader's language; else the schema's own text; else any language
            order = (language,) if info.get(key) else (language, *fallback)
            for lang in order:
                if per_language.get(lang):
                    info[key] = per_language[lang]
                    break
    return fields
