"""Datasets in several languages, for search and for display."""
from __future__ import annotations

import contextlib
import json
from typing import Any, Iterator

import flask

from ckanext.kg import code, helpers

# Stored as JSON strings in the dataset; indexed through the fields that
# `add_languages` and `add_divisions` make of them.
_JSON_FIELDS = ("title_translated", "notes_translated", "keywords", "spatial_divisions")
# Fields of the search document that hold the dataset's compliance with
# the data-exchange code (`add_compliance`)
COMPLIANT = "kg_compliant"
UNMET_RULES = "kg_unmet_rules"
# the same, each prefixed by the dataset's agency ("<owner_org>:true",
# "<owner_org>:5.3"): kept counted per visibility like `owner_org`
# (`search/fields.py`), so every agency's share is read from the counts
AGENCY_COMPLIANT = "kg_agency_compliant"
AGENCY_UNMET_RULES = "kg_agency_unmet_rules"


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


def shown_dataset(doc: dict[str, Any]) -> dict[str, Any]:
    """The dataset as `package_show` gave it to the indexer (the document's
    `validated_data_dict`), or {} for a document without one."""
    try:
        dataset = json.loads(doc.get("validated_data_dict") or doc.get("data_dict") or "{}")
    except ValueError:
        return {}
    return dataset if isinstance(dataset, dict) else {}


def add_resource_languages(doc: dict[str, Any],
                           dataset: dict[str, Any]) -> dict[str, Any]:
    """Every language of each table's name and description as more text of
    `res_name` and `res_description`, so a Kyrgyz or Russian word of a
    table's name finds its dataset."""
    for resource in dataset.get("resources") or []:
        for key, field in (("name_translated", "res_name"),
                           ("description_translated", "res_description")):
            texts = [text for lang, text in code.translated(resource.get(key)).items()
                     if lang in code.LANGUAGES and isinstance(text, str) and text]
            if texts:
                doc[field] = list(doc.get(field) or []) + texts
    return doc


def add_divisions(doc: dict[str, Any]) -> dict[str, Any]:
    """Each administrative division code as a value of its own, so that
    `spatial_divisions:KG08000000000` filters and facets."""
    codes = code.as_list(doc.get("spatial_divisions"))
    doc["spatial_divisions"] = [c for c in codes if isinstance(c, str) and c]
    return doc


def add_compliance(doc: dict[str, Any], dataset: dict[str, Any]) -> dict[str, Any]:
    """Whether the dataset complies with the data-exchange code
    (`COMPLIANT`: "true" or "false") and the numbers of the rules it does
    not meet (`UNMET_RULES`), judged as its compliance page judges it, and
    both again under its agency's id (`AGENCY_COMPLIANT`,
    `AGENCY_UNMET_RULES`), so an agency's share is read from the index's
    counts, however many datasets it has. A table's validation report
    changes the verdict of rule 5.3: the dataset is indexed again when a
    report is stored."""
    if not dataset.get("id"):
        return doc
    unmet = [rule.number for rule in code.unmet_rules(dataset)]
    doc[COMPLIANT] = "false" if unmet else "true"
    doc[UNMET_RULES] = unmet
    agency = dataset.get("owner_org")
    if agency:
        doc[AGENCY_COMPLIANT] = agency_key(agency, doc[COMPLIANT])
        doc[AGENCY_UNMET_RULES] = [agency_key(agency, number) for number in unmet]
    return doc


def agency_key(agency_id: str, value: str) -> str:
    """A value of `AGENCY_COMPLIANT` or `AGENCY_UNMET_RULES`."""
    return f"{agency_id}:{value}"


def search_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The search document of a dataset: languages (its own and its
    tables') and divisions as fields of their own, its compliance with the
    code, without the JSON strings
    they came from (and CKAN's `extras_` copies of them), which would only
    make every row larger."""
    dataset = shown_dataset(doc)
    doc = add_compliance(add_divisions(add_resource_languages(add_languages(doc), dataset)),
                         dataset)
    for field in _JSON_FIELDS:
        doc.pop(f"extras_{field}", None)
        if field != "spatial_divisions":
            doc.pop(field, None)
    return doc


def localise(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Title and description in the reader's language, for pages; the
    agency's title too, at once or, inside `agencies_named_together`, when
    it ends."""
    title = helpers.kg_translated(pkg_dict.get("title_translated"))
    notes = helpers.kg_translated(pkg_dict.get("notes_translated"))
    if title:
        pkg_dict["title"] = title
    if notes:
        pkg_dict["notes"] = notes
    agency = pkg_dict.get("organization")
    if isinstance(agency, dict) and agency.get("id"):
        waiting = _waiting()
        if waiting is None:
            _name_agency(pkg_dict)
        else:
            waiting.append(pkg_dict)
    return pkg_dict


_WAITING = "kg.datasets_waiting_for_agency_names"
_KNOWN = "kg.agency_names"


@contextlib.contextmanager
def agencies_named_together() -> Iterator[None]:
    """Datasets localised inside this (a page of search results) get their
    agencies' titles when it ends, every agency's names read in one
    statement instead of one each."""
    if not flask.has_request_context():
        yield
        return
    environ = flask.request.environ
    outer, waiting = environ.get(_WAITING), []
    environ[_WAITING] = waiting
    try:
        yield
    finally:
        environ[_WAITING] = outer
    _read_agencies_names({dataset["organization"]["id"] for dataset in waiting})
    for dataset in waiting:
        _name_agency(dataset)


def _waiting() -> list[dict[str, Any]] | None:
    return flask.request.environ.get(_WAITING) if flask.has_request_context() else None


def _name_agency(pkg_dict: dict[str, Any]) -> None:
    agency = pkg_dict["organization"]
    name = helpers.kg_translated(_agency_names(agency["id"]))
    if name:
        pkg_dict["organization"] = dict(agency, title=name)


def _agency_names(agency_id: str) -> dict[str, Any]:
    """An agency's official names per language (its `title_translated`),
    read once per request: a page of results names a few agencies many
    times."""
    if not flask.has_request_context():
        return _read_agency_names(agency_id)
    known = flask.request.environ.setdefault(_KNOWN, {})
    if agency_id not in known:
        known[agency_id] = _read_agency_names(agency_id)
    return known[agency_id]


def _read_agency_names(agency_id: str) -> dict[str, Any]:
    from ckan import model
    agency = model.Group.get(agency_id)
    if agency is None:
        return {}
    return code.translated(agency.extras.get("title_translated"))


def _read_agencies_names(agency_ids: set[str]) -> None:
    """The names of the agencies not yet known to this request, in one
    statement (by id, as `model.Group.get` finds them)."""
    from ckan import model
    known = flask.request.environ.setdefault(_KNOWN, {})
    missing = [agency_id for agency_id in agency_ids if agency_id not in known]
    if not missing:
        return
    found = dict(model.Session.query(model.Group.id, model.Group.extras).filter(
        model.Group.id.in_(missing)))
    for agency_id in missing:
        extras = found.get(agency_id)
        known[agency_id] = code.translated((extras or {}).get("title_translated")) \
            if agency_id in found else {}
