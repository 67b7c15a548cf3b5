"""The address of the person behind a request, also behind the TLS proxy README documents.

Behind a proxy every request's REMOTE_ADDR is the proxy's, so a login lockout keyed on it locked
every user out together. Each trusted proxy appends the address it received the request from to
X-Forwarded-For, so with N trusted proxies the client is the N-th entry from the right; entries
further left are whatever the client chose to send and are never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT=N the N-th X-Forwarded-For
    entry from the right. A request that did not pass through every proxy falls back to REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy that writes garbage is misconfigured; do not key lockouts on it
        return remote
