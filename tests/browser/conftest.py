"""Fixtures for the browser journeys: Debian's Chromium driven by Playwright.

Playwright is given the system browser through `executable_path` (default
/usr/bin/chromium, or KG_CHROMIUM); its own browser downloads are never
used. Where that browser is missing the journeys are skipped, saying so.

Each journey goes through `Journey.step()`, which saves a screenshot under
var/screenshots/<test>/, runs axe-core on the page and fails on any
JavaScript error or serious accessibility violation logged so far.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
BLOCKING_IMPACTS = ("critical", "serious")

# axe-core rules not enforced, each with the reason. Empty: every page the
# journeys visit passes every rule at the impacts above.
EXCLUDED_AXE_RULES: dict[str, str] = {}

# The tables of the journeys: the first regions of the seed dataset of
# administrative divisions (source: Open Admin Data, see datasets/README.md).
REGIONS_CSV = (ROOT / "datasets" / "kyrgyz-respublikasynyn-administrativdik-aimaktyk-bolunushu"
               / "regions.csv")
TABLE_SCHEMA = {"fields": [
    {"name": "code", "type": "string", "title": "Код"},
    {"name": "name_ky", "type": "string", "title": "Аталышы"},
    {"name": "district_count", "type": "integer", "title": "Райондор"},
    {"name": "settlement_count", "type": "integer", "title": "Калктуу конуштар"}]}


def region_rows(count: int = 3) -> list[dict]:
    """The first regions of the seed file, typed as the Table Schema says."""
    with REGIONS_CSV.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))[:count]
    return [{"code": r["code"], "name_ky": r["name_ky"],
             "district_count": int(r["district_count"]),
             "settlement_count": int(r["settlement_count"])} for r in rows]


def table_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[f["name"] for f in TABLE_SCHEMA["fields"]],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def chromium_path() -> Path:
    return Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium under Playwright, once per test session."""
    path = chromium_path()
    if not path.exists():
        pytest.skip(f"no Chromium at {path}: install Debian's `chromium` package "
                    "(apt-get install chromium) or point KG_CHROMIUM at a Chromium binary")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def axe_blocking_violations(page) -> list[str]:
    """axe-core's critical and serious violations on the page, readable."""
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page).response
    return [f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
                f"  at {' '.join(node['target'])}: {node.get('failureSummary', '')}"
                for node in v["nodes"][:5])
            for v in results["violations"]
            if v["impact"] in BLOCKING_IMPACTS and v["id"] not in EXCLUDED_AXE_RULES]


@dataclass
class Journey:
    """One person's way through the portal, in one browser context."""
    page: object
    base_url: str
    shots: Path
    errors: list[str] = field(default_factory=list)
    steps: int = 0

    def visit(self, path: str, name: str | None = None):
        self.page.goto(self.base_url + path)
        self.step(name or path)
        return self.page

    def step(self, name: str) -> None:
        """Screenshot, accessibility check and JavaScript errors of the page now."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        slug = re.sub(r"[^\w.-]+", "-", name).strip("-") or "page"
        self.page.screenshot(path=str(self.shots / f"{self.steps:02d}-{slug}.png"),
                             full_page=True)
        violations = axe_blocking_violations(self.page)
        assert not violations, f"accessibility on {self.page.url}:\n" + "\n".join(violations)
        self.assert_no_javascript_errors()

    def assert_no_javascript_errors(self) -> None:
        errors, self.errors[:] = list(self.errors), []
        assert not errors, "JavaScript errors:\n" + "\n".join(errors)

    def html_lang(self) -> str:
        return self.page.locator("html").get_attribute("lang")


def _watch(page, errors: list[str]) -> None:
    def on_console(message):
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url')}) "
                          f"on {page.url}")
    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error} on {page.url}"))


@pytest.fixture
def open_journey(request, chromium):
    """Opens journeys in fresh browser contexts (no cookies), closed after
    the test; screenshots in var/screenshots/<test>/."""
    shots = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", request.node.name, flags=re.ASCII)
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    contexts = []

    def open_(base_url: str) -> Journey:
        context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                       accept_downloads=True)
        context.set_default_timeout(30_000)
        contexts.append(context)
        trip = Journey(context.new_page(), base_url, shots)
        _watch(trip.page, trip.errors)
        return trip

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def journey(open_journey, portal):
    """A journey on the e2e portal; fails on JavaScript errors logged after
    its last step too."""
    trip = open_journey(portal.url)
    yield trip
    trip.assert_no_javascript_errors()


def upload_table(api, dataset_id: str, data: str, name: str, schema=TABLE_SCHEMA) -> dict:
    upload = io.BytesIO(data.encode("utf-8"))
    upload.name = "oblustar.csv"
    return api.action.resource_create(package_id=dataset_id, url="oblustar.csv", format="CSV",
                                      name=name, schema=json.dumps(schema), upload=upload)


@pytest.fixture(scope="module")
def published_table(portal, compliant_dataset):
    """A public, code-compliant dataset whose table passed validation and is
    in the DataStore: what journalists and developers find. Purged after each
    module, so that the other end-to-end tests sharing the session's portal
    see only their own catalogue."""
    admin = portal.sysadmin()
    org = admin.action.organization_create(
        name="stat-browser", title_translated={"ky": "Улуттук статистика комитети",
                                               "ru": "Национальный статистический комитет"})
    dataset = admin.action.package_create(name="oblustardagy-kalktuu-konushtar",
                                          **compliant_dataset(
        org["id"], "Облустардагы калктуу конуштар", "Населённые пункты по областям",
        private=True, resources=[]))
    rows = region_rows()
    resource = upload_table(admin, dataset["id"], table_csv(rows), "Облустар")
    assert admin.action.kg_validation_show(id=resource["id"])["status"] == "success"
    admin.action.package_patch(id=dataset["id"], private=False)
    yield {"organization": org, "dataset": admin.action.package_show(id=dataset["id"]),
           "resource": resource, "rows": rows}
    admin.action.dataset_purge(id=dataset["id"])
    admin.action.organization_purge(id=org["id"])
