"""Where a crawler may connect: the one network policy every crawler request goes through.

Crawled pages are written by strangers. Without this check a site answering 302 to 127.0.0.1, a
list link pointing at another host, or an ``<img>``/``fetch()`` in a post rendered by Chromium
made the crawler request loopback, the cloud metadata address or our own admin.

A live crawl may reach the site's own hosts and image CDNs (``BaseCrawler.hosts``: domains, their
subdomains included) over http/https on the default ports, and only when every address the host
resolves to is public. Fixture mode (``crawl --fixtures``, the demo, the tests) allows exactly the
loopback fixture server's origin and nothing else, the real sites included, so an offline crawl
stays offline. Requests checks every redirect hop here (``BaseCrawler._send``); Chromium routes
every request of the page through ``allows`` (``crawling.browser``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from wagglebot.lib.safehttp import GUARDED_POOLS, ip_public

DEFAULT_PORTS = {"http": 80, "https": 443}
FIXTURE_POOLS = {"http": HTTPConnectionPool, "https": HTTPSConnectionPool}


class Refused(Exception):
    """The URL is outside the policy; ``permanent`` is False only for a name that did not resolve."""

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class NetPolicy:
    hosts: tuple[str, ...] = ()  # domains allowed with their subdomains, e.g. ("dcinside.com",)
    fixture: str = ""  # the fixture server's origin, "http://127.0.0.1:PORT"; set only in fixture mode

    @classmethod
    def live(cls, hosts: Iterable[str]) -> NetPolicy:
        return cls(hosts=tuple(host.lower().strip(".") for host in hosts))

    @classmethod
    def fixture_only(cls, url: str) -> NetPolicy:
        return cls(fixture=_origin(url))

    def __call__(self, url: str) -> bool:
        """For Chromium's router: also resolves the host, as the browser's fetch is not guarded."""
        try:
            self.check(url, resolve=True)
        except Refused:
            return False
        return True

    def check(self, url: str, *, resolve: bool = False) -> None:
        """Raise ``Refused`` unless the policy allows ``url``. Requests need no ``resolve``: their
        connections check the address they connect to (``adapter``), which DNS rebinding cannot dodge."""
        if self.fixture:
            if _origin(url) != self.fixture:
                raise Refused(f"{url[:120]} is not the fixture server (fixture mode)")
            return
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in DEFAULT_PORTS or _port(parts) != DEFAULT_PORTS[parts.scheme]:
            raise Refused(f"{url[:120]} is not http(s) on the default port")
        if not any(host == allowed or host.endswith("." + allowed) for allowed in self.hosts):
            raise Refused(f"{host or url[:120]} is not one of the site's hosts")
        if resolve:
            _public_check(host)

    def pools(self) -> dict:
        """The urllib3 pool classes for ``safehttp.fetch``: guarded, except for the fixture server."""
        return FIXTURE_POOLS if self.fixture else GUARDED_POOLS

    def adapter(self) -> HTTPAdapter:
        """The requests adapter for this policy: live connections go to public addresses only."""
        return HTTPAdapter() if self.fixture else _PublicOnlyAdapter()


class _PublicOnlyAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = GUARDED_POOLS


def _origin(url: str) -> str:
    parts = urlsplit(url)
    try:
        return f"{parts.scheme}://{(parts.hostname or '').lower()}:{_port(parts)}"
    except ValueError:
        return ""


def _port(parts) -> int | None:
    try:
        return parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # "host:99999" or "host:abc"
        return None


def _public_check(host: str) -> None:
    """Every address ``host`` resolves to is public: a site's own name pointed at 10.0.0.1 is refused."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused(f"cannot resolve {host}: {exc}", permanent=False) from exc
    for info in infos:
        address = info[4][0]
        if not ip_public(ipaddress.ip_address(address.split("%")[0])):
            raise Refused(f"{host} resolves to non-public address {address}")
