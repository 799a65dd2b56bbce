"""The schema's validators on their own: what they keep, what they refuse."""
import json

import pytest
from ckan.lib.navl.dictization_functions import Invalid, missing

from ckanext.kg.logic import validators

WEB_ADDRESS = "Not a valid web address: it must start with http:// or https:// (rule 2.2)."


def refusal(validator, value):
    with pytest.raises(Invalid) as error:
        validator(value, {})
    return error.value.error


@pytest.mark.parametrize("url", [
    "https://stat.kg/ru/contacts/", "http://stat.kg", "HTTPS://STAT.KG/kontakty?lang=ky#top",
    "https://xn--80ak6aa92e.xn--p1ai/", "http://127.0.0.1:5000/contact",
    "https://" + "a" * 1980 + ".kg"])
def test_a_web_page_with_http_or_https_and_a_host_is_kept(url):
    assert validators.kg_http_url(url, {}) == url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", "ftp://x", "mailto:info@stat.kg",
    "data:text/html,<b>x</b>", "example.org", "//example.org", "http://", "https://",
    "http:///path", "https://exa mple.org", " https://stat.kg", "https://stat.kg/\n",
    "https://stat.kg:port/", "http://[::1", "https://" + "a" * 1990 + ".kg", 42])
def test_anything_else_is_refused_naming_rule_2_2(url):
    assert refusal(validators.kg_http_url, url) == WEB_ADDRESS


@pytest.mark.parametrize("empty", [None, "", missing])
def test_no_web_page_is_no_error(empty):
    assert validators.kg_http_url(empty, {}) is empty


SOURCES = [{"title": "World Bank: Population, total (SP.POP.TOTL)",
            "path": "http://data.worldbank.org/indicator/SP.POP.TOTL",
            "repository": "https://github.com/datasets/population",
            "commit": "425fc447a53a26c767a15a7de60c4cc2478a0595",
            "file": "data/population.csv"},
           {"title": "Kabar, 03.04.20", "path": "002_8e2727cdbd391d77.txt",
            "date": "2020-04-03", "language": "ru"},
           {"title": "SDG data", "path": "https://github.com/sdg-kyrgyzstan/open-sdg-data-starter",
            "files": ["data/1-5-1.csv", "excel_files/1.5.1.xlsx"]}]


@pytest.mark.parametrize("given", [SOURCES, json.dumps(SOURCES)])
def test_sources_given_as_a_list_or_its_json_are_stored_as_json(given):
    assert json.loads(validators.kg_sources(given, {})) == SOURCES


@pytest.mark.parametrize("value, message", [
    ({"title": "x"}, "Give a list (JSON) of at most 100 objects."),
    ("[{", "Give a list (JSON) of at most 100 objects."),
    (["World Bank"], "Give a list (JSON) of at most 100 objects."),
    ([{"title": "x"}] * 101, "Give a list (JSON) of at most 100 objects."),
    ([{"title": 1}], "Each object's keys must be lower-case names and its values texts."),
    ([{"Title": "x"}], "Each object's keys must be lower-case names and its values texts."),
    ([{"title": {"en": "x"}}], "Each object's keys must be lower-case names and its values texts."),
    ([{"title": "x" * 2001}], "Each object's keys must be lower-case names and its values texts."),
    ([{"path": "javascript:alert(1)"}],
     'Not a valid web address in "path": it must start with http:// or https://.'),
    ([{"path": "ftp://example.org/data.csv"}],
     'Not a valid web address in "path": it must start with http:// or https://.'),
    ([{"repository": "github.com/datasets/population"}],
     'Not a valid web address in "repository": it must start with http:// or https://.'),
])
def test_malformed_sources_are_refused(value, message):
    assert refusal(validators.kg_sources, value) == message


@pytest.mark.parametrize("stored, shown", [
    (json.dumps(SOURCES), SOURCES), ("", []), (missing, []), ("not json", []),
    ('{"a": "b"}', [])])
def test_stored_sources_are_shown_as_a_list(stored, shown):
    assert validators.kg_json_list_output(stored) == shown
