"""Exploring a table on its resource page: sorted, filtered and paged
from the page's address, downloads of exactly the rows shown, a chart
from its Table Schema, and refusals of what cannot be right."""
import csv
import io
import json

import pytest
from ckan.tests import factories, helpers

from ckanext.kg.tests.conftest import portal_schema
from ckanext.kg.tests.publishing.gate.test_validation import dataset, publish  # noqa: F401
from ckanext.kg.tests.test_resource_pages import SCHEMA, soup, texts

pytestmark = portal_schema

ROWS = ("region,year,population,density,code\n"
        "Ысык-Көл,2021,505000,11.5,KG02000000000\n"
        "Нарын,2021,298000,6.4,KG04000000000\n"
        "Ысык-Көл,2022,509000,11.6,KG02000000000\n"
        "Нарын,2022,300100,6.5,KG04000000000\n"
        "Ысык-Көл,2023,513000,11.75,KG02000000000\n"
        "Нарын,2023,301600,6.5,KG04000000000\n")


@pytest.fixture
def table(upload_file, dataset):  # noqa: F811
    resource = upload_file(ROWS, "population.csv", package_id=dataset["id"],
                           url="population.csv", format="CSV", name="population",
                           schema=json.dumps(SCHEMA))
    publish(dataset)
    return dataset, resource


def page_of(app, table, lang="ru", status=200, **params):
    pkg, resource = table
    return app.get(f"/{lang}/dataset/{pkg['name']}/resource/{resource['id']}",
                   params=params, status=status)


def shown_rows(page) -> list[list[str]]:
    return [texts(row.select("td")) for row in page.select(".kg-view-preview tbody tr")]


def test_a_filter_by_choice_and_range_shows_only_matching_rows(app, table):
    page = soup(page_of(app, table, **{"eq.region": "Нарын", "min.population": "300 000"}))
    assert [row[:3] for row in shown_rows(page)] == [
        ["Нарын", "2022", "300\u00a0100"], ["Нарын", "2023", "301\u00a0600"]]
    assert page.select_one("select[name='eq.region'] option[selected]")["value"] == "Нарын"


def test_sorting_by_a_column_descending(app, table):
    page = soup(page_of(app, table, sort="population", order="desc"))
    assert [row[2] for row in shown_rows(page)][:2] == ["513\u00a0000", "509\u00a0000"]
    header = page.select(".kg-view-preview thead th")[2]
    assert header["aria-sort"] == "descending"
    assert "order=desc" not in header.select_one("a")["href"]  # the link sorts ascending


def test_words_in_a_text_column(app, table):
    page = soup(page_of(app, table, **{"has.code": "KG04000000000"}))
    assert {row[0] for row in shown_rows(page)} == {"Нарын"}
    page = soup(page_of(app, table, **{"eq.code": "KG02000000000"}))
    assert {row[0] for row in shown_rows(page)} == {"Ысык-Көл"}


def test_every_download_link_gives_exactly_the_rows_shown(app, table):
    response = page_of(app, table, **{"eq.region": "Ысык-Көл", "max.year": "2022"},
                       sort="population", order="desc")
    page = soup(response)
    links = page.select("a[data-kg-format='csv']")
    assert len(links) == 2  # the page's download menu and the preview's
    for link in links:
        assert "filters=" in link["href"] and "sort=" in link["href"]
        rows = list(csv.reader(io.StringIO(app.get(link["href"]).body)))
        assert [r[:3] for r in rows[1:]] == [["Ысык-Көл", "2022", "509000"],
                                             ["Ысык-Көл", "2021", "505000"]]
    assert [row[:3] for row in shown_rows(page)] == [
        ["Ысык-Көл", "2022", "509\u00a0000"], ["Ысык-Көл", "2021", "505\u00a0000"]]


def test_paging_keeps_the_filters(app, table, monkeypatch):
    from ckanext.kg import preview
    monkeypatch.setattr(preview, "ROWS", 2)
    page = soup(page_of(app, table, sort="year", page="2"))
    assert [row[1] for row in shown_rows(page)] == ["2022", "2022"]
    assert "page=3" in page.select_one("a[rel=next]")["href"]
    assert "sort=year" in page.select_one("a[rel=next]")["href"]


def test_column_titles_are_in_the_readers_language(app, table):
    page = soup(page_of(app, table, lang="ky"))
    assert texts(page.select(".kg-view-preview thead th"))[:3] == ["Облус", "Жыл", "Калкы"]


def test_a_line_chart_over_the_years_one_line_per_region(app, table):
    page = soup(page_of(app, table, lang="ru"))
    figures = json.loads(page.select_one("[data-kg-chart]")["data-kg-chart"])
    assert figures["kind"] == "line"
    assert figures["labels"] == ["2021", "2022", "2023"]
    assert {s["name"]: s["values"] for s in figures["series"]} == {
        "Ысык-Көл": [505000, 509000, 513000], "Нарын": [298000, 300100, 301600]}
    assert (figures["group"], figures["decimal"]) == ("\u00a0", ",")
    assert page.select_one("canvas")["role"] == "img"
    assert page.select("details.kg-chart-data table tbody tr")


def test_a_reader_chooses_a_bar_chart(app, table):
    page = soup(page_of(app, table, chart="bar", **{"chart.y": "density"}))
    figures = json.loads(page.select_one("[data-kg-chart]")["data-kg-chart"])
    assert (figures["kind"], figures["labels"]) == ("bar", ["Ысык-Көл", "Нарын"])
    assert figures["series"][0]["values"] == [34.85, 19.4]


@pytest.mark.parametrize("params, parameter", [
    ({"sort": "nope"}, "sort"),
    ({"order": "up"}, "order"),
    ({"page": "0"}, "page"),
    ({"page": "9" * 40}, "page"),
    ({"min.population": "много"}, "min.population"),
    ({"min.population": "1e999999"}, "min.population"),
    ({"eq.region": "Чүй"}, "eq.region"),
    ({"min.region": "1"}, "min.region"),
    ({"eq.nope": "1"}, "eq.nope"),
    ({"has.code": "x" * 500}, "has.code"),
    ({"has.region": "Нарын"}, "has.region"),
    ({"chart": "pie"}, "chart"),
    ({"chart": "line", "chart.x": "region"}, "chart.x"),
])
def test_hostile_parameters_are_refused_naming_them_in_russian(app, table, params, parameter):
    response = page_of(app, table, status=400, **params)
    assert parameter in response.body
    assert "Internal" not in response.body


def test_a_private_tables_preview_shows_nothing_to_an_anonymous_reader(app, upload_file,
                                                                       dataset):  # noqa: F811
    resource = upload_file(ROWS, "population.csv", package_id=dataset["id"],
                           url="population.csv", format="CSV", schema=json.dumps(SCHEMA))
    page = f"/dataset/{dataset['name']}/resource/{resource['id']}"
    app.get(page, params={"eq.region": "Нарын"}, status=404)
    app.get("/api/3/action/datastore_search", params={"resource_id": resource["id"]},
            status=404)  # forbidden answered as missing
    from ckanext.kg import table_explorer
    with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": "ru"}):
        assert table_explorer.explore(helpers.call_action(
            "resource_show", id=resource["id"]), {"eq.region": ["Нарын"]}) is None
    sysadmin = factories.Sysadmin()
    with app.flask_app.test_request_context("/", environ_overrides={"CKAN_LANG": "ru"}):
        import flask_login
        from ckan import model
        flask_login.login_user(model.User.get(sysadmin["name"]))
        shown = table_explorer.explore(helpers.call_action("resource_show", id=resource["id"]),
                                       {"eq.region": ["Нарын"]})
    assert shown["total"] == 3


def test_the_publisher_chooses_the_chart_and_the_form_checks_its_columns(table):
    pkg, resource = table
    sysadmin = {"user": factories.Sysadmin()["name"]}
    with pytest.raises(Exception) as refused:
        helpers.call_action("resource_patch", context=dict(sysadmin), id=resource["id"],
                            chart_type="bar", chart_x="year", chart_y="nope")
    errors = str(refused.value)
    assert "chart_x" in errors and "chart_y" in errors
    helpers.call_action("resource_patch", context=dict(sysadmin), id=resource["id"],
                        chart_type="bar", chart_x="region", chart_y="density")
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert (shown["chart_type"], shown["chart_x"], shown["chart_y"]) == (
        "bar", "region", "density")


def _options(page, name: str) -> list[tuple[str, str]]:
    return [(o["value"], " ".join(o.get_text().split()))
            for o in page.select(f"select[name='{name}'] option")]


def test_the_resource_form_offers_the_tables_own_columns_for_the_chart(app, table):
    pkg, resource = table
    helpers.call_action("resource_patch", context={"user": factories.Sysadmin()["name"]},
                        id=resource["id"], chart_type="bar", chart_x="region",
                        chart_y="density")
    token = factories.SysadminWithToken()["token"]
    page = soup(app.get(f"/ru/dataset/{pkg['name']}/resource/{resource['id']}/edit",
                        headers={"Authorization": token}))
    assert _options(page, "chart_x") == [
        ("", "Выбирает портал"), ("year", "Год"), ("region", "Область"), ("code", "code")]
    assert _options(page, "chart_y") == [
        ("", "Выбирает портал"), ("population", "Население"), ("density", "Density")]
    assert _options(page, "chart_by") == [
        ("", "Нет: одна линия"), ("region", "Область"), ("code", "code")]
    chosen = {name: page.select_one(f"select[name='{name}'] option[selected]")["value"]
              for name in ("chart_type", "chart_x", "chart_y")}
    assert chosen == {"chart_type": "bar", "chart_x": "region", "chart_y": "density"}
    assert page.select_one("label[for='field-chart_x']") is not None


def test_without_a_table_schema_the_form_takes_a_columns_name(app, dataset):  # noqa: F811
    resource = helpers.call_action(
        "resource_create", context={"user": factories.Sysadmin()["name"]},
        package_id=dataset["id"], url="http://example.invalid/report.pdf", format="PDF",
        name="report")
    token = factories.SysadminWithToken()["token"]
    page = soup(app.get(f"/ru/dataset/{dataset['name']}/resource/{resource['id']}/edit",
                        headers={"Authorization": token}))
    assert page.select_one("select[name='chart_x']") is None
    assert page.select_one("input[name='chart_x']")["type"] == "text"


# by region: the table's column `code` holds administrative division codes

@pytest.mark.parametrize("lang, names, shown, caption", [
    ("ky", ["Ысык-Көл", "Нарын"], ["1\u00a0527\u00a0000", "899\u00a0700"],
     "Калкы аймактар боюнча"),
    ("ru", ["Ысык-Көл", "Нарын"], ["1\u00a0527\u00a0000", "899\u00a0700"],
     "Население по регионам"),
    ("en", ["Issyk-Kul", "Naryn"], ["1,527,000", "899,700"], "Population by region"),
])
def test_a_reader_sees_the_table_by_region(app, table, lang, names, shown, caption):
    page = soup(page_of(app, table, lang=lang, chart="region"))
    figures = json.loads(page.select_one("[data-kg-chart]")["data-kg-chart"])
    assert (figures["kind"], figures["labels"]) == ("region", names)
    assert figures["series"][0]["values"] == [1527000, 899700]
    rows = page.select("details.kg-chart-data table tbody tr")
    assert [(texts(r.select("th"))[0], texts(r.select("td"))[0]) for r in rows] == list(
        zip(names, shown, strict=True))
    assert texts(page.select("figcaption"))[0].startswith(caption)
    kinds = [o["value"] for o in page.select("select[name='chart'] option")]
    assert kinds == ["line", "bar", "region", "none"]


def test_the_publisher_chooses_the_chart_by_region(app, table):
    pkg, resource = table
    sysadmin = {"user": factories.Sysadmin()["name"]}
    with pytest.raises(helpers.logic.ValidationError) as refused:
        helpers.call_action("resource_patch", context=dict(sysadmin), id=resource["id"],
                            chart_type="region", chart_x="region", chart_y="population")
    assert refused.value.error_dict == {"chart_x": [
        "A chart by region needs a column of administrative division codes here."]}
    helpers.call_action("resource_patch", context=dict(sysadmin), id=resource["id"],
                        chart_type="region", chart_x="code", chart_y="population")
    figures = json.loads(soup(page_of(app, table, lang="en")).select_one(
        "[data-kg-chart]")["data-kg-chart"])
    assert (figures["kind"], figures["labels"]) == ("region", ["Issyk-Kul", "Naryn"])


def test_a_table_without_division_codes_offers_no_chart_by_region(app, upload_file,
                                                                   dataset):  # noqa: F811
    fields = [f for f in SCHEMA["fields"] if f["name"] != "code"]
    resource = upload_file("region,year,population,density\nНарын,2023,301600,6.5\n",
                           "population.csv", package_id=dataset["id"], url="population.csv",
                           format="CSV", name="population",
                           schema=json.dumps(dict(SCHEMA, fields=fields)))
    publish(dataset)
    page = soup(page_of(app, (dataset, resource)))
    assert [o["value"] for o in page.select("select[name='chart'] option")] == [
        "line", "bar", "none"]
