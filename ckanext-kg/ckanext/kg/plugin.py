"""`kg`: the portal's own plugin. Interfaces and registration only."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.kg import (
    api_tokens,
    assets,
    counts,
    errors,
    indexing,
    languages,
    request_body,
    table_explorer,
    views,
)
from ckanext.kg.logic import action, labels
from ckanext.kg.publishing import incoming
from ckanext.kg.publishing.files import stored
from ckanext.kg.publishing.gate import serving


@tk.blanket.actions(action.registered)
@tk.blanket.auth_functions
@tk.blanket.validators
@tk.blanket.helpers
@tk.blanket.blueprints
@tk.blanket.config_declarations
@tk.blanket.cli
class KgPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IAuthenticator, inherit=True)
    p.implements(p.IPermissionLabels)
    p.implements(p.IUploader, inherit=True)

    def update_config(self, config: tk.CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "kg")
        languages.use_portal_catalogues(config)

    def make_middleware(self, app: Any, config: Any) -> Any:
        if hasattr(app, "before_request"):  # the Flask app
            assets.build_once(config)
            errors.install(app)
            app.before_request(serving.hold_unvalidated_downloads)
            app.before_request(views.check_datastore_dump)
            app.before_request(table_explorer.refuse_unreadable_preview)
            app.context_processor(views.search_page_defaults)
            if tk.config.get("ckanext.kg.counts.enabled"):
                app.after_request(counts.count_request)
            app.wsgi_app = request_body.read_in_large_steps(app.wsgi_app)
            app.request_class = incoming.request_class(app.request_class)
        return app

    def get_resource_uploader(self, data_dict: dict[str, Any]) -> Any:
        return incoming.resource_uploader(data_dict)

    def identify_user(self, user_id: Any = None) -> Any:
        return api_tokens.token_owner()

    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return labels.of_dataset(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return labels.of_reader(user_obj)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return indexing.search_document(counts.left_out(pkg_dict))

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        counts.add_to_dataset(context, pkg_dict)

    def before_dataset_view(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return indexing.localise(pkg_dict)

    def after_resource_delete(self, context: Any, resources: Any) -> None:
        stored.withdraw_deleted(context["package"].id)
