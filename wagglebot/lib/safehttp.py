"""Talk to the public internet only: the security boundary for post image downloads and webhooks.

Post image URLs come from crawled pages, i.e. from strangers; webhook URLs from any admin user.
Without this guard a page could point the worker at 169.254.169.254 (cloud metadata),
127.0.0.1:6379 (our Redis) or an intranet host. The address check runs inside the connection
itself, on the address the socket actually connects to, so a DNS answer that changes between a
check and the connect (rebinding) cannot slip through; redirects are followed by hand, one guarded connection per hop.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util import connection as u3connection

MAX_REDIRECTS = 5
SITE_LOCAL = ipaddress.ip_network("fec0::/10")
CHUNK = 64 * 1024
EXCERPT_BYTES = 2048
DEFAULT_HEADERS = {"User-Agent": "WaggleBot/1.0 (+image fetch)"}
_local = threading.local()  # the running call's watchdog and allowed networks, for the connections it opens


class FetchError(Exception):
    """The URL was refused or the download failed; ``refused`` marks a security refusal,
    ``timed_out`` a deadline that passed (a slow peer, not an absent one)."""

    def __init__(self, message: str, *, refused: bool = False, timed_out: bool = False) -> None:
        super().__init__(message)
        self.refused = refused
        self.timed_out = timed_out


@dataclass
class Fetched:
    url: str
    content_type: str
    body: bytes


@dataclass
class Answered:
    status: int
    excerpt: str  # the first bytes of the answer, decoded leniently


def post(url: str, body: bytes, *, headers: dict[str, str], timeout: float, allow_networks: list[str]) -> Answered:
    """POST ``body`` to a public http/https URL; any answer, 3xx included, is returned, never followed.

    ``timeout`` bounds the whole exchange, connect included. ``allow_networks`` exempts networks
    from the private-address refusal (a LAN receiver, the tests' loopback one).
    """
    _check_scheme(url)
    watchdog = _Watchdog(timeout, f"no answer within {timeout:g} s")
    _local.allow = allow_networks
    try:
        response = _pool().request(
            "POST", url, body=body, headers=headers, redirect=False, retries=False, preload_content=False,
            timeout=urllib3.Timeout(total=timeout + 1),
        )
        try:
            excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        finally:
            response.close()
    except urllib3.exceptions.HTTPError as exc:
        timed_out = watchdog.expired or isinstance(exc, urllib3.exceptions.TimeoutError)
        message = watchdog.message if watchdog.expired else f"POST {url[:120]} failed: {exc}"
        raise FetchError(message, timed_out=timed_out) from exc
    finally:
        watchdog.stop()
        _local.allow = None
    return Answered(status=response.status, excerpt=excerpt)


def fetch(
    url: str, *, max_bytes: int, content_type_prefix: str = "", headers: dict | None = None,
    check: Callable[[str], None] | None = None, pools: dict | None = None, timeout: float | None = None,
) -> Fetched:
    """Download ``url`` (public http/https only), following up to five redirects by hand.

    ``check`` is called with every hop's URL before it is requested and raises to refuse it (a
    crawler's host policy); ``pools`` replaces the guarded connection pools only for a caller whose
    ``check`` already pins the one host allowed (a crawler in fixture mode, on loopback).

    IMAGE_FETCH_TIMEOUT bounds the whole download, connects, headers and redirects included:
    urllib3's timeout only bounds each socket read, so a server sending a header byte a second,
    or five slow redirect hops, would hold the worker many times longer. ``timeout`` replaces it
    for a bigger download (a clip: CLIP_FETCH_TIMEOUT).
    """
    limit = "IMAGE_FETCH_TIMEOUT" if timeout is None else "its deadline"
    timeout = settings.IMAGE_FETCH_TIMEOUT if timeout is None else timeout
    watchdog = _Watchdog(timeout, f"download took longer than {limit}={timeout} s")
    try:
        fetched = _fetch(url, max_bytes, content_type_prefix, watchdog, _Request(headers, check, pools))
    except FetchError as exc:
        if watchdog.expired:
            raise FetchError(watchdog.message) from exc
        raise
    finally:
        watchdog.stop()
    if watchdog.expired:  # the cut may look like a short body that ended cleanly
        raise FetchError(watchdog.message)
    return fetched


@dataclass
class _Request:
    headers: dict | None
    check: Callable[[str], None] | None
    pools: dict | None


def _fetch(url: str, max_bytes: int, prefix: str, watchdog: _Watchdog, request: _Request) -> Fetched:
    for _ in range(MAX_REDIRECTS + 1):
        _check_scheme(url)
        if request.check is not None:
            request.check(url)
        # The socket timeout is a backstop a second behind the watchdog, so the deadline reports as one.
        response = _get(url, watchdog.left() + 1, request)
        try:
            if response.status in (301, 302, 303, 307, 308):
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            return _read(url, response, max_bytes, prefix, watchdog.deadline)
        finally:
            response.release_conn()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


class _Watchdog:
    """Shuts every socket of one fetch down when its deadline passes, wherever the fetch is waiting."""

    def __init__(self, seconds: float, message: str) -> None:
        self.deadline = time.monotonic() + seconds
        self.message = message
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()
        _local.watchdog = self

    def left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self._expire()
            raise FetchError(self.message, timed_out=True)
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def stop(self) -> None:
        self._timer.cancel()
        _local.watchdog = None

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _get(url: str, seconds: float, request: _Request) -> urllib3.BaseHTTPResponse:
    try:
        return _pool(request.pools).request(
            "GET", url, headers={**DEFAULT_HEADERS, **(request.headers or {})}, redirect=False, retries=False,
            preload_content=False, timeout=urllib3.Timeout(total=seconds),
        )
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(f"GET {url[:120]} failed: {exc}") from exc


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"only http and https URLs are fetched, not {url[:80]!r}", refused=True)


def _read(url: str, response, max_bytes: int, prefix: str, deadline: float) -> Fetched:
    if response.status != 200:
        raise FetchError(f"HTTP {response.status} from {url}")
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if not content_type.startswith(prefix):
        raise FetchError(f"content type {content_type or 'missing'!r} is not {prefix}*")
    if int(response.headers.get("Content-Length") or 0) > max_bytes:
        raise FetchError(f"larger than {max_bytes} bytes (Content-Length)")
    try:
        body = _read_body(response, max_bytes, deadline)
    except urllib3.exceptions.HTTPError as exc:  # cut short, read timeout, bad gzip: one bad image
        raise FetchError(f"reading {url[:120]} failed: {exc}") from exc
    return Fetched(url=url, content_type=content_type, body=body)


def _read_body(response, max_bytes: int, deadline: float) -> bytes:
    body = bytearray()
    # read1 returns after one socket read, so the deadline is checked however slowly bytes come;
    # read(CHUNK) would wait for a whole chunk first.
    while chunk := response.read1(CHUNK):
        body += chunk
        if len(body) > max_bytes:  # a lying or missing Content-Length
            raise FetchError(f"larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise FetchError(f"download took longer than IMAGE_FETCH_TIMEOUT={settings.IMAGE_FETCH_TIMEOUT} s")
    return bytes(body)


def public_address(host: str, port: int) -> str:
    """The first address ``host`` resolves to; refuse if ANY of its addresses is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        if not _allowed(ipaddress.ip_address(address.split("%")[0])):
            raise FetchError(f"{host} resolves to non-public address {address}", refused=True)
    return addresses[0]


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # The running post()'s own list, else the image downloads' (fetch() and the crawlers' sessions).
    allowed = getattr(_local, "allow", None)
    if allowed is None:
        allowed = settings.IMAGE_FETCH_ALLOW_NETWORKS
    if any(ip in ipaddress.ip_network(net, strict=False) for net in allowed):
        return True
    return ip_public(ip)


def ip_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally routed unicast address; IPv6 forms that carry an IPv4 address are judged by it."""
    if ip.version == 6:
        if ip in SITE_LOCAL:  # deprecated, but still routed inside some networks; Python calls it global
            return False
        # ::ffff:127.0.0.1 is 127.0.0.1, and a 6to4 address 2002:7f00:1:: is relayed to 127.0.0.1.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            ip = embedded
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local)


class _GuardedConnect:
    def _new_conn(self) -> socket.socket:
        address = public_address(self._dns_host, self.port)
        sock = u3connection.create_connection(
            (address, self.port), self.timeout, source_address=self.source_address,
            socket_options=self.socket_options,
        )
        watchdog = getattr(_local, "watchdog", None)
        if watchdog is not None:
            watchdog.watch(sock)
        return sock


class _GuardedHTTPConnection(_GuardedConnect, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnect, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


# Pools whose connections refuse non-public addresses; the crawlers' requests sessions use them too.
GUARDED_POOLS = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def _pool(pools: dict | None = None) -> urllib3.PoolManager:
    manager = urllib3.PoolManager(num_pools=4)
    manager.pool_classes_by_scheme = pools or GUARDED_POOLS
    return manager
