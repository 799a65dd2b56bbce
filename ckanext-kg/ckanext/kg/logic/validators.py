"""Validators of the data-exchange code's dataset and agency schemas.

Texts in several languages are dicts ``{"ky": ..., "ru": ..., "en": ...}``;
CKAN stores them as JSON in the dataset's extras and `kg_translated_output`
turns them back into dicts on output. The web form sends one input per
language (``title_translated-ky``), which the validators gather.
"""
from __future__ import annotations

import datetime
import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import Missing, unflatten

from ckanext.kg import code, names, sources

__all__ = [
    "kg_translated_text",
    "kg_translated_markdown",
    "kg_translated_keywords",
    "kg_translated_output",
    "kg_title_from_translated",
    "kg_name_from_title",
    "kg_keywords_to_tags",
    "kg_region_codes",
    "kg_email",
    "kg_http_url",
    "kg_sources",
    "kg_json_list_output",
    "kg_inn",
    "kg_open_license",
    "kg_publication_gate",
    "kg_single_value",
    "kg_texts",
    "kg_timestamp",
    "kg_boolean",
    "kg_datastore_filters",
    "kg_chart_type",
    "kg_chart_column",
]

_ = tk._
Invalid = tk.Invalid
MAX_TEXT = 5000      # characters in one language of a title or keyword list
MAX_TITLE = 300
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_INN = re.compile(r"^\d{14}$")


def _gather_languages(key, data) -> Any:
    """The value of a translated field: a dict, JSON, or one input per language."""
    value = data.get(key)
    extras = data.get(key[:-1] + ("__extras",), {})
    per_language = {lang: extras.pop(f"{key[-1]}-{lang}") for lang in code.LANGUAGES
                    if f"{key[-1]}-{lang}" in extras}
    if per_language:
        return per_language
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            raise Invalid(_("Not valid JSON: give a text per language.")) from None
    if value is None or isinstance(value, Missing) or value == "":
        return {}
    return value


def _clean_text(text: Any, limit: int) -> str:
    if not isinstance(text, str):
        raise Invalid(_("Each language must be given as text."))
    text = text.strip()
    if len(text) > limit:
        raise Invalid(_("Too long: at most {limit} characters.").format(limit=limit))
    if _MARKUP.search(text):
        raise Invalid(_("HTML is not allowed here."))
    return text


def _languages_only(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(_("Give a text per language (ky, ru, en)."))
    unknown = set(value) - set(code.LANGUAGES)
    if unknown:
        raise Invalid(_("Unknown language: {languages}.").format(
            languages=", ".join(sorted(unknown))))
    return value


def kg_translated_text(key, data, errors, context) -> None:
    """A short text in ky/ru/en, stored as JSON."""
    _store_translated(key, data, errors, MAX_TITLE)


def kg_translated_markdown(key, data, errors, context) -> None:
    """A long text (Markdown) in ky/ru/en, stored as JSON."""
    _store_translated(key, data, errors, 100_000)


def _store_translated(key, data, errors, limit: int) -> None:
    try:
        value = _languages_only(_gather_languages(key, data))
        cleaned = {lang: _clean_text(text, limit) for lang, text in value.items()}
    except Invalid as error:
        errors[key].append(error.error)
        return
    data[key] = json.dumps({k: v for k, v in cleaned.items() if v}, ensure_ascii=False)


def kg_translated_keywords(key, data, errors, context) -> None:
    """Keywords per language: ``{"ky": ["калк"], "ru": ["население"]}``."""
    try:
        value = _languages_only(_gather_languages(key, data))
        cleaned = {lang: _keyword_list(words) for lang, words in value.items()}
    except Invalid as error:
        errors[key].append(error.error)
        return
    data[key] = json.dumps({k: v for k, v in cleaned.items() if v}, ensure_ascii=False)


def _keyword_list(words: Any) -> list[str]:
    """Keywords that are also valid CKAN tags (facets are built on tags)."""
    from ckan.logic.validators import tag_length_validator, tag_name_validator
    if isinstance(words, str):
        words = words.split(",")
    if not isinstance(words, list):
        raise Invalid(_("Keywords must be a list or a comma-separated text."))
    cleaned = [w for w in dict.fromkeys(_clean_text(w, 100) for w in words) if w]
    for word in cleaned:
        tag_length_validator(word, {})
        tag_name_validator(word, {})
    return cleaned


def kg_translated_output(value: Any) -> Any:
    """The stored JSON back as a dict or list (output of package_show)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return {}
    if isinstance(value, Missing):
        return {}
    return value or {}


def _translated(data, name: str) -> dict[str, Any]:
    return kg_translated_output(data.get((name,)))


# The validators below run after every field (scheming's `after_validators`):
# navl validates fields in key order, so `title` and `name` would otherwise
# be judged before `title_translated` is read.

def kg_title_from_translated(key, data, errors, context) -> None:
    """CKAN's own `title`: the Kyrgyz title (else Russian, else English)."""
    titles = _translated(data, "title_translated")
    for lang in code.LANGUAGES:
        if titles.get(lang):
            data[("title",)] = titles[lang]
            return
    if not data.get(("title",)) or isinstance(data.get(("title",)), Missing):
        errors.setdefault(("title_translated",), []).append(
            _("Give the title in Kyrgyz and in Russian (rule 1.1)."))


def kg_name_from_title(key, data, errors, context) -> None:
    """When no URL name is given, make one by transliterating the title."""
    current = data.get(("name",))
    if current not in (None, "") and not isinstance(current, Missing):
        return
    titles = _translated(data, "title_translated")
    package = context.get("package")
    for lang in code.LANGUAGES:
        base = names.name_from_title(titles.get(lang) or "")
        if base:
            data[("name",)] = names.unique_name(base, lambda n: _name_taken(n, package))
            return
    errors.setdefault(("name",), []).append(_("Missing value"))


def _name_taken(name: str, package: Any) -> bool:
    query = model.Session.query(model.Package.id).filter(model.Package.name == name)
    if package is not None:
        query = query.filter(model.Package.id != package.id)
    return query.first() is not None


def kg_keywords_to_tags(key, data, errors, context) -> None:
    """CKAN's tags: every keyword in every language (facets, search)."""
    keywords = _translated(data, "keywords")
    words = [w for lang in code.LANGUAGES for w in keywords.get(lang, [])]
    existing = {v for k, v in data.items() if k[0] == "tags" and k[-1] == "name"}
    n = len({k[1] for k in data if k[0] == "tags" and len(k) == 3})
    for word in dict.fromkeys(words):
        if word not in existing:
            data[("tags", n, "name")] = word
            n += 1


def kg_region_codes(value: Any, context: Any) -> Any:
    """Spatial coverage: codes of the Kyrgyz Republic's administrative divisions."""
    from kg_validation.codelist import admin_divisions
    if value in (None, "") or isinstance(value, Missing):
        return value
    codes = value if isinstance(value, list) else [
        c for c in re.split(r"[\s,]+", str(value)) if c]
    known = admin_divisions()
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid(_("Unknown administrative division code: {codes} (rule 4.3).")
                      .format(codes=", ".join(unknown)))
    return codes


def kg_email(value: Any, context: Any) -> Any:
    if value in (None, "") or isinstance(value, Missing):
        return value
    if not re.match(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", str(value)) or len(value) > 254:
        raise Invalid(_("Not a valid e-mail address (rule 2.2)."))
    return value


def kg_http_url(value: Any, context: Any) -> Any:
    """A web page (the contact point's, rule 2.2): http:// or https:// only."""
    if value in (None, "") or isinstance(value, Missing):
        return value
    if not sources.is_http_url(value):
        raise Invalid(_("Not a valid web address: it must start with http:// or https:// "
                        "(rule 2.2)."))
    return value


def kg_sources(value: Any, context: Any) -> Any:
    """The Data Package's `sources` or `licenses`: a list of objects of
    texts, web addresses http(s) only; stored as JSON text."""
    if value in (None, "") or isinstance(value, Missing):
        return value
    try:
        items = sources.checked(value)
    except sources.SourceError as error:
        raise Invalid(_source_message(error.args[0])) from None
    return json.dumps(items, ensure_ascii=False)


def _source_message(problem: Any) -> str:
    if problem == "list":
        return _("Give a list (JSON) of at most {limit} objects.").format(
            limit=sources.MAX_ITEMS)
    if problem == "value":
        return _("Each object's keys must be lower-case names and its values texts.")
    return _("Not a valid web address in \"{key}\": it must start with http:// or "
             "https://.").format(key=problem[1])


def kg_json_list_output(value: Any) -> Any:
    """Stored JSON text back as a list (output of package_show)."""
    loaded = kg_translated_output(value)
    return loaded if isinstance(loaded, list) else []


def kg_inn(value: Any, context: Any) -> Any:
    """Taxpayer identification number (INN): 14 digits, when given."""
    if value in (None, "") or isinstance(value, Missing):
        return value
    if not _INN.match(str(value).strip()):
        raise Invalid(_("An INN has exactly 14 digits."))
    return str(value).strip()


def kg_open_license(value: Any, context: Any) -> Any:
    """One of the code's open licences, or "not specified" while a source's
    licence is unclear (such a dataset cannot be public: rule 3.1)."""
    if value not in code.OPEN_LICENSES + (code.LICENSE_NOT_SPECIFIED,):
        raise Invalid(_("Choose an open licence: CC-BY-4.0, CC0, ODC-BY, ODbL or PDDL "
                        "(rule 3.1)."))
    return value


def _resource_dict(resource: Any) -> dict[str, Any]:
    return dict(resource.extras or {}, id=resource.id, url=resource.url,
                url_type=resource.url_type, format=resource.format)


def kg_publication_gate(key, data, errors, context) -> None:
    """After all fields: a public dataset must meet every rule of the code."""
    if any(errors.values()):
        return  # the field errors come first; the gate judges a valid dataset
    private = data.get(("private",))
    if private in (True, "True", "true") or private is None or isinstance(private, Missing):
        return
    if data.get(("state",)) == "draft":
        return
    dataset = unflatten({k: v for k, v in data.items() if k[0] != "__extras"})
    if "resources" not in dataset and context.get("package") is not None:
        # an update without `resources` keeps the dataset's current ones
        dataset["resources"] = [_resource_dict(r) for r in context["package"].resources]
    for name in ("title_translated", "notes_translated", "keywords", "spatial_divisions"):
        dataset[name] = kg_translated_output(dataset.get(name))
    for field, messages in code.publication_errors(dataset).items():
        errors.setdefault((field,), []).extend(messages)


def kg_single_value(value: Any, context: Any) -> Any:
    """A parameter that takes one value: not a list or an object (a query
    string repeats a name to send a list)."""
    if isinstance(value, (list, dict)):
        raise Invalid(_("Give one value, not a list or an object."))
    return value


def kg_texts(value: Any, context: Any) -> Any:
    """A parameter that takes a text or a list of texts (CKAN's
    `resource_search` `query`): no object, no number in a list."""
    if isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(item, str) for item in value)):
        return value
    raise Invalid(_("Give a text or a list of texts."))


def kg_timestamp(value: Any, context: Any) -> Any:
    """A time as seconds since 1970 that Python can turn into a date (CKAN's
    `datetime_from_timestamp_validator` lets an overflow through: a 500).
    Returned as given, for CKAN's own validator."""
    try:
        datetime.datetime.fromtimestamp(float(value))
    except (TypeError, ValueError, OverflowError, OSError):
        raise Invalid(_("Give a time as seconds since 1 January 1970, such as "
                        "1704067200.")) from None
    return value


def kg_boolean(value: Any, context: Any) -> Any:
    """A flag: true or false (also yes/no, on/off, 1/0), as CKAN reads it."""
    from ckan.common import asbool
    try:
        return asbool(value)
    except ValueError:
        raise Invalid(_("Give true or false.")) from None


def filters_not_an_object() -> str:
    return _("Give the filters as a JSON object, such as {example}.").format(
        example='{"year": 2023}')


def datastore_filters(value: Any) -> Any:
    """`filters` of a DataStore search as CKAN reads them: a JSON object
    (column -> value, list of values, or operations), or a list of them;
    None when there are none (blank, null, an empty list). Raises `Invalid`."""
    import math
    not_an_object = Invalid(filters_not_an_object())
    if isinstance(value, str) and value.strip():
        try:
            value = json.loads(value)
        except ValueError:
            raise not_an_object from None
    if value in (None, "", []) or isinstance(value, Missing):
        return None
    found = value if isinstance(value, list) else [value]
    if not all(isinstance(item, dict) for item in found):
        raise not_an_object
    pending = list(found)
    while pending:
        item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise Invalid(_("A number in the filters is too large."))
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return value


def kg_datastore_filters(key, data, errors, context) -> None:
    """`datastore_search`'s `filters`, checked as `datastore_filters` does;
    none (blank, null, an empty list) is the parameter not given."""
    from ckan.lib.navl.dictization_functions import StopOnError
    try:
        filters = datastore_filters(data.get(key))
    except Invalid as error:
        errors[key].append(error.error)
        raise StopOnError from None
    if filters is None:
        data.pop(key, None)
        raise StopOnError
    data[key] = filters


CHART_TYPES = ("", "line", "bar", "region", "none")  # "": the portal chooses from the schema


def kg_chart_type(value: Any, context: Any) -> Any:
    """The chart a table's page draws first (`charts`)."""
    if value is None or isinstance(value, Missing):
        return ""
    if value not in CHART_TYPES:
        raise Invalid(_("Choose one of: {values}.").format(values="line, bar, region, none"))
    return value


def _chart_messages() -> dict[tuple[str, str], str]:
    return {
        ("line", "x"): _("A line chart needs a column of dates or years here."),
        ("bar", "x"): _("A bar chart needs a text column here."),
        ("line", "y"): _("Choose a column of numbers (not a code, an identifier or a year)."),
        ("bar", "y"): _("Choose a column of numbers (not a code, an identifier or a year)."),
        ("line", "by"): _("Choose a text column, or leave this blank."),
        ("bar", "by"): _("Only a line chart draws one line per value: leave this blank."),
        ("region", "x"): _("A chart by region needs a column of administrative division "
                           "codes here."),
        ("region", "y"): _("Choose a column of numbers (not a code, an identifier or a year)."),
        ("region", "by"): _("Only a line chart draws one line per value: leave this blank."),
    }


def kg_chart_column(key, data, errors, context) -> None:
    """`chart_x`, `chart_y`, `chart_by`: a column of the resource's Table
    Schema of a type that fits its role in the chosen chart (`charts.unfit`)."""
    from ckanext.kg import charts, table_schema
    name = data.get(key)
    if not isinstance(name, str) or not name.strip():
        data[key] = ""
        return
    data[key] = name = name.strip()
    kind = data.get(key[:-1] + ("chart_type",))
    schema = table_schema.of_resource({"schema": data.get(key[:-1] + ("schema",))})
    if kind in (None, "") or isinstance(kind, Missing):
        kind = getattr(charts.default_chart(schema), "kind", "line")
    if kind not in charts.KINDS:
        return  # no chart: the columns are kept for when one is chosen
    role = key[-1].removeprefix("chart_")
    why = charts.unfit(schema, kind, role, name)
    if why == "missing":
        errors[key].append(_("This table has no column named {name}.").format(name=name))
    elif why:
        errors[key].append(_chart_messages()[(kind, role)])
