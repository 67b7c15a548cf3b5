"""Every crawlable site, in one explicit dict. Adding a site is one file and one line here."""

from __future__ import annotations

from crawling.base import BaseCrawler
from crawling.sites.dcinside import DcInside
from crawling.sites.instiz import Instiz
from crawling.sites.nate_pann import NatePann
from crawling.sites.ppomppu import Ppomppu
from crawling.sites.ruliweb import Ruliweb
from crawling.sites.theqoo import Theqoo

CRAWLERS: dict[str, type[BaseCrawler]] = {
    "nate_pann": NatePann,
    "dcinside": DcInside,
    "theqoo": Theqoo,
    "ruliweb": Ruliweb,
    "instiz": Instiz,
    "ppomppu": Ppomppu,
}


def site_choices() -> list[tuple[str, str]]:
    return [(code, crawler.name) for code, crawler in CRAWLERS.items()]
