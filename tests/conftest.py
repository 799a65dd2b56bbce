"""Fixtures for tests that need a portal served by gunicorn.

`portal` empties the `e2e` databases, creates a sysadmin with an API token,
serves CKAN through gunicorn on KG_E2E_PORT (5099) and stops it at the end.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_portal_module():
    spec = importlib.util.spec_from_file_location(
        "kg_portal_script", ROOT / "scripts" / "portal.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class Portal:
    def __init__(self, url: str, token: str, ini: Path):
        self.url = url
        self.token = token
        self.ini = ini

    def api(self, token: str | None = None):
        import ckanapi
        return ckanapi.RemoteCKAN(self.url, apikey=token)

    def sysadmin(self):
        return self.api(self.token)


@pytest.fixture(scope="session")
def portal_script():
    return _load_portal_module()


@pytest.fixture(scope="session")
def portal(portal_script):
    ps = portal_script
    secret = ps.load_secrets()
    admin_url = ps.start_postgres(secret)
    redis_url = ps.start_redis(secret)
    ps.ensure_databases(admin_url, secret)
    ini = ps.write_config("e2e", admin_url, redis_url, secret)
    ps.reset_database(ini, admin_url, ps.DATABASES["e2e"][1])
    token_file = ps.VAR / "e2e-sysadmin.token"
    token_file.unlink(missing_ok=True)
    ps.ensure_sysadmin(ini, secret, token_file)
    proc = ps.serve(ini, ps.E2E_PORT)
    try:
        yield Portal(f"http://127.0.0.1:{ps.E2E_PORT}",
                     token_file.read_text().strip(), ini)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
