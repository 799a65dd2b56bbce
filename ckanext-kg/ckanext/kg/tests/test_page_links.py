"""The links of the catalogue pages (facet items, filter pills, pager) are
the ones CKAN's own helpers give: the same address with its language
prefix, the same parameters in the same order, the same escaping.

Each page is rendered twice: as the portal renders it, and with
`h.kg_facet_items` replaced by CKAN's `add_url_param`/`remove_url_param`
per item (what the facet list called before). The pills and the pager
are compared with CKAN's helpers called in the page's own request."""
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from ckan.lib import helpers as ckan_helpers
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema


def _dataset(agency: dict, group: dict, name: str, words: list[str], fmt: str) -> dict:
    return helpers.call_action(
        "package_create", context={"user": factories.Sysadmin()["name"]},
        owner_org=agency["id"], name=name, title_translated={"ky": name, "ru": name},
        notes_translated={"ky": "Калктын саны.", "ru": "Численность населения."},
        keywords={"ky": words, "ru": ["население"]}, groups=[{"id": group["id"]}],
        contact_name="Маалымат бөлүмү", contact_email="info@example.invalid",
        license_id="cc-by", access_level="open", frequency="ANNUAL",
        temporal_start="2023-01-01", spatial_divisions=["KG02000000000"], theme="SOCI",
        resources=[{"url": f"http://example.invalid/{name}.{fmt.lower()}", "format": fmt}])


@pytest.fixture
def catalogue(with_plugins, portal_db, clean_index):
    """Two agencies and a group, 24 datasets (two pages at 20 a page) with
    tags and formats, most of them with characters a query escapes."""
    agencies = [factories.Organization(name=name, title_translated={"ky": name, "ru": name})
                for name in ("stat-agency", "health-agency")]
    group = factories.Group(name="population")
    words = ["калк", "саны", "жаш курак", "v1.2", "эмгек_акы"]
    for n in range(24):
        _dataset(agencies[n % 2], group, f"dataset-{n:02d}",
                 [words[n % 5], words[(n + 2) % 5]], ("CSV", "PDF", "XLS")[n % 3])


PAGES = [
    "/dataset/",
    "/ky/dataset/?tags=калк&ext_note=a%26b%3Dc+100%25&res_format=CSV&q=саны&page=2",
    "/ru/dataset/?organization=stat-agency&tags=v1.2&sort=title_string+asc&_tags_limit=0",
    "/ru/dataset/?res_format=CSV&page=2",
    "/ky/dataset/?tags=калк&tags=калк&res_format=PDF",
    "/ky/organization/stat-agency?tags=калк&res_format=CSV",
    "/ru/group/population?tags=жаш+курак&page=1",
]


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.body, "html.parser")


def parsed(href: str) -> tuple[str, list[tuple[str, str]]]:
    """A link as its path and its query's parameters, in order."""
    parts = urlsplit(href)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)


def facet_links(page: BeautifulSoup) -> list[str]:
    return [a["href"] for a in page.select("nav ul.nav-facet a")]


def ckan_facet_items(name, items, extras=None, alternative_url=None):
    """What the facet list gave each item before `kg_facet_items`."""
    h = ckan_helpers.helper_functions
    return [dict(item, count_text=h.kg_number(item["count"]), href=(
        h.remove_url_param(name, item["name"], extras=extras, alternative_url=alternative_url)
        if item.get("active") else
        h.add_url_param(new_params={name: item["name"]}, extras=extras,
                        alternative_url=alternative_url))) for item in items]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("path", PAGES)
def test_every_facet_link_is_the_one_ckans_helpers_give(app, monkeypatch, path):
    ours = soup(app.get(path))
    monkeypatch.setitem(ckan_helpers.helper_functions, "kg_facet_items", ckan_facet_items)
    theirs = soup(app.get(path))
    links = facet_links(ours)
    assert len(links) >= 5  # agencies, group, tags, formats, ... each with items
    assert [parsed(href) for href in links] == [parsed(href) for href in facet_links(theirs)]
    assert links == facet_links(theirs)
    assert ours.select("nav ul.nav-facet") and \
        [a.get_text(" ", strip=True) for a in ours.select("nav ul.nav-facet a")] == \
        [a.get_text(" ", strip=True) for a in theirs.select("nav ul.nav-facet a")]


@pytest.mark.usefixtures("catalogue")
def test_a_facet_link_keeps_the_language_and_every_other_filter(app):
    path = "/ru/dataset/?tags=калк&tags=жаш+курак&q=саны&ext_note=a%26b+100%25&page=2&sort=name+asc"
    links = [parsed(href) for href in facet_links(soup(app.get(path)))]
    kept = [("tags", "калк"), ("tags", "жаш курак"), ("q", "саны"), ("ext_note", "a&b 100%"),
            ("sort", "name asc")]
    adding = [(p, q) for p, q in links if len(q) == len(kept) + 1]
    assert adding, links
    for link_path, query in adding:  # an item to add: every filter, no page
        assert link_path == "/ru/dataset/"
        assert query[:5] == kept and query[5][0] != "page"
    removing = {tuple(q) for p, q in links if len(q) == len(kept) - 1}
    rest = (("q", "саны"), ("ext_note", "a&b 100%"), ("sort", "name asc"))
    assert removing == {(("tags", "жаш курак"), *rest), (("tags", "калк"), *rest)}


def _pills_and_pager(page: BeautifulSoup) -> tuple[list[str], list[str]]:
    pills = [a["href"] for a in page.select(".filtered.pill a.remove")]
    pager = [a["href"] for a in page.select(".pagination a[href]")]
    return pills, pager


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("path", [p for p in PAGES if "/dataset/" in p])
def test_the_pills_and_the_pager_are_ckans(app, path):
    from ckan.views.dataset import _pager_url
    from flask import request
    client = app.flask_app.test_client()
    with client:  # the request's context stays for CKAN's helpers
        response = client.get(path)
        url = ckan_helpers.url_for("dataset.search")
        params = [(k, v) for k, v in request.args.items(multi=True)  # CKAN's pills
                  if k not in ("page", "q", "sort") and v and not k.startswith(("_", "ext_"))]
        expected_pills = [ckan_helpers.remove_url_param(k, v, alternative_url=url)
                          for k, v in params]
        params_nopage = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
        pages = [_pager_url(params_nopage, "dataset", page=n) for n in (1, 2)]
    pills, pager = _pills_and_pager(BeautifulSoup(response.data, "html.parser"))
    assert [parsed(p) for p in pills] == [parsed(p) for p in expected_pills]
    assert set(pager) <= set(pages)
    assert pager or path != "/dataset/"  # 24 datasets: two pages
    prefix = "/" + path.split("/")[1] + "/" if path.startswith(("/ky/", "/ru/")) else "/"
    assert all(link.startswith(prefix + "dataset/") for link in pills + pager)


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("path", ["/dataset/", "/ru/dataset/?res_format=CSV",
                                  "/ky/organization/stat-agency?page=1"])
def test_each_result_links_its_title_and_formats_to_the_dataset(app, path):
    client = app.flask_app.test_client()
    with client:  # the request's context stays for CKAN's url_for
        page = BeautifulSoup(client.get(path).data, "html.parser")
        items = page.select("li.dataset-item")
        assert items
        for item in items:
            title = item.select_one(".dataset-heading a")
            name = title.get_text(strip=True)
            expected = ckan_helpers.url_for("dataset.read", id=name)
            assert expected.startswith("/ru/" if path.startswith("/ru/") else
                                       "/ky/" if path.startswith("/ky/") else "/dataset/")
            badges = item.select(".dataset-resources a")
            assert badges and [a["href"] for a in [title, *badges]] == \
                [expected] * (1 + len(badges))
            assert [a.get_text(strip=True) for a in badges] == [
                a["data-format"].upper() for a in badges]
