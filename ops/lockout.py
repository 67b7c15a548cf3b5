"""The admin login lockout (django-axes): per username and client address, and per address.

Five wrong passwords for one username from one address lock that pair (AXES_FAILURE_LIMIT), so
someone guessing ``admin`` from one address does not lock the real admin out elsewhere; and
AXES_ADDRESS_FAILURE_LIMIT failures from one address, whatever the usernames, lock the address,
which stops spraying many usernames. Axes compares one failure count with one limit, so the
address count is scaled to that limit. The client address is ``wagglebot.lib.clientip``'s.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum

# Order matters: get_failures reads the pair count first, then the address count.
LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        scaled = address * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(pair, scaled)
