"""A journalist's first visit to the catalogue a fresh `make run` serves:
anonymous, from the front page, a search in Kyrgyz, a dataset of the seed
catalogue, its regions table downloaded for Excel."""
import csv
import io
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

DIVISIONS = (Path(__file__).resolve().parents[2] / "datasets"
             / "kyrgyz-respublikasynyn-administrativdik-aimaktyk-bolunushu")
PACKAGE = json.loads((DIVISIONS / "datapackage.json").read_text(encoding="utf-8"))
TITLE_KY = PACKAGE["kg"]["title_translated"]["ky"]


def test_an_anonymous_journalist_finds_bishkek_and_downloads_the_regions_for_excel(
        open_journey, catalogue_portal):
    journey = open_journey(catalogue_portal.url)
    page = journey.page
    journey.visit("/", "front")
    assert journey.html_lang() == "ky"
    assert page.locator(".kg-count").first.inner_text().startswith(
        str(catalogue_portal_public_count(catalogue_portal)))

    box = page.get_by_label("Маалыматтар топтомдорун издөө").first
    box.fill("Бишкек")
    with page.expect_navigation():
        box.press("Enter")
    journey.step("search Бишкек")
    found = page.locator(f'.dataset-heading a[href$="/dataset/{PACKAGE["name"]}"]')
    assert found.count() == 1
    assert TITLE_KY.startswith(found.inner_text().rstrip(".…"))  # long titles are cut
    with page.expect_navigation():
        found.click()
    journey.step("dataset")
    assert page.url.endswith(f"/dataset/{PACKAGE['name']}")

    regions = next(r for r in catalogue_portal.api().action.package_show(
        id=PACKAGE["name"])["resources"] if r["name"] == "regions")
    link = page.locator(f'#kg-downloads a[data-kg-format="excel"]'
                        f'[data-kg-resource-id="{regions["id"]}"]')
    with page.expect_download() as download:
        link.click()
    data = download.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    with (DIVISIONS / "regions.csv").open(encoding="utf-8", newline="") as source:
        expected = list(csv.reader(source))
    got = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert got[0] == expected[0]
    assert [row[:3] for row in got[1:]] == [row[:3] for row in expected[1:]]
    assert "Ысык-Көл" in text and "\r\n" in text


def catalogue_portal_public_count(portal) -> int:
    return portal.api().action.package_search(rows=0)["count"]
