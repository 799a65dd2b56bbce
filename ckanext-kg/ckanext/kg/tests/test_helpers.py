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
    helpers._EXTRACTS.clear()
    text = "Калктын саны **облустар** боюнча " + "жана райондор " * 30
    first = tk.h.markdown_extract(text, extract_length=180)
    again = [tk.h.markdown_extract(text, extract_length=180) for _ in range(20)]
    changed = tk.h.markdown_extract(text.replace("облустар", "шаарлар"), extract_length=180)
    assert all(extract is first for extract in again)  # the one kept, not made again
    assert first == ckan_helpers.markdown_extract(text, extract_length=180)
    assert changed.startswith("Калктын саны шаарлар боюнча")
    assert len(helpers._EXTRACTS) == 2
    assert all(len(key) == 64 for key, _length in helpers._EXTRACTS)  # digests, not texts
    assert tk.h.markdown_extract(None) == ""


def test_only_the_newest_extracts_are_kept():
    helpers._EXTRACTS.clear()
    for n in range(helpers.EXTRACTS_KEPT + 10):
        tk.h.markdown_extract(f"Description {n}", extract_length=180)
    assert len(helpers._EXTRACTS) == helpers.EXTRACTS_KEPT
