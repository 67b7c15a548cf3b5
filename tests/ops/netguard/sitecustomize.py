"""Refuse and record every network access outside loopback, in each Python process that starts
with this folder on PYTHONPATH and NETGUARD_LOG set (Python imports ``sitecustomize`` at start-up).

``tests/ops/test_demo_offline.py`` runs the demo this way: the demo, its web server, both clusters
and their workers all inherit the environment, so a connection or name look-up anywhere in them
is written to NETGUARD_LOG (one JSON line) and fails with OSError.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def is_local(host) -> bool:
    name = host.decode() if isinstance(host, bytes) else str(host or "")
    if name in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def refuse(log: str, what: str, host) -> None:
    with open(log, "a") as out:
        out.write(json.dumps({"pid": os.getpid(), "what": what, "host": repr(host)}) + "\n")
    raise OSError(f"netguard: {what} {host!r} is outside loopback")


def guards(log: str) -> list[tuple[object, str, object]]:
    """(owner, attribute, guarded replacement) for each socket entry point; ``install`` sets them,
    a test in this process sets them through ``monkeypatch`` so they are undone afterwards."""
    connect, connect_ex, getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            refuse(log, "connect", address[0])
        return connect(self, address)

    def guarded_connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            refuse(log, "connect_ex", address[0])
        return connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if not is_local(host):
            refuse(log, "getaddrinfo", host)
        return getaddrinfo(host, *args, **kwargs)

    return [
        (socket.socket, "connect", guarded_connect),
        (socket.socket, "connect_ex", guarded_connect_ex),
        (socket, "getaddrinfo", guarded_getaddrinfo),
        (socket, "gethostbyname", lambda host: guarded_getaddrinfo(host, None)[0][4][0]),
    ]


def install(log: str) -> None:
    for owner, name, guarded in guards(log):
        setattr(owner, name, guarded)


if os.environ.get("NETGUARD_LOG"):
    install(os.environ["NETGUARD_LOG"])
