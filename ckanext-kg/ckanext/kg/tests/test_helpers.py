"""Template helpers (`helpers.py`) that change what CKAN's own do."""
import ckan.lib.helpers as ckan_helpers
import ckan.plugins.toolkit as tk
import pytest

from ckanext.kg import helpers
from ckanext.kg.tests.conftest import portal_schema

pytestmark = portal_schema

DESCRIPTIONS = [
    "Калктын саны **облустар** боюнча, [Улуттук статистика комитети](https://stat.gov.kg).",
    "Численность населения.\n\n* по областям\n* по районам\n\n" + "Подробнее. " * 40,
    "<script>alert(1)</script> A & B &amp; C",
    "",
]


@pytest.mark.parametrize("text", DESCRIPTIONS)
@pytest.mark.parametrize("length", [180, 0])
def test_a_description_extract_is_ckans_own(text, length):
    assert tk.h.markdown_extract(text, extract_length=length) == \
        ckan_helpers.markdown_extract(text, extract_length=length)


def test_a_description_is_rendered_once_and_a_changed_one_anew():
    helpers._remembered_extract.cache_clear()
    text = "Калктын саны **облустар** боюнча " + "жана райондор " * 30
    first = [tk.h.markdown_extract(text, extract_length=180) for _ in range(20)]
    changed = tk.h.markdown_extract(text.replace("облустар", "шаарлар"), extract_length=180)
    info = helpers._remembered_extract.cache_info()
    assert (info.misses, info.hits) == (2, 19)
    assert first == [ckan_helpers.markdown_extract(text, extract_length=180)] * 20
    assert changed.startswith("Калктын саны шаарлар боюнча")
    assert tk.h.markdown_extract(None) == ""
