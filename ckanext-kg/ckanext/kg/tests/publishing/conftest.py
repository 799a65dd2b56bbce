"""A real web server on 127.0.0.1 for URL resources, and the dataset and
tables the publishing tests share."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ckan.tests import factories, helpers

SCHEMA = json.dumps({"fields": [
    {"name": "region", "type": "string"},
    {"name": "year", "type": "integer"},
    {"name": "population", "type": "integer"}]})
VALID = "region,year,population\nЫсык-Көл,2023,513000\nНарын,2023,301600\n"
INVALID = "region,year,population\nЫсык-Көл,2023,көп\nНарын,2023,301600\n"

METADATA = dict(
    title_translated={"ky": "Облустардын калкы", "ru": "Население областей"},
    notes_translated={"ky": "Калктын саны.", "ru": "Численность населения."},
    keywords={"ky": ["калк"], "ru": ["население"]},
    contact_name="Маалымат бөлүмү", contact_email="info@example.invalid",
    license_id="cc-by", access_level="open", frequency="ANNUAL",
    temporal_start="2023-01-01", spatial_divisions=["KG02000000000"], theme="SOCI")


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


@pytest.fixture
def dataset(sysadmin):
    org = factories.Organization(name="nsc")
    return helpers.call_action("package_create", context={"user": sysadmin["name"]},
                               private=True, owner_org=org["id"], **METADATA)


class WebFiles:
    """Answers by path: `files[path] = (status, headers, body)`."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.files: dict = {}
        self.base = f"http://127.0.0.1:{server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body, content_type: str = "text/csv; charset=utf-8",
            status: int = 200, **headers) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.files[path] = (status, {"Content-Type": content_type, **headers}, body)
        return self.url(path)


@pytest.fixture
def web_files():
    files: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            status, headers, body = files.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served = WebFiles(server)
    served.files = files
    yield served
    server.shutdown()
    server.server_close()
