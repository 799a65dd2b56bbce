"""What RFC 4287 requires of an Atom feed document, checked with lxml (a
real XML parser: a document that is not well-formed raises)."""
from __future__ import annotations

import re
from urllib.parse import urlparse

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time (RFC 4287, 3.3)
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _one(element, name: str, where: str, problems: list[str]):
    found = element.findall(ATOM + name)
    if len(found) != 1:
        problems.append(f"{where}: {len(found)} atom:{name}, must be exactly 1")
        return None
    return found[0]


def _iri(text: str | None) -> bool:
    parsed = urlparse(text or "")
    return bool(parsed.scheme) and bool(parsed.netloc or parsed.path)


def _common(element, where: str, problems: list[str]) -> None:
    """id (an absolute IRI), title (text) and updated (a date-time)."""
    found_id = _one(element, "id", where, problems)
    if found_id is not None and not _iri(found_id.text):
        problems.append(f"{where}: atom:id {found_id.text!r} is not an absolute IRI")
    title = _one(element, "title", where, problems)
    if title is not None and title.get("type", "text") not in ("text", "html", "xhtml"):
        problems.append(f"{where}: atom:title of type {title.get('type')!r}")
    updated = _one(element, "updated", where, problems)
    if updated is not None and not DATE_TIME.match(updated.text or ""):
        problems.append(f"{where}: atom:updated {updated.text!r} is not an RFC 3339 date-time")
    for link in element.findall(ATOM + "link"):
        if not link.get("href"):
            problems.append(f"{where}: atom:link without href")
    alternates = [(link.get("type"), link.get("hreflang"))
                  for link in element.findall(ATOM + "link")
                  if link.get("rel", "alternate") == "alternate"]
    if len(alternates) != len(set(alternates)):
        problems.append(f"{where}: two alternate links of the same type and hreflang")


def problems(document: bytes) -> list[str]:
    """Every way `document` breaks RFC 4287 (section 4.1), or []."""
    root = etree.fromstring(document)
    found: list[str] = []
    if root.tag != ATOM + "feed":
        return [f"the root is {root.tag}, not atom:feed"]
    _common(root, "feed", found)
    if not any(link.get("rel") == "self" for link in root.findall(ATOM + "link")):
        found.append("feed: no atom:link rel=self (RFC 4287 4.1.1: SHOULD)")
    feed_author = root.find(ATOM + "author")
    if feed_author is not None and feed_author.find(ATOM + "name") is None:
        found.append("feed: atom:author without atom:name")
    ids = []
    for number, entry in enumerate(root.findall(ATOM + "entry"), 1):
        where = f"entry {number}"
        _common(entry, where, found)
        if feed_author is None and entry.find(ATOM + "author") is None:
            found.append(f"{where}: no atom:author, and the feed has none")
        links = [link for link in entry.findall(ATOM + "link")
                 if link.get("rel", "alternate") == "alternate"]
        if not links and entry.find(ATOM + "content") is None:
            found.append(f"{where}: neither atom:content nor an alternate link")
        entry_id = entry.find(ATOM + "id")
        if entry_id is not None:
            ids.append(entry_id.text)
    if len(ids) != len(set(ids)):
        found.append("two entries with the same atom:id")
    return found


def entries(document: bytes) -> list[dict[str, str]]:
    """Each entry's id, title, link, updated and summary."""
    root = etree.fromstring(document)
    return [{"id": e.findtext(ATOM + "id"), "title": e.findtext(ATOM + "title"),
             "link": e.find(ATOM + "link").get("href"), "updated": e.findtext(ATOM + "updated"),
             "summary": e.findtext(ATOM + "summary")}
            for e in root.findall(ATOM + "entry")]
