"""Generates requests with hypothesis (seeded, so every run sends the same
ones), sends them to a running portal as one kind of caller over as many
connections as the portal has web workers, and judges every answer
(kg_fuzz.verdict)."""
from __future__ import annotations

import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy

import requests
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from kg_fuzz.hostile import Request
from kg_fuzz.verdict import TIME_BOUND_S, Exchange, Judged, Secrets, judge, twin

ANSWER_CAP = 2 * 1024 * 1024  # bytes of an answer read and judged


class Caller:
    """Anonymous (no token), or a user identified by an API token. No cookie
    is kept: every request stands alone, as CKAN treats API callers."""

    def __init__(self, base_url: str, user: str, token: str | None = None):
        self.base_url, self.user, self.token = base_url, user, token
        self.local = threading.local()  # a session (a connection) per thread

    @property
    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            session = requests.Session()
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            if self.token:
                session.headers["Authorization"] = self.token
            self.local.session = session
        return self.local.session

    def send(self, request: Request) -> tuple[int, str, float]:
        """(status, the answer's first ANSWER_CAP bytes as text, seconds);
        status 0 when no answer came within the time bound."""
        form = request.content_type == "application/x-www-form-urlencoded"
        headers = {"Content-Type": request.content_type} if request.content_type else {}
        started = time.monotonic()
        try:
            with self.session.request(
                    request.method, self.base_url + request.path,
                    params=None if form else list(request.query),
                    data=list(request.query) if form else request.body,
                    headers=headers, stream=True, allow_redirects=False,
                    timeout=(5, TIME_BOUND_S * 1.5)) as response:
                body = read_capped(response)
                return response.status_code, body, time.monotonic() - started
        except requests.exceptions.Timeout:
            return 0, "", time.monotonic() - started

    def exchange(self, surface: str, request: Request, secrets: Secrets) -> Exchange:
        status, body, seconds = self.send(request)
        exchange = Exchange(surface, self.user, request, status, body, seconds)
        other = twin(request, secrets)
        if other is not None:
            exchange.twin_status = self.send(other)[0]
        return exchange


def read_capped(response: requests.Response) -> str:
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size >= ANSWER_CAP:
            break
    return b"".join(chunks).decode(response.encoding or "utf-8", "replace")


@dataclass
class SurfaceRun:
    """What one surface answered one caller for one method."""
    surface: str
    user: str
    method: str
    tried: int = 0
    seconds: float = 0.0  # spent waiting for its answers
    judged: list[Judged] = field(default_factory=list)  # answers with a problem


def generate(surface: str, user: str, method: str, requests_of: st.SearchStrategy[Request],
             examples: int) -> list[Request]:
    """Up to `examples` requests, seeded by the surface, caller and method."""
    drawn: list[Request] = []

    @settings(max_examples=examples, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @seed(zlib.crc32(f"{surface} {user} {method}".encode()))
    @given(requests_of)
    def draw(request: Request) -> None:
        drawn.append(request)

    draw()
    return drawn


def send_all(caller: Caller, runs: list[tuple[SurfaceRun, list[Request]]], secrets: Secrets,
             connections: int) -> None:
    """Sends every run's requests, `connections` at a time, and judges each answer."""
    def send_one(run: SurfaceRun, request: Request) -> None:
        verdict = judge(caller.exchange(run.surface, request, secrets), secrets)
        with lock:
            run.tried += 1
            run.seconds += verdict.exchange.seconds
            if verdict.problems:
                run.judged.append(verdict)

    lock = threading.Lock()
    with ThreadPoolExecutor(connections) as pool:
        futures = [pool.submit(send_one, run, request)
                   for run, drawn in runs for request in drawn]
        for future in futures:
            future.result()
