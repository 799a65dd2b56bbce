"""A Data Package folder as the portal publishes it: one dataset, with the
data-exchange code's metadata under ``"kg"`` (the agency in
``kg.publisher``), and one table per resource with its Table Schema.

Shared by the portal's ``ckan kg ingest`` and by ``kg-publish`` on an
agency's own machine, so both read a folder the same way.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

DESCRIPTOR = "datapackage.json"
# top-level properties of the descriptor the portal keeps as dataset fields
PROVENANCE = ("sources", "licenses")
# a table's name and description per language, from the resource's ``kg`` block
TRANSLATED_RESOURCE_FIELDS = ("name_translated", "description_translated")


class PackageError(Exception):
    """A folder that cannot be read as a Data Package."""


def read_descriptor(path: Path) -> dict[str, Any]:
    """The descriptor at ``path``, checked: a name, and for every resource a
    name and a data file that exists inside the descriptor's folder."""
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PackageError(f"cannot read {path.name}: {error}") from None
    if not isinstance(descriptor, dict) or not descriptor.get("name"):
        raise PackageError(f'{path.name} has no "name"')
    for resource in descriptor.get("resources") or []:
        if not isinstance(resource, dict) or not resource.get("name") \
                or not isinstance(resource.get("path"), str) or not resource["path"]:
            raise PackageError('every resource needs a "name" and a "path"')
        if not data_file(path.parent, resource["path"]).is_file():
            raise PackageError(f"{resource['path']}: no such file")
    return descriptor


def data_file(folder: Path, given: str) -> Path:
    """The file a resource's ``path`` names: relative to the package's folder
    and inside it, as the Data Package standard requires (no absolute path,
    no ``..``, on POSIX or Windows), even through symbolic links."""
    for flavour in (PurePosixPath(given), PureWindowsPath(given)):
        if flavour.is_absolute() or flavour.anchor:
            raise PackageError(f"{given}: an absolute path; a table's \"path\" is "
                               f"relative to the folder of {DESCRIPTOR}")
        if ".." in flavour.parts:
            raise PackageError(f"{given}: \"..\" leads out of the folder of {DESCRIPTOR}; "
                               "a table's \"path\" must stay inside it")
    target = folder / given
    if not target.resolve().is_relative_to(folder.resolve()):
        raise PackageError(f"{given}: a symbolic link leads out of the folder of "
                           f"{DESCRIPTOR}; a table's file must be inside it")
    return target


def package_fields(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The dataset's fields for the portal's Action API: the ``kg`` block,
    and where the figures come from (``sources``, ``licenses``) as given."""
    kg_fields = dict(descriptor.get("kg") or {})
    publisher = kg_fields.pop("publisher", None)
    provenance = {key: descriptor[key] for key in PROVENANCE if key in descriptor}
    return dict(kg_fields, **provenance, name=descriptor["name"], owner_org=publisher)


def resource_fields(resource: dict[str, Any]) -> dict[str, Any]:
    """A table's fields for the portal's Action API (without its file).

    Its name per language (``kg.name_translated``) and description per
    language (``kg.description_translated``) are sent as JSON text, as the
    Table Schema is, so that a multipart upload carries them unchanged; an
    empty object when the descriptor gives none, which clears an old one."""
    kg_fields = resource.get("kg") or {}
    fields = {"name": resource["name"],
              "description": resource.get("description") or resource.get("title", ""),
              "format": resource.get("format", "CSV"),
              "schema": json.dumps(resource.get("schema") or {}, ensure_ascii=False)}
    for key in TRANSLATED_RESOURCE_FIELDS:
        given = kg_fields.get(key)
        fields[key] = json.dumps(given if isinstance(given, dict) else {}, ensure_ascii=False)
    return fields


def same_metadata(fields: dict[str, Any], existing: dict[str, Any]) -> bool:
    """Whether the portal's dataset (as package_show shows it) already has
    every field the descriptor gives; the agency by its name or id."""
    for key, wanted in fields.items():
        have = existing.get(key)
        if key == "owner_org":
            organization = existing.get("organization") or {}
            if wanted not in (have, organization.get("name")):
                return False
        elif normal(have) != normal(wanted):
            return False
    return True


def normal(value: Any) -> Any:
    """Stored and shown values compare alike (JSON text, empty values)."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value.strip()
        return normal(decoded) if isinstance(decoded, (dict, list)) else value.strip()
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [normal(v) for v in value]
    return "" if value is None else value


def same_table(fields: dict[str, Any], existing: dict[str, Any]) -> bool:
    """Whether the portal's resource already has the table's description,
    format, Table Schema and names and descriptions per language."""
    return (normal(existing.get("schema")) == normal(fields["schema"])
            and (existing.get("description") or "") == fields["description"]
            and (existing.get("format") or "").lower() == fields["format"].lower()
            and same_translations(fields, existing))


def same_translations(fields: dict[str, Any], existing: dict[str, Any]) -> bool:
    """Whether the portal's resource has the table's names and descriptions
    per language (stored as JSON text, shown as objects, absent as {})."""
    return all(normal(existing.get(key) or {}) == normal(fields.get(key) or {})
               for key in TRANSLATED_RESOURCE_FIELDS)


def sha256(path: Path) -> str:
    """The checksum the portal stores reports against: ``sha256:<hex>``."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()
