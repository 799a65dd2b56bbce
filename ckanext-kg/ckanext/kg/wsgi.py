"""The WSGI application for gunicorn: ``gunicorn ckanext.kg.wsgi:application``.

Reads the CKAN configuration file named by the ``CKAN_INI`` environment
variable.
"""
from __future__ import annotations

import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_config = CKANConfigLoader(os.environ["CKAN_INI"]).get_config()
application = make_app(_config)
