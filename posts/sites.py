"""The sites posts come from, as (code, display name) pairs, for choices and the admin.

The crawling app owns the list (its registry) and fills this in at start-up
(``CrawlingConfig.ready``): posts must not import crawling, since dependencies point one way,
apps → posts → core.
"""

from __future__ import annotations

_SITES: dict[str, str] = {}


def sites_register(sites: dict[str, str]) -> None:
    _SITES.update(sites)


def site_choices() -> list[tuple[str, str]]:
    return list(_SITES.items())
