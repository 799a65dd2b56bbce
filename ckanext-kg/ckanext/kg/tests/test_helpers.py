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


LINKED = [
    "Маалымат: https://stat.gov.kg/ru/statistics?a=1&b=2 жана www.example.kg.",
    "<script>alert(1)</script> A & B &amp; C http://a.kg/<x>",
    "Калктын саны облустар боюнча",
    "",
]


@pytest.mark.parametrize("markup", [False, True])
@pytest.mark.parametrize("text", LINKED)
def test_an_extracts_links_are_the_urlize_filters(app, text, markup):
    from flask import render_template_string
    from markupsafe import Markup
    value = Markup(text) if markup else text
    with app.flask_app.test_request_context():
        expected = render_template_string("{{ value|urlize }}", value=value)
        helpers._LINKED.clear()
        first = tk.h.kg_text_with_links(value)
        assert str(first) == expected == str(tk.h.kg_text_with_links(value))
        assert render_template_string("{{ linked }}", linked=first) == expected


def test_an_extracts_links_are_made_once_per_text_and_kind(app):
    from markupsafe import Markup
    helpers._LINKED.clear()
    text = "Маалымат: https://stat.gov.kg <b>"
    with app.flask_app.test_request_context():
        first = tk.h.kg_text_with_links(text)
        again = [tk.h.kg_text_with_links(text) for _ in range(5)]
        as_markup = tk.h.kg_text_with_links(Markup(text))
    assert all(linked is first for linked in again)  # the one kept, not made again
    assert "&lt;b&gt;" in first and "<b>" in as_markup  # markup is not escaped again
    assert len(helpers._LINKED) == 2
