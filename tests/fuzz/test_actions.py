"""Every action CKAN registers (the registry as the portal builds it, so a
new action is fuzzed with no change here), sent generated parameters as a
GET query and as a POST body (wrong types, blanks, huge numbers, NUL and
other control characters, deeply nested JSON, SQL and Lucene
metacharacters, very long strings, Cyrillic), as the anonymous reader and
as an outsider. No answer may be a server error, carry internal text or a
private value, tell a private object from a missing one, or take longer
than the time bound, except those kg_fuzz.findings names."""
from __future__ import annotations

import os

import pytest
from kg_fuzz.campaign import action_targets, describe, run_campaign

pytestmark = pytest.mark.e2e

# per action, method and caller; `make bench` (bench/fuzz_bench.py) sends many more
EXAMPLES = int(os.environ.get("KG_FUZZ_TEST_EXAMPLES", "3"))


def test_every_registered_action_is_fuzzed(surfaces, planted):
    targets = list(action_targets(surfaces, planted))
    assert {t.surface for t in targets} == {f"action {a.name}" for a in surfaces.actions}
    assert {t.method for t in targets} == {"GET", "POST"}
    # the portal's own, the DataStore's and CKAN's are all there
    assert {"action kg_validation_show", "action datastore_search_sql",
            "action package_search", "action bulk_update_public"} <= {t.surface
                                                                     for t in targets}


def test_every_action_answers_hostile_input_cleanly(caller, surfaces, planted):
    outcome = run_campaign(caller, action_targets(surfaces, planted), planted, EXAMPLES)
    assert {run.tried for run in outcome.runs} == {EXAMPLES}
    assert [describe(verdict, problem) for verdict, problem in outcome.unexcused] == []
