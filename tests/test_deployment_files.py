"""The container files describe the same portal that the tests exercise.

There is no Docker engine on the machines that run these tests, so the
compose file is checked against the Compose Specification's JSON schema (as
vendored by check-jsonschema), its settings against .env.example, the
database init script against scripts/portal.py, and nginx's configuration
with `nginx -t`.
"""
from __future__ import annotations

import configparser
import http.client
import http.server
import importlib.resources
import json
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import jsonschema
import pytest
import requests
import urllib3
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
NGINX = ROOT / "deploy" / "nginx"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def services() -> dict:
    return compose()["services"]


def compose_schema() -> dict:
    vendored = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads((vendored / "compose-spec.json").read_text())


def schema_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(compose_schema())
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(document))


# -- the image ---------------------------------------------------------------

def test_the_image_installs_with_the_tested_install_script():
    steps = [line for line in (ROOT / "Dockerfile").read_text().splitlines()
             if line.startswith("RUN ") and "install" in line]
    assert steps == ["RUN bash scripts/install.sh"]


def test_the_image_copies_everything_the_install_script_reads_before_running_it():
    install = (ROOT / "scripts" / "install.sh").read_text()
    inputs = re.search(r"inputs=\(([^)]*)\)", install).group(1).split()
    editable = re.findall(r"-e \./(\S+)", install)
    needed = {path.split("/")[0] for path in inputs + editable}
    dockerfile = (ROOT / "Dockerfile").read_text()
    before_install = dockerfile.split("RUN bash scripts/install.sh")[0]
    copied = {source.rstrip("/").removeprefix("./")
              for line in before_install.splitlines() if line.startswith("COPY ")
              for source in line.split()[1:-1] if not source.startswith("--")}
    assert needed == {"requirements.txt", "requirements-dev.txt", "requirements-shapes.txt",
                      "constraints.txt",
                      "ckanext-kg", "validation", "scripts"}
    assert needed <= copied


# -- the compose file ----------------------------------------------------------

def test_compose_file_follows_the_compose_specification():
    assert schema_errors(compose()) == []


def test_the_schema_check_rejects_a_misspelt_service_key():
    document = compose()
    document["services"]["ckan"]["helthcheck"] = document["services"]["ckan"]["healthcheck"]
    assert schema_errors(document) == [
        "services/ckan: 'helthcheck' does not match any of the regexes: '^x-'"]


def test_the_database_caches_what_the_operator_gives_it():
    assert services()["db"]["command"] == [
        "postgres", "-c", "shared_buffers=${KG_PG_SHARED_BUFFERS:-1GB}"]
    example = (ROOT / ".env.example").read_text()
    assert "\nKG_PG_SHARED_BUFFERS=1GB\n" in example


def test_compose_runs_the_portal_behind_nginx():
    found = services()
    assert set(found) == {"db", "redis", "solr", "ckan", "worker", "nginx"}
    assert found["worker"]["command"] == [".venv/bin/python", "scripts/portal.py", "worker"]
    assert "portal.py" in (ROOT / "Dockerfile").read_text().splitlines()[-1]
    # only nginx is reachable from outside the host's compose network
    assert [name for name, service in found.items() if "ports" in service] == ["nginx"]
    assert found["solr"]["profiles"] == ["solr"]
    assert found["ckan"]["depends_on"]["solr"] == {"condition": "service_healthy",
                                                   "required": False}


@pytest.mark.parametrize("name", ["db", "redis", "solr", "ckan", "worker", "nginx"])
def test_every_service_has_a_healthcheck_and_a_restart_policy(name):
    service = services()[name]
    assert service["restart"] == "unless-stopped"
    assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    assert service["logging"]["driver"] == "json-file"


def test_ckan_healthcheck_asks_status_show():
    assert "/api/3/action/status_show" in services()["ckan"]["healthcheck"]["test"][-1]


def test_database_redis_uploads_and_cache_live_in_volumes():
    found = services()
    assert "db:/var/lib/postgresql" in found["db"]["volumes"]
    assert "redis:/data" in found["redis"]["volumes"]
    assert "portal:/srv/portal/var" in found["ckan"]["volumes"]
    assert found["worker"]["volumes"] == found["ckan"]["volumes"]
    assert set(compose()["volumes"]) == {"db", "redis", "portal", "solr", "nginx-cache"}


def env_example() -> dict[str, str]:
    """Each variable of .env.example with the comment lines just above it."""
    documented, comment = {}, []
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith("#"):
            comment.append(line)
        elif match := re.match(r"^([A-Z0-9_]+)=", line):
            documented[match.group(1)] = "\n".join(comment)
            comment = []
        else:
            comment = []
    return documented


def test_every_compose_variable_is_documented_in_env_example():
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", COMPOSE.read_text()))
    documented = env_example()
    assert used == set(documented)
    undocumented = [name for name, comment in documented.items()
                    if not re.search(r"#\s*\S", comment)]
    assert undocumented == []


def test_portal_variables_reach_both_portal_containers():
    found = services()
    assert found["ckan"]["environment"] == found["worker"]["environment"]
    assert set(found["ckan"]["environment"]) == {
        "KG_DATABASE_URL", "KG_DATASTORE_RO_PASSWORD", "KG_REDIS_URL",
        "KG_SITE_URL", "KG_WEB_WORKERS", "KG_SOLR_URL", "KG_DATASTORE_READ_URL",
        "KG_DOWNLOADS_ACCEL_REDIRECT"}


# -- the database ----------------------------------------------------------------

def test_database_init_script_creates_the_roles_and_databases_the_portal_uses(
        portal_script):
    script = (ROOT / "deploy" / "postgres" / "init-portal-databases.sh").read_text()
    roles = re.findall(r"CREATE ROLE (\w+)", script)
    databases = re.findall(r"CREATE DATABASE (\w+) OWNER (\w+)", script)
    assert roles == [portal_script.OWNER_ROLE, portal_script.READ_ROLE]
    assert databases == [(name, portal_script.OWNER_ROLE)
                         for name in portal_script.DATABASES["ckan"]]
    mounted = services()["db"]["volumes"]
    assert "./deploy/postgres:/docker-entrypoint-initdb.d:ro" in mounted
    assert set(re.findall(r"\$\{(\w+):\?", script)) <= set(services()["db"]["environment"])


PASSWORDS = ("POSTGRES_PASSWORD", "CKAN_DB_PASSWORD", "DATASTORE_RO_PASSWORD",
             "REDIS_PASSWORD")


def interpolated(value: str, values: dict[str, str]) -> str:
    """A string of the compose file as Compose hands it to the container:
    `${NAME...}` replaced by its value, `$$` left as one `$` for a shell."""
    text = re.sub(r"\$\{(\w+)[^}]*\}", lambda m: values.get(m.group(1), ""),
                  value.replace("$$", "\0"))
    return text.replace("\0", "$")


def test_no_container_gets_a_password_on_its_command_line():
    """`ps` on the host shows every container's processes to every user:
    passwords reach them through the environment (or a file), never as
    arguments. (A shell's own builtins, like printf, start no process.)"""
    values = {name: f"secret-{name.lower()}" for name in PASSWORDS}
    for name, service in services().items():
        healthcheck = (service.get("healthcheck") or {}).get("test") or []
        for argv in (service.get("command") or [], service.get("entrypoint") or [],
                     healthcheck):
            words = [interpolated(str(word), values) for word in argv]
            assert [v for v in values.values() if any(v in w for w in words)] == [], name


def test_the_db_image_runs_the_postgresql_major_version_of_the_backup_tools(portal_script):
    """scripts/backup.py dumps with the wheel's pg_dump, which must not be
    older than the server it dumps."""
    version = subprocess.run([str(portal_script._pg_bin() / "pg_dump"), "--version"],
                             capture_output=True, text=True, check=True).stdout
    major = re.search(r"\(PostgreSQL\) (\d+)", version).group(1)
    assert services()["db"]["image"] == f"postgres:{major}"


# -- the search switch -------------------------------------------------------------

def rendered_app_config(portal_script, name: str) -> configparser.SectionProxy:
    secret = dict.fromkeys(("postgres", "ckan_db", "datastore_ro", "redis",
                            "secret_key", "jwt_secret", "sysadmin"), "s3cret")
    text = portal_script.render_config(
        name, "postgresql://postgres:pw@db:5432/postgres", "redis://redis:6379/0", secret)
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string(text)
    return parser["app:main"]


def test_search_runs_on_postgresql_by_default(portal_script, monkeypatch):
    monkeypatch.delenv("KG_SOLR_URL", raising=False)
    app = rendered_app_config(portal_script, "ckan")
    assert "kg_pgsearch" in app["ckan.plugins"].split()
    assert app["solr_url"] == "http://solr.invalid/solr/ckan"


def test_kg_solr_url_sends_search_to_solr(portal_script, monkeypatch):
    monkeypatch.setenv("KG_SOLR_URL", "http://solr:8983/solr/ckan")
    app = rendered_app_config(portal_script, "ckan")
    assert app["ckan.plugins"].split() == [
        "kg", "kg_preview", "scheming_datasets", "scheming_organizations", "dcat", "activity",
        "datastore"]
    assert app["solr_url"] == "http://solr:8983/solr/ckan"


def test_kg_solr_url_leaves_the_test_portals_on_postgresql(portal_script, monkeypatch):
    monkeypatch.setenv("KG_SOLR_URL", "http://solr:8983/solr/ckan")
    for name in ("e2e", "bench"):
        assert "kg_pgsearch" in rendered_app_config(portal_script, name)["ckan.plugins"].split()


def test_the_solr_profile_url_names_the_ckan_solr_core():
    comment = env_example()["KG_SOLR_URL"]
    assert "http://solr:8983/solr/ckan" in comment
    assert "/solr/ckan/admin/ping" in services()["solr"]["healthcheck"]["test"][-1]


def test_kg_datastore_read_url_sends_datastore_reads_to_a_replica(
        portal_script, monkeypatch):
    replica = "postgresql://datastore_ro:pw@replica:5432/datastore"
    monkeypatch.setenv("KG_DATASTORE_READ_URL", replica)
    app = rendered_app_config(portal_script, "ckan")
    assert app["ckan.datastore.read_url"] == replica
    assert app["ckan.datastore.write_url"] == "postgresql://ckan:s3cret@db:5432/datastore"
    assert rendered_app_config(portal_script, "e2e")["ckan.datastore.read_url"] == \
        "postgresql://datastore_ro:s3cret@db:5432/datastore_e2e"


# -- nginx ---------------------------------------------------------------------------

def test_nginx_accepts_uploads_as_large_as_ckan_does():
    limit = re.search(r"client_max_body_size (\d+)m;", (NGINX / "kg" / "http.conf").read_text())
    ckan_limit = re.search(r"ckan.max_resource_size = (\d+)",
                           (ROOT / "config" / "ckan.ini.in").read_text())
    assert int(limit.group(1)) >= int(ckan_limit.group(1))


def test_nginx_sends_the_security_headers_in_every_block_that_adds_headers():
    headers = (NGINX / "kg" / "security-headers.conf").read_text()
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                 "Referrer-Policy", "Strict-Transport-Security"):
        assert f"add_header {name} " in headers
    site = (NGINX / "kg" / "site.conf").read_text()
    blocks = re.findall(r"^location .*?^\}", site, re.M | re.S)
    with_headers = [block for block in blocks if "add_header" in block]
    assert with_headers and all("security-headers.conf" in block for block in with_headers)


def render_nginx(site: str, tmp_path: Path, upstream: str = "127.0.0.1:5000",
                 ports: dict[int, int] | None = None) -> Path:
    """The nginx image's startup in miniature: the site template rendered
    with the environment compose gives nginx (as the image's envsubst step
    does), the files mounted where compose mounts them, the upstream
    pointed at `upstream`, the container's ports 80/443 at `ports`.
    Returns the main config."""
    environment = {"KG_SERVER_NAME": "data.example.kg"}
    assert set(services()["nginx"]["environment"]) == set(environment)
    mounts = {"/etc/nginx/kg/": f"{tmp_path}/kg/", "/etc/nginx/tls/": f"{tmp_path}/tls/",
              "/var/cache/nginx/": f"{tmp_path}/cache/",
              "/srv/portal/var/": f"{tmp_path}/portal/",
              "server ckan:5000;": f"server {upstream};"}
    for inside, outside in (ports or {}).items():
        mounts[f"listen {inside} "] = f"listen 127.0.0.1:{outside} "
    if ports and 443 in ports:
        mounts["https://$host$request_uri"] = f"https://$host:{ports[443]}$request_uri"

    def mounted(text: str) -> str:
        for container_path, here in mounts.items():
            text = text.replace(container_path, here)
        return text

    (tmp_path / "kg").mkdir()
    (tmp_path / "cache").mkdir()   # the nginx-cache volume
    for part in (NGINX / "kg").iterdir():
        (tmp_path / "kg" / part.name).write_text(mounted(part.read_text()))
    template = (NGINX / site / "default.conf.template").read_text()
    rendered = re.sub(r"\$\{(\w+)\}", lambda m: environment[m.group(1)], template)
    (tmp_path / "default.conf").write_text(mounted(rendered))
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    temp = " ".join(f"{kind}_temp_path {tmp_path}/{kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
                    f"http {{ {mime} {temp} include {tmp_path}/default.conf; }}\n")
    return main


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not found:
        pytest.skip("nginx not installed; .ci/run installs Debian's nginx when run as root")
    return found


def self_signed_certificate(folder: Path) -> None:
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("openssl not installed: no certificate for the HTTPS site")
    folder.mkdir()
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=data.example.kg", "-keyout", str(folder / "privkey.pem"),
                    "-out", str(folder / "fullchain.pem")], check=True, capture_output=True)


@pytest.mark.parametrize("site", ["http", "https"])
def test_nginx_configuration_passes_nginx_t(site, tmp_path):
    nginx = nginx_binary()
    if site == "https":
        self_signed_certificate(tmp_path / "tls")
    main = render_nginx(site, tmp_path)
    result = subprocess.run([nginx, "-t", "-e", "stderr", "-c", str(main), "-p", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_t_rejects_a_broken_site(tmp_path):
    nginx = nginx_binary()
    main = render_nginx("http", tmp_path)
    site = tmp_path / "kg" / "site.conf"
    site.write_text(site.read_text().replace("zone=kg_api", "zone=kg_missing"))
    result = subprocess.run([nginx, "-t", "-e", "stderr", "-c", str(main), "-p", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert 'zero size shared memory zone "kg_missing"' in result.stderr


def test_nginx_sends_stored_files_from_the_portal_volume_only_on_ckans_word():
    found = services()
    assert "portal:/srv/portal/var:ro" in found["nginx"]["volumes"]
    prefix = found["ckan"]["environment"]["KG_DOWNLOADS_ACCEL_REDIRECT"]
    site = (NGINX / "kg" / "site.conf").read_text()
    block = re.search(r"^location %s \{(.*?)^\}" % re.escape(prefix), site, re.M | re.S)
    assert block and "internal;" in block.group(1)
    storage = "/srv/portal/var/storage/ckan/"  # scripts/portal.py: VAR / "storage" / "ckan"
    assert f"alias {storage}kg/tables/;" in block.group(1)
    assert "ckanext.kg.downloads.accel_redirect = ${accel_redirect}" in \
        (ROOT / "config" / "ckan.ini.in").read_text()


def test_kg_downloads_accel_redirect_reaches_the_portals_configuration_only(
        portal_script, monkeypatch):
    monkeypatch.setenv("KG_DOWNLOADS_ACCEL_REDIRECT", "/_kg_tables/")
    secret = {"ckan_db": "x", "datastore_ro": "y", "secret_key": "s", "jwt_secret": "j"}
    for name, expected in (("ckan", "/_kg_tables/"), ("e2e", "")):
        text = portal_script.render_config(name, "postgresql://u:p@h/db", "redis://r", secret)
        assert f"ckanext.kg.downloads.accel_redirect = {expected}\n" in text


class _Upstream(http.server.BaseHTTPRequestHandler):
    """CKAN in miniature: every download answered with X-Accel-Redirect."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("X-Accel-Redirect", "/_kg_tables/rid/abc.csv")
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Disposition", 'attachment; filename="t.csv"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_nginx_sends_the_file_ckan_names_and_never_on_a_readers_own_request():
    nginx = nginx_binary()
    folder = Path(tempfile.mkdtemp(prefix="kg-nginx-"))  # readable by nginx's workers
    folder.chmod(0o755)
    tables = folder / "portal" / "storage" / "ckan" / "kg" / "tables" / "rid"
    tables.mkdir(parents=True)
    for part in [tables, *tables.parents]:
        if part == folder.parent:
            break
        part.chmod(0o755)
    content = "".join(f"Ысык-Көл,{i}\n" for i in range(2000)).encode()
    (tables / "abc.csv").write_bytes(content)
    (tables / "abc.csv").chmod(0o644)
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    ports = {80: free_port(), 443: free_port()}
    main = render_nginx("http", folder, f"127.0.0.1:{upstream.server_port}", ports)
    proc = subprocess.Popen([nginx, "-e", "stderr", "-c", str(main), "-p", str(folder),
                             "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{ports[80]}"
        deadline = time.time() + 10
        while time.time() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", ports[80])) == 0:
                    break
            time.sleep(0.1)
        whole = requests.get(f"{base}/dataset/d/resource/rid/export/csv", timeout=30,
                             headers={"Accept-Encoding": "identity"})
        assert whole.status_code == 200 and whole.content == content
        assert whole.headers["Content-Disposition"] == 'attachment; filename="t.csv"'
        assert "X-Accel-Redirect" not in whole.headers
        part = requests.get(f"{base}/dataset/d/resource/rid/export/csv", timeout=30,
                            headers={"Range": "bytes=5-24", "Accept-Encoding": "identity"})
        assert part.status_code == 206 and part.content == content[5:25]
        assert requests.get(f"{base}/_kg_tables/rid/abc.csv", timeout=30).status_code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        upstream.shutdown()
        shutil.rmtree(folder)


# -- nginx in front of a portal served by gunicorn ------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx_front(portal):
    """Start nginx with a site of deploy/nginx/ in front of the e2e portal:
    returns a function (site) -> {container port: local port}. Its folder
    is readable by nginx's workers (pytest's tmp_path is not, when nginx
    starts as root and its workers run as `nobody`)."""
    started = []
    tmp_path = Path(tempfile.mkdtemp(prefix="kg-nginx-"))
    tmp_path.chmod(0o755)

    def start(site: str) -> dict[int, int]:
        nginx = nginx_binary()
        if site == "https":
            self_signed_certificate(tmp_path / "tls")
        ports = {80: free_port(), 443: free_port()}
        main = render_nginx(site, tmp_path, portal.url.removeprefix("http://"), ports)
        proc = subprocess.Popen([nginx, "-e", "stderr", "-c", str(main), "-p", str(tmp_path),
                                 "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
        started.append(proc)
        deadline = time.time() + 10
        while time.time() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", ports[80])) == 0:
                    return ports
            time.sleep(0.1)
        proc.terminate()
        raise AssertionError(f"nginx did not start: {proc.communicate()[1]}")

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(timeout=10)
    shutil.rmtree(tmp_path)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.mark.e2e
def test_pages_through_nginx_are_compressed_and_carry_the_security_headers(nginx_front):
    ports = nginx_front("http")
    page = requests.get(f"http://127.0.0.1:{ports[80]}/", timeout=60)
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == "gzip"
    assert {name: page.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert page.headers["Content-Security-Policy"].startswith(
        "default-src 'self'; script-src 'self' 'unsafe-inline';")
    assert "Strict-Transport-Security" not in page.headers   # plain HTTP
    assert "Server" not in page.headers or page.headers["Server"] == "nginx"


@pytest.mark.e2e
def test_static_files_are_served_from_nginx_cache_with_the_headers(nginx_front):
    ports = nginx_front("http")
    base = f"http://127.0.0.1:{ports[80]}"
    stylesheet = re.search(r'/webassets/base/[^"]+\.css', requests.get(base + "/", timeout=60).text)
    first = requests.get(base + stylesheet.group(0), timeout=60)
    second = requests.get(base + stylesheet.group(0), timeout=60)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) == ("MISS", "HIT")
    assert second.content == first.content
    assert second.headers["Cache-Control"] == "max-age=604800"
    assert "Set-Cookie" not in second.headers
    assert {name: second.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS


@pytest.mark.e2e
def test_the_api_is_rate_limited_per_client(nginx_front):
    ports = nginx_front("http")
    url = f"http://127.0.0.1:{ports[80]}/api/3/action/status_show"
    started = time.monotonic()
    with requests.Session() as session:
        statuses = [session.get(url, timeout=60).status_code for _ in range(200)]
    elapsed = time.monotonic() - started
    # 10 requests/s with a burst of 40: the first 41 pass at once, then one
    # more every 0.1 s; the others are refused by nginx (fast, so the bound
    # holds however slow the portal is)
    allowed = statuses.count(200)
    assert statuses[:41] == [200] * 41
    assert allowed <= 41 + int(10 * elapsed) + 1
    assert statuses.count(429) == 200 - allowed


@pytest.mark.e2e
def test_an_upload_larger_than_ckan_accepts_is_refused_by_nginx(nginx_front):
    ports = nginx_front("http")
    connection = http.client.HTTPConnection("127.0.0.1", ports[80], timeout=30)
    connection.putrequest("POST", "/api/3/action/resource_create")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(106 * 1024 * 1024))
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()


@pytest.mark.e2e
def test_https_site_redirects_http_and_sends_hsts(nginx_front):
    ports = nginx_front("https")
    plain = requests.get(f"http://127.0.0.1:{ports[80]}/dataset/", allow_redirects=False,
                         timeout=60)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://127.0.0.1:{ports[443]}/dataset/"
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    secure = requests.get(f"https://127.0.0.1:{ports[443]}/api/3/action/status_show",
                          verify=False, timeout=60)   # the test's self-signed certificate
    assert secure.json()["success"] is True
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_each_portal_has_a_redis_database_of_its_own(portal_script):
    """The portals share the site id, so on one Redis database a portal's
    jobs worker would take another portal's jobs."""
    secret = {"ckan_db": "x", "datastore_ro": "y", "secret_key": "s", "jwt_secret": "j"}
    urls = {}
    for name in portal_script.DATABASES:
        text = portal_script.render_config(name, "postgresql://u:p@h/db",
                                           "redis://:pw@127.0.0.1:63799/0", secret)
        urls[name] = next(line.split(" = ", 1)[1] for line in text.splitlines()
                          if line.startswith("ckan.redis.url = "))
    assert urls["ckan"] == "redis://:pw@127.0.0.1:63799/0"
    assert len(set(urls.values())) == len(urls)
    assert all(url.startswith("redis://:pw@127.0.0.1:63799/") for url in urls.values())
