"""Through the real portal (gunicorn, the seed catalogue): a table's
preview filtered and sorted from its address, and the CSV its page links
to hold the same rows."""
import csv
import io
import json
import re
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

pytestmark = pytest.mark.e2e

PACKAGE = json.loads((Path(__file__).resolve().parents[2] / "datasets"
                      / "kyrgyz-respublikasynyn-kalkynyn-sany-jana-ichki-dung-produktusu"
                      / "datapackage.json").read_text(encoding="utf-8"))


def population_page(portal) -> str:
    resource = next(r for r in portal.api().action.package_show(id=PACKAGE["name"])["resources"]
                    if r["name"] == "population")
    return f"{portal.url}/ru/dataset/{PACKAGE['name']}/resource/{resource['id']}"


def test_a_filtered_preview_and_its_csv_download_hold_the_same_rows(catalogue_portal):
    page = requests.get(population_page(catalogue_portal), timeout=60, params={
        "min.year": "2000", "max.year": "2004", "sort": "population", "order": "desc"})
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    explorer = html.select_one(".kg-explorer")
    shown = [[re.sub(r"\s", "", td.get_text()) for td in tr.select("td")]
             for tr in explorer.select(".kg-view-preview tbody tr")]
    assert [row[2] for row in shown] == ["2004", "2003", "2002", "2001", "2000"]
    link = explorer.select_one("a[data-kg-format='csv']")["href"]
    download = requests.get(catalogue_portal.url + link, timeout=60)
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8"))))
    assert rows[0] == ["country_name", "country_code", "year", "population"]
    assert [[re.sub(r"\s", "", cell) for cell in r] for r in rows[1:]] == shown
    assert html.select_one("[data-kg-chart]") is not None


def test_a_hostile_preview_address_is_a_400_in_russian(catalogue_portal):
    page = requests.get(population_page(catalogue_portal), timeout=60,
                        params={"min.year": "много"})
    assert page.status_code == 400
    assert "Укажите число" in page.text
