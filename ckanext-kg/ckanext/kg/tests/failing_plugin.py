"""A plugin for tests only (entry point `kg_test_failing` in
`ckan.test_plugins`): an action and a page that fail unexpectedly with
internal text in the exception, as a database error would carry it."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from flask import Blueprint

INTERNAL_TEXT = ('(psycopg2.errors.InternalError) SELECT * FROM "kg_search_index" '
                 'WHERE permission_labels && ARRAY[\'member-secret\']')


@tk.side_effect_free
def kg_test_fail(context, data_dict):
    raise RuntimeError(INTERNAL_TEXT)


def _failing_page():
    raise RuntimeError(INTERNAL_TEXT)


class FailingPlugin(p.SingletonPlugin):
    p.implements(p.IActions)
    p.implements(p.IBlueprint)

    def get_actions(self):
        return {"kg_test_fail": kg_test_fail}

    def get_blueprint(self):
        blueprint = Blueprint("kg_test_failing", __name__)
        blueprint.add_url_rule("/kg-test/fail", view_func=_failing_page)
        return blueprint
