"""Atom feeds (RFC 4287) of new versions of tables: per dataset, per
agency and per theme, each entry a version with the summary of its
differences from the version before ("+12 rows, −3, 41 changed").

Who sees what: a dataset's feed answers only whoever may read the dataset
(`package_show`, a hidden one is a 404 as for an unknown one); an agency's
or a theme's feed lists public, active datasets only, found through
`package_search` as an anonymous reader (CKAN's permission labels), so a
private or draft dataset's versions never reach a feed that feed readers,
which send no cookie, fetch. Written with feedgen (as CKAN's own feeds).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.kg import reader_language, tabular

ENTRIES = 30  # entries a feed shows, newest first
DATASETS = 50  # recently modified datasets an agency's or theme's feed looks through


def _summary(diff: Optional[dict[str, Any]], rows: Optional[int]) -> str:
    """A version's differences in words, in the reader's language."""
    if diff is None:
        return tk.ungettext("First version: {count} row", "First version: {count} rows",
                            rows or 0).format(count=rows or 0)
    text = ", ".join([
        tk.ungettext("+{count} row", "+{count} rows", diff["added"]).format(
            count=diff["added"]),
        f"−{diff['removed']}",
        tk.ungettext("{count} changed", "{count} changed", diff["changed"]).format(
            count=diff["changed"])])
    if diff["by"] == "row":
        text += " " + tk._("(no primary key: rows compared whole)")
    return text


def _difference(resource_id: str, before: dict[str, Any], version: dict[str, Any]):
    from ckanext.kg.publishing.files import diffs, stored
    if not (before.get("kept") and version.get("kept")):
        return None
    found = diffs.between(stored.folder(resource_id), before, version)
    return found[0] if found else None


def entries_of(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per version of each table of a dataset the caller may read."""
    from ckanext.kg.logic.table_history import table_versions
    found = []
    for resource in dataset.get("resources", []):
        if not tabular.is_tabular(resource):
            continue
        listed = list(reversed(table_versions(resource["id"])))  # oldest first
        for position, version in enumerate(listed):
            found.append({"dataset": dataset, "resource": resource, "version": version,
                          "before": listed[position - 1] if position else None})
    return found


def _title(entry: dict[str, Any]) -> str:
    name = tk.h.resource_display_name(entry["resource"])
    return tk._("{table}: version {number}").format(table=name,
                                                   number=entry["version"]["number"])


def _link(entry: dict[str, Any]) -> str:
    resource, version, before = entry["resource"], entry["version"], entry["before"]
    if before is not None and entry["diff"] is not None:
        return tk.url_for("kg.table_diff", id=entry["dataset"]["name"],
                          resource_id=resource["id"], _external=True,
                          **{"from": before["number"], "to": version["number"]})
    return tk.url_for("resource.read", id=entry["dataset"]["name"],
                      resource_id=resource["id"], _external=True)


def atom(title: str, self_url: str, page_url: str, entries: list[dict[str, Any]]) -> bytes:
    """The Atom document of `entries` (newest first, at most `ENTRIES`)."""
    from feedgen.feed import FeedGenerator
    entries = sorted(entries, key=lambda e: (e["version"]["published"], e["version"]["number"]),
                     reverse=True)[:ENTRIES]
    for entry in entries:  # the differences of the entries shown only (kept once computed)
        before = entry["before"]
        entry["diff"] = None if before is None else _difference(
            entry["resource"]["id"], before, entry["version"])
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(title)
    feed.link(href=self_url, rel="self")
    feed.link(href=page_url, rel="alternate")
    feed.author({"name": tk.config.get("ckan.site_title") or "CKAN"})
    feed.language(tk.h.lang())
    feed.updated(_when(entries[0]["version"]["published"]) if entries else
                 dt.datetime.now(dt.UTC))
    feed.generator("CKAN ckanext-kg")
    for entry in reversed(entries):  # feedgen puts each new entry first
        item = feed.add_entry()
        version = entry["version"]
        item.id(f"{tk.config.get('ckan.site_url').rstrip('/')}/dataset/"
                f"{entry['dataset']['id']}/resource/{entry['resource']['id']}"
                f"/version/{version['number']}")
        item.title(_title(entry))
        item.link(href=_link(entry), rel="alternate")
        item.updated(_when(version["published"]))
        item.published(_when(version["published"]))
        item.summary(_summary(entry["diff"], version.get("rows")))
    return feed.atom_str(pretty=True)


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def public_datasets(fq: str) -> list[dict[str, Any]]:
    """Public, active datasets matching `fq`, as an anonymous reader finds them."""
    found = tk.get_action("package_search")({"user": ""}, {
        "fq": fq, "rows": DATASETS, "sort": "metadata_modified desc",
        "include_private": False, "include_drafts": False})
    return found["results"]


def theme_label(theme: str) -> Optional[str]:
    """A theme of the code in the reader's language, or None if unknown."""
    schema = tk.h.scheming_get_dataset_schema("dataset")
    field = tk.h.scheming_field_by_name(schema["dataset_fields"], "theme")
    for choice in field.get("choices", []):
        if choice["value"] == theme:
            return reader_language.translated_text(choice["label"]) or theme
    return None
