"""The fuzzers' judgement, without a portal: each rule fails an answer
that breaks it, passes one that keeps it, and a known finding excuses
exactly the answers it names."""
from __future__ import annotations

import json

import pytest
from kg_fuzz.findings import (
    ANY_ACTION,
    KNOWN_FINDINGS,
    KnownFinding,
    lacks,
    nesting_depth,
    sends_deep_json,
    sends_nul,
)
from kg_fuzz.hostile import Nested, Request, to_json
from kg_fuzz.verdict import (
    EXISTENCE_ORACLE,
    INTERNAL_TEXT,
    PRIVATE_LEAK,
    SERVER_ERROR,
    TOO_SLOW,
    Exchange,
    Problem,
    Secrets,
    judge,
    stand_in,
    twin,
)

PRIVATE_ID = "0b8d9a52-61a2-4f0e-9a57-0c1d5b1f1e11"
SECRETS = Secrets(values={"private dataset id": PRIVATE_ID,
                          "private dataset name": "zqhidden-census",
                          "private tag": "zqhiddentag"},
                  identifiers=(PRIVATE_ID, "zqhidden-census"))


def answer(body: str = "{}", status: int = 200, seconds: float = 0.1,
           request: Request | None = None, surface: str = "action package_show",
           twin_status: int | None = None) -> Exchange:
    request = request or Request("GET", "/api/3/action/package_show", (("id", "x"),))
    return Exchange(surface, "anonymous", request, status, body, seconds, twin_status)


def kinds(exchange: Exchange) -> list[str]:
    return [problem.kind for problem in judge(exchange, SECRETS).problems]


def test_a_clean_refusal_passes():
    assert kinds(answer('{"success": false, "error": {"id": ["Missing value"]}}', 409)) == []


def test_a_server_error_fails():
    assert kinds(answer(status=500)) == [SERVER_ERROR]
    assert kinds(answer(status=503)) == [SERVER_ERROR]


def test_a_slow_answer_or_none_fails():
    assert kinds(answer(seconds=10.5)) == [TOO_SLOW]
    assert kinds(answer(status=0, seconds=15.0)) == [TOO_SLOW]


@pytest.mark.parametrize("body", [
    'Traceback (most recent call last):\n  File "/srv/app/ckan/views/api.py", line 3',
    "(psycopg2.errors.DivisionByZero) division by zero",
    "sqlalchemy.exc.DataError: (Background on this error at: https://sqlalche.me/e/20/9h9h)",
    'LINE 1: SELECT 1/0 FROM "x"\n        ^',
    "fq: +capacity:public +permission_labels:(\"public\" OR \"member-1\")",
])
def test_internal_text_fails(body):
    assert INTERNAL_TEXT in kinds(answer(body, 409))


def test_internal_text_the_caller_sent_is_an_echo():
    sent = Request("GET", "/api/3/action/package_search", (("q", "psycopg2"),))
    assert kinds(answer('{"q": "psycopg2", "count": 0}', request=sent)) == []


def test_a_private_value_not_sent_is_a_leak():
    assert kinds(answer('{"result": ["zqhiddentag"]}')) == [PRIVATE_LEAK]
    # hidden behind HTML's entities or URL quoting
    assert kinds(answer("<p>zqhidden&#45;census</p>")) == [PRIVATE_LEAK]
    assert kinds(answer("<a href='/dataset/zqhidden%2Dcensus'>")) == [PRIVATE_LEAK]


def test_a_private_value_the_caller_sent_is_an_echo():
    sent = Request("GET", "/api/3/action/package_show", (("id", PRIVATE_ID),))
    assert kinds(answer(f'{{"error": "Not found: {PRIVATE_ID}"}}', 404, request=sent,
                        twin_status=404)) == []
    # but another private value it did not send is a leak
    assert kinds(answer('{"name": "zqhidden-census"}', 403, request=sent,
                        twin_status=403)) == [PRIVATE_LEAK]


def test_a_private_object_answered_unlike_a_missing_one_is_an_oracle():
    assert kinds(answer(status=403, twin_status=404)) == [EXISTENCE_ORACLE]
    assert kinds(answer(status=404, twin_status=404)) == []


def test_the_twin_names_nothing_that_exists():
    sent = Request("POST", f"/dataset/{PRIVATE_ID}/resource/new", (("q", "zqhidden-census"),),
                   json.dumps({"id": PRIVATE_ID}).encode())
    other = twin(sent, SECRETS)
    assert PRIVATE_ID not in other.text() and "zqhidden-census" not in other.text()
    assert other.path == f"/dataset/{stand_in(PRIVATE_ID)}/resource/new"
    assert other.query == (("q", "nxhidden-census"),)
    assert json.loads(other.body) == {"id": stand_in(PRIVATE_ID)}
    assert len(stand_in(PRIVATE_ID)) == len(PRIVATE_ID)
    assert twin(Request("GET", "/dataset/open"), SECRETS) is None


def test_nested_json_is_written_past_the_json_modules_depth():
    text = to_json({"q": Nested(3000, "list", {"a": "x"})})
    assert text.startswith('{"q":[[[') and text.endswith("]]]}")
    assert nesting_depth(text) == 3002
    assert nesting_depth('{"q": "[[[[[[ in a string \\" [[["}') == 1


def test_a_known_finding_excuses_only_what_it_names():
    nul_in_any_action = KnownFinding("test_x", "fix-errors", SERVER_ERROR, (ANY_ACTION,),
                                     sends_nul)
    nul = Request("GET", "/api/3/action/package_search", (("q", "a\x00b"),))
    escaped = Request("POST", "/api/3/action/package_search", body=b'{"q": "a\\u0000"}')
    plain = Request("GET", "/api/3/action/package_search", (("q", "ab"),))
    crash = judge(answer(status=500, request=nul), SECRETS).problems[0]
    assert nul_in_any_action.matches(answer(status=500, request=nul), crash)
    assert nul_in_any_action.matches(answer(status=500, request=escaped), crash)
    assert not nul_in_any_action.matches(answer(status=500, request=plain), crash)
    # not on a page, and not another problem of the same answer
    assert not nul_in_any_action.matches(
        answer(status=500, request=nul, surface="view /dataset/<id>"), crash)
    leak = judge(answer('["zqhiddentag"]', request=nul), SECRETS).problems[0]
    assert not nul_in_any_action.matches(answer(request=nul), leak)


def test_a_finding_of_named_surfaces_and_parameters():
    finding = KnownFinding("test_x", "fix-errors", SERVER_ERROR,
                           ("action group_autocomplete",), lacks("q"))
    without_q = Request("GET", "/api/3/action/group_autocomplete")
    blank_q = Request("POST", "/api/3/action/group_autocomplete", body=b'{"q": " "}')
    with_q = Request("GET", "/api/3/action/group_autocomplete", (("q", "kalk"),))
    crash = Problem(SERVER_ERROR, "500")
    assert finding.matches(answer(status=500, request=without_q,
                                  surface="action group_autocomplete"), crash)
    assert finding.matches(answer(status=500, request=blank_q,
                                  surface="action group_autocomplete"), crash)
    assert not finding.matches(answer(status=500, request=with_q,
                                      surface="action group_autocomplete"), crash)
    assert not finding.matches(answer(status=500, request=without_q,
                                      surface="action organization_autocomplete"), crash)
    deep = Request("POST", "/api/3/action/x", body=to_json(Nested(3000, "dict", 1)).encode())
    assert sends_deep_json(answer(request=deep))
    assert not sends_deep_json(answer(request=with_q))


def test_every_known_finding_names_its_regression_test_and_branch():
    from pathlib import Path
    tests = (Path(__file__).parent / "test_findings.py").read_text()
    for finding in KNOWN_FINDINGS:
        assert f"def {finding.name}(" in tests, finding.name
        assert f'reason="fixed by {finding.fixed_by}: ' in tests, finding
    assert len({f.name for f in KNOWN_FINDINGS}) == len(KNOWN_FINDINGS)
