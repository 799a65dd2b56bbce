"""A journalist explores a seed table before downloading it, in Kyrgyz and
in Russian: its chart, its rows sorted and filtered, and the download of
exactly those rows; no English on the way."""
import csv
import io
import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PACKAGE = json.loads((Path(__file__).resolve().parents[2] / "datasets"
                      / "kyrgyz-respublikasynyn-kalkynyn-sany-jana-ichki-dung-produktusu"
                      / "datapackage.json").read_text(encoding="utf-8"))
ENGLISH = ("Filter the rows", "Show the rows", "Kind of chart", "Line chart", "Draw",
           "Download these rows", "Download the table", "Sort by", "Next page", "Page ",
           "The chart as a table", "equals", " over ")


def shown_rows(page) -> list[list[str]]:
    return [[re.sub(r"\s", "", cell) for cell in row.locator("td").all_inner_texts()]
            for row in page.locator(".kg-view-preview tbody tr").all()]


def assert_no_english(page) -> None:
    text = page.locator(".kg-explorer").inner_text()
    found = [word for word in ENGLISH if word in text]
    assert not found, f"English on {page.url}: {found}"


@pytest.mark.parametrize("lang, show, years", [
    ("ky", "Саптарды көрсөтүү", "Жыл"), ("ru", "Показать строки", "Год")])
def test_a_journalist_explores_the_population_table(open_journey, catalogue_portal,
                                                    lang, show, years):
    journey = open_journey(catalogue_portal.url)
    page = journey.page
    resource = next(r for r in catalogue_portal.api().action.package_show(
        id=PACKAGE["name"])["resources"] if r["name"] == "population")
    journey.visit(f"/{lang}/dataset/{PACKAGE['name']}/resource/{resource['id']}",
                  f"population {lang}")
    assert journey.html_lang() == lang
    drawn = page.evaluate("() => !!Chart.getChart(document.querySelector('.kg-chart canvas'))")
    assert drawn, "no chart drawn"
    assert_no_english(page)

    with page.expect_navigation():
        page.locator(".kg-view-preview thead th a", has_text=years).click()
    with page.expect_navigation():
        page.locator(".kg-view-preview thead th a", has_text=years).click()
    journey.step(f"sorted by year, latest first {lang}")
    assert page.locator(".kg-view-preview thead th[aria-sort='descending']").count() == 1

    page.locator(".kg-explorer-filters summary").click()
    year_from = page.locator("input[name='min.year']")
    year_from.fill("2010")
    page.locator("input[name='max.year']").fill("2014")
    with page.expect_navigation():
        page.get_by_role("button", name=show).click()
    journey.step(f"2010 to 2014 {lang}")
    shown = shown_rows(page)
    assert [row[2] for row in shown] == ["2014", "2013", "2012", "2011", "2010"]
    assert "min.year=2010" in page.url
    assert_no_english(page)

    link = page.locator(".kg-explorer-downloads a[data-kg-format='csv']")
    with page.expect_download() as download:
        link.click()
    got = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert [[re.sub(r"\s", "", cell) for cell in row] for row in got[1:]] == shown
