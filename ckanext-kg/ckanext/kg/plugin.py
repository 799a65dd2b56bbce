"""`kg`: the portal's own plugin. Interfaces and registration only."""
from __future__ import annotations

import os

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

HERE = os.path.dirname(os.path.abspath(__file__))


class KgPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    def update_config(self, config: tk.CKANConfig) -> None:
        # CKAN's core catalogues for ky (which CKAN lacks) and a complete ru;
        # ckan.i18n_directory replaces CKAN's own directory.
        if not config.get("ckan.i18n_directory"):
            config["ckan.i18n_directory"] = os.path.join(HERE, "i18n", "core")
