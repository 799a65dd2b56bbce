"""The test suite in several processes (pytest-xdist, `make test`).

Each worker runs CKAN on a configuration of its own: worker `gw0` on the
`--ckan-ini` given (var/test.ini), worker `gwN` on its sibling numbered
N + 1 (var/test2.ini), which `scripts/portal.py prepare` writes with
databases, a Redis database and a storage folder of its own. CKAN's
fixtures empty every table of their database, so two workers on one
database would empty each other's.

Tests are handed to the workers in groups (`--dist loadgroup`): the tests of
one module stay together, so that a module's fixtures are made once; the
tests under `tests/` (portals served by gunicorn, their own databases on
fixed ports, services started and stopped) share resources between modules,
so the modules that share one run in one group, in their usual order.
pytest-xdist hands out the groups with the most tests first.
"""
from __future__ import annotations

import os
from pathlib import Path

# tests/ modules by the portal they serve or reset: a group each (the
# modules of one group run in order, on one worker)
PORTAL_GROUPS = {
    "tests/e2e/": "portal e2e", "tests/browser/": "portal e2e",
    "tests/fuzz/": "portal e2e", "tests/faults/": "portal faults",
    "tests/test_fresh_portal.py": "portal ops", "tests/test_portal_secrets.py": "portal ops",
    "tests/test_backup_restore.py": "portal ops",
}
# the other tests/ modules start servers and use the shared ones: one group
SERVICES_GROUP = "services"
IN_PROCESS = ("tests/ckan_compat/",)  # CKAN in this process, its own configuration


def worker_number() -> int | None:
    """This process's number among pytest-xdist's workers (None: no workers)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return int(worker.removeprefix("gw")) if worker else None


def worker_ini(given: str, number: int | None) -> Path:
    """The CKAN configuration of worker `number`, beside the `given` one."""
    path = Path(given)
    if not number:
        return path
    return path.with_name(f"{path.stem}{number + 1}{path.suffix}")


def group_of(relative_path: str, fixtures: list[str]) -> str:
    """The group a test runs in, from its file's path under the project and
    the fixtures it takes."""
    for prefix, group in PORTAL_GROUPS.items():
        if relative_path.startswith(prefix):
            return group
    if "portal" in fixtures:
        return "portal e2e"
    if relative_path.startswith("tests/") and not relative_path.startswith(IN_PROCESS):
        return SERVICES_GROUP
    return relative_path  # its module
