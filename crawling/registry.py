"""Every crawlable site, in one explicit dict. Adding a site is one file and one line here."""

from __future__ import annotations

# site code → (display name, crawler class path); the crawling issue fills in the classes.
SITES: dict[str, str] = {
    "nate_pann": "Nate Pann",
    "dcinside": "DC Inside",
    "theqoo": "theqoo",
    "ruliweb": "Ruliweb",
    "instiz": "Instiz",
    "ppomppu": "Ppomppu",
}
CRAWLERS: dict[str, type] = {}


def site_choices() -> list[tuple[str, str]]:
    return list(SITES.items())
