"""What a caller may not see does not exist for them.

CKAN refuses a private or draft dataset that the caller may not read with
a 403 (often naming its id), where an unknown one gets a 404: an oracle
for which names exist. Here every such answer is the unknown one:

- `package_show`'s auth (`auth.py`) raises CKAN's own NotFound instead of
  refusing, so every check that goes through it (resources, DataStore
  tables, activity, DCAT, the code's reports, the pages) answers as for an
  unknown dataset;
- the actions of `NAMING`, which name a dataset, resource or activity and
  answer an unknown one otherwise, or read or write before they check,
  are chained (`hiding`): when what they name is hidden from the caller,
  they run on a stand-in that names nothing, and the caller gets that
  answer, with their own words put back where CKAN echoes them. The answer
  is then the unknown one by construction, whatever its message.

Who may read a dataset is CKAN's own rule: its permission labels.
"""
from __future__ import annotations

import functools
import re
import uuid
from typing import Any, Callable, Iterable

import ckan.authz as authz
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import get_permission_labels
from ckan.types import Context, DataDict

DATASET, RESOURCE, ACTIVITY, MEMBER, SQL = (
    "dataset", "resource", "activity", "package member", "tables in sql")

_READS: dict[str, tuple[tuple[str, str], ...]] = {
    "activity_data_show": ((ACTIVITY, "id"),),
    "activity_diff": ((ACTIVITY, "id"),),
    "activity_show": ((ACTIVITY, "id"),),
    "am_following_dataset": ((DATASET, "id"),),
    "dataset_follower_count": ((DATASET, "id"),),
    "dataset_follower_list": ((DATASET, "id"),),
    "datastore_info": ((RESOURCE, "resource_id"), (RESOURCE, "id")),
    "datastore_search": ((RESOURCE, "resource_id"),),
    "datastore_search_sql": ((SQL, "sql"),),
    "file_owner_scan": ((DATASET, "owner_id"),),
    "package_collaborator_list": ((DATASET, "id"),),
    "package_relationships_list": ((DATASET, "id"), (DATASET, "id2")),
}
_WRITES: dict[str, tuple[tuple[str, str], ...]] = {
    "dataset_purge": ((DATASET, "id"),),
    "datastore_create": ((RESOURCE, "resource_id"), (DATASET, "resource.package_id")),
    "datastore_delete": ((RESOURCE, "resource_id"),),
    "datastore_records_delete": ((RESOURCE, "resource_id"),),
    "datastore_run_triggers": ((RESOURCE, "resource_id"),),
    "datastore_upsert": ((RESOURCE, "resource_id"),),
    "follow_dataset": ((DATASET, "id"),),
    "kg_validation_retry": ((RESOURCE, "id"),),
    "member_create": ((MEMBER, "object"),),
    "member_delete": ((MEMBER, "object"),),
    "package_collaborator_create": ((DATASET, "id"),),
    "package_collaborator_delete": ((DATASET, "id"),),
    "package_create_default_resource_views": ((DATASET, "package.id"),),
    "package_delete": ((DATASET, "id"),),
    "package_owner_org_update": ((DATASET, "id"),),
    "package_patch": ((DATASET, "id"),),
    "package_relationship_create": ((DATASET, "subject"), (DATASET, "object")),
    "package_relationship_delete": ((DATASET, "subject"), (DATASET, "object")),
    "package_relationship_update": ((DATASET, "subject"), (DATASET, "object")),
    "package_resource_reorder": ((DATASET, "id"),),
    "package_update": ((DATASET, "id"),),
    "resource_create": ((DATASET, "package_id"),),
    "resource_create_default_resource_views": ((DATASET, "package.id"),
                                               (RESOURCE, "resource.id")),
    "resource_delete": ((RESOURCE, "id"),),
    "resource_patch": ((RESOURCE, "id"),),
    "resource_update": ((RESOURCE, "id"),),
    "resource_view_create": ((RESOURCE, "resource_id"),),
    "resource_view_reorder": ((RESOURCE, "id"),),
    "unfollow_dataset": ((DATASET, "id"),),
}
# Each action that names a dataset, resource or activity: (kind, key; a
# dotted key is one in a nested dict).
NAMING = {**_READS, **_WRITES}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def readable_datasets(context: Context, packages: Iterable[model.Package]) -> set[str]:
    """The ids of those of `packages` the caller may read (CKAN's
    permission labels, as `package_show` checks them)."""
    packages = list(packages)
    name = context.get("user") or ""
    if context.get("ignore_auth") or authz.is_sysadmin(name):
        return {p.id for p in packages}
    user = model.User.get(name) if name else None
    labels = get_permission_labels()
    mine = set(labels.get_user_dataset_labels(user))
    return {p.id for p in packages if mine & set(labels.get_dataset_labels(p))}


def dataset_hidden(context: Context, id_or_name: str) -> bool:
    """A dataset exists, and the caller may not read it."""
    package = model.Package.get(id_or_name)
    return package is not None and not readable_datasets(context, [package])


def resource_hidden(context: Context, resource_id: str) -> bool:
    resource = model.Resource.get(resource_id)
    return bool(resource and resource.package_id
                and dataset_hidden(context, resource.package_id))


def activity_hidden(context: Context, activity_id: str) -> bool:
    from ckanext.activity.model import Activity
    activity = Activity.get(activity_id)
    return bool(activity and dataset_hidden(context, activity.object_id))


def _hidden_values(context: Context, data_dict: DataDict, kind: str, key: str) -> list[str]:
    """The words at `key` that name something hidden from the caller."""
    value = _at(data_dict, key)
    if not isinstance(value, str) or not value:
        return []
    if kind == SQL:
        return sorted({t for t in _UUID.findall(value) if resource_hidden(context, t)})
    if kind == MEMBER and data_dict.get("object_type") != "package":
        return []
    hidden = {DATASET: dataset_hidden, MEMBER: dataset_hidden,
              RESOURCE: resource_hidden, ACTIVITY: activity_hidden}[kind]
    return [value] if hidden(context, value) else []


def _at(data: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _with_stand_ins(data: Any, key: str, stand_ins: dict[str, str]) -> Any:
    """A copy of `data` where the words at `key` are their stand-ins."""
    head, _, rest = key.partition(".")
    value = data.get(head)
    copy = dict(data)
    copy[head] = (_with_stand_ins(value, rest, stand_ins) if rest
                  else _replaced(value, stand_ins))
    return copy


def _replaced(value: Any, words: dict[str, str]) -> Any:
    """`value` (texts, lists and dicts of them) with each word replaced."""
    if isinstance(value, str):
        for word, other in words.items():
            value = value.replace(word, other)
        return value
    if isinstance(value, dict):
        return {k: _replaced(v, words) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, words) for v in value]
    return value


def _stand_in(word: str) -> str:
    """A word of the same shape that names nothing."""
    return str(uuid.uuid4()) if _UUID.fullmatch(word) else f"unknown-{uuid.uuid4().hex}"


def _as_unknown(run: Callable, context: Context, data_dict: DataDict,
                hidden: dict[str, list[str]]) -> Any:
    """The answer to `data_dict` with the hidden words replaced by words
    that name nothing, and the caller's words put back in what it echoes."""
    stand_ins = {word: _stand_in(word) for words in hidden.values() for word in words}
    for key in hidden:
        data_dict = _with_stand_ins(data_dict, key, stand_ins)
    echoes = {other: word for word, other in stand_ins.items()}
    try:
        return _replaced(run(context, data_dict), echoes)
    except tk.ValidationError as error:
        raise tk.ValidationError(_replaced(error.error_dict, echoes)) from None
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        raise type(error)(_replaced(error.message, echoes)) from None


def _hiding(name: str, own: Callable | None, naming: tuple[tuple[str, str], ...]) -> Callable:
    """`own` (this plugin's action of that name, chained or not; None:
    CKAN's or another plugin's, passed through) answering as for an unknown
    object when what it names is hidden from the caller."""
    chained = own is None or getattr(own, "chained_action", False)

    def answer(run: Callable, context: Context, data_dict: DataDict):
        hidden = {key: words for kind, key in naming
                  if (words := _hidden_values(context, data_dict, kind, key))}
        if hidden:
            return _as_unknown(run, context, data_dict, hidden)
        return run(context, data_dict)

    if not chained:
        action = functools.wraps(own)(functools.partial(answer, own))
    else:
        def action(up_func, context: Context, data_dict: DataDict):
            return answer(functools.partial(own or _passing_through, up_func),
                          context, data_dict)
        if own is not None:
            functools.update_wrapper(action, own)
        action.chained_action = True  # type: ignore[attr-defined]
    if name in _READS:
        action.side_effect_free = True  # type: ignore[attr-defined]
    if name.startswith(("datastore_", "activity_")):
        # CKAN exempts plugins' actions from its check that an action called
        # its auth function (datastore_records_delete leaves it to
        # datastore_delete); a chained action would lose that.
        action.auth_audit_exempt = True  # type: ignore[attr-defined]
    return action


def _passing_through(up_func, context: Context, data_dict: DataDict):
    return up_func(context, data_dict)


def hiding(actions: dict[str, Callable]) -> dict[str, Callable]:
    """`actions` (a plugin's, some chained) with each action of `NAMING`
    that the site has chained to answer as for an unknown object when what
    it names is hidden from the caller."""
    result = dict(actions)
    for name, naming in NAMING.items():
        if name in actions or _registered(name):
            result[name] = _hiding(name, actions.get(name), naming)
    return result


def _registered(name: str) -> bool:
    """Whether the site has the action (the activity plugin's and the
    DataStore's SQL search only where they are enabled)."""
    if name.startswith("activity_"):
        return plugins.plugin_loaded("activity")
    if name == "datastore_search_sql":
        return (plugins.plugin_loaded("datastore")
                and tk.asbool(tk.config.get("ckan.datastore.sqlsearch.enabled")))
    return True

