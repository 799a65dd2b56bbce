"""Findings the fuzzers know of, each fixed on another branch. The fuzzers
pass over an answer only when one of these entries matches it exactly: its
problem, its surface, and what was sent. Nothing else is excused.

When a branch below is merged, its entries and the `xfail` marks of their
regression tests (tests/fuzz/test_findings.py) go.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from kg_fuzz.hostile import Request
from kg_fuzz.verdict import EXISTENCE_ORACLE, PRIVATE_LEAK, SERVER_ERROR, Exchange, Problem


@dataclass(frozen=True)
class KnownFinding:
    name: str  # the regression test that reproduces it
    fixed_by: str  # the branch that fixes it
    kind: str  # a kg_fuzz.verdict problem kind
    surfaces: tuple[str, ...]
    sends: Callable[[Exchange], bool]  # which requests it answers badly

    def matches(self, exchange: Exchange, problem: Problem) -> bool:
        return (problem.kind == self.kind and self.covers(exchange.surface)
                and self.sends(exchange))

    def covers(self, surface: str) -> bool:
        return any(s == surface or (s.endswith(" *") and surface.startswith(s[:-1]))
                   for s in self.surfaces)


ANY_ACTION, ANY_VIEW = "action *", "view *"  # a finding of the request handling of all
FLAGS = ("include_private", "include_drafts", "include_deleted", "include_datasets",
         "all_fields", "include_num_followers", "include_extras", "include_users",
         "include_groups", "include_tags", "include_followers", "include_dataset_count",
         "include_member_count", "include_plugin_data", "use_default_schema", "plain",
         "distinct", "include_total", "include_hidden_activity")
TRUE_OR_FALSE = {"true", "false", "yes", "no", "on", "off", "y", "n", "t", "f", "1", "0"}
DCAT_FORMATS = {"ttl", "rdf", "xml", "jsonld", "n3", "nt", "json-ld", "turtle"}


# -- what a request sends ------------------------------------------------------------

def data_dict(request: Request) -> dict:
    """The parameters as the action or view reads them: the JSON object of
    the body, or the query string and form (the last of a repeated key)."""
    if request.body is not None:
        try:
            value = json.loads(request.body)
        except (ValueError, RecursionError):
            return {}
        return value if isinstance(value, dict) else {}
    return dict(request.query)


def nesting_depth(text: str) -> int:
    """How deep JSON arrays and objects nest in `text`, strings skipped."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def sends_nul(exchange: Exchange) -> bool:
    """A NUL character anywhere: address, parameter or body (raw or as JSON's \\u0000)."""
    text = exchange.request.text()
    return "\x00" in text or "%00" in exchange.request.path or "\\u0000" in text


def sends_deep_json(exchange: Exchange) -> bool:
    """JSON nested deeper than Python's parser recurses (1,000 levels), in
    the body or in a parameter."""
    request = exchange.request
    texts = [value for _, value in request.query]
    if request.body is not None:
        texts.append(request.body.decode("utf-8", "replace"))
    return any(nesting_depth(text) > 500 for text in texts)


def lacks(*names: str) -> Callable[[Exchange], bool]:
    """Some of `names` missing or blank."""
    def sends(exchange: Exchange) -> bool:
        params = data_dict(exchange.request)
        return any(not str(params.get(name) or "").strip() for name in names)
    return sends


def blank(*names: str) -> Callable[[Exchange], bool]:
    """One of `names` sent, as an empty or all-blank text."""
    def sends(exchange: Exchange) -> bool:
        params = data_dict(exchange.request)
        return any(isinstance(params.get(n), str) and not params[n].strip()
                   for n in names if n in params)
    return sends


def not_a_list_of_objects(name: str) -> Callable[[Exchange], bool]:
    def sends(exchange: Exchange) -> bool:
        value = data_dict(exchange.request).get(name)
        return not (isinstance(value, list) and all(isinstance(v, dict) for v in value))
    return sends


def not_a_flag(exchange: Exchange) -> bool:
    """A flag (FLAGS) whose value is neither true nor false."""
    params = data_dict(exchange.request)
    return any(not isinstance(params[name], bool)
               and str(params[name]).strip().lower() not in TRUE_OR_FALSE
               for name in FLAGS if name in params)


def structured(exchange: Exchange) -> bool:
    """A list or an object where the action reads a text or a number."""
    return any(isinstance(value, (list, dict))
               for value in data_dict(exchange.request).values())


def sql_failing_at_run_time(exchange: Exchange) -> bool:
    """A statement that parses and is allowed, then fails as it runs."""
    sql = str(data_dict(exchange.request).get("sql") or "")
    return any(expression in sql for expression in RUN_TIME_FAILURES)


RUN_TIME_FAILURES = ("1/0", "xmlparse(", "::int", "+ 2147483647", "chr(0)", "::bytea")


def unknown_dcat_format(exchange: Exchange) -> bool:
    last = exchange.request.path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[1].lower() not in DCAT_FORMATS


# Views where CKAN's own refusal (ObjectNotFound, NotAuthorized) or a missing
# form field escapes as a 500: every request the view refuses crashes.
REFUSALS_ESCAPE = tuple(f"view {rule}" for rule in (
    "/dataset/<id>/resource/new", "/dataset/<id>/resource/<resource_id>/views",
    "/dataset/<id>/resource/<resource_id>/new_view",
    "/dataset/<id>/resource/<resource_id>/edit_view/<view_id>",
    "/organization/delete/<id>", "/group/delete/<id>",
    "/dataset/follow/<id>", "/dataset/unfollow/<id>", "/group/follow/<id>",
    "/group/unfollow/<id>", "/organization/follow/<id>", "/organization/unfollow/<id>",
    "/user/follow/<id>", "/user/unfollow/<id>"))


def anything(exchange: Exchange) -> bool:
    """Whatever is sent: the surface itself is at fault (its named test shows how)."""
    return True


KNOWN_FINDINGS: list[KnownFinding] = [
    # -- server errors: fixed by fix-errors ("one rule for every action and view")
    KnownFinding("test_a_json_body_nested_3000_levels_deep", "fix-errors", SERVER_ERROR,
                 (ANY_ACTION,), sends_deep_json),
    KnownFinding("test_package_search_with_a_nul_character_in_q", "fix-errors", SERVER_ERROR,
                 (ANY_ACTION,), sends_nul),
    KnownFinding("test_a_dataset_address_with_a_nul_character", "fix-errors", SERVER_ERROR,
                 (ANY_VIEW,), sends_nul),
    KnownFinding("test_datastore_search_sql_without_sql", "fix-errors", SERVER_ERROR,
                 ("action datastore_search_sql",), lacks("sql")),
    KnownFinding("test_datastore_search_sql_dividing_by_zero", "fix-errors", SERVER_ERROR,
                 ("action datastore_search_sql",), sql_failing_at_run_time),
    KnownFinding("test_group_autocomplete_without_q", "fix-errors", SERVER_ERROR,
                 ("action group_autocomplete", "action organization_autocomplete"),
                 lacks("q")),
    KnownFinding("test_organization_member_create_without_parameters", "fix-errors",
                 SERVER_ERROR, ("action group_member_create", "action group_member_delete",
                                "action organization_member_create",
                                "action organization_member_delete"), anything),
    KnownFinding("test_datastore_run_triggers_without_resource_id", "fix-errors", SERVER_ERROR,
                 ("action datastore_run_triggers",), lacks("resource_id")),
    KnownFinding("test_task_status_update_many_without_data", "fix-errors", SERVER_ERROR,
                 ("action task_status_update_many",), not_a_list_of_objects("data")),
    KnownFinding("test_user_invite_without_group_id", "fix-errors", SERVER_ERROR,
                 ("action user_invite",), lacks("group_id")),
    KnownFinding("test_package_list_with_a_blank_limit", "fix-errors", SERVER_ERROR,
                 ("action package_list", "action current_package_list_with_resources",
                  "action dashboard_activity_list", "action package_autocomplete",
                  "action recently_changed_packages_activity_list", "action resource_search",
                  "action group_activity_list", "action organization_activity_list",
                  "action package_activity_list", "action user_activity_list"),
                 blank("limit", "offset", "rows", "start")),
    KnownFinding("test_package_search_with_include_private_not_a_flag", "fix-errors",
                 SERVER_ERROR, (ANY_ACTION,), not_a_flag),
    KnownFinding("test_resource_patch_with_an_id_that_is_a_list", "fix-errors", SERVER_ERROR,
                 (ANY_ACTION,), structured),
    KnownFinding("test_package_collaborator_list_as_anonymous", "fix-errors", SERVER_ERROR,
                 ("action package_collaborator_list",), anything),
    KnownFinding("test_the_catalogue_in_a_format_dcat_does_not_write", "fix-errors",
                 SERVER_ERROR, ("view /catalog.<_format>", "view /dataset/<_id>.<_format>",
                                "view /dataset_series/<_id>.<_format>"), unknown_dcat_format),
    KnownFinding("test_a_new_resource_form_for_a_missing_dataset", "fix-errors", SERVER_ERROR,
                 REFUSALS_ESCAPE, anything),
    KnownFinding("test_dataset_changes_without_activity_ids", "fix-errors", SERVER_ERROR,
                 ("view /dataset/changes_multiple", "view /group/changes_multiple",
                  "view /organization/changes_multiple"), lacks("new_id", "old_id")),
    KnownFinding("test_logging_in_without_a_login", "fix-errors", SERVER_ERROR,
                 ("view /user/login",), lacks("login")),
    KnownFinding("test_the_custom_feed_with_a_parameter_search_cannot_read", "fix-errors",
                 SERVER_ERROR, ("view /feeds/custom.atom", "view /organization/<id>",
                                "view /group/<id>", "view /dataset/"), anything),
    # -- private metadata and existence oracles: fixed by fix-leaks
    KnownFinding("test_tag_list_offers_no_private_tag", "fix-leaks", PRIVATE_LEAK,
                 ("action tag_list", "action tag_search", "action tag_autocomplete",
                  "view /api/util/tag/autocomplete",
                  "view /api/<int(min=1, max=2):ver>/util/tag/autocomplete"), anything),
    KnownFinding("test_package_show_of_a_private_dataset_as_anonymous", "fix-leaks",
                 EXISTENCE_ORACLE, (ANY_ACTION,), anything),
    KnownFinding("test_the_activity_page_of_a_private_dataset_as_anonymous", "fix-leaks",
                 EXISTENCE_ORACLE, (ANY_VIEW,), anything),
]


def known_finding(exchange: Exchange, problem: Problem) -> KnownFinding | None:
    return next((f for f in KNOWN_FINDINGS if f.matches(exchange, problem)), None)
