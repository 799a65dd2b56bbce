"""Switching language keeps the page and changes what it says."""
import re

import pytest

pytestmark = pytest.mark.browser

# The main navigation's link to the datasets, in each language.
DATASETS = {"ky": "Маалыматтар топтомдору", "ru": "Наборы данных", "en": "Datasets"}
# CKAN's own English strings that stock CKAN shows on these pages.
ENGLISH = ["Datasets", "Organizations", "Groups", "About", "Log in", "Register", "Search",
           "Language", "Order by", "Data and Resources", "Additional Info", "Followers",
           "License", "Explore", "Activity Stream", "Home", "Powered by", "No description"]
# Latin-script words that are names, not English, on a Kyrgyz or Russian page.
NAMES = {"CKAN", "API", "OpenAPI", "CSV", "JSON", "XLSX", "Parquet", "Excel", "SQL", "PDF",
         "curl", "Python", "ckanapi", "X", "Facebook",
         "Creative", "Commons", "Attribution"}  # the licence's own name, in every catalogue
# Visible text of the page, leaving out code and what is marked as English
# (the language switch names English in English).
VISIBLE_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.trim();
    if (!text || !element || element.closest('script, style, pre, code, select')) continue;
    if (element.closest('[lang]').lang === 'en' || !element.checkVisibility()) continue;
    texts.push(text);
  }
  return texts;
}"""


def without_names(text: str) -> str:
    """The text less addresses, codes, file names and "e-mail" (a Russian
    word, as Russian writes it)."""
    return re.sub(r"\S*[@/.\d]\S*|\be-mail\b", " ", text)


def english_left(page) -> list[str]:
    """CKAN's known English strings, and any other visible text with a
    Latin-script word that is not a name."""
    texts = page.evaluate(VISIBLE_TEXT)
    text = "\n".join(texts)
    known = [s for s in ENGLISH if re.search(rf"\b{re.escape(s)}\b", text)]
    other = [t for t in texts if set(re.findall(r"\b[A-Za-z]+\b", without_names(t))) - NAMES]
    return known + other


PAGES = {
    "front": lambda table: "/",
    "dataset list": lambda table: "/dataset/",
    "dataset": lambda table: f"/dataset/{table['dataset']['name']}",
    "organization": lambda table: f"/organization/{table['organization']['name']}",
}


def switch_language(journey, lang: str, kind: str) -> None:
    page = journey.page
    switch = page.locator("select[name=url]").filter(has=page.locator(f'option[lang="{lang}"]'))
    value = switch.locator(f'option[lang="{lang}"]').get_attribute("value")
    with page.expect_navigation():
        switch.select_option(value)
    journey.step(f"{lang} {kind}")


@pytest.mark.parametrize("kind", PAGES)
def test_switching_language_keeps_the_page_and_changes_its_words(
        journey, published_table, kind):
    path = PAGES[kind](published_table)
    page = journey.visit(path, f"ky {kind}")
    assert journey.html_lang() == "ky"
    assert english_left(page) == []
    for lang, prefix in (("ru", "/ru"), ("en", "/en"), ("ky", "/ky")):
        switch_language(journey, lang, kind)
        assert page.url == journey.base_url + prefix + path
        assert journey.html_lang() == lang
        assert page.get_by_role("link", name=DATASETS[lang], exact=True).count() >= 1
        if lang != "en":
            assert english_left(page) == []
