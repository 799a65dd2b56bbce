"""`portal.py worker-health`, the compose worker's healthcheck: healthy
exactly while a jobs worker of this host is registered in Redis."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from rq import Worker

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def redis_url(portal_script):
    return (f"redis://:{portal_script.load_secrets()['redis']}"
            f"@127.0.0.1:{portal_script.REDIS_PORT}/0")


def worker_health(redis_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "portal.py"), "worker-health"],
                          env=dict(os.environ, KG_REDIS_URL=redis_url),
                          capture_output=True, text=True)


def test_healthy_while_a_worker_of_this_host_is_registered(redis_url):
    connection = redis.Redis.from_url(redis_url)
    worker = Worker(["kg-health-test"], connection=connection,
                    name=f"kg-health-{uuid.uuid4().hex}")
    worker.register_birth()
    try:
        assert worker_health(redis_url).returncode == 0
    finally:
        worker.register_death()
    mine = [w for w in Worker.all(connection=connection) if w.name == worker.name]
    assert mine == []


def test_unhealthy_without_a_worker_of_this_host(redis_url, portal_script):
    import socket
    connection = redis.Redis.from_url(redis_url)
    if any(w.hostname == socket.gethostname() for w in Worker.all(connection=connection)):
        pytest.skip("a jobs worker of this host is running on the test Redis")
    result = worker_health(redis_url)
    assert result.returncode == 1
    assert result.stderr.strip() == f"no jobs worker of {socket.gethostname()} is registered"


def test_unhealthy_when_redis_does_not_answer():
    result = worker_health("redis://127.0.0.1:9/0")
    assert result.returncode == 1
    assert result.stderr.startswith("Redis does not answer: ")
