"""Through gunicorn: every action CKAN registers on the portal, asked
anonymously and by a user of no agency (the outsider) about a private
dataset, a draft, their agency, group, tag, table and activity.

No answer names what the caller may not see (ids, names, titles, tags,
formats, rows); asking about a hidden dataset answers exactly what asking
about an unknown one does (same status, same body); and every action in
CKAN's registry is either called here or skipped for a stated reason, so a
new action fails `test_every_registered_action_is_classified` until it is
classified. The placeholders (`{dataset}`, ...) are filled in by the
`hidden` fixture (conftest.py): `{dataset}`, `{dataset_id}` a private
dataset, `{draft}`, `{draft_id}` a draft, `{resource}` the private
dataset's published table, `{draft_resource}`, `{activity}` an activity of
the private dataset, `{tag}` a tag only it has, `{tag_part}` a part of it
that a public tag shares, `{title_word}`, `{format}` a format only a
private resource has, `{row}` a value in the private table, `{org}`,
`{group}` the agency and group of all three, `{open}` a public dataset,
`{admin}` the sysadmin who made them, `{outsider}`, `{vocabulary}`.
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

CALLERS = ("anonymous", "outsider")
DATASETS = ("{dataset}", "{dataset_id}", "{draft}", "{draft_id}")
RESOURCES = ("{resource}", "{draft_resource}")


def each(key: str, values: tuple[str, ...], **fixed) -> list[dict]:
    return [{key: value, **fixed} for value in values]


# Actions that read: nothing in an answer may name a hidden dataset, and a
# call that names one must answer as the same call naming an unknown one.
READS: dict[str, list[dict]] = {
    "activity_data_show": [{"id": "{activity}", "object_type": "package"}],
    "activity_diff": [{"id": "{activity}", "object_type": "package", "diff_type": "unified"}],
    "activity_show": [{"id": "{activity}"}],
    "am_following_dataset": each("id", DATASETS),
    "am_following_group": [{"id": "{group}"}],
    "am_following_user": [{"id": "{admin}"}],
    "api_token_list": [{"user_id": "{admin}"}],
    "config_option_list": [{}],
    "config_option_show": [{"key": "ckan.site_title"}],
    "current_package_list_with_resources": [{"limit": 1000}],
    "dashboard_activity_list": [{}],
    "dashboard_new_activities_count": [{}],
    "dataset_followee_count": [{"id": "{admin}"}],
    "dataset_followee_list": [{"id": "{admin}"}],
    "dataset_follower_count": each("id", DATASETS),
    "dataset_follower_list": each("id", DATASETS),
    "datastore_info": each("resource_id", RESOURCES),
    "datastore_search": each("resource_id", RESOURCES) + [
        {"resource_id": "{resource}", "q": "{row}"},
        {"resource_id": "{resource}", "filters": {"region": "{row}"}}],
    "datastore_search_sql": [{"sql": 'SELECT * FROM "{resource}"'}],
    "dcat_catalog_search": [{}, {"q": "{tag}"}],
    "dcat_catalog_show": [{}],
    "dcat_dataset_show": each("id", DATASETS),
    "file_owner_scan": [{"owner_id": "{dataset_id}", "owner_type": "package"}],
    "followee_count": [{"id": "{admin}"}],
    "followee_list": [{"id": "{admin}"}],
    "format_autocomplete": [{"q": "{format}"}],
    "get_site_user": [{}],
    "group_activity_list": [{"id": "{group}"}],
    "group_autocomplete": [{"q": "leak"}],
    "group_followee_count": [{"id": "{admin}"}],
    "group_followee_list": [{"id": "{admin}"}],
    "group_follower_count": [{"id": "{group}"}],
    "group_follower_list": [{"id": "{group}"}],
    "group_list": [{"all_fields": True, "include_dataset_count": True,
                    "include_extras": True, "include_groups": True}],
    "group_list_authz": [{}],
    "group_package_show": [{"id": "{group}"}],
    "group_show": [{"id": "{group}", "include_datasets": True}],
    "help_show": [{"name": "package_show"}],
    "job_list": [{}],
    "kg_compliance_show": each("id", DATASETS) + [{"organization": "{org}"}],
    "kg_most_downloaded_list": [{}, {"limit": 100}],
    "kg_resource_diff": each("id", RESOURCES) + [{"id": "{resource}", "from": 1, "to": 2}],
    "kg_resource_versions": each("id", RESOURCES),
    "kg_validation_show": each("id", RESOURCES),
    "license_list": [{}],
    "member_list": [{"id": "{org}"}, {"id": "{org}", "object_type": "package"},
                    {"id": "{group}", "object_type": "package"}],
    "member_roles_list": [{}],
    "organization_activity_list": [{"id": "{org}"}],
    "organization_autocomplete": [{"q": "leak"}],
    "organization_followee_count": [{"id": "{admin}"}],
    "organization_followee_list": [{"id": "{admin}"}],
    "organization_follower_count": [{"id": "{org}"}],
    "organization_follower_list": [{"id": "{org}"}],
    "organization_list": [{"all_fields": True, "include_dataset_count": True}],
    "organization_list_for_user": [
        {"include_dataset_count": True},
        {"id": "{admin}", "permission": "read", "include_dataset_count": True}],
    "organization_show": [{"id": "{org}", "include_datasets": True}],
    "package_activity_list": each("id", DATASETS),
    "package_autocomplete": [{"q": "leak"}, {"q": "{title_word}"}],
    "package_collaborator_list": each("id", DATASETS),
    "package_collaborator_list_for_user": [{"id": "{admin}"}],
    "package_list": [{}],
    "package_relationships_list": each("id", DATASETS),
    "package_search": [
        {"q": "{tag}", "include_private": True, "include_drafts": True},
        {"fq": "tags:{tag}", "include_private": True},
        {"q": "*:*", "facet.field": ["tags", "res_format", "organization", "groups"],
         "facet.limit": -1, "include_private": True, "include_drafts": True}],
    "package_show": each("id", DATASETS),
    "recently_changed_packages_activity_list": [{}],
    "resource_search": [{"query": "name:Жашыруун"}, {"query": "format:{format}"}],
    "resource_show": each("id", RESOURCES),
    "resource_view_list": each("id", RESOURCES),
    "scheming_dataset_schema_list": [{}],
    "scheming_dataset_schema_show": [{"type": "dataset"}],
    "scheming_organization_schema_list": [{}],
    "scheming_organization_schema_show": [{"type": "organization"}],
    "status_show": [{}],
    "tag_autocomplete": [{"query": "{tag}"}, {"query": "{tag_part}"}],
    "tag_list": [{}, {"all_fields": True}, {"query": "{tag_part}"}],
    "tag_search": [{"query": "{tag}"}, {"query": "{tag_part}"}],
    "tag_show": [{"id": "{tag}", "include_datasets": True}],
    "task_status_show": [{"entity_id": "{resource}", "task_type": "qa", "key": "status"}],
    "term_translation_show": [{"terms": ["{tag}"]}],
    "user_activity_list": [{"id": "{admin}"}],
    "user_autocomplete": [{"q": "a"}],
    "user_followee_count": [{"id": "{admin}"}],
    "user_followee_list": [{"id": "{admin}"}],
    "user_follower_count": [{"id": "{admin}"}],
    "user_follower_list": [{"id": "{admin}"}],
    "user_list": [{"all_fields": True}],
    "user_show": [{"id": "{admin}", "include_datasets": True}],
    "vocabulary_list": [{}],
    "vocabulary_show": [{"id": "{vocabulary}"}],
}

# Actions that write, called on the hidden objects only: each is refused
# exactly as on an unknown one, and its refusal names nothing.
WRITES: dict[str, list[dict]] = {
    "activity_create": [{"object_id": "{dataset_id}", "user_id": "{outsider}",
                         "activity_type": "changed package", "data": {}}],
    "activity_delete": [{"id": "{activity}"}],
    "bulk_update_delete": [{"datasets": [v], "org_id": "{org}"} for v in DATASETS],
    "bulk_update_private": [{"datasets": [v], "org_id": "{org}"} for v in DATASETS],
    "bulk_update_public": [{"datasets": [v], "org_id": "{org}"} for v in DATASETS],
    "dataset_purge": each("id", DATASETS),
    "datastore_create": each("resource_id", RESOURCES, force=True, fields=[{"id": "x"}]) + [
        {"resource": {"package_id": v, "url": "x.csv"}, "fields": [{"id": "x"}]}
        for v in DATASETS],
    "datastore_delete": each("resource_id", RESOURCES, force=True),
    "datastore_records_delete": each("resource_id", RESOURCES, force=True, filters={}),
    "datastore_run_triggers": each("resource_id", RESOURCES),
    "datastore_upsert": each("resource_id", RESOURCES, force=True, method="insert",
                             records=[{"region": "x"}]),
    "follow_dataset": each("id", DATASETS),
    "kg_validation_retry": each("id", RESOURCES),
    "member_create": [{"id": "{group}", "object": v, "object_type": "package",
                       "capacity": "public"} for v in DATASETS],
    "member_delete": [{"id": "{group}", "object": v, "object_type": "package"}
                      for v in DATASETS],
    "package_collaborator_create": each("id", DATASETS, user_id="{outsider}",
                                        capacity="editor"),
    "package_collaborator_delete": each("id", DATASETS, user_id="{outsider}"),
    "package_create_default_resource_views": [{"package": {"id": v}} for v in DATASETS],
    "package_delete": each("id", DATASETS),
    "package_owner_org_update": each("id", DATASETS, organization_id="{org}"),
    "package_patch": each("id", DATASETS, notes="x"),
    "package_relationship_create": each("subject", DATASETS, object="{open}",
                                        type="child_of"),
    "package_relationship_delete": each("subject", DATASETS, object="{open}",
                                        type="child_of"),
    "package_relationship_update": each("subject", DATASETS, object="{open}",
                                        type="child_of", comment="x"),
    "package_resource_reorder": each("id", DATASETS, order=["{resource}"]),
    "package_revise": [{"match": {"id": v}, "update": {"notes": "x"}} for v in DATASETS],
    "package_update": each("id", DATASETS),
    "resource_create": each("package_id", DATASETS, url="http://example.invalid/x.pdf",
                            name="x"),
    "resource_create_default_resource_views": [
        {"resource": {"id": r}, "package": {"id": v}}
        for v, r in (("{dataset}", "{resource}"), ("{draft}", "{draft_resource}"))],
    "resource_delete": each("id", RESOURCES),
    "resource_patch": each("id", RESOURCES, name="x"),
    "resource_update": each("id", RESOURCES, url="http://example.invalid/x.pdf"),
    "resource_view_create": each("resource_id", RESOURCES, view_type="image_view",
                                 title="x"),
    "resource_view_reorder": each("id", RESOURCES, order=[]),
    "unfollow_dataset": each("id", DATASETS),
}

_NAMES_NO_DATASET = ("changes users, agencies, groups, tags, vocabularies, tokens or "
                     "follows of those: names no dataset")
_SITE_MAINTENANCE = "sysadmins' site maintenance: names no dataset"
_FILES = ("CKAN's file API: no file of this portal belongs to a dataset (tables are "
          "stored through resources), and a file's id cannot be derived")
_VIEWS = "needs a resource view's id: no view plugin is enabled, so no view exists"

# Actions not called, each with its reason.
SKIPPED: dict[str, str] = {
    "activity_delete_all": _SITE_MAINTENANCE,
    "activity_delete_counts": _SITE_MAINTENANCE,
    "api_token_create": _NAMES_NO_DATASET,
    "api_token_revoke": _NAMES_NO_DATASET,
    "config_option_update": _SITE_MAINTENANCE,
    "dashboard_mark_activities_old": "marks the caller's own dashboard read: names nothing",
    "datastore_function_create": _SITE_MAINTENANCE,
    "datastore_function_delete": _SITE_MAINTENANCE,
    "file_create": _FILES,
    "file_delete": _FILES,
    "file_ownership_transfer": _FILES,
    "file_pin": _FILES,
    "file_register": _FILES,
    "file_rename": _FILES,
    "file_show": _FILES,
    "file_unpin": _FILES,
    "follow_group": _NAMES_NO_DATASET,
    "follow_user": _NAMES_NO_DATASET,
    "group_create": _NAMES_NO_DATASET,
    "group_delete": _NAMES_NO_DATASET,
    "group_member_create": _NAMES_NO_DATASET,
    "group_member_delete": _NAMES_NO_DATASET,
    "group_patch": _NAMES_NO_DATASET,
    "group_purge": _NAMES_NO_DATASET,
    "group_update": _NAMES_NO_DATASET,
    "job_cancel": _SITE_MAINTENANCE,
    "job_clear": _SITE_MAINTENANCE,
    "job_show": "needs a background job's id, which cannot be derived (sysadmins only)",
    "organization_create": _NAMES_NO_DATASET,
    "organization_delete": _NAMES_NO_DATASET,
    "organization_member_create": _NAMES_NO_DATASET,
    "organization_member_delete": _NAMES_NO_DATASET,
    "organization_patch": _NAMES_NO_DATASET,
    "organization_purge": _NAMES_NO_DATASET,
    "organization_update": _NAMES_NO_DATASET,
    "package_create": ("creates a dataset, naming none that exists; a taken name is refused "
                       "only to publishers, the only ones who may create datasets"),
    "resource_view_clear": _SITE_MAINTENANCE,
    "resource_view_delete": _VIEWS,
    "resource_view_show": _VIEWS,
    "resource_view_update": _VIEWS,
    "send_email_notifications": _SITE_MAINTENANCE,
    "tag_create": _NAMES_NO_DATASET,
    "tag_delete": _NAMES_NO_DATASET,
    "task_status_delete": _SITE_MAINTENANCE,
    "task_status_update": _SITE_MAINTENANCE,
    "task_status_update_many": _SITE_MAINTENANCE,
    "term_translation_update": _SITE_MAINTENANCE,
    "term_translation_update_many": _SITE_MAINTENANCE,
    "unfollow_group": _NAMES_NO_DATASET,
    "unfollow_user": _NAMES_NO_DATASET,
    "user_create": _NAMES_NO_DATASET,
    "user_delete": _NAMES_NO_DATASET,
    "user_invite": _NAMES_NO_DATASET,
    "user_patch": _NAMES_NO_DATASET,
    "user_update": _NAMES_NO_DATASET,
    "vocabulary_create": _NAMES_NO_DATASET,
    "vocabulary_delete": _NAMES_NO_DATASET,
    "vocabulary_update": _NAMES_NO_DATASET,
}


def test_every_registered_action_is_classified(registry):
    registered = registry["actions"]
    assert not set(READS) & set(WRITES) and not (set(READS) | set(WRITES)) & set(SKIPPED)
    classified = set(READS) | set(WRITES) | set(SKIPPED)
    assert sorted(set(registered) - classified) == [], "new actions: classify them here"
    assert sorted(classified - set(registered)) == [], "no longer registered"
    assert all(registered[name] for name in READS if name != "dcat_dataset_show")


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("action", sorted(READS))
def test_read_action_reveals_nothing_hidden(hidden, caller, action):
    problems = [p for data in READS[action] for p in hidden.problems(caller, action, data)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("action", sorted(WRITES))
def test_write_on_hidden_dataset_is_refused_as_on_an_unknown_one(hidden, caller, action):
    problems = [p for data in WRITES[action]
                for p in hidden.problems(caller, action, data, refused=True)]
    assert not problems, "\n".join(problems)


def result(hidden, caller: str, action: str, **data):
    response = hidden.post(caller, action, hidden.fill(data))
    assert response.status_code == 200, response.text[:300]
    return response.json()["result"]


@pytest.mark.parametrize("caller", ["member", "sysadmin"])
def test_members_and_sysadmins_keep_their_access(hidden, caller):
    values = hidden.values
    assert result(hidden, caller, "package_show", id="{dataset}")["id"] == values["dataset_id"]
    assert result(hidden, caller, "package_show", id="{draft}")["id"] == values["draft_id"]
    rows = result(hidden, caller, "datastore_search", resource_id="{resource}")["records"]
    assert [r["region"] for r in rows] == [values["row"], "Нарын", "Талас"]  # version 2
    versions = result(hidden, caller, "kg_resource_versions", id="{resource}")["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    found = result(hidden, caller, "kg_resource_diff", id="{resource}")
    assert (found["added"], found["removed"], found["changed"]) == (1, 0, 0)
    assert sorted(result(hidden, caller, "tag_autocomplete", query="{tag_part}")) == [
        "ачыкбелгиe2e", "долбоорбелгиe2e", "жашыруунбелгиe2e"]
    assert result(hidden, caller, "format_autocomplete", q="{format}") == ["secretfmt"]
    members = result(hidden, caller, "member_list", id="{org}", object_type="package")
    assert values["dataset_id"] in [m[0] for m in members]


@pytest.mark.parametrize("caller", CALLERS)
def test_listings_and_counts_are_of_the_open_dataset_only(hidden, caller):
    assert result(hidden, caller, "tag_autocomplete", query="{tag_part}") == ["ачыкбелгиe2e"]
    assert result(hidden, caller, "format_autocomplete", q="{format}") == []
    members = result(hidden, caller, "member_list", id="{org}", object_type="package")
    opened = result(hidden, "sysadmin", "package_show", id="{open}")["id"]
    assert [m[0] for m in members] == [opened]
    for action, name in (("organization_show", "{org}"), ("group_show", "{group}")):
        assert result(hidden, caller, action, id=name)["package_count"] == 1
    for action, name in (("organization_list", "{org}"), ("group_list", "{group}")):
        listed = result(hidden, caller, action, all_fields=True, include_dataset_count=True)
        counts = {g["name"]: g["package_count"] for g in listed}
        assert counts[hidden.fill(name)] == 1
    search = result(hidden, caller, "package_search", q="*:*", include_private=True,
                    include_drafts=True, fq="organization:{org}",
                    **{"facet.field": ["tags"]})
    assert (search["count"], sorted(search["facets"]["tags"])) == (
        1, ["ачыкбелгиe2e", "открытаяметкаe2e"])


@pytest.mark.parametrize("caller", CALLERS)
def test_a_private_datasets_views_and_downloads_are_not_shown(hidden, caller):
    """The private table was downloaded more than any other (conftest), and
    its dataset's readers see it; anonymous callers and outsiders get no
    count of it, nor see it among the most downloaded."""
    from .conftest import HIDDEN_DOWNLOADS
    for reader in ("member", "sysadmin"):
        assert result(hidden, reader, "package_show", id="{dataset}")["kg_downloads"] == \
            HIDDEN_DOWNLOADS
    most = result(hidden, caller, "kg_most_downloaded_list", limit=100)
    assert hidden.values["dataset_id"] not in [d["id"] for d in most]
    assert hidden.problems(caller, "package_show", {"id": "{dataset}"}) == []


def test_a_member_counts_the_private_dataset_of_their_agency(hidden):
    assert result(hidden, "member", "organization_show", id="{org}")["package_count"] == 2
