"""Sends generated requests to a running portal as one kind of caller and
judges every answer (kg_fuzz.verdict)."""
from __future__ import annotations

import time
import zlib
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
        self.base_url, self.user = base_url, user
        self.session = requests.Session()
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        if token:
            self.session.headers["Authorization"] = token

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
    seconds: float = 0.0
    judged: list[Judged] = field(default_factory=list)  # answers with a problem


def fuzz_surface(caller: Caller, surface: str, method: str,
                 requests_of: st.SearchStrategy[Request], secrets: Secrets,
                 examples: int) -> SurfaceRun:
    """Sends up to `examples` generated requests, seeded by the surface's
    name, so every run sends the same ones."""
    run = SurfaceRun(surface, caller.user, method)
    started = time.monotonic()

    @settings(max_examples=examples, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @seed(zlib.crc32(f"{surface} {caller.user} {method}".encode()))
    @given(requests_of)
    def send_one(request: Request) -> None:
        verdict = judge(caller.exchange(surface, request, secrets), secrets)
        run.tried += 1
        if verdict.problems:
            run.judged.append(verdict)

    send_one()
    run.seconds = time.monotonic() - started
    return run
