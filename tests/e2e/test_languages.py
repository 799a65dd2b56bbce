"""The portal speaks Kyrgyz by default, and Russian and English on request."""
import pytest
import requests

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("prefix, lang, words", [
    ("", "ky", ["Маалыматтар топтомдору", "Уюмдар", "Издөө"]),
    ("/ru", "ru", ["Наборы данных", "Организации", "Поиск"]),
    ("/en", "en", ["Datasets", "Organizations", "Search"]),
])
def test_dataset_page_in_each_language(portal, prefix, lang, words):
    response = requests.get(f"{portal.url}{prefix}/dataset/", timeout=60)
    assert response.status_code == 200
    assert f'<html lang="{lang}"' in response.text
    for word in words:
        assert word in response.text, word


def test_api_errors_follow_the_requested_language(portal):
    response = requests.get(f"{portal.url}/api/3/action/package_show",
                            params={"id": "no-such-dataset"},
                            headers={"Accept-Language": "ru"}, timeout=60)
    assert response.status_code == 404
    assert response.json()["error"]["__type"] == "Not Found Error"


@pytest.mark.parametrize("path", ["/dataset/", "/organization/"])
def test_the_language_switch_keeps_the_page(portal, path):
    page = requests.get(f"{portal.url}{path}", timeout=60).text
    for lang, name in (("ky", "кыргызча"), ("ru", "русский"), ("en", "English")):
        assert f'<option value="/{lang}{path}" lang="{lang}"' in page, lang
        assert name in page
