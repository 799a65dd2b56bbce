"""One rule for every action and view (`errors.py`): an unexpected
exception is logged with the request's id and answered with that id and
no internal text; a NUL character or JSON nested without end is refused
naming the parameter, before any action runs."""
import io
import logging
import re

import pytest
from ckan.tests.helpers import CKANTestApp

from ckanext.kg.request_ids import RequestIdFormatter
from ckanext.kg.tests.conftest import PORTAL_PLUGINS
from ckanext.kg.tests.failing_plugin import INTERNAL_TEXT

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " kg_test_failing"),
    pytest.mark.ckan_config("scheming.dataset_schemas", "ckanext.kg:schemas/dataset.yaml"),
    pytest.mark.ckan_config("scheming.organization_schemas",
                            "ckanext.kg:schemas/organization.yaml"),
    pytest.mark.ckan_config("scheming.presets",
                            "ckanext.scheming:presets.json ckanext.kg:schemas/presets.yaml"),
    pytest.mark.usefixtures("with_plugins", "portal_db", "clean_index"),
]
REQUEST_ID = re.compile(r"[0-9a-f]{12}")


@pytest.fixture
def production_app(ckan_config, monkeypatch):
    """CKAN's app as gunicorn serves it: not in testing mode, so an
    unexpected exception is answered rather than raised to the test."""
    from ckan.config.middleware import make_app
    monkeypatch.setitem(ckan_config, "testing", False)
    return CKANTestApp(make_app(ckan_config))


@pytest.fixture
def log_text(monkeypatch):
    """What the portal's log handler writes while a request is served (the
    test session's logging configuration leaves CKAN's loggers disabled)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(RequestIdFormatter("[%(request_id)s] %(levelname)s %(message)s"))
    for name in ("ckan", "ckan.views.api", "ckanext", "ckanext.kg.errors"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    root = logging.getLogger()
    root.addHandler(handler)
    yield buffer.getvalue
    root.removeHandler(handler)


def test_an_api_failure_answers_with_its_request_id_and_no_internal_text(
        production_app, log_text):
    response = production_app.get("/api/3/action/kg_test_fail", status=500)
    error = response.json["error"]
    request_id = error["request_id"]
    assert REQUEST_ID.fullmatch(request_id)
    assert response.headers["X-Request-Id"] == request_id
    assert error == {
        "__type": "Internal Server Error", "request_id": request_id,
        "message": "Something went wrong on the portal's side. If it happens again, "
                   f"tell the portal's team the request id {request_id}."}
    assert "psycopg2" not in response.body and "SELECT" not in response.body
    logged = [line for line in log_text().splitlines() if line.startswith(f"[{request_id}]")]
    assert any(line.endswith(INTERNAL_TEXT) for line in logged)  # the exception, whole
    assert f"RuntimeError: {INTERNAL_TEXT}" in log_text()  # with its traceback


@pytest.mark.parametrize("prefix, title, says", [
    ("", "Server error", "the request id"),
    ("/ru", "Ошибка сервера", "сообщите команде портала номер запроса:"),
    ("/ky", "Сервердин катасы", "портал командасына сурамдын номерин айтыңыз:"),
])
def test_a_page_failure_is_a_translated_page_with_its_request_id(
        production_app, log_text, prefix, title, says):
    response = production_app.get(f"{prefix}/kg-test/fail", status=500)
    request_id = response.headers["X-Request-Id"]
    assert REQUEST_ID.fullmatch(request_id)
    assert f"500 {title}" in response.body
    assert f"{says} {request_id}." in response.body
    assert "psycopg2" not in response.body and "kg_search_index" not in response.body
    assert f"[{request_id}] ERROR Unexpected error answering GET /kg-test/fail" in log_text()


def test_every_answer_names_its_request_and_each_request_has_its_own(app):
    first = app.get("/api/3/action/status_show").headers["X-Request-Id"]
    second = app.get("/dataset/").headers["X-Request-Id"]
    assert REQUEST_ID.fullmatch(first) and REQUEST_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize("path, params, parameter", [
    ("/api/3/action/package_search", {"q": "калк\x00"}, "q"),
    ("/api/3/action/package_show", {"id": "a\x00b"}, "id"),
    ("/api/3/action/datastore_search", {"resource_id": "x", "filters": '{"a": "\\u0000"}'},
     "filters"),
    ("/api/2/util/tag/autocomplete", {"incomplete": "\x00"}, "incomplete"),
])
def test_a_nul_character_in_a_parameter_is_refused_naming_it(app, path, params, parameter):
    response = app.get(path, query_string=params, status=409)
    assert response.json == {"success": False, "error": {
        "__type": "Validation Error",
        parameter: ["A NUL character (code 0) cannot be part of any value."]}}


def test_a_nul_character_in_a_json_body_is_refused_naming_its_parameter(app):
    response = app.post("/api/3/action/package_search",
                        data='{"fq": "tags:\\u0000", "rows": 1}',
                        content_type="application/json", status=409)
    assert response.json["error"]["fq"] == [
        "A NUL character (code 0) cannot be part of any value."]


@pytest.mark.parametrize("prefix, message", [
    ("", "A NUL character (code 0) cannot be part of any value."),
    ("/ru", "Символ NUL (код 0) не может входить ни в одно значение."),
    ("/ky", "NUL белгиси (коду 0) эч бир маанинин ичинде боло албайт."),
])
def test_a_nul_character_on_a_page_is_a_400_naming_the_parameter(app, prefix, message):
    response = app.get(f"{prefix}/dataset/", query_string={"q": "a\x00b"}, status=400)
    assert f"q: {message}" in response.body


@pytest.mark.parametrize("levels, parameter", [
    (200, "q"),  # read, then refused naming the parameter that nests
    (5000, "json"),  # too deep to read at all: the body is refused
])
def test_json_nested_without_end_is_refused_before_any_parser_recurses(
        app, levels, parameter):
    body = '{"rows": 1, "q": ' + '{"a": ' * levels + "1" + "}" * levels + "}"
    response = app.post("/api/3/action/package_search", data=body,
                        content_type="application/json", status=409)
    assert response.json["error"] == {"__type": "Validation Error", parameter: [
        "The value is nested more than 100 levels deep."]}


def test_a_json_parameter_nested_without_end_is_refused_naming_it(app):
    response = app.get("/api/3/action/datastore_search", status=409, query_string={
        "resource_id": "x", "filters": "[" * 3000 + "]" * 3000})
    assert response.json["error"]["filters"] == [
        "The value is nested more than 100 levels deep."]


def test_a_nul_character_in_tags_is_refused_like_any_other(app):
    """CKAN reshapes a refusal of `tags`: it still names the parameter."""
    page = app.get("/dataset/", query_string={"tags": "калк\x00"}, status=400)
    assert "tags: A NUL character (code 0) cannot be part of any value." in page.body
    response = app.post("/api/3/action/package_search", data='{"tags": ["\\u0000"]}',
                        content_type="application/json", status=409)
    assert response.json["error"]["tags"] == [
        "A NUL character (code 0) cannot be part of any value."]


def test_a_nul_character_in_the_address_is_a_400(app):
    response = app.get("/dataset/kalk%00", status=400)
    assert "url: A NUL character (code 0) cannot be part of any value." in response.body


def test_json_nested_a_hundred_levels_is_read_as_usual(app):
    body = '{"q": "калк", "extras": ' + "[" * 99 + "]" * 99 + "}"
    response = app.post("/api/3/action/package_search", data=body,
                        content_type="application/json")
    assert response.json["result"]["count"] == 0
