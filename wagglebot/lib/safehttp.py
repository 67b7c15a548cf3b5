"""GET a URL from the public internet only: the security boundary for post image downloads.

Post image URLs come from crawled pages, i.e. from strangers. Without this guard a page could
point the worker at 169.254.169.254 (cloud metadata), 127.0.0.1:6379 (our Redis) or an intranet
host. The address check runs inside the connection itself, on the address the socket actually
connects to, so a DNS answer that changes between a check and the connect (rebinding) cannot
slip through; redirects are followed by hand, one guarded connection per hop.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util import connection as u3connection

MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class FetchError(Exception):
    """The URL was refused or the download failed; ``refused`` marks a security refusal."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass
class Fetched:
    url: str
    content_type: str
    body: bytes


def fetch(url: str, *, max_bytes: int, content_type_prefix: str = "") -> Fetched:
    """Download ``url`` (public http/https only), following up to five redirects by hand.

    IMAGE_FETCH_TIMEOUT bounds the whole download, redirects included: urllib3's timeout only
    bounds each socket read, so a server sending a byte a second would hold the worker forever.
    """
    deadline = time.monotonic() + settings.IMAGE_FETCH_TIMEOUT
    for _ in range(MAX_REDIRECTS + 1):
        _check_scheme(url)
        response = _get(url)
        try:
            if response.status in (301, 302, 303, 307, 308):
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            return _read(url, response, max_bytes, content_type_prefix, deadline)
        finally:
            response.release_conn()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _get(url: str) -> urllib3.BaseHTTPResponse:
    try:
        return _pool().request(
            "GET", url, redirect=False, retries=False, preload_content=False,
            timeout=urllib3.Timeout(total=settings.IMAGE_FETCH_TIMEOUT),
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
    if any(ip in ipaddress.ip_network(net, strict=False) for net in settings.IMAGE_FETCH_ALLOW_NETWORKS):
        return True
    if getattr(ip, "ipv4_mapped", None):  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local)


class _GuardedConnect:
    def _new_conn(self) -> socket.socket:
        address = public_address(self._dns_host, self.port)
        return u3connection.create_connection(
            (address, self.port), self.timeout, source_address=self.source_address,
            socket_options=self.socket_options,
        )


class _GuardedHTTPConnection(_GuardedConnect, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnect, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


def _pool() -> urllib3.PoolManager:
    manager = urllib3.PoolManager(num_pools=4, headers={"User-Agent": "WaggleBot/1.0 (+image fetch)"})
    manager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
    return manager
