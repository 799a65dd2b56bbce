"""How each field of CKAN's search document is indexed.

CKAN builds a flat document per dataset (``lib/search/index.py``) for the
field types of its Solr schema. This module keeps that schema's meaning:

- *string* fields (``name``, ``tags``, ``res_format``, ``capacity``, any
  unknown field, ...) match exactly and can be faceted and sorted; they are
  stored as ``field=value`` entries of the row's ``terms`` array;
- *text* fields (``title``, ``notes``, ``res_name``, ``extras_*``, ...) are
  tokenised; together they form the catch-all ``text`` field, a weighted
  ``tsvector`` (name and title weigh most, then tags and groups, as CKAN's
  dismax ``qf`` does);
- *date* fields (``metadata_modified``, ``*_date``, ...) compare as times.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

TEXT_FIELDS = frozenset({
    "text", "title", "notes", "urls", "author", "author_email", "maintainer",
    "maintainer_email", "res_name", "res_description", "depends_on",
    "dependency_of", "derives_from", "has_derivation", "links_to", "linked_from",
    "child_of", "parent_of",
})
TEXT_PREFIXES = ("extras_", "res_extras_")
# Each language of a dataset's title, description and keywords (ckanext.kg.indexing)
LANGUAGE_FIELDS = {f"{part}_{lang}" for part in ("title", "notes", "keywords")
                   for lang in ("ky", "ru", "en")}
TEXT_FIELDS = TEXT_FIELDS | LANGUAGE_FIELDS
# Solr's n-gram copies of name and title (package_autocomplete)
NGRAM_SOURCES = {"name_ngram": "name", "title_ngram": "title"}
DATE_FIELDS = frozenset({"metadata_created", "metadata_modified", "indexed_ts"})

# Stored whole in the document; never matched or faceted.
UNINDEXED_FIELDS = frozenset({"data_dict", "validated_data_dict"})
# The two of them, the dataset's JSON as text, each kept in a column of
# its own (`index_table`): a page reads the one it returns, not a
# document holding both and every indexed field.
STORED_APART = ("data_dict", "validated_data_dict")

# CKAN's copyField rules: what goes into the catch-all `text` field.
_WEIGHT_A = ("name", "title", "title_ky", "title_ru", "title_en")
_WEIGHT_B = ("tags", "groups", "organization")
_WEIGHT_C = ("text", "notes", "notes_ky", "notes_ru", "notes_en", "keywords_ky",
             "keywords_ru", "keywords_en", "license", "res_name", "res_description",
             "maintainer", "author", "url", "ckan_url", "download_url",
             "res_url", "urls")
_WEIGHT_C_PREFIXES = ("extras_", "res_extras_", "vocab_")

TERM_SEPARATOR = "="

# Filters that CKAN adds to every query and that match most documents
# (visibility, site, state, type). Each has a small column of its own, so
# that the `terms` index only ever serves the selective part of a query and
# the planner can use it.
SCALAR_COLUMNS = ("capacity", "state", "site_id", "dataset_type")
ARRAY_COLUMNS = ("permission_labels",)
COLUMN_FIELDS = frozenset(SCALAR_COLUMNS + ARRAY_COLUMNS)
# CKAN indexes datasets alone, and marks every document so
# (`lib/search/index.py`: entity_type=package); a filter on it (CKAN's
# list of agencies and groups counts with `fq=entity_type:package`) holds
# for every row.
TYPE_FIELD, PACKAGE_TYPE = "entity_type", "package"

# The fields that the portal's pages facet on (CKAN's default `search.facets`
# and the code's vocabularies). Their `terms` entries are also kept in a
# small array of their own, so counting facets over many hits reads a few
# entries per row instead of all of them; other fields facet from `terms`.
FACET_FIELDS = frozenset({"organization", "groups", "tags", "res_format", "license_id",
                          "theme", "frequency", "access_level", "spatial_divisions"})
# Counted per visibility as well (`facet_counts.py`), read from `terms`:
# CKAN asks for every agency's number of datasets on each agency and group
# page and the list of agencies (`get_group_dataset_counts`: the facet
# `owner_org` over the whole catalogue); every agency page shows the share
# of its datasets that comply with the code (`ckanext.kg.indexing`: the
# verdicts prefixed by the agency).
COUNTED_ONLY_FIELDS = frozenset({"owner_org", "kg_agency_compliant", "kg_agency_unmet_rules"})
COUNTED_FIELDS = FACET_FIELDS | COUNTED_ONLY_FIELDS

# Copied into a small column of their own: the sorts CKAN's pages use.
SORT_KEYS = ("name", "title_string", "metadata_modified", "metadata_created",
             "num_resources", "num_tags", "views_recent", "views_total")


def is_text_field(name: str) -> bool:
    return name in TEXT_FIELDS or name.startswith(TEXT_PREFIXES)


def is_date_field(name: str) -> bool:
    return name in DATE_FIELDS or name.endswith("_date")


def term(field: str, value: Any) -> str:
    """The `terms` entry that an exact match of field:value looks for."""
    return f"{field}{TERM_SEPARATOR}{scalar_text(value)}"


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _values(value: Any) -> Iterable[Any]:
    if isinstance(value, (list, tuple, set)):
        for item in value:
            if item is not None and not isinstance(item, (dict, list)):
                yield item
    elif value is not None and not isinstance(value, dict):
        yield value


def document_terms(doc: dict[str, Any]) -> list[str]:
    """Every exact-match entry of a document, once each, sorted.

    Text fields are matched through the ``tsvector`` (or their own text in
    the document), never through ``terms``, so they are left out: that keeps
    each row's ``terms`` small enough to stay in the row itself.
    """
    terms = set()
    for key, value in doc.items():
        if key in UNINDEXED_FIELDS or is_text_field(key):
            continue
        for item in _values(value):
            text = scalar_text(item)
            if len(text) <= 500:  # long prose is for full text only
                terms.add(term(key, text))
    return sorted(terms)


def facet_terms(terms: list[str]) -> list[str]:
    """The entries of `terms` that belong to one of `FACET_FIELDS`."""
    return [t for t in terms if t.split(TERM_SEPARATOR, 1)[0] in FACET_FIELDS]


def column_values(doc: dict[str, Any]) -> dict[str, Any]:
    """The values of the filter columns (`SCALAR_COLUMNS`, `ARRAY_COLUMNS`)."""
    values: dict[str, Any] = {}
    for key in SCALAR_COLUMNS:
        value = doc.get(key)
        scalar = value is not None and not isinstance(value, (dict, list, tuple, set))
        values[key] = scalar_text(value) if scalar else None
    for key in ARRAY_COLUMNS:
        values[key] = [scalar_text(v) for v in _values(doc.get(key))]
    return values


def _joined(doc: dict[str, Any], names: Iterable[str],
            prefixes: tuple[str, ...] = ()) -> str:
    parts: list[str] = []
    wanted = set(names)
    for key, value in doc.items():
        if key in wanted or (prefixes and key.startswith(prefixes)):
            parts.extend(scalar_text(v) for v in _values(value))
    return "\n".join(parts)


def weighted_text(doc: dict[str, Any]) -> tuple[str, str, str]:
    """The document's full text in three weights (A, B, C)."""
    return (_joined(doc, _WEIGHT_A), _joined(doc, _WEIGHT_B),
            _joined(doc, _WEIGHT_C, _WEIGHT_C_PREFIXES))


_ISO_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:Z|\+00:00)?$")


def solr_date(value: Any) -> Any:
    """A UTC ISO time as Solr stores it: millisecond precision, a 'Z'."""
    match = _ISO_TIME.match(value) if isinstance(value, str) else None
    if not match:
        return value
    millis = (match.group(2) or "")[:3].rstrip("0")
    return match.group(1) + (f".{millis}" if millis else "") + "Z"


def normalise_dates(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: solr_date(v) if is_date_field(k) else v for k, v in doc.items()}


_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC.search(word))
