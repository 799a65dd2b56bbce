"""A signed-in reader's permission labels, read without showing agencies.

CKAN's labels of a reader (`DefaultPermissionLabels`) name the agencies
the reader may read by calling `organization_list_for_user`, which checks
access, reads the user again and dictizes every agency, only for their
ids: a third of a member's `package_search`, and of each private
dataset's access check. These are the same labels, from the same rule:

- `public`, and `creator-<user id>`;
- `member-<agency id>` for each active agency the reader is an active
  member of in a role with the `read` permission, and for every agency
  below one where that role cascades
  (`ckan.auth.roles_that_cascade_to_sub_groups`), as CKAN's hierarchy
  query finds them;
- `collaborator-<dataset id>` as CKAN adds them, when collaborators are
  allowed.

Anonymous readers and sysadmins get CKAN's own answer.
`tests/logic/test_labels.py` compares the two for every kind of reader.
"""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels

_DEFAULT = DefaultPermissionLabels()


def of_dataset(dataset: model.Package) -> list[str]:
    return _DEFAULT.get_dataset_labels(dataset)


def of_reader(user: Any) -> list[str]:
    if not user or user.is_anonymous or user.sysadmin:
        return _DEFAULT.get_user_dataset_labels(user)
    labels = ["public", f"creator-{user.id}"]
    labels.extend(f"member-{agency}" for agency in _readable_agencies(user.id))
    if authz.check_config_permission("allow_dataset_collaborators"):
        labels.extend(_collaborations(user))
    return labels


def _readable_agencies(user_id: str) -> list[str]:
    """Ids of the agencies whose datasets the user may read, as
    `organization_list_for_user` with `permission=read` finds them."""
    roles = authz.get_roles_with_permission("read")
    if not roles:
        return []
    cascading = authz.check_config_permission("roles_that_cascade_to_sub_groups")
    # the columns the rule needs, not whole groups: most members have no
    # role that cascades, and their groups are never more than these
    memberships = (model.Session.query(model.Member.capacity, model.Group.id,
                                       model.Group.is_organization, model.Group.state)
                   .filter(model.Member.table_name == "user")
                   .filter(model.Member.capacity.in_(roles))
                   .filter(model.Member.table_id == user_id)
                   .filter(model.Member.state == "active")
                   .join(model.Group, model.Member.group_id == model.Group.id)
                   .all())
    agencies = {agency: (is_organization, state)
                for _, agency, is_organization, state in memberships}
    above = [agency for capacity, agency, _, _ in memberships if capacity in cascading]
    below = {child[0] for group in _groups(above)
             for child in group.get_children_group_hierarchy(type="organization")}
    below -= agencies.keys()
    agencies.update((group.id, (group.is_organization, group.state))
                    for group in _groups(list(below)))
    return [agency for agency, (is_organization, state) in agencies.items()
            if is_organization and state == "active"]


def _groups(ids: list[str]) -> list[model.Group]:
    if not ids:
        return []
    return model.Session.query(model.Group).filter(model.Group.id.in_(ids)).all()


def _collaborations(user: Any) -> list[str]:
    datasets = tk.get_action("package_collaborator_list_for_user")(
        {"ignore_auth": True}, {"id": user.id})
    return [f"collaborator-{dataset['package_id']}" for dataset in datasets]
