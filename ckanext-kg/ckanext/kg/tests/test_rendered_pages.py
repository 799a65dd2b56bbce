"""Every page as a Kyrgyz or Russian reader sees it: no English word of
CKAN's interface or of ours that has a translation, no `\\u` escape and no
raw JSON in the visible text.

The catalogue tests (test_i18n.py) check the catalogues; these render the
pages, with a dataset like those of datasets/ (names, descriptions, keywords
and the Table Schema's titles in three languages, a published table,
sources and licences), so a template that forgets `_()`, a string CKAN
builds itself, or a value shown as stored fails here.
"""
from __future__ import annotations

import json
import os
import re
import shutil

import polib
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.conftest import METADATA, VALID

pytestmark = portal_schema

I18N = os.path.join(os.path.dirname(__file__), "..", "i18n")
CORE_POT = os.path.join(I18N, "core", "ckan.pot")
EXTENSION_POT = os.path.join(I18N, "ckanext-kg.pot")

# Words that stay as they are in a Kyrgyz or Russian page, each with why.
# Phrases are taken out before the words are looked at.
EXCEPTIONS = {
    # names of standards, formats, programs and services, written so in
    # every language
    "Table Schema": "the Frictionless standard's name",
    "Data Package": "the Frictionless standard's name",
    "DataStore": "CKAN's component, named so in the translations",
    "Action API": "the name of CKAN's API",
    "OpenAPI": "the standard's name",
    "GeoJSON": "a format's name",
    "Parquet": "a format's name",
    "Markdown": "a format's name",
    "Excel": "a program's name",
    "XLSX": "a format's name",
    "JSON": "a format's name",
    "HTML": "a format's name",
    "XML": "a format's name",
    "CSV": "a format's name",
    "SQL": "a language's name",
    "MIME": "the standard's name (media types)",
    "API": "the acronym, kept in both translations",
    "URL": "the acronym, kept in both translations",
    "CMS": "the acronym, kept in both translations",
    "curl": "a program's name",
    "Python": "a language's name",
    "ckanapi": "a library's name",
    "HTTP": "the protocol's name",
    "Open Definition": "the name of the Open Knowledge Foundation's definition",
    "CKAN": "the platform's name",
    "ckan": "the platform's logo (its alternative text)",
    "Facebook": "a service's name (sharing link)",
    "English": "the English language's own name in the language switcher",
    # the licences' official names and identifiers
    "Creative Commons Attribution": "a licence's official name",
    "Creative Commons": "a licence family's name (shortened in facets)",
    "Open Data Commons Public Domain Dedication and License": "a licence's official name",
    "Open Data Commons Public Domain Dedication": "a licence's official name",
    "Open Data Commons Open Database License": "a licence's official name",
    "Open Data Commons Attribution": "a licence's official name",
    "Open Database License": "a licence's official name",
    "Open Data Commons": "a licence family's name (shortened in facets)",
    "CC-BY-4.0": "a licence's identifier", "CC-BY": "a licence's identifier",
    "CC0": "a licence's identifier", "ODC-BY": "a licence's identifier",
    "ODbL": "a licence's identifier", "PDDL": "a licence's identifier",
}
# single letters (the share link "X", a pattern's [A-Z]) are no words here
WORD = re.compile(r"[A-Za-z][A-Za-z]+(?:'[a-z]+)?")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdir]|%[sdir]|\{[^}]*\}|<[^>]+>|&[a-z]+;")
# codes, not words: web and e-mail addresses, paths and file names
# (/ky/dataset/, data/regions.csv), identifiers (package_search, UUIDs)
CODES = [re.compile(r"(?:https?|ftp)://\S*|www\.\S+|\S+@\S+\.\w+"),
         re.compile(r"[A-Za-z0-9_.-]*/[A-Za-z0-9_./-]*|\b[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)+\b"),
         re.compile(r"\b[A-Za-z0-9]*_[A-Za-z0-9_]*\b"),
         re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")]
ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")
RAW_JSON = re.compile(r'[{\[]\s*"[^"]*"\s*[:,\]]')
SHOWN_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")


def catalogue(path):
    return polib.pofile(path) if os.path.exists(path) else []


def vocabulary(locale: str, core_dir: str = os.path.join(I18N, "core")) -> set[str]:
    """The English words of every msgid, of CKAN's and of ours, that the
    locale's catalogues translate (lower case)."""
    translated = set()
    for path in (os.path.join(core_dir, locale, "LC_MESSAGES", "ckan.po"),
                 os.path.join(I18N, locale, "LC_MESSAGES", "ckanext-kg.po")):
        for entry in catalogue(path):
            forms = list(entry.msgstr_plural.values()) or [entry.msgstr]
            if entry.obsolete or "fuzzy" in entry.flags or not any(f.strip() for f in forms):
                continue
            for text in (entry.msgid, entry.msgid_plural or ""):
                translated.update(w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text)))
    return translated


def visible_text(html: str, page_language: str) -> str:
    """What a reader sees or hears of a page: its text and title, and the
    titles, alternative texts, placeholders and labels of its elements;
    not code, scripts, what a form holds (the data being edited) or what is
    marked as another language's."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(["script", "style", "code", "pre", "svg", "template", "textarea"]):
        element.decompose()
    for element in soup.select("[lang]"):
        if element.name != "html" and element["lang"] != page_language:
            element.decompose()
    parts = [soup.get_text(" ")]
    for element in soup.find_all(True):
        parts += [element[a] for a in SHOWN_ATTRIBUTES if isinstance(element.get(a), str)]
        if element.name == "input" and element.get("type") in ("submit", "button", "reset"):
            parts.append(element.get("value") or "")
    return " ".join(" ".join(parts).split())


def english_words(text: str, words: set[str]) -> list[str]:
    """The words of `text` that are English words of a translated msgid,
    once each, in the order they appear; exceptions, web addresses and
    identifiers left out."""
    for codes in CODES:
        text = codes.sub(" ", text)
    for phrase in sorted(EXCEPTIONS, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])", " ", text)
    found = [w for w in WORD.findall(text) if w.lower() in words]
    return list(dict.fromkeys(found))


def problems(html: str, language: str, words: set[str]) -> dict[str, list[str]]:
    text = visible_text(html, language)
    found = {"english": english_words(text, words), "escapes": ESCAPE.findall(text),
             "raw JSON": RAW_JSON.findall(text)}
    return {kind: items for kind, items in found.items() if items}


# --- a dataset like the seed catalogue's ---------------------------------

FIELDS = [
    {"name": "region", "type": "string", "title": "Region",
     "description": "Облустун аталышы.", "constraints": {"required": True},
     "kg": {"title_translated": {"ky": "Облус", "ru": "Область", "en": "Region"}}},
    {"name": "year", "type": "year", "title": "Year", "description": "Жыл.",
     "kg": {"title_translated": {"ky": "Жыл", "ru": "Год", "en": "Year"}}},
    {"name": "population", "type": "integer", "title": "Population",
     "description": "Калктын саны.", "constraints": {"minimum": 0},
     "kg": {"title_translated": {"ky": "Калкы", "ru": "Население", "en": "Population"}}},
]
SCHEMA = {"fields": FIELDS, "primaryKey": ["region", "year"]}
SOURCES = [{"title": "Улуттук статистика комитети: облустардын калкы",
            "path": "https://stat.example.invalid/population",
            "repository": "https://github.com/example-kg/population",
            "commit": "425fc447a53a26c767a15a7de60c4cc2478a0595", "file": "data/regions.csv"}]
LICENSES = [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
             "title": "Creative Commons Attribution 4.0"}]


@pytest.fixture
def seed_like(app, upload_file):
    # a person's name is data: a Kyrgyz one, not the factories' English one
    sysadmin = factories.Sysadmin(fullname="Асел Токтогулова")

    def act(action, **data):  # a context of its own each: actions add to theirs
        return helpers.call_action(action, context={"user": sysadmin["name"]}, **data)
    agency = act("organization_create", name="nsc",
                 title_translated={"ky": "Улуттук статистика комитети",
                                   "ru": "Национальный статистический комитет",
                                   "en": "National Statistical Committee"})
    group = act("group_create", name="kalk", title="Калк жана коом")
    dataset = act(
        "package_create", private=True, owner_org=agency["id"],
        groups=[{"name": group["name"]}], sources=SOURCES, licenses=LICENSES,
        **dict(METADATA, title_translated=dict(METADATA["title_translated"],
                                               en="Population of the regions")))
    table = upload_file(VALID, "population.csv", package_id=dataset["id"],
                        url="population.csv", format="CSV", name="population",
                        name_translated=json.dumps({"ky": "Облустардын калкы",
                                                    "ru": "Население областей"}),
                        description_translated=json.dumps({"ky": "Облустар боюнча.",
                                                           "ru": "По областям."}),
                        schema=json.dumps(SCHEMA))
    act("package_patch", id=dataset["id"], private=False)
    # downloaded twice: the front page lists it among the most downloaded
    for _ in range(2):
        app.get(f"/dataset/{dataset['name']}/resource/{table['id']}/export/csv", status=200)
    return {"dataset": dataset["name"], "table": table["id"], "agency": agency["name"],
            "group": group["name"],
            "token": factories.APIToken(user=sysadmin["name"])["token"]}


def pages(seed: dict) -> dict[str, tuple[str, int, bool]]:
    """Every kind of page: its path, the status it answers with, whether
    it is seen logged in."""
    dataset, table = seed["dataset"], seed["table"]
    return {
        "front": ("/", 200, False),
        "search": ("/dataset/?q=калк", 200, False),
        "search the index cannot read": ("/dataset/?q=title:[a+TO", 200, False),
        "dataset": (f"/dataset/{dataset}", 200, False),
        "resource": (f"/dataset/{dataset}/resource/{table}", 200, False),
        "organizations": ("/organization/", 200, False),
        "organization": (f"/organization/{seed['agency']}", 200, False),
        "groups": ("/group/", 200, False),
        "group": (f"/group/{seed['group']}", 200, False),
        "compliance": (f"/dataset/{dataset}/compliance", 200, False),
        "agency compliance": (f"/organization/{seed['agency']}/compliance", 200, False),
        "validation report": (f"/dataset/{dataset}/resource/{table}/validation", 200, False),
        "developers": ("/developers", 200, False),
        "login": ("/user/login", 200, False),
        "dashboard": ("/dashboard/datasets", 200, True),
        "news feed": ("/dashboard/", 200, True),
        "dataset, as its publisher": (f"/dataset/{dataset}", 200, True),
        "resource, as its publisher": (f"/dataset/{dataset}/resource/{table}", 200, True),
        "resource editing": (f"/dataset/{dataset}/resource/{table}/edit", 200, True),
        "dataset editing": (f"/dataset/edit/{dataset}", 200, True),
        "error 403": ("/ckan-admin", 403, False),
        "error 404": ("/dataset/no-such-dataset", 404, False),
        "error 404, no such address": ("/no/such/page", 404, False),
    }


def render(app, path: str, status: int, token: str | None = None) -> str:
    headers = {"Authorization": token} if token else {}
    return app.get(path, headers=headers, status=status).body


@pytest.mark.ckan_config("ckanext.kg.counts.ranking_cache_seconds", 0)
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_every_page_is_in_the_readers_language(app, seed_like, language):
    words = vocabulary(language)
    found = {}
    for page, (path, status, logged_in) in pages(seed_like).items():
        html = render(app, f"/{language}{path}", status,
                      seed_like["token"] if logged_in else None)
        seen = problems(html, language, words)
        if seen:
            found[page] = seen
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


# --- the test fails when a string is left untranslated -------------------

def test_the_check_finds_an_english_word_escape_and_raw_json():
    words = vocabulary("ky")
    html = ('<html lang="ky"><body><h2>Additional Information</h2>'
            '<td>{"ky": "\\u04e8\\u043b\\u043a\\u04e9"}</td>'
            '<a href="https://example.invalid/dataset/x">CSV</a>'
            '<code>datastore_search</code><span lang="en">Population</span>'
            '<button aria-label="Close">×</button></body></html>')
    assert problems(html, "ky", words) == {
        "english": ["Additional", "Information", "ky", "Close"],
        "escapes": ["\\u04e8", "\\u043b", "\\u043a", "\\u04e9"],
        "raw JSON": ['{"ky":']}


@pytest.fixture
def core_catalogues_without(tmp_path):
    """A copy of CKAN's catalogues for ky and ru, compiled, with the Kyrgyz
    translation of the given msgid left out."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    def leave_out(msgid: str) -> str:
        directory = tmp_path / "i18n"
        shutil.copytree(os.path.join(I18N, "core"), directory,
                        ignore=shutil.ignore_patterns("*.mo"))
        po_path = directory / "ky" / "LC_MESSAGES" / "ckan.po"
        po = polib.pofile(str(po_path))
        po.find(msgid).msgstr = ""
        po.save()
        for locale in ("ky", "ru"):
            folder = directory / locale / "LC_MESSAGES"
            with open(folder / "ckan.po", "rb") as source:
                messages = read_po(source, locale=locale)
            with open(folder / "ckan.mo", "wb") as target:
                write_mo(target, messages)
        return str(directory)
    return leave_out


def test_a_string_left_untranslated_fails_the_resource_page(
        make_app, ckan_config, monkeypatch, seed_like, core_catalogues_without):
    directory = core_catalogues_without("Additional Information")
    monkeypatch.setitem(ckan_config, "ckan.i18n_directory", directory)
    app = make_app()
    path = f"/ky/dataset/{seed_like['dataset']}/resource/{seed_like['table']}"
    html = render(app, path, 200)
    assert problems(html, "ky", vocabulary("ky")) == {
        "english": ["Additional", "Information"]}
