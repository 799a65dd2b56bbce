"""The data-exchange code: its rules, and which of them a dataset meets.

Every rule has a number (as in docs/data-exchange-code.md), the field it
concerns and a check on the dataset as `package_show` returns it. The
publication gate refuses to make a dataset public while any rule is unmet,
and names every unmet rule at once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ckan.plugins.toolkit import _

from ckanext.kg import tabular

REQUIRED_LANGUAGES = ("ky", "ru")
LANGUAGES = ("ky", "ru", "en")
OPEN_LICENSES = ("cc-by", "cc-zero", "odc-by", "odc-odbl", "odc-pddl")
LICENSE_NOT_SPECIFIED = "notspecified"  # CKAN's id; allowed only while private

# The validation status ("success", "failure", "needs-schema") of a
# resource's current file, from the stored reports; None when the file has
# none yet, which is "not publishable". Never read from the resource's own
# fields, which publishers can edit.
ValidationStatus = Callable[[dict[str, Any]], Optional[str]]


def _stored_report_status(resource: dict[str, Any]) -> Optional[str]:
    from ckanext.kg.publishing.gate.validation import status_of
    return status_of(resource)


def translated(value: Any) -> dict[str, Any]:
    """A per-language value, stored (JSON text) or shown (dict), as a dict."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """A list value, stored (JSON text, or one plain value) or shown (list)."""
    if isinstance(value, str):
        if not value.startswith("["):
            return [value] if value else []
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return list(value) if isinstance(value, (list, tuple)) else []


@dataclass(frozen=True)
class Rule:
    number: str
    field: str
    check: Callable[[dict[str, Any]], bool]
    text: Callable[[], str]  # translated when called, in the request's language

    def message(self) -> str:
        return f"{self.number} {self.text()}"


def _in_languages(value: Any, languages=REQUIRED_LANGUAGES) -> bool:
    if not isinstance(value, dict):
        return False
    return all(_has_text(value.get(lang)) for lang in languages)


def _has_text(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_text(v) for v in value)
    return isinstance(value, str) and bool(value.strip())


def _tabular(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in dataset.get("resources") or [] if tabular.is_tabular(r)]


def has_table_schema(resource: dict[str, Any]) -> bool:
    """A Table Schema with fields: a dict (shown) or its JSON (stored)."""
    schema = resource.get("schema")
    if isinstance(schema, str):
        try:
            schema = json.loads(schema) if schema.strip() else None
        except ValueError:
            return False
    return isinstance(schema, dict) and bool(schema.get("fields"))


def _every_tabular_has_schema(dataset: dict[str, Any]) -> bool:
    return all(has_table_schema(r) for r in _tabular(dataset))


def _every_tabular_is_valid(dataset: dict[str, Any]) -> bool:
    return all(validation_status(r) == "success" for r in _tabular(dataset))


def _has_contact_point(dataset: dict[str, Any]) -> bool:
    """A name, and an e-mail address or a contact web page (DCAT-AP's
    vcard:hasEmail or vcard:hasURL)."""
    return _has_text(dataset.get("contact_name")) and (
        _has_text(dataset.get("contact_email")) or _has_text(dataset.get("contact_url")))


validation_status: ValidationStatus = _stored_report_status

RULES: tuple[Rule, ...] = (
    Rule("1.1", "title_translated",
         lambda d: _in_languages(d.get("title_translated")),
         lambda: _("The title is given in Kyrgyz and in Russian.")),
    Rule("1.2", "notes_translated",
         lambda d: _in_languages(d.get("notes_translated")),
         lambda: _("The description is given in Kyrgyz and in Russian.")),
    Rule("1.3", "keywords",
         lambda d: _in_languages(d.get("keywords")),
         lambda: _("At least one keyword is given in Kyrgyz and in Russian.")),
    Rule("2.1", "owner_org",
         lambda d: _has_text(d.get("owner_org")),
         lambda: _("The dataset is published by an agency (an organization).")),
    Rule("2.2", "contact_email",
         _has_contact_point,
         lambda: _("A contact point is given: a name and an e-mail address or a "
                   "contact web page.")),
    Rule("3.1", "license_id",
         lambda d: d.get("license_id") in OPEN_LICENSES,
         lambda: _("The licence is open: CC-BY-4.0, CC0, ODC-BY, ODbL or PDDL.")),
    Rule("3.2", "access_level",
         lambda d: d.get("access_level") == "open",
         lambda: _("The access classification is \"open\".")),
    Rule("4.1", "frequency",
         lambda d: _has_text(d.get("frequency")),
         lambda: _("The update frequency is given.")),
    Rule("4.2", "temporal_start",
         lambda d: _has_text(d.get("temporal_start")),
         lambda: _("The temporal coverage is given (at least its start).")),
    Rule("4.3", "spatial_divisions",
         lambda d: _has_text(d.get("spatial_divisions")),
         lambda: _("The spatial coverage is given as codes of administrative divisions.")),
    Rule("4.4", "theme",
         lambda d: _has_text(d.get("theme")),
         lambda: _("A theme is chosen.")),
    Rule("5.1", "resources",
         lambda d: bool(d.get("resources")),
         lambda: _("The dataset has at least one resource.")),
    Rule("5.2", "tables",
         _every_tabular_has_schema,
         lambda: _("Every table has a Table Schema.")),
    Rule("5.3", "tables",
         _every_tabular_is_valid,
         lambda: _("Every table's current file has passed validation.")),
)


def unmet_rules(dataset: dict[str, Any]) -> list[Rule]:
    return [rule for rule in RULES if not rule.check(dataset)]


def publication_errors(dataset: dict[str, Any]) -> dict[str, list[str]]:
    """Every unmet rule, by field, as a ValidationError's error dict."""
    errors: dict[str, list[str]] = {}
    for rule in unmet_rules(dataset):
        errors.setdefault(rule.field, []).append(rule.message())
    return errors


def openness_stars(dataset: dict[str, Any]) -> int:
    """Tim Berners-Lee's 5-star scale, as far as the metadata shows it."""
    if dataset.get("license_id") not in OPEN_LICENSES or not dataset.get("resources"):
        return 0
    formats = {(r.get("format") or "").strip().lower() for r in dataset["resources"]}
    if formats & {"rdf", "ttl", "jsonld", "json-ld"}:
        return 4
    if formats & {"csv", "tsv", "json", "xml", "parquet", "ods"}:
        return 3
    if formats & {"xlsx", "xls"}:
        return 2
    return 1


def compliance(dataset: dict[str, Any]) -> dict[str, Any]:
    unmet = {rule.number for rule in unmet_rules(dataset)}
    return {
        "rules": [{"number": r.number, "field": r.field, "text": r.text(),
                   "met": r.number not in unmet} for r in RULES],
        "met": len(RULES) - len(unmet),
        "total": len(RULES),
        "publishable": not unmet,
        "openness_stars": openness_stars(dataset),
    }
