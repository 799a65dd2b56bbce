"""Ingest a folder of Data Packages: plan what would change, then apply it.

One dataset per folder (metadata from `datapackage.json`, the code's fields
under `"kg"`), one resource per data file with its Table Schema and its
name and description per language (the resource's own `"kg"` block).

Idempotent: a table whose file (SHA-256, against the file the portal
stores), Table Schema, title, names per language and format are unchanged is not uploaded
again, so it is neither validated nor reloaded; a dataset whose metadata
and tables are unchanged gets no write at all, so no new activity.

Never half a package:
- a new or private dataset gets every table, each validated by the portal;
  it is made public only when every table passed and the code is met, and
  stays private otherwise, with its reports on the portal;
- a public dataset is changed only when every changed table passes
  validation here first (the same engine, `kg_validation`); otherwise
  nothing of it changes and the published version keeps being served.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk

from ckanext.kg import preview
from ckanext.kg.publishing.gate import reports, validation
from kg_validation.datapackage import (  # noqa: F401 (PackageError: for callers)
    PackageError,
    data_file,
    normal,
    package_fields,
    read_descriptor,
    resource_fields,
    same_metadata,
    same_translations,
)

CREATE, UPLOAD, UPDATE, UNCHANGED = "create", "upload", "update", "unchanged"
ORG_FIELDS = ("name", "title_translated", "notes_translated", "kind", "inn",
              "tunduk_member_code")
Say = Callable[[str], None]


@dataclass
class TablePlan:
    name: str
    path: Path
    fields: dict[str, Any]
    existing: Optional[dict[str, Any]]
    change: str
    problem: Optional[str] = None  # why it fails validation here

    @property
    def new_file(self) -> bool:
        return self.change in (CREATE, UPLOAD)


@dataclass
class PackagePlan:
    folder: Path
    fields: dict[str, Any]
    existing: Optional[dict[str, Any]]
    metadata: str
    tables: list[TablePlan] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.fields["name"]

    @property
    def is_public(self) -> bool:
        return self.existing is not None and not self.existing.get("private")

    @property
    def unchanged(self) -> bool:
        return self.metadata == UNCHANGED and all(
            t.change == UNCHANGED for t in self.tables)

    def lines(self) -> list[str]:
        said = {CREATE: "create dataset", UPDATE: "update metadata",
                UNCHANGED: "metadata unchanged"}
        lines = [f"{self.name}: {said[self.metadata]}"]
        for table in self.tables:
            verb = {CREATE: "upload new table", UPLOAD: "upload table",
                    UPDATE: "update table (schema, title or format)",
                    UNCHANGED: "table unchanged"}[table.change]
            lines.append(f"  {verb} {table.name}" + (
                f" - fails validation: {table.problem}" if table.problem else ""))
        return lines


def action(name: str, context: dict[str, Any], data: dict[str, Any]) -> Any:
    return tk.get_action(name)(dict(context), data)


# --- planning -------------------------------------------------------------

def plan_package(context: dict[str, Any], descriptor_path: Path) -> PackagePlan:
    descriptor = read_descriptor(descriptor_path)
    fields = package_fields(descriptor)
    try:
        existing = action("package_show", context, {"id": fields["name"]})
    except tk.ObjectNotFound:
        existing = None
    if existing is None:
        metadata = CREATE
    else:
        metadata = UNCHANGED if same_metadata(fields, existing) else UPDATE
    plan = PackagePlan(descriptor_path.parent, fields, existing, metadata)
    current = {r["name"]: r for r in (existing or {}).get("resources", [])}
    for resource in descriptor.get("resources") or []:
        plan.tables.append(_plan_table(descriptor_path.parent, resource,
                                       current.get(resource["name"])))
    return plan


def _plan_table(folder: Path, resource: dict[str, Any],
                existing: Optional[dict[str, Any]]) -> TablePlan:
    path = data_file(folder, resource["path"])
    fields = resource_fields(resource)
    if existing is None:
        return TablePlan(resource["name"], path, fields, None, CREATE)
    stored = validation.current_file(existing)
    if stored is None or validation.checksum(stored) != validation.checksum(path):
        change = UPLOAD
    elif _same_table_fields(fields, existing):
        change = UNCHANGED
    else:
        change = UPDATE
    return TablePlan(resource["name"], path, fields, existing, change)


def _same_table_fields(fields: dict[str, Any], existing: dict[str, Any]) -> bool:
    wanted_schema = {"schema": fields["schema"]}
    return (validation.schema_digest(wanted_schema) == validation.schema_digest(existing)
            and (existing.get("description") or "") == fields["description"]
            and (existing.get("format") or "").lower() == fields["format"].lower()
            and same_translations(fields, existing))


def check_locally(plan: PackagePlan) -> bool:
    """Validate every new or changed table here, with the portal's engine;
    note why each failing one fails. True when all pass."""
    from kg_validation.validate import validate_table
    for table in plan.tables:
        if table.change == UNCHANGED:
            continue
        schema = json.loads(table.fields["schema"]) or None
        result = validate_table(table.path, schema)
        if not result.valid:
            table.problem = _first_problem(result)
        elif not schema:
            table.problem = "no Table Schema"
    return not any(t.problem for t in plan.tables)


def _first_problem(result: Any) -> str:
    from kg_validation.report import build_report
    report = build_report(result, "en", limit=1)
    total = report["totals"]["errors"]
    first = report["errors"][0]["message"] if report["errors"] else report["unreadable"]
    return f"{total} error(s), first: {first}"


# --- applying -------------------------------------------------------------

def apply(context: dict[str, Any], plan: PackagePlan, say: Say) -> bool:
    """Carry out the plan; True when the dataset ends up as the folder says
    and public. Raises tk.ValidationError when the portal refuses metadata."""
    if plan.is_public and not plan.unchanged and not check_locally(plan):
        say(f"{plan.name}: not changed, the published version stays: "
            + "; ".join(f"{t.name}: {t.problem}" for t in plan.tables if t.problem))
        return False
    dataset = _write_metadata(context, plan)
    for table in plan.tables:
        _write_table(context, dataset["id"], table)
    dataset = action("package_show", context, {"id": dataset["id"]})
    failed = _failed_tables(dataset, plan)
    if failed:
        say(f"{plan.name}: not published, tables that did not pass validation: "
            + ", ".join(failed) + f" (reports: /dataset/{plan.name}/resource/<id>/validation)")
        return False
    _ensure_previews(dataset)
    if dataset["private"]:
        dataset = action("package_patch", context, {"id": dataset["id"], "private": False})
    changed = sum(t.change != UNCHANGED for t in plan.tables)
    say(f"{plan.name}: public, {len(plan.tables)} tables"
        + (", unchanged" if plan.unchanged else f", {changed} changed"))
    return True


def _write_metadata(context: dict[str, Any], plan: PackagePlan) -> dict[str, Any]:
    if plan.metadata == CREATE:
        return action("package_create", context, dict(plan.fields, private=True))
    if plan.metadata == UPDATE:
        return action("package_patch", context, dict(plan.fields, id=plan.existing["id"]))
    return plan.existing


def _write_table(context: dict[str, Any], dataset_id: str, table: TablePlan) -> None:
    from werkzeug.datastructures import FileStorage
    if table.change == UNCHANGED:
        return
    data = dict(table.fields, package_id=dataset_id)
    if table.change == UPDATE:
        action("resource_patch", context, dict(data, id=table.existing["id"]))
        return
    with table.path.open("rb") as stream:
        data.update(url=table.path.name,
                    upload=FileStorage(stream=stream, filename=table.path.name))
        if table.existing:
            action("resource_update", context, dict(data, id=table.existing["id"]))
        else:
            action("resource_create", context, data)


def _ensure_previews(dataset: dict[str, Any]) -> None:
    """Every published table has its preview, also one published before
    the preview existed (its table unchanged, so never validated again)."""
    for resource in dataset.get("resources", []):
        if preview.is_published_table(resource):
            preview.ensure_view(resource["id"])


def _failed_tables(dataset: dict[str, Any], plan: PackagePlan) -> list[str]:
    names = {t.name for t in plan.tables}
    return [r["name"] for r in dataset.get("resources", []) if r["name"] in names
            and validation.status_of(r) != reports.SUCCESS]


# --- agencies -------------------------------------------------------------

def plan_organization(context: dict[str, Any], org: dict[str, Any]) -> str:
    data = {k: v for k, v in org.items() if k in ORG_FIELDS}
    try:
        existing = action("organization_show", context, {"id": org["name"]})
    except tk.ObjectNotFound:
        return CREATE
    same = all(normal(existing.get(k)) == normal(v) for k, v in data.items())
    return UNCHANGED if same else UPDATE


def apply_organization(context: dict[str, Any], org: dict[str, Any], change: str) -> None:
    data = {k: v for k, v in org.items() if k in ORG_FIELDS}
    if change == CREATE:
        action("organization_create", context, data)
    elif change == UPDATE:
        action("organization_patch", context, dict(data, id=org["name"]))
