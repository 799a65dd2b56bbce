"""Every route of the portal's Flask app (its url_map as the portal builds
it), with generated path segments and query strings, in each language
prefix, as the anonymous reader and as an outsider; POST where the route
takes it. The same rules as for the actions (test_actions.py)."""
from __future__ import annotations

import os

import pytest
from kg_fuzz.campaign import describe, run_campaign, view_targets

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("KG_FUZZ_TEST_EXAMPLES_VIEWS", "2"))


def test_every_route_is_fuzzed(surfaces, planted):
    targets = {t.surface for t in view_targets(surfaces, planted)}
    routes = {f"view {v.rule}" for v in surfaces.views if v.endpoint != "api.action"}
    assert targets == routes
    assert {"view /dataset/<id>/resource/<resource_id>/export/<fmt>",
            "view /datastore/dump/<resource_id>", "view /dataset/",
            "view /catalog.<_format>"} <= targets


def test_every_route_answers_hostile_input_cleanly(caller, surfaces, planted):
    outcome = run_campaign(caller, view_targets(surfaces, planted), planted, EXAMPLES)
    assert {run.tried for run in outcome.runs} == {EXAMPLES}
    assert [describe(verdict, problem) for verdict, problem in outcome.unexcused] == []
