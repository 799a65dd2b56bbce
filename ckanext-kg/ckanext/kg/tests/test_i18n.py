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


def template_extensions():
    """The Jinja extensions the catalogue is extracted with (babel.cfg):
    CKAN's own tags, without which every template using one is skipped."""
    import configparser
    config = configparser.ConfigParser()
    config.read(os.path.join(EXTENSION, "..", "..", "babel.cfg"))
    return config["jinja2: **/templates/**.html"]["extensions"]


def extension_messages():
    from babel.messages.extract import extract_from_dir
    method_map = [("**/tests/**", "ignore"), ("**.py", "python"),
                  ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": template_extensions()}}
    return {message for _file, _line, message, _comments, _ctx
            in extract_from_dir(EXTENSION, method_map, options_map=options,
                                keywords={"_": None, "N_": None})}


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_string_of_ckanext_kg_is_translated(locale):
    path = os.path.join(EXTENSION, "i18n", locale, "LC_MESSAGES", "ckanext-kg.po")
    translated = {e.msgid for e in polib.pofile(path)
                  if e.msgstr.strip() and "fuzzy" not in e.flags}
    assert sorted(extension_messages() - translated) == []


def forms_for_many(locale):
    """The plural forms (their index) that the locale uses for some count
    other than 1: such a form must show the count (in Russian, form 0 is
    also used for 21, 31, ...)."""
    from babel import Locale
    rule = Locale(locale).plural_form
    tags = sorted(rule.tags | {"other"}, key=["one", "few", "many", "other"].index)
    return {tags.index(rule(n)) for n in range(200) if n != 1}


@pytest.mark.parametrize("path", [
    os.path.join(CATALOGUES, "{locale}", "LC_MESSAGES", "ckan.po"),
    os.path.join(EXTENSION, "i18n", "{locale}", "LC_MESSAGES", "ckanext-kg.po")])
@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_a_plural_form_used_for_many_counts_shows_the_count(locale, path):
    many = forms_for_many(locale)
    broken = []
    for entry in polib.pofile(path.format(locale=locale)):
        needed = sorted(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for index, form in entry.msgstr_plural.items():
            if index in many and form and sorted(PLACEHOLDER.findall(form)) != needed:
                broken.append((index, form))
    assert broken == []


def test_the_catalogues_template_is_the_installed_ckans():
    """`ckan translation js` picks the strings CKAN's JavaScript uses from the
    template beside the catalogues: it must be the installed CKAN's."""
    with open(os.path.join(CATALOGUES, "ckan.pot"), encoding="utf-8") as ours, \
            open(CORE_POT, encoding="utf-8") as installed:
        assert ours.read() == installed.read()


@pytest.mark.parametrize("locale, show_more", [("ky", "Дагы көрсөтүү"),
                                               ("ru", "Показать ещё")])
def test_every_javascript_string_is_translated(tmp_path, ckan_config, monkeypatch,
                                               locale, show_more):
    import json

    from ckan.lib import i18n
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    monkeypatch.setitem(ckan_config, "ckan.i18n_directory", CATALOGUES)
    i18n.build_js_translations()  # what `ckan translation js` does
    with open(tmp_path / "i18n" / "js" / f"{locale}.js", encoding="utf-8") as stream:
        built = json.load(stream)
    assert built["Show more"] == [None, show_more]
    used = set(i18n._get_js_translation_entries(CORE_POT))
    assert sorted(used - set(built)) == []
