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


DIVISIONS = "kyrgyz-respublikasynyn-administrativdik-aimaktyk-bolunushu"
# settlements per region: the districts table's settlement_count added up per region
SETTLEMENTS = [("Чүй", "113"), ("Ош", "79"), ("Жалалабат", "75"), ("Ысык-Көл", "63"),
               ("Нарын", "60"), ("Талас", "36"), ("Баткен", "34")]
# the table's own rows hold English names (its name_en column): the
# interface's words are checked, and the regions' names in the chart's table
ENGLISH_BY_REGION = ("By region", "Region", " by region", "Column of division codes",
                     "Bar chart")


@pytest.mark.parametrize("lang, kind, caption", [
    ("ky", "Аймактар боюнча", "аймактар боюнча"), ("ru", "По регионам", "по регионам")])
def test_a_journalist_draws_the_districts_by_region(open_journey, catalogue_portal,
                                                    lang, kind, caption):
    journey = open_journey(catalogue_portal.url)
    page = journey.page
    districts = next(r for r in catalogue_portal.api().action.package_show(
        id=DIVISIONS)["resources"] if r["name"] == "districts")
    journey.visit(f"/{lang}/dataset/{DIVISIONS}/resource/{districts['id']}"
                  "?chart.y=settlement_count", f"districts {lang}")
    chosen = page.locator(".kg-chart-choice select[name='chart'] option:checked")
    assert chosen.inner_text().strip() == kind  # the default of a table of division codes
    drawn = page.evaluate("() => !!Chart.getChart(document.querySelector('.kg-chart canvas'))")
    assert drawn, "no chart drawn"
    assert caption in page.locator(".kg-chart figcaption").inner_text()
    page.locator(".kg-chart-data summary").click()
    journey.step(f"by region, as a table {lang}")
    rows = [(row.locator("th").inner_text().strip(), row.locator("td").inner_text().strip())
            for row in page.locator(".kg-chart-data tbody tr").all()]
    assert rows[:len(SETTLEMENTS)] == SETTLEMENTS
    assert_no_english(page)
    text = page.locator(".kg-explorer").inner_text()
    assert [word for word in ENGLISH_BY_REGION if word in text] == []
