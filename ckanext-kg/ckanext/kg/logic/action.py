"""Actions of the data-exchange code."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.kg import code

__all__ = [
    "kg_compliance_show",
    "kg_validation_show",
    "bulk_update_public",
]


@tk.side_effect_free
def kg_compliance_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Which rules of the data-exchange code a dataset meets, or what share
    of an agency's datasets comply.

    :param id: the id or name of a dataset
    :type id: string
    :param organization: the id or name of an agency (instead of ``id``)
    :type organization: string
    :returns: for a dataset, ``rules`` (number, field, text, met), ``met``,
        ``total``, ``publishable`` and ``openness_stars``; for an agency,
        ``datasets``, ``compliant`` and ``share`` over the datasets the
        caller may see, and ``results``: each of them with its unmet rules
    """
    if data_dict.get("organization"):
        return _agency_compliance(context, data_dict["organization"])
    dataset_id = tk.get_or_bust(data_dict, "id")
    tk.check_access("kg_compliance_show", context, {"id": dataset_id})
    dataset = tk.get_action("package_show")(context, {"id": dataset_id})
    return dict(code.compliance(dataset), id=dataset["id"], name=dataset["name"])


def _agency_compliance(context: Context, organization: str) -> dict[str, Any]:
    """Counts only the datasets the caller may see (package_search applies
    the caller's permissions), and lists each with its unmet rules."""
    org = tk.get_action("organization_show")(
        context, {"id": organization, "include_datasets": False})
    result = tk.get_action("package_search")(context, {
        "fq": f'owner_org:"{org["id"]}"', "rows": 1000, "sort": "name asc",
        "include_private": True})
    datasets = [_dataset_compliance(d) for d in result["results"]]
    compliant = sum(1 for d in datasets if d["publishable"])
    return {"organization": org["name"], "datasets": len(datasets),
            "compliant": compliant,
            "share": round(compliant / len(datasets), 3) if datasets else None,
            "results": datasets}


def _dataset_compliance(dataset: dict[str, Any]) -> dict[str, Any]:
    found = code.compliance(dataset)
    return {"id": dataset["id"], "name": dataset["name"], "title": dataset.get("title"),
            "private": dataset.get("private"), "publishable": found["publishable"],
            "unmet": [{"number": r["number"], "field": r["field"], "text": r["text"]}
                      for r in found["rules"] if not r["met"]]}


@tk.side_effect_free
def kg_validation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The validation report of a resource's current file.

    :param id: the id of a resource
    :type id: string
    :returns: ``status`` (``success``, ``failure``, ``needs-schema``, or
        ``None`` while the file has no report yet), ``checksum``,
        ``created`` and ``report`` (detected encoding and dialect, changes
        made, errors with messages in the request's language)
    """
    from ckanext.kg.helpers import current_language
    from ckanext.kg.publishing import reports, validation
    resource_id = tk.get_or_bust(data_dict, "id")
    tk.check_access("kg_validation_show", context, {"id": resource_id})
    resource = tk.get_action("resource_show")(context, {"id": resource_id})
    path = validation.current_file(resource)
    if path is None:
        return {"id": resource_id, "status": None, "report": None}
    from ckan import model
    found = reports.find(model.Session, resource_id, validation.checksum(path))
    if found is None:
        return {"id": resource_id, "status": None, "report": None}
    report = found["report"]
    language = current_language()
    return dict(found, id=resource_id,
                report=report.get(language) or report.get("en"))


@tk.chained_action
def bulk_update_public(up_func, context: Context, data_dict: DataDict):
    """Making datasets public in bulk passes the same publication gate."""
    errors = {}
    for dataset_id in data_dict.get("datasets") or []:
        dataset = tk.get_action("package_show")(
            dict(context, ignore_auth=True), {"id": dataset_id})
        unmet = code.publication_errors(dataset)
        if unmet:
            errors[dataset["name"]] = [m for ms in unmet.values() for m in ms]
    if errors:
        raise tk.ValidationError(errors)
    return up_func(context, data_dict)
