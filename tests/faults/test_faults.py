"""The portal under faults, on a portal of its own (`conftest.py`): its
PostgreSQL stopped and started again in the middle of a publication and of
a search burst, its Redis killed with jobs queued, a gunicorn worker
killed under load, its storage disk full during an upload, and clients
that leave halfway through a download or an upload. Each test shows that
nothing is lost, nothing half-published is served, and a retry succeeds."""
from __future__ import annotations

import hashlib
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from .conftest import table_csv, wait_for

pytestmark = pytest.mark.faults

BIG_ROWS = 200_000


def publish_small(portal, dataset) -> dict:
    """A table of two rows, validated and published while the request waits."""
    response = portal.upload("resource_create", table_csv(2), package_id=dataset["id"],
                             name="Калк")
    assert response.status_code == 200, response.text
    resource = response.json()["result"]
    assert portal.shown(resource["id"])["status"] == "success"
    return resource


def resource_ids(*where) -> list[str]:
    """The ids of a dataset's resources: as given, or (portal, dataset) now."""
    dataset = where[0] if len(where) == 1 else where[0].result("package_show",
                                                               id=where[1]["id"])
    return [resource["id"] for resource in dataset["resources"]]


def rows_served(portal, resource_id: str) -> int:
    return portal.result("datastore_search", resource_id=resource_id, limit=0)["total"]


def whole_csv(portal, dataset, resource) -> requests.Response:
    return requests.get(f"{portal.url}/dataset/{dataset['id']}/resource/{resource['id']}"
                        "/export/csv", headers={"Authorization": portal.token}, timeout=60)


def staged_tables(portal) -> list[tuple]:
    return portal.datastore_sql("SELECT tablename FROM pg_tables "
                                "WHERE schemaname = 'kg_staging'")


def run_jobs(portal, seconds: float = 240) -> None:
    worker = portal.jobs_worker()
    try:
        assert worker.wait(seconds) == 0
    finally:
        if worker.poll() is None:
            worker.kill()


# -- PostgreSQL ---------------------------------------------------------------

def test_postgres_restarted_while_a_table_loads(fault_portal, dataset):
    portal = fault_portal
    resource = publish_small(portal, dataset)
    before = whole_csv(portal, dataset, resource)
    assert before.status_code == 200
    response = portal.upload("resource_update", table_csv(BIG_ROWS), id=resource["id"])
    assert response.status_code == 200, response.text
    assert portal.shown(resource["id"])["job"]["state"] == "queued"
    worker = portal.jobs_worker(burst=False)  # one worker throughout, as in production
    try:
        wait_for(lambda: loading_rows(portal, resource["id"]), 180, "the job to load rows")
        portal.stop_postgres()
        time.sleep(1)
        portal.start_postgres()
        after = wait_for(lambda: (lambda shown: shown if shown["job"]["state"] in (
            "interrupted", "error", "done") else None)(portal.shown(resource["id"])), 240,
            "the job to end")
        final = after
        if after["job"]["state"] != "done":
            # broken off: the version published before is served whole,
            # nothing of the new one, until the publisher's retry
            assert after["status"] != "success"
            assert rows_served(portal, resource["id"]) == 2
            assert whole_csv(portal, dataset, resource).content == before.content
            assert staged_tables(portal) == []
            raw = requests.get(f"{portal.url}/dataset/{dataset['id']}/resource/"
                               f"{resource['id']}/download/kalk.csv",
                               headers={"Authorization": portal.token}, timeout=60)
            assert raw.status_code != 200 or raw.content.count(b"\n") == 3  # never the new
            portal.result("kg_validation_retry", id=resource["id"])
            final = wait_for(lambda: (lambda shown: shown if shown["job"]["state"] in (
                "done", "error", "interrupted") else None)(portal.shown(resource["id"])), 240,
                "the retry to end")
        # else the load that ran while the table was validated lost its
        # connection, and the load after the verdict, with PostgreSQL back,
        # published the table whole (checked below)
        assert worker.poll() is None  # the worker lived through the restart
    finally:
        worker.terminate()
        worker.wait(30)
    assert (final["status"], final["job"]["state"]) == ("success", "done")
    assert rows_served(portal, resource["id"]) == BIG_ROWS
    assert whole_csv(portal, dataset, resource).content == table_csv(BIG_ROWS)


def loading_rows(portal, resource_id: str) -> bool:
    """Rows of the new version are being COPYed: after the verdict (the
    job's "loading" stage), or while the table is validated (an early
    load's COPY into the staging schema)."""
    job = portal.shown(resource_id)["job"]
    if job["stage"] == "loading" and (job["rows"] or 0) > 0:
        return True
    return bool(portal.datastore_sql(
        "SELECT 1 FROM pg_stat_activity WHERE state = 'active' "
        "AND query LIKE 'COPY %kg_staging%'"))


class Burst(threading.Thread):
    """Searches one after another, each answer recorded with the time."""

    def __init__(self, portal, query: dict, expected: int) -> None:
        super().__init__(daemon=True)
        self.portal, self.query, self.expected = portal, query, expected
        self.answers: list[tuple[float, int, int | None]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        session = requests.Session()
        while not self.stop.is_set():
            try:
                response = session.get(f"{self.portal.url}/api/3/action/package_search",
                                       params=self.query, timeout=30)
            except requests.ConnectionError:
                self.answers.append((time.monotonic(), 0, None))
                continue
            count = response.json()["result"]["count"] if response.status_code == 200 \
                else None
            self.answers.append((time.monotonic(), response.status_code, count))


def test_postgres_restarted_during_a_search_burst(fault_portal, dataset):
    portal = fault_portal
    portal.result("package_patch", id=dataset["id"], private=False)
    query = {"q": f"name:{dataset['name']}", "facet.field": '["organization","tags"]'}
    bursts = [Burst(portal, query, 1) for _ in range(4)]
    for burst in bursts:
        burst.start()
    time.sleep(2)
    portal.stop_postgres()
    time.sleep(2)
    portal.start_postgres()
    restarted = time.monotonic()
    time.sleep(3)
    for burst in bursts:
        burst.stop.set()
        burst.join(60)
    answers = [answer for burst in bursts for answer in burst.answers]
    # a search never answers wrongly: the right count, or "come back later"
    assert {count for _, status, count in answers if status == 200} == {1}
    assert any(status != 200 for _, status, _ in answers), "the stop was not noticed"
    assert {status for _, status, _ in answers} <= {200, 503}, answers
    # once PostgreSQL is back, every pooled connection of every worker is
    # replaced: no failure after the first second
    late = [status for at, status, _ in answers if at > restarted + 1]
    assert late and set(late) == {200}
    for _ in range(20):
        response = requests.get(f"{portal.url}/api/3/action/package_search",
                                params=query, timeout=30)
        assert (response.status_code, response.json()["result"]["count"]) == (200, 1)


@pytest.mark.parametrize("lang, says", [
    ("ky", "Порталдын маалымат базасы"), ("ru", "База данных портала"),
    ("en", "database is not answering right now")])
def test_while_postgres_is_stopped_requests_are_told_to_come_back(
        fault_portal, dataset, lang, says):
    portal = fault_portal
    portal.result("package_patch", id=dataset["id"], private=False)
    prefix = f"/{lang}" if lang != "ky" else ""  # Kyrgyz, the default, has none
    portal.stop_postgres()
    try:
        answers = {
            "api": requests.get(f"{portal.url}{prefix}/api/3/action/package_search",
                                timeout=30),
            "page": requests.get(f"{portal.url}{prefix}/dataset/{dataset['name']}",
                                 timeout=30),
            "search page": requests.get(f"{portal.url}{prefix}/dataset/", timeout=30),
            "write": portal.action("package_patch", id=dataset["id"], notes="x")}
    finally:
        portal.start_postgres()
    for kind, response in answers.items():
        assert (kind, response.status_code) == (kind, 503), response.text
        assert response.headers["Retry-After"] == "30"
        assert response.headers.get("X-Request-Id")
        assert "Traceback" not in response.text and "psycopg2" not in response.text
    assert answers["api"].json()["error"]["__type"] == "Service Unavailable"
    assert says in answers["api"].json()["error"]["message"]
    assert says in answers["page"].text and says in answers["search page"].text
    # back: the same requests succeed, and the refused write changed nothing
    wait_for(lambda: requests.get(f"{portal.url}{prefix}/dataset/{dataset['name']}",
                                  timeout=30).status_code == 200, 30, "the page again")
    assert portal.result("package_show", id=dataset["id"])["notes"] != "x"


# -- Redis --------------------------------------------------------------------

def queue_two_tables(portal, dataset) -> list[dict]:
    """Two tables too large to judge while the request waits: queued."""
    resources = []
    for name in ("Биринчи", "Экинчи"):
        response = portal.upload("resource_create", table_csv(20_000),
                                 package_id=dataset["id"], name=name)
        assert response.status_code == 200, response.text
        resources.append(response.json()["result"])
    assert [portal.shown(r["id"])["job"]["state"] for r in resources] == ["queued"] * 2
    return resources


def test_redis_restarted_with_jobs_queued_keeps_them(fault_portal, dataset):
    portal = fault_portal
    resources = queue_two_tables(portal, dataset)
    portal.stop_redis()
    portal.start_redis()
    assert [portal.shown(r["id"])["job"]["state"] for r in resources] == ["queued"] * 2
    run_jobs(portal)
    for resource in resources:
        assert portal.shown(resource["id"])["status"] == "success"
        assert rows_served(portal, resource["id"]) == 20_000


def test_redis_killed_with_jobs_queued(fault_portal, dataset):
    portal = fault_portal
    # saved now, Redis (`save 300 1`) saves again only in five minutes: the
    # jobs queued next are exactly what a crash loses
    portal.redis().save()
    resources = queue_two_tables(portal, dataset)
    portal.kill_redis()
    portal.start_redis()
    # the queue lost them: the publisher is told, never left waiting
    for resource in resources:
        shown = portal.shown(resource["id"])
        assert (shown["status"], shown["job"]["state"]) == (None, "interrupted")
        assert portal.action("datastore_search", resource_id=resource["id"]).status_code == 404
        portal.result("kg_validation_retry", id=resource["id"])
    run_jobs(portal)
    for resource in resources:
        final = portal.shown(resource["id"])
        assert (final["status"], final["job"]["state"]) == ("success", "done")
        assert rows_served(portal, resource["id"]) == 20_000


# -- gunicorn -----------------------------------------------------------------

def test_a_web_worker_killed_under_load(fault_portal, dataset):
    portal = fault_portal
    resource = publish_small(portal, dataset)
    url = f"{portal.url}/api/3/action/datastore_search"
    auth = {"Authorization": portal.token}
    workers = portal.web_workers()
    assert len(workers) == 2

    def client(number: int) -> list[int]:
        """Twenty requests, each retried (as a client would) up to 5 times."""
        got = []
        for _ in range(20):
            for attempt in range(5):
                try:
                    response = requests.get(url, params={"resource_id": resource["id"]},
                                            headers=auth, timeout=30)
                except requests.ConnectionError:
                    time.sleep(0.2 * (attempt + 1))
                    continue
                if response.status_code < 500:
                    break
                time.sleep(0.2 * (attempt + 1))
            got.append(response.json()["result"]["total"] if response.status_code == 200
                       else response.status_code)
        return got

    with ThreadPoolExecutor(6) as pool:
        running = [pool.submit(client, n) for n in range(6)]
        time.sleep(0.5)
        os.kill(workers[0], signal.SIGKILL)
        answers = [f.result() for f in running]
    assert answers == [[2] * 20] * 6
    # the killed worker stays the master's child until the master reaps it
    respawned = wait_for(lambda: (lambda now: now if len(now) == 2 and workers[0] not in now
                                  else None)(portal.web_workers()),
                         60, "gunicorn to reap its killed worker and replace it")
    assert len(respawned) == 2 and workers[0] not in respawned


# -- a full storage disk ----------------------------------------------------------

def fill_storage(portal, leave: int) -> os.PathLike:
    """Fill the storage tmpfs until `leave` bytes are free."""
    filler = portal.storage_file("filler")
    stats = os.statvfs(portal.storage_file(""))
    with open(filler, "wb") as stream:
        stream.truncate(0)
        size = stats.f_bavail * stats.f_frsize - leave
        chunk = b"\0" * (1 << 20)
        while size > 0:
            size -= stream.write(chunk[:min(size, len(chunk))])
    return filler


def stored_uploads(portal) -> list[str]:
    root = portal.storage_file("resources")
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("lang,says", [
    ("ky", "сактоого орун жок"), ("ru", "нет места"), ("en", "no room")])
def test_a_full_disk_refuses_an_upload_clearly(fault_portal, dataset, lang, says):
    portal = fault_portal
    kept = stored_uploads(portal)
    filler = fill_storage(portal, leave=256 * 1024)
    try:
        response = portal.upload("resource_create", table_csv(40_000), lang=lang,
                                 package_id=dataset["id"], name="Калк")
        assert response.status_code == 409, response.text[:500]
        error = response.json()["error"]
        assert says in " ".join(error["upload"]).lower(), error
        assert resource_ids(portal, dataset) == resource_ids(dataset)
        assert stored_uploads(portal) == kept  # not even a partial file
    finally:
        os.unlink(filler)
    retried = portal.upload("resource_create", table_csv(40_000),
                            package_id=dataset["id"], name="Калк")
    assert retried.status_code == 200, retried.text[:500]
    resource = retried.json()["result"]
    run_jobs(portal)
    assert portal.shown(resource["id"])["status"] == "success"
    assert rows_served(portal, resource["id"]) == 40_000


# -- clients that leave -----------------------------------------------------------

def test_a_client_leaving_halfway_through_a_download(fault_portal, dataset):
    portal = fault_portal
    response = portal.upload("resource_create", table_csv(60_000), package_id=dataset["id"],
                             name="Калк")
    resource = response.json()["result"]
    run_jobs(portal)
    workers = portal.web_workers()
    path = f"/dataset/{dataset['id']}/resource/{resource['id']}/export"
    for fmt in ("csv", "excel", "parquet", "csv?filters=%7B%22year%22%3A2001%7D"):
        with socket.create_connection(("127.0.0.1", portal.port)) as sock:
            sock.sendall(f"GET {path}/{fmt} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         f"Authorization: {portal.token}\r\n\r\n".encode())
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    whole = whole_csv(portal, dataset, resource)
    assert hashlib.sha256(whole.content).digest() == hashlib.sha256(
        table_csv(60_000)).digest()
    assert portal.web_workers() == workers  # no worker died


def test_a_client_leaving_halfway_through_an_upload(fault_portal, dataset):
    portal = fault_portal
    kept = stored_uploads(portal)
    workers = portal.web_workers()
    boundary = "kgfaultsboundary"
    body = table_csv(60_000)
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"package_id\"\r\n\r\n"
            f"{dataset['id']}\r\n--{boundary}\r\nContent-Disposition: form-data; "
            "name=\"upload\"; filename=\"kalk.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    with socket.create_connection(("127.0.0.1", portal.port)) as sock:
        sock.sendall((f"POST /api/3/action/resource_create HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Authorization: {portal.token}\r\n"
                      f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                      f"Content-Length: {len(head) + len(body) + len(tail)}\r\n\r\n").encode()
                     + head + body[:len(body) // 2])
        time.sleep(0.5)
    time.sleep(1)  # the worker reads until the connection ends
    assert resource_ids(portal, dataset) == resource_ids(dataset)
    assert stored_uploads(portal) == kept
    assert portal.web_workers() == workers
    complete = portal.upload("resource_create", body, package_id=dataset["id"], name="Калк")
    assert complete.status_code == 200, complete.text[:500]
