"""Every crawlable site, in one explicit dict. Adding a site is one file and one line here.

Every other list of sites (model choices, tags, schedules, tests, bench) is derived from this dict
and the facts each crawler class carries, never written out again.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import get_language

from crawling.base import BaseCrawler
from crawling.sites.bobaedream import Bobaedream
from crawling.sites.clien import Clien
from crawling.sites.dcinside import DcInside
from crawling.sites.instiz import Instiz
from crawling.sites.mlbpark import Mlbpark
from crawling.sites.nate_pann import NatePann
from crawling.sites.ppomppu import Ppomppu
from crawling.sites.ruliweb import Ruliweb
from crawling.sites.theqoo import Theqoo
from crawling.sites.todayhumor import Todayhumor

CRAWLERS: dict[str, type[BaseCrawler]] = {
    "nate_pann": NatePann,
    "dcinside": DcInside,
    "theqoo": Theqoo,
    "ruliweb": Ruliweb,
    "instiz": Instiz,
    "ppomppu": Ppomppu,
    "clien": Clien,
    "bobaedream": Bobaedream,
    "todayhumor": Todayhumor,
    "mlbpark": Mlbpark,
}


def site_choices() -> list[tuple[str, str]]:
    """(code, name) pairs whose names follow the admin's language (네이트판 in Korean, Nate Pann in English)."""
    return [(code, _localised(crawler.name, crawler.name_ko)) for code, crawler in CRAWLERS.items()]


def _localised(name: str, name_ko: str) -> str:
    # Lazy like gettext_lazy: the choices are built once at start-up, the language is per request.
    return lazy(lambda: name_ko if name_ko and (get_language() or "").startswith("ko") else name, str)()


def site_name(code: str) -> str:
    """The display name; the code itself for a site no longer in the registry (old posts keep it)."""
    crawler = CRAWLERS.get(code)
    return crawler.name if crawler else code


def site_name_ko(code: str) -> str:
    """The community's name as Korean viewers know it (the banner badge); empty for an unknown site."""
    crawler = CRAWLERS.get(code)
    return (crawler.name_ko or crawler.name) if crawler else ""


def site_hashtag(code: str) -> str:
    crawler = CRAWLERS.get(code)
    return crawler.hashtag if crawler else ""


def static_sites() -> list[str]:
    """Sites crawled without Chromium: the ones the fuzz test and the parse bench can run quickly."""
    return [code for code, crawler in CRAWLERS.items() if not crawler.needs_browser]
