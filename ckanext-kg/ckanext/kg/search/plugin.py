"""`kg_pgsearch`: CKAN's search on PostgreSQL instead of Solr."""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import seam


class PgSearchPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)

    def update_config(self, config: tk.CKANConfig) -> None:
        seam.install()
