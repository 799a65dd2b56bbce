"""Every string of CKAN's interface has a Kyrgyz and a Russian translation."""
import os
import re

import ckan
import polib
import pytest

CORE_POT = os.path.join(os.path.dirname(ckan.__file__), "i18n", "ckan.pot")
CATALOGUES = os.path.join(os.path.dirname(__file__), "..", "i18n", "core")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdir]|%[sdir]|\{[a-z_0-9!]*\}|</?[a-z]+")


def catalogue(locale):
    return polib.pofile(os.path.join(CATALOGUES, locale, "LC_MESSAGES", "ckan.po"))


def key(entry):
    return (entry.msgctxt, entry.msgid)


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_interface_string_is_translated(locale):
    translated = {key(e): e for e in catalogue(locale)
                  if not e.obsolete and "fuzzy" not in e.flags}
    missing = []
    for entry in polib.pofile(CORE_POT):
        found = translated.get(key(entry))
        forms = list(found.msgstr_plural.values()) if found and entry.msgid_plural \
            else [found.msgstr] if found else []
        if not forms or not all(f.strip() for f in forms):
            missing.append(entry.msgid)
    assert missing == []


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_translations_keep_every_placeholder_and_tag(locale):
    broken = []
    for entry in catalogue(locale):
        if not entry.msgid_plural:
            if sorted(PLACEHOLDER.findall(entry.msgstr)) != sorted(
                    PLACEHOLDER.findall(entry.msgid)):
                broken.append((entry.msgid, entry.msgstr))
            continue
        # plural forms: the last (the general one) has the plural's
        # placeholders; others may leave out the count ("one thing")
        allowed = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
        forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
        if sorted(PLACEHOLDER.findall(forms[-1])) != sorted(
                PLACEHOLDER.findall(entry.msgid_plural)):
            broken.append((entry.msgid_plural, forms[-1]))
        broken += [(entry.msgid, f) for f in forms
                   if not set(PLACEHOLDER.findall(f)) <= allowed]
    assert broken == []


def test_kyrgyz_plural_rule_agrees_with_babel():
    from babel import Locale
    assert Locale("ky").plural_form.tags == {"one"}  # and the implicit "other"
    assert catalogue("ky").metadata["Plural-Forms"].startswith("nplurals=2;")


def test_kyrgyz_uses_kyrgyz_letters_not_look_alikes():
    text = " ".join(e.msgstr for e in catalogue("ky"))
    assert "ң" in text and "ө" in text and "ү" in text
    assert not re.search(r"[\u04c8\u04ca\u04a5]", text)  # variant 'en' letters


EXTENSION = os.path.join(os.path.dirname(__file__), "..")


def extension_messages():
    from babel.messages.extract import extract_from_dir
    method_map = [("**/tests/**", "ignore"), ("**.py", "python"),
                  ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}
    return {message for _file, _line, message, _comments, _ctx
            in extract_from_dir(EXTENSION, method_map, options_map=options,
                                keywords={"_": None})}


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_string_of_ckanext_kg_is_translated(locale):
    path = os.path.join(EXTENSION, "i18n", locale, "LC_MESSAGES", "ckanext-kg.po")
    translated = {e.msgid for e in polib.pofile(path)
                  if e.msgstr.strip() and "fuzzy" not in e.flags}
    assert sorted(extension_messages() - translated) == []
