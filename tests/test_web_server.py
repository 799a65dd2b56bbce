"""How gunicorn runs the portal (`portal.py`'s `GUNICORN_WORKER`): a
response that takes longer than gunicorn's `--timeout` to stream (a large
filtered download, written page by page) reaches the client whole. With
gunicorn's default sync workers the master kills the worker at the timeout
and the client gets a cut-off body; the same test against a sync worker
shows that it would catch it."""
from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import requests

SLOW_APP = '''
import time

def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/csv")])
    def rows():
        for number in range(12):
            time.sleep(0.5)
            yield f"{number},row\\n".encode()
    return rows()
'''
WHOLE = "".join(f"{number},row\n" for number in range(12))
TIMEOUT = 2  # seconds; the response takes 6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stream_through(worker: list[str], tmp_path) -> tuple[str, float]:
    """The slow app's body as a client receives it from gunicorn run with `worker`."""
    (tmp_path / "slow_app.py").write_text(SLOW_APP)
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                "--workers", "1", *worker, "--timeout", str(TIMEOUT),
                "--chdir", str(tmp_path), "slow_app:application"]
    proc = subprocess.Popen(gunicorn, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        started = time.monotonic()
        received = b""
        try:
            with requests.get(f"http://127.0.0.1:{port}/", stream=True, timeout=30) as response:
                for block in response.iter_content(None):
                    received += block
        except requests.exceptions.ChunkedEncodingError:
            pass  # the worker was killed mid-body
        return received.decode(), time.monotonic() - started
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_response_longer_than_the_timeout_reaches_the_client_whole(
        portal_script, tmp_path):
    body, seconds = stream_through(portal_script.GUNICORN_WORKER, tmp_path)
    assert body == WHOLE
    assert seconds > 2 * TIMEOUT


def test_a_sync_worker_would_have_cut_it_off(tmp_path):
    body, _ = stream_through(["--worker-class", "sync"], tmp_path)
    assert WHOLE.startswith(body) and body != WHOLE


@pytest.mark.parametrize("entry", ["start_web", "serve", "serve_foreground"])
def test_every_way_portal_py_starts_gunicorn_uses_the_setting(portal_script, entry):
    import inspect
    assert "*GUNICORN_WORKER" in inspect.getsource(getattr(portal_script, entry))
