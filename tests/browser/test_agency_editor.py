"""An agency's editor publishes a table through the Kyrgyz interface: log in,
describe the dataset in the form, upload a table, read the validation
report, upload the corrected table, make the dataset public."""
import json

import pytest
import requests

pytestmark = pytest.mark.browser

PASSWORD = "Kalk-2026-tekshiruu"
TITLE_KY = "Облустардын райондору"
SCHEMA = {"fields": [
    {"name": "code", "type": "string"}, {"name": "name_ky", "type": "string"},
    {"name": "district_count", "type": "integer"}]}


@pytest.fixture
def editor(portal):
    """An editor of one agency, created by the sysadmin; purged afterwards."""
    admin = portal.sysadmin()
    user = admin.action.user_create(name="asel-editor", email="asel@example.invalid",
                                    password=PASSWORD, fullname="Асел Токтогулова")
    org = admin.action.organization_create(
        name="nsc-browser", title_translated={"ky": "Улуттук статистика комитети (сыноо)",
                                              "ru": "Нацстатком (проверка)"},
        users=[{"name": user["name"], "capacity": "editor"}])
    yield user
    for dataset in admin.action.package_search(
            fq=f"owner_org:{org['id']}", include_private=True, include_drafts=True)["results"]:
        admin.action.dataset_purge(id=dataset["id"])
    admin.action.organization_purge(id=org["id"])
    admin.action.user_delete(id=user["id"])


def table(rows, tmp_path, name="oblustar.csv"):
    """A CSV file as an agency exports it (code, Kyrgyz name, districts;
    figures from the seed dataset of administrative divisions)."""
    path = tmp_path / name
    path.write_text("code,name_ky,district_count\n"
                    + "".join(f"{code},{name_ky},{count}\n" for code, name_ky, count in rows),
                    encoding="utf-8")
    return path


def log_in(journey, user):
    page = journey.visit("/user/login", "login form")
    page.get_by_label("Колдонуучунун аты же электрондук почта").fill(user["name"])
    page.get_by_label("Сырсөз").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Кирүү", exact=True).click()
    journey.step("logged in")


def describe_dataset(journey):
    page = journey.page
    journey.visit("/dataset/new", "dataset form")
    page.get_by_label("Аталышы (кыргызча)").fill(TITLE_KY)
    page.get_by_label("Аталышы (орусча)").fill("Районы областей")
    page.get_by_label("Сүрөттөмөсү (кыргызча)").fill("Ар бир облустагы райондордун саны.")
    page.get_by_label("Сүрөттөмөсү (орусча)").fill("Число районов в каждой области.")
    page.get_by_label("Ачкыч сөздөр (кыргызча)").fill("райондор, облустар")
    page.get_by_label("Ачкыч сөздөр (орусча)").fill("районы")
    page.get_by_label("Байланыш адамы").fill("Асел Токтогулова")
    page.get_by_label("Байланыш э-почтасы").fill("asel@example.invalid")
    page.get_by_label("Лицензия", exact=True).select_option("cc-by")
    page.get_by_label("Жаңыртуу жыштыгы").select_option("ANNUAL")
    page.get_by_label("Камтылган мезгилдин башы").fill("2026-06-01")
    page.get_by_label("Аймактык камтуу").select_option(["KG02000000000", "KG04000000000"])
    page.get_by_label("Тема").select_option("REGI")
    journey.step("dataset form filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Кийинки: Маалымат кошуу").click()
    journey.step("resource form")


def upload(journey, path, schema=None):
    """Choose a file through the form's own buttons, as a person does."""
    page = journey.page
    clear = page.get_by_role("button", name="Жүктөлгөндү тазалоо")
    if clear.count():  # a file was uploaded before: clear it, then choose anew
        clear.click()
        chooser_opener = page.get_by_role("button", name="Файл")
    else:
        chooser_opener = page.get_by_role("button", name="Компьютериңизден файл жүктөө")
    with page.expect_file_chooser() as chooser:
        chooser_opener.click()
    chooser.value.set_files(path)
    if schema is not None:
        page.get_by_label("Таблица схемасы").fill(json.dumps(schema))
    journey.step(f"upload {path.name}")


def report_page(journey, resource_id: str, name: str):
    """From the dataset page, the validation report of a table."""
    page = journey.page
    entry = page.locator(f'#kg-validation li[data-kg-resource-id="{resource_id}"]')
    with page.expect_navigation():
        entry.get_by_role("link", name="Текшерүү отчету").click()
    journey.step(name)
    return page.locator(".kg-validation-status").inner_text().strip()


def agency_compliance(journey, name: str) -> tuple[str, list[str], list[str]]:
    """From the agency's page, its datasets that do not comply: the share,
    the unmet rules counted, and the datasets listed."""
    page = journey.page
    journey.visit("/organization/nsc-browser", f"agency page: {name}")
    share = page.locator(".kg-agency-compliance .kg-share").get_attribute("data-kg-share")
    with page.expect_navigation():
        page.get_by_role("link", name="Маалыматтар топтомдору жана алардын аткарылбаган "
                                       "эрежелери").click()
    with page.expect_navigation():
        page.locator(".kg-compliance-filter").get_by_role("link", name="Ылайык келбейт").click()
    journey.step(f"agency compliance: {name}")
    rules = page.locator("table.kg-unmet-rules tr[data-kg-rule]")
    listed = page.locator("tr[data-kg-dataset]")
    return (share, [rules.nth(k).get_attribute("data-kg-rule") for k in range(rules.count())],
            [listed.nth(k).get_attribute("data-kg-dataset") for k in range(listed.count())])


def test_editor_publishes_a_table_through_the_kyrgyz_interface(
        journey, editor, portal, tmp_path):
    page = journey.page
    log_in(journey, editor)
    describe_dataset(journey)
    upload(journey, table([("KG02000000000", "Ысык-Көл", "7"),
                           ("KG04000000000", "Нарын", "6 район")], tmp_path), SCHEMA)
    with page.expect_navigation():
        page.get_by_role("button", name="Жарыялоо").click()
    journey.step("dataset with an invalid table")
    name = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert name == "oblustardyn-rayondoru"
    status = page.locator("#kg-validation [data-kg-validation-status]")
    assert status.get_attribute("data-kg-validation-status") == "failure"
    resource_id = page.locator("#kg-validation li").get_attribute("data-kg-resource-id")

    assert agency_compliance(journey, "an invalid table") == ("0.0", ["5.3"], [name])
    journey.visit(f"/dataset/{name}", "dataset with an invalid table, again")
    assert report_page(journey, resource_id, "report: failure") == \
        "Таблица текшерүүдөн өткөн жок."
    assert page.locator("table.kg-validation-errors tbody").inner_text().split("\n") == [
        "3\t3\t3-сап, 3-мамыча «district_count»: «6 район» мааниси мамычанын түрүнө "
        "туура келбейт (type is \"integer/default\")."]

    journey.visit(f"/dataset/{name}/resource/{resource_id}/edit", "resource edit form")
    upload(journey, table([("KG02000000000", "Ысык-Көл", "7"),
                           ("KG04000000000", "Нарын", "6")], tmp_path, "oblustar-2.csv"))
    with page.expect_navigation():
        page.get_by_role("button", name="Ресурсту жаңыртуу").click()
    journey.step("table replaced")
    journey.visit(f"/dataset/{name}", "dataset with a valid table")
    assert report_page(journey, resource_id, "report: success") == \
        "Таблица текшерүүдөн өттү."
    assert requests.get(f"{portal.url}/api/3/action/package_show", params={"id": name},
                        timeout=60).status_code == 404  # as an unknown name

    journey.visit(f"/dataset/edit/{name}", "dataset edit form")
    page.get_by_label("Жеткиликтүүлүк", exact=True).select_option("False")
    with page.expect_navigation():
        page.get_by_role("button", name="Маалыматтар топтомун жаңыртуу").click()
    journey.step("published")
    shown = requests.get(f"{portal.url}/api/3/action/package_show", params={"id": name},
                         timeout=60).json()["result"]
    assert shown["private"] is False
    assert shown["title_translated"]["ky"] == TITLE_KY
    assert agency_compliance(journey, "published") == ("1.0", [], [])
