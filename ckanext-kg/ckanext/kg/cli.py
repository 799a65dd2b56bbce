"""`ckan kg ...`: publish Data Packages from a folder (datasets/)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import click


@click.group(short_help="The portal's own commands (ckanext-kg).")
def kg() -> None:
    pass


@kg.command("publish")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def publish(folder: Path) -> None:
    """Publish every Data Package under FOLDER (one folder per dataset).

    Agencies come from FOLDER/_organizations.json. Each dataset is created
    (or updated) privately, its tables uploaded and validated; it is made
    public only when it meets every rule of the data-exchange code, and the
    unmet rules are printed otherwise.
    """
    from ckanext.kg.publishing import site_context
    context = dict(site_context(), kg_validate_sync=True)  # large files too
    organizations = folder / "_organizations.json"
    if organizations.exists():
        for org in json.loads(organizations.read_text(encoding="utf-8")):
            _ensure_organization(context, org)
    failures = 0
    for descriptor in sorted(folder.glob("*/datapackage.json")):
        try:
            _publish_package(context, descriptor)
        except tk.ValidationError as error:
            failures += 1
            click.secho(f"{descriptor.parent.name}: not published: {error.error_dict}",
                        fg="red", err=True)
    if failures:
        raise click.exceptions.Exit(1)


def _action(name: str, context: dict[str, Any], data: dict[str, Any]) -> Any:
    return tk.get_action(name)(dict(context), data)


def _ensure_organization(context: dict[str, Any], org: dict[str, Any]) -> None:
    data = {k: v for k, v in org.items() if k in (
        "name", "title_translated", "notes_translated", "kind", "inn", "tunduk_member_code")}
    try:
        _action("organization_show", context, {"id": org["name"]})
    except tk.ObjectNotFound:
        _action("organization_create", context, data)
        click.echo(f"agency {org['name']}: created")
    else:
        _action("organization_patch", context, dict(data, id=org["name"]))


def _package_fields(descriptor: dict[str, Any]) -> dict[str, Any]:
    kg_fields = dict(descriptor.get("kg") or {})
    publisher = kg_fields.pop("publisher", None)
    return dict(kg_fields, name=descriptor["name"], owner_org=publisher)


def _publish_package(context: dict[str, Any], path: Path) -> None:
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    fields = _package_fields(descriptor)
    try:
        existing = _action("package_show", context, {"id": fields["name"]})
    except tk.ObjectNotFound:
        existing = None
    if existing is None:
        dataset = _action("package_create", context, dict(fields, private=True))
    else:
        dataset = _action("package_patch", context, dict(fields, id=existing["id"]))
    current = {r["name"]: r for r in dataset.get("resources", [])}
    for resource in descriptor.get("resources", []):
        _upload(context, dataset["id"], path.parent, resource, current.get(resource["name"]))
    result = _action("package_patch", context, {"id": dataset["id"], "private": False})
    state = "public" if not result["private"] else "private"
    click.echo(f"{dataset['name']}: {state}, {len(descriptor.get('resources', []))} tables")


def _upload(context: dict[str, Any], dataset_id: str, folder: Path,
            resource: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    from werkzeug.datastructures import FileStorage
    source = folder / resource["path"]
    data = {
        "package_id": dataset_id, "name": resource["name"],
        "description": resource.get("title", ""),
        "format": resource.get("format", "CSV"),
        "schema": json.dumps(resource.get("schema") or {}, ensure_ascii=False),
        "url": source.name,
    }
    with source.open("rb") as stream:
        data["upload"] = FileStorage(stream=stream, filename=source.name)
        if existing:
            return _action("resource_update", context, dict(data, id=existing["id"]))
        return _action("resource_create", context, data)


__all__ = ["kg"]
