"""A journalist finds a table by searching in Kyrgyz and in Russian, and
downloads it for Excel."""
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

TITLE_KY = "Облустардагы калктуу конуштар"
TITLE_RU = "Населённые пункты по областям"


def search(journey, label: str, words: str):
    box = journey.page.get_by_label(label).first
    box.fill(words)
    with journey.page.expect_navigation():
        box.press("Enter")
    journey.step(f"search {words}")


def test_journalist_searches_in_kyrgyz_and_russian_and_downloads_for_excel(
        journey, published_table):
    page = journey.page
    journey.visit("/", "front")
    search(journey, "Маалыматтар топтомдорун издөө", "калк")
    assert journey.html_lang() == "ky"
    searched = urlsplit(page.url)
    assert (searched.path.rstrip("/"), parse_qs(searched.query)["q"]) == ("/dataset", ["калк"])
    assert page.get_by_role("link", name=TITLE_KY).count() == 1

    journey.visit("/ru/", "front ru")
    search(journey, "Поиск наборов данных", "население")
    assert journey.html_lang() == "ru"
    assert page.get_by_role("link", name=TITLE_RU).count() == 1
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE_RU).click()
    journey.step("dataset ru")
    assert page.url.endswith(f"/ru/dataset/{published_table['dataset']['name']}")

    link = page.locator('#kg-downloads a[data-kg-format="excel"]')
    assert link.count() == 1, "no CSV-for-Excel link in #kg-downloads"
    assert "/export/excel" in link.get_attribute("href")
    with page.expect_download() as download:
        link.click()
    data = download.value.path().read_bytes()
    assert download.value.suggested_filename == "oblustar.excel.csv"
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "code;name_ky;district_count;settlement_count"] + [
        f"{r['code']};{r['name_ky']};{r['district_count']};{r['settlement_count']}"
        for r in published_table["rows"]]
    assert "Ысык-Көл" in data.decode("utf-8-sig")
