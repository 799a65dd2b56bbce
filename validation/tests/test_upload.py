"""kg-publish streams a table to the portal (`kg_validation.upload`): the
body is the multipart form requests would send, read from the file a
block at a time, never the whole file in memory."""
import hashlib
import json
import threading
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from werkzeug.formparser import parse_form_data

from kg_validation.upload import StreamingCKAN

SIZE = 48 * 1024 * 1024


@pytest.fixture
def portal():
    """An HTTP server answering one action: what it received, parsed."""
    received = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.headers["Content-Type"] == "application/json":
                length = int(self.headers["Content-Length"])
                received.update(path=self.path, json=json.loads(self.rfile.read(length)))
                return self.answer()
            environ = {"wsgi.input": self.rfile, "REQUEST_METHOD": "POST",
                       "CONTENT_TYPE": self.headers["Content-Type"],
                       "CONTENT_LENGTH": self.headers["Content-Length"]}
            _, form, files = parse_form_data(environ)
            upload, digest = files["upload"], hashlib.sha256()
            for block in iter(lambda: upload.stream.read(1 << 20), b""):
                digest.update(block)
            received.update(path=self.path, form=form.to_dict(), filename=upload.filename,
                            sha256=digest.hexdigest(), token=self.headers["Authorization"])
            self.answer()

        def answer(self):
            body = b'{"success": true, "result": {"id": "r1"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


def test_a_table_is_sent_as_it_is_read(tmp_path, portal):
    address, received = portal
    table = tmp_path / "population.csv"
    line = "Ысык-Көл облусу,2023,513000\n".encode("utf-8")
    with table.open("wb") as out:
        for _ in range(SIZE // len(line) + 1):
            out.write(line)
    client = StreamingCKAN(address, apikey="token")
    tracemalloc.start()
    try:
        with table.open("rb") as upload:
            result = client.action.resource_create(package_id="d1", name="population",
                                                   format="CSV", url=table.name, upload=upload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result == {"id": "r1"}
    assert received == {
        "path": "/api/action/resource_create",
        "form": {"package_id": "d1", "name": "population", "format": "CSV",
                 "url": "population.csv"},
        "filename": "population.csv",
        "sha256": hashlib.sha256(table.read_bytes()).hexdigest(),
        "token": "token"}
    assert peak < SIZE // 8  # ckanapi's requests held the whole file, and a copy


def test_an_action_without_a_file_is_sent_as_ckanapi_sends_it(portal):
    address, received = portal
    assert StreamingCKAN(address, apikey="token").action.package_show(id="d1") == {"id": "r1"}
    assert received == {"path": "/api/action/package_show", "json": {"id": "d1"}}
