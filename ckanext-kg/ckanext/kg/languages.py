"""CKAN's interface catalogues for ky (which CKAN lacks) and a complete ru."""
from __future__ import annotations

import os
from typing import Any

CORE_CATALOGUES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "i18n", "core")


def use_portal_catalogues(config: Any) -> None:
    """Point ckan.i18n_directory at the portal's catalogues (it replaces
    CKAN's own directory) unless a deployment set its own.

    CKAN remembers the locales it found in the first directory it read
    (module globals of ckan.lib.i18n); they are forgotten here so that
    /ky/... is routed even when CKAN listed its locales before this plugin
    was loaded (plugins loaded later in one process, as in tests).
    """
    if config.get("ckan.i18n_directory"):
        return
    config["ckan.i18n_directory"] = CORE_CATALOGUES
    from ckan.lib import i18n
    i18n.locales = i18n.available_locales = i18n.locales_dict = None
    i18n._non_translated_locals = None
