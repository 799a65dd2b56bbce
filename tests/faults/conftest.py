"""A portal of its own for the fault tests, so that stopping its services
disturbs no other test: its own PostgreSQL cluster, Redis server,
gunicorn and jobs workers, with everything under `var/faults` and on
ports of its own (`KG_FAULTS_PORT`, `KG_FAULTS_PG_PORT`,
`KG_FAULTS_REDIS_PORT`).

gunicorn and the jobs workers run in a mount namespace of their own
(`unshare --user --map-root-user --mount`, no root needed) where
`ckan.storage_path` is a tmpfs of `STORAGE_MB` megabytes: filling it makes
the portal's own writes fail with ENOSPC, a real full disk. Where user
namespaces are not allowed the tests are skipped, saying so.
"""
from __future__ import annotations

import importlib.util
import io
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
STORAGE_MB = 256  # room for every test's tables with their download files (exports)
SYNC_MAX_BYTES = 100_000  # larger tables go to the jobs worker
SCHEMA = {"fields": [{"name": "region", "type": "string"},
                     {"name": "year", "type": "integer"},
                     {"name": "population", "type": "integer"}],
          # "-" as a missing value: rows are read one by one, so a large
          # table stays long enough in the loading stage to be caught there
          "missingValues": ["", "-"]}


def table_csv(rows: int) -> bytes:
    lines = ["region,year,population"]
    lines += [f"Аймак {i},{2000 + i % 24},{i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def wait_for(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _portal_module(var: Path):
    """scripts/portal.py loaded once more, its services under `var` on the
    fault ports (the module reads them when loaded)."""
    env = {"KG_VAR": str(var),
           "KG_PG_PORT": os.environ.get("KG_FAULTS_PG_PORT", "54339"),
           "KG_REDIS_PORT": os.environ.get("KG_FAULTS_REDIS_PORT", "63789")}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        spec = importlib.util.spec_from_file_location(
            "kg_faults_portal_script", ROOT / "scripts" / "portal.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return module


class FaultPortal:
    """The services of the fault portal, each started and stopped here."""

    def __init__(self, script: Any) -> None:
        self.script = script
        self.secret = script.load_secrets()
        self.port = script.PORTS["faults"]
        self.url = f"http://127.0.0.1:{self.port}"
        self.storage = script.storage_path("faults")
        self.log = script.LOG / "faults-web.log"
        self.holder: subprocess.Popen | None = None
        self.web: subprocess.Popen | None = None
        self.ini = Path()
        self.token = ""

    # -- the storage namespace -------------------------------------------
    def enter_namespace(self) -> None:
        """A process that holds a mount namespace where the storage path
        is a small tmpfs; every web and jobs process joins it."""
        self.storage.mkdir(parents=True, exist_ok=True)
        self.holder = subprocess.Popen(
            ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private",
             "sh", "-c", f'mount -t tmpfs -o size={STORAGE_MB}m kg-faults "$0" '
             '&& echo mounted && exec sleep infinity', str(self.storage)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        said = self.holder.stdout.readline().strip()
        if said != "mounted":
            problem = self.holder.stderr.read().strip() if self.holder.poll() is not None \
                else said
            self.holder.kill()
            pytest.skip(f"no user and mount namespace for a small storage disk: {problem}")

    def in_namespace(self, args: list[str]) -> list[str]:
        return ["nsenter", "-t", str(self.holder.pid), "--user", "--mount",
                "--preserve-credentials", "--", *args]

    def storage_file(self, relative: str) -> Path:
        """A path in the tmpfs, as the test process reaches it."""
        return Path(f"/proc/{self.holder.pid}/root") / self.storage.relative_to("/") / relative

    # -- web ---------------------------------------------------------------
    def start_web(self) -> None:
        log = open(self.log, "ab")
        self.web = subprocess.Popen(self.in_namespace([
            str(self.script.VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}",
            "--workers", "2", *self.script.GUNICORN_WORKER, "--graceful-timeout", "5",
            "ckanext.kg.wsgi:application"]),
            env=dict(os.environ, CKAN_INI=str(self.ini)), stdout=log, stderr=log)
        self.script.wait_for_portal(self.url)

    def web_workers(self) -> list[int]:
        """The gunicorn workers (the master's children)."""
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children")
        return sorted(int(pid) for pid in children.read_text().split())

    def jobs_worker(self, burst: bool = True) -> subprocess.Popen:
        """`ckan jobs worker`; with `burst`, it runs what is queued, then ends."""
        log = open(self.script.LOG / "faults-worker.log", "ab")
        return subprocess.Popen(self.in_namespace([
            str(self.script.VENV_BIN / "ckan"), "-c", str(self.ini), "jobs", "worker",
            *(["--burst"] if burst else [])]), stdout=log, stderr=log)

    # -- PostgreSQL and Redis -------------------------------------------
    def stop_postgres(self) -> None:
        self.script.stop_postgres()

    def start_postgres(self) -> None:
        self.script.start_postgres(self.secret)

    def redis(self):
        import redis
        return redis.Redis(port=self.script.REDIS_PORT, password=self.secret["redis"])

    def stop_redis(self) -> None:
        """Redis ends as `make stop` or a container's stop ends it: saved."""
        self.redis().shutdown(save=True)
        wait_for(lambda: not self.script.port_open(self.script.REDIS_PORT), 10, "Redis to end")

    def kill_redis(self) -> None:
        """Redis ends as in a crash: what it did not save is lost."""
        pidfile = self.script.RUN / "redis.pid"
        os.kill(int(pidfile.read_text()), signal.SIGKILL)
        wait_for(lambda: not self.script.port_open(self.script.REDIS_PORT), 10, "Redis to end")
        pidfile.unlink(missing_ok=True)

    def start_redis(self) -> None:
        self.script.start_redis(self.secret)

    def datastore_sql(self, query: str) -> list[tuple]:
        import psycopg2
        url = self.script._with_db(
            self.script.start_postgres(self.secret), self.script.DATABASES["faults"][1])
        with psycopg2.connect(url) as connection, connection.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall()

    # -- the API ----------------------------------------------------------
    def action(self, name: str, /, lang: str = "", token: str | None = "admin",
               **data) -> requests.Response:
        prefix = f"/{lang}" if lang else ""
        headers = {"Authorization": self.token} if token == "admin" else {}
        return requests.post(f"{self.url}{prefix}/api/3/action/{name}", json=data,
                             headers=headers, timeout=60)

    def result(self, name: str, /, **data) -> Any:
        response = self.action(name, **data)
        assert response.status_code == 200, (name, response.status_code, response.text[:500])
        return response.json()["result"]

    def upload(self, action: str, body: bytes, /, lang: str = "", **data) -> requests.Response:
        prefix = f"/{lang}" if lang else ""
        return requests.post(
            f"{self.url}{prefix}/api/3/action/{action}", timeout=120,
            headers={"Authorization": self.token},
            data={"format": "CSV", "url": "kalk.csv",
                  "schema": json.dumps(SCHEMA, ensure_ascii=False), **data},
            files={"upload": ("kalk.csv", io.BytesIO(body), "text/csv")})

    def shown(self, resource_id: str) -> dict:
        return self.result("kg_validation_show", id=resource_id)

    def stop(self) -> None:
        for proc in (self.web, self.holder):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        redis_pid = self.script._pid_alive(self.script.RUN / "redis.pid")
        if redis_pid:
            self.script.stop_pidfile(self.script.RUN / "redis.pid", "Redis")
        self.script.stop_postgres()


@pytest.fixture(scope="session")
def fault_portal(compliant_dataset):
    if os.environ.get("KG_DATABASE_URL") or os.environ.get("KG_REDIS_URL"):
        pytest.skip("the fault tests stop PostgreSQL and Redis: they need the embedded ones, "
                    "not the servers KG_DATABASE_URL or KG_REDIS_URL name")
    script = _portal_module(ROOT / "var" / "faults")
    portal = FaultPortal(script)
    try:
        ini, token_file = script.fresh_portal("faults")
        text = ini.read_text()
        ini.write_text(text.replace("[app:main]\n", "[app:main]\n"
                                    f"ckanext.kg.validation.sync_max_bytes = {SYNC_MAX_BYTES}\n",
                                    1))
        portal.ini, portal.token = ini, token_file.read_text().strip()
        portal.enter_namespace()
        portal.start_web()
        org = portal.result("organization_create", name="faults-agency", title_translated={
            "ky": "Улуттук статистика комитети", "ru": "Национальный статистический комитет"})
        portal.org = org
        portal.compliant = compliant_dataset
        yield portal
    finally:
        portal.stop()


@pytest.fixture
def dataset(fault_portal):
    """A private dataset with a PDF report and no table yet (a table is
    added to a public dataset only once it passed)."""
    import uuid
    name = f"faults-{uuid.uuid4().hex[:8]}"
    created = fault_portal.result("package_create", name=name, **fault_portal.compliant(
        fault_portal.org["id"], f"Калк {name}", f"Население {name}", private=True))
    return created
