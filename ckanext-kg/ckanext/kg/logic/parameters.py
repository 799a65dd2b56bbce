"""CKAN's own actions that read a parameter before checking it, found by
the fuzzers (tests/fuzz): a missing `q`, `id` or `data` (KeyError), a blank
`limit` (int('')), a flag that is not true or false (asbool), a list where
one value is read (SQLAlchemy's session.get), a `limit` or `offset` larger
than PostgreSQL's bigint (a DataError). Each is chained to check
those parameters first with CKAN's validators (`schema.checked`), so the
caller gets a 409 naming the parameter instead of a 500.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.logic.schema import validator_args
from ckan.types import Context, DataDict, Schema, Validator

from ckanext.kg.logic import schema


@validator_args
def _rules(not_empty: Validator, ignore_missing: Validator, unicode_safe: Validator,
           natural_number_validator: Validator, kg_single_value: Validator,
           kg_boolean: Validator, kg_texts: Validator,
           kg_timestamp: Validator) -> dict[str, list[Validator]]:
    # blank values never reach these rules (`schema.checked` leaves them
    # out); a given False or 0 is kept, as CKAN's own action reads it
    return {"required": [not_empty, kg_single_value, unicode_safe],
            "text": [ignore_missing, kg_single_value, unicode_safe],
            "texts": [ignore_missing, kg_texts],
            "number": [ignore_missing, kg_single_value, natural_number_validator,
                       schema.at_most(schema.LARGEST_NUMBER)],
            "flag": [ignore_missing, kg_single_value, kg_boolean],
            "timestamp": [ignore_missing, kg_single_value, kg_timestamp]}


PAGED = {"limit": "number", "offset": "number"}
ACTIVITIES = {**PAGED, "before": "timestamp", "after": "timestamp"}
SHOWN_GROUP = {"id": "required", "include_datasets": "flag", "include_dataset_count": "flag",
               "include_extras": "flag", "include_users": "flag", "include_groups": "flag",
               "include_tags": "flag", "include_followers": "flag",
               "include_member_count": "flag"}
# action -> (side-effect free, {parameter: rule})
CHECKED: dict[str, tuple[bool, dict[str, str]]] = {
    "group_autocomplete": (True, {"q": "required", "limit": "number"}),
    "package_autocomplete": (True, {"limit": "number"}),
    "user_autocomplete": (True, {"limit": "number"}),
    "package_activity_list": (True, ACTIVITIES),
    "group_activity_list": (True, ACTIVITIES),
    "organization_activity_list": (True, ACTIVITIES),
    "user_activity_list": (True, ACTIVITIES),
    "organization_autocomplete": (True, {"q": "required", "limit": "number"}),
    "group_member_create": (False, {"id": "required", "username": "required",
                                    "role": "required"}),
    "organization_member_create": (False, {"id": "required", "username": "required",
                                           "role": "required"}),
    "group_member_delete": (False, {"id": "required", "username": "required"}),
    "organization_member_delete": (False, {"id": "required", "username": "required"}),
    "datastore_run_triggers": (False, {"resource_id": "required"}),
    "user_invite": (False, {"email": "required", "group_id": "required",
                            "role": "required"}),
    "package_list": (True, PAGED),
    "resource_search": (True, {**PAGED, "query": "texts", "order_by": "text"}),
    "current_package_list_with_resources": (True, {**PAGED, "page": "number"}),
    "recently_changed_packages_activity_list": (True, ACTIVITIES),
    "dashboard_activity_list": (True, ACTIVITIES),
    "followee_list": (True, {"q": "text"}),
    "user_list": (True, {**PAGED, "q": "text", "order_by": "text", "all_fields": "flag",
                         "include_site_user": "flag"}),
    "organization_list": (True, {**PAGED, "sort": "text", "q": "text", "all_fields": "flag",
                                 "include_extras": "flag", "include_tags": "flag",
                                 "include_groups": "flag", "include_users": "flag"}),
    "group_list": (True, {**PAGED, "sort": "text", "q": "text", "all_fields": "flag",
                          "include_extras": "flag", "include_tags": "flag",
                          "include_groups": "flag", "include_users": "flag"}),
    "resource_patch": (False, {"id": "required"}),
    "package_collaborator_create": (False, {"id": "required", "user_id": "required",
                                            "capacity": "required"}),
    "package_collaborator_delete": (False, {"id": "required", "user_id": "required"}),
    "group_patch": (False, {"id": "required"}),
    "organization_patch": (False, {"id": "required"}),
    "group_show": (True, SHOWN_GROUP),
    "organization_show": (True, SHOWN_GROUP),
    "resource_view_list": (True, {"id": "required"}),
    "user_show": (True, {"id": "text", "include_datasets": "flag",
                         "include_num_followers": "flag", "include_plugin_extras": "flag"}),
}
MEMBERSHIPS = ("group_member_create", "organization_member_create", "group_member_delete",
               "organization_member_delete")


def parameters_of(action: str) -> Schema:
    rules = _rules()
    return {name: rules[rule] for name, rule in CHECKED[action][1].items()}


def checking(action: str) -> Callable[..., Any]:
    """`action` chained: its parameters checked before CKAN's own runs."""
    @tk.chained_action
    def checked_first(up_func, context: Context, data_dict: DataDict):
        data_dict = schema.checked(context, data_dict, parameters_of(action))
        if action in MEMBERSHIPS:
            _group_exists(context, data_dict["id"])
        if action.startswith("package_collaborator_"):
            _dataset_exists(context, data_dict["id"])
        if action == "resource_search":
            return _terms_compared(up_func, context, data_dict)
        return up_func(context, data_dict)

    checked_first.__name__ = action
    checked_first.__doc__ = f"CKAN's `{action}`, its parameters checked first."
    if action.startswith("datastore_"):
        checked_first.auth_audit_exempt = True  # as CKAN leaves a plugin's action
    return tk.side_effect_free(checked_first) if CHECKED[action][0] else checked_first


def _terms_compared(up_func, context: Context, data_dict: DataDict) -> Any:
    """CKAN's `resource_search` compares each term with its column as
    given: a `size` that is no number, a `created` that PostgreSQL cannot
    read as a time, a number beyond its range, each a DataError (a 500).
    The search runs in a savepoint; such a term is refused naming `query`."""
    try:
        with context["model"].Session.begin_nested():
            return up_func(context, data_dict)
    except sa.exc.DataError:
        raise tk.ValidationError({"query": [tk._(
            "A term of the query cannot be compared with its field: give a whole "
            "number for a number and a date such as 2024-01-31 for a date.")]}) from None


def _dataset_exists(context: Context, reference: str) -> None:
    """CKAN's collaborator auth functions assert the dataset exists (a 500)."""
    if context["model"].Package.get(reference) is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))


def _group_exists(context: Context, reference: str) -> None:
    """CKAN's membership actions assert the group exists (a 500) after
    their auth function reads it; a missing one is a 404."""
    if context["model"].Group.get(reference) is None:
        raise tk.ObjectNotFound(tk._("Group not found"))


def task_status_update_many(up_func, context: Context, data_dict: DataDict):
    """`data` must be a list of task statuses (objects)."""
    data = data_dict.get("data")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise tk.ValidationError({"data": [tk._("Give a list of objects.")]})
    return up_func(context, data_dict)


# actions of a plugin that the site may leave out
OWNED_BY = {"datastore_run_triggers": "datastore", "dashboard_activity_list": "activity",
            "recently_changed_packages_activity_list": "activity",
            "package_activity_list": "activity", "group_activity_list": "activity",
            "organization_activity_list": "activity", "user_activity_list": "activity"}


def checked_actions() -> dict[str, Any]:
    found = {name: checking(name) for name in CHECKED
             if name not in OWNED_BY or plugins.plugin_loaded(OWNED_BY[name])}
    found["task_status_update_many"] = tk.chained_action(task_status_update_many)
    return found
