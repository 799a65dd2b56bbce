"""Fetch the file behind a URL resource, within a size limit and a time limit.

What can go wrong becomes a `FetchError` with a code and a message in each
language, which goes into the resource's report: the publisher is told that
the address is unreachable, redirects forever, serves a web page, or is too
large, never shown a traceback. Addresses inside the portal's own network
(loopback, private, link-local) are refused unless allowed in the settings,
so a URL resource cannot be used to probe the server's neighbours: every
address on the way is checked before it is requested, and the address a
connection actually reaches is checked again before anything is sent
(a name that resolves to a public address when checked and to a private
one when connected, DNS rebinding, is refused too).
"""
from __future__ import annotations

import ipaddress
import socket
import time
from pathlib import Path
from typing import Optional
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

MESSAGES = {
    "bad-url": {
        "en": "The address is not a web address (http or https).",
        "ky": "Дарек веб-дарек эмес (http же https).",
        "ru": "Адрес не является веб-адресом (http или https)."},
    "forbidden-address": {
        "en": "The address points inside the portal's own network and cannot be fetched.",
        "ky": "Дарек порталдын ички тармагын көрсөтөт, андан файл алынбайт.",
        "ru": "Адрес указывает во внутреннюю сеть портала, файл по нему не загружается."},
    "unreachable": {
        "en": "The address could not be reached: {detail}.",
        "ky": "Дарекке жетүү мүмкүн болгон жок: {detail}.",
        "ru": "Адрес недоступен: {detail}."},
    "timeout": {
        "en": "The address did not send the file within {seconds} seconds.",
        "ky": "Дарек файлды {seconds} секунданын ичинде жөнөткөн жок.",
        "ru": "Адрес не передал файл за {seconds} секунд."},
    "too-many-redirects": {
        "en": "The address redirects too many times.",
        "ky": "Дарек өтө көп жолу башка дарекке жөнөтөт.",
        "ru": "Адрес перенаправляет слишком много раз."},
    "http-status": {
        "en": "The address answered with HTTP status {status} instead of the file.",
        "ky": "Дарек файлдын ордуна HTTP {status} абалы менен жооп берди.",
        "ru": "Адрес ответил кодом HTTP {status} вместо файла."},
    "html": {
        "en": "The address serves a web page, not a table: give the address of the "
              "file itself.",
        "ky": "Дарек таблицаны эмес, веб-баракты берет: файлдын өзүнүн дарегин "
              "көрсөтүңүз.",
        "ru": "По адресу находится веб-страница, а не таблица: укажите адрес самого "
              "файла."},
    "too-large": {
        "en": "The file is larger than the portal accepts ({limit} bytes).",
        "ky": "Файл портал кабыл алгандан чоң ({limit} байт).",
        "ru": "Файл больше, чем принимает портал ({limit} байт)."},
}


class FetchError(Exception):
    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details

    def message(self, language: str) -> str:
        return MESSAGES[self.code][language].format(**self.details)


class TooLarge(FetchError):
    def __init__(self, limit: int) -> None:
        super().__init__("too-large", limit=limit)
        self.limit = limit


def is_web_address(url: Optional[str]) -> bool:
    return bool(url) and urlsplit(url.strip()).scheme in ("http", "https")


def _check_address(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("bad-url")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as error:
        raise FetchError("unreachable", detail=type(error).__name__) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError("forbidden-address")


class ForbiddenPeer(NewConnectionError):
    """A connection reached an address inside the portal's own network."""


class _PublicPeerOnly:
    """A connection that closes before sending anything when the address it
    reached is not a public one."""

    def _new_conn(self):  # urllib3's hook where the socket is connected
        sock = super()._new_conn()
        peer = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
        if not peer.is_global:
            sock.close()
            raise ForbiddenPeer(self, f"{peer} is not a public address")
        return sock


class _PublicHTTPConnection(_PublicPeerOnly, HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicPeerOnly, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """requests' adapter whose connections reach public addresses only."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PublicHTTPPool, "https": _PublicHTTPSPool}


def session(allow_private: bool = False) -> requests.Session:
    """A requests session; unless `allow_private`, its connections reach
    public addresses only."""
    web = requests.Session()
    if not allow_private:
        web.mount("http://", PublicOnlyAdapter())
        web.mount("https://", PublicOnlyAdapter())
    return web


def fetch(url: str, target: Path, max_bytes: int, timeout: float,
          allow_private: bool = False, max_redirects: int = 5) -> int:
    """Write the file at `url` to `target`; its size in bytes.

    Redirects are followed by hand, so that every address on the way is
    checked before it is requested."""
    url = url.strip()
    deadline = time.monotonic() + timeout
    try:
        with session(allow_private) as web:
            for _hop in range(max_redirects + 1):
                _check_address(url, allow_private)
                with web.get(url, stream=True, timeout=timeout,
                             allow_redirects=False) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers["Location"])
                        continue
                    return _receive(response, target, max_bytes, deadline, timeout)
    except requests.Timeout:
        raise FetchError("timeout", seconds=int(timeout)) from None
    except requests.RequestException as error:
        if reached_private_address(error):
            raise FetchError("forbidden-address") from None
        raise FetchError("unreachable", detail=type(error).__name__) from None
    raise FetchError("too-many-redirects")


def reached_private_address(error: requests.RequestException) -> bool:
    """Whether a request failed because its connection reached an address
    inside the portal's own network (`ForbiddenPeer`, inside requests'
    and urllib3's wrappers)."""
    reason = error.args[0] if error.args else None
    return isinstance(getattr(reason, "reason", reason), ForbiddenPeer)


def _receive(response, target: Path, max_bytes: int, deadline: float,
             timeout: float) -> int:
    if response.status_code != 200:
        raise FetchError("http-status", status=response.status_code)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type in ("text/html", "application/xhtml+xml"):
        raise FetchError("html")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(max_bytes)
    size = 0
    with target.open("wb") as stream:
        for block in response.iter_content(1 << 16):
            size += len(block)
            if size > max_bytes:
                raise TooLarge(max_bytes)
            if time.monotonic() > deadline:
                raise FetchError("timeout", seconds=int(timeout))
            stream.write(block)
    return size
