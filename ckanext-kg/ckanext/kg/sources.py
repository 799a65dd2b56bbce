"""Where a dataset's figures come from: its sources and licences as the Data
Package gives them (`sources`, `licenses`), checked and made ready for a page.

A source is an object of texts: `title`, `path` (the producer's page, or the
name of a document), and for a file kept in a repository `repository`,
`commit` and `file` (or `files`). Nothing here imports CKAN.
"""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlsplit

MAX_URL = 2000
MAX_TEXT = 2000        # characters of one value (a title, an attribution)
MAX_ITEMS = 100        # sources (or licences, or files of one source)
COMMIT_SHOWN = 12      # characters of a commit id on a page
URL_KEYS = ("repository",)  # always a web address; `path` is one or a name
_KEY = re.compile(r"^[a-z][a-z_]{0,39}$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")
_GITHUB = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")


class SourceError(ValueError):
    """A list of sources that cannot be stored; `args[0]` names the problem:
    "list", "value" or ("url", key)."""


def is_http_url(value: Any) -> bool:
    """An absolute http:// or https:// address with a host, without spaces."""
    if not isinstance(value, str) or len(value) > MAX_URL or _SPACE_OR_CONTROL.search(value):
        return False
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname, parts.port  # a port that is no number: ValueError
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)


def checked(value: Any) -> list[dict[str, Any]]:
    """Sources (or licences) given as a list or its JSON text, checked:
    objects whose keys are lower-case names and whose values are texts (or
    lists of texts); web addresses http(s) only. Raises SourceError."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise SourceError("list") from None
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise SourceError("list")
    for item in value:
        if not isinstance(item, dict):
            raise SourceError("list")
        for key, text in item.items():
            _check_value(key, text)
    return value


def _check_value(key: Any, value: Any) -> None:
    texts = value if isinstance(value, list) and len(value) <= MAX_ITEMS else [value]
    if not (isinstance(key, str) and _KEY.match(key)) or not all(
            isinstance(t, str) and len(t) <= MAX_TEXT for t in texts):
        raise SourceError("value")
    for text in texts:
        must_be_url = key in URL_KEYS or (key == "path" and _SCHEME.match(text))
        if text and must_be_url and not is_http_url(text):
            raise SourceError(("url", key))


def file_url(repository: str, commit: str, path: str) -> str:
    """A file at a commit, on GitHub: .../blob/<commit>/<path>; else ""."""
    match = _GITHUB.match(repository or "")
    if not (match and _COMMIT.match(commit or "") and path):
        return ""
    owner, name = match.groups()
    return f"https://github.com/{owner}/{name}/blob/{commit}/{quote(path.lstrip('/'))}"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _files(source: dict[str, Any]) -> list[str]:
    files = source.get("files")
    files = files if isinstance(files, list) else [files]
    return [f for f in (_text(f) for f in [source.get("file"), *files]) if f]


def source_entry(source: dict[str, Any]) -> dict[str, Any]:
    """One source as a page shows it: title, producer's page (a link, or a
    document's name), repository and the files at their commit."""
    path, commit = _text(source.get("path")), _text(source.get("commit"))
    repository = _text(source.get("repository"))
    if not repository and commit and _GITHUB.match(path):
        repository = path  # the producer's page is the repository itself
    page = path if is_http_url(path) else ""
    return {
        "title": _text(source.get("title")) or path,
        "page": page,
        "document": "" if page else path,
        "repository": repository if is_http_url(repository) and repository != page else "",
        "commit": commit[:COMMIT_SHOWN],
        "files": [{"path": f, "url": file_url(repository, commit, f)}
                  for f in _files(source)],
        "date": _text(source.get("date")),
        "attribution": _text(source.get("attribution")),
        "copyright": _text(source.get("copyright")),
    }


def source_entries(value: Any) -> list[dict[str, Any]]:
    """The dataset's `sources` (shown as a list, stored as JSON text)."""
    return [source_entry(s) for s in _as_list(value) if isinstance(s, dict)]


def licence_entries(dataset: dict[str, Any]) -> list[dict[str, str]]:
    """The licences the Data Package states (`licenses`: name, path, title),
    else the dataset's own licence; each with its page when it has one."""
    given = [item for item in _as_list(dataset.get("licenses")) if isinstance(item, dict)]
    if not given and dataset.get("license_title"):
        given = [{"title": dataset["license_title"], "path": dataset.get("license_url")}]
    return [{"title": _text(item.get("title")) or _text(item.get("name")),
             "url": item["path"] if is_http_url(item.get("path")) else ""}
            for item in given if _text(item.get("title")) or _text(item.get("name"))]


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return []
    return value if isinstance(value, list) else []
