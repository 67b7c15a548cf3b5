"""``manage.py crawl [SITE ...] [--pages N] [--fixtures DIR] [--robots obey|ignore]``."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from crawling.fixture_server import FixtureServer
from crawling.registry import CRAWLERS
from crawling.runs import site_crawl


class Command(BaseCommand):
    help = "Crawl the best posts of the given sites (all by default)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("sites", nargs="*", metavar="SITE", help="one of: " + ", ".join(CRAWLERS))
        parser.add_argument("--pages", type=int, default=settings.CRAWL_PAGES, help="list pages per site")
        parser.add_argument("--fixtures", metavar="DIR", help="crawl a fixture folder through a loopback server")
        parser.add_argument("--robots", choices=["obey", "ignore"], help="override CRAWL_ROBOTS_POLICY for this run")

    def handle(self, *args, sites: list[str], pages: int, fixtures: str | None, robots: str | None, **options):
        unknown = set(sites) - set(CRAWLERS)
        if unknown:
            raise CommandError(f"unknown site(s): {', '.join(sorted(unknown))}; choose from {', '.join(CRAWLERS)}")
        if pages < 1:
            raise CommandError(f"--pages must be 1 or more, not {pages}")
        if fixtures:
            sites = self._fixture_sites(Path(fixtures), sites)
        sites = sites or list(CRAWLERS)
        with contextlib.ExitStack() as stack:
            server = stack.enter_context(FixtureServer(fixtures)) if fixtures else None
            runs = [
                site_crawl(
                    code, pages=pages, robots_policy=robots,
                    base_url=server.base_url(code) if server else None, progress=self._progress,
                )
                for code in sites
            ]
        keys = ("pages", "new", "updated", "skipped", "failed")
        totals = {key: sum(getattr(run, key) for run in runs) for key in keys}
        self.stdout.write("crawl: {} sites, {pages} pages, {new} new, {updated} updated, {skipped} skipped, "
                          "{failed} failed".format(len(runs), **totals))
        if all(run.total_failure for run in runs):
            raise CommandError("every site failed; see the crawl failures in the admin")

    def _fixture_sites(self, folder: Path, sites: list[str]) -> list[str]:
        """The sites to crawl from ``folder``; an error naming what is missing, before any request."""
        if not folder.is_dir():
            raise CommandError(f"--fixtures {folder}: no such folder")
        available = [code for code in CRAWLERS if (folder / code / "list.html").is_file()]
        if not available:
            raise CommandError(f"--fixtures {folder}: no SITE/list.html inside for any of {', '.join(CRAWLERS)}")
        if missing := [code for code in sites if code not in available]:
            raise CommandError(f"--fixtures {folder}: no list.html for {', '.join(missing)}")
        for code in sites or available:  # the fixture server reads it in its own thread, where errors vanish
            expected = folder / code / "expected.json"
            try:
                json.loads(expected.read_text("utf-8")) if expected.exists() else None
            except ValueError as exc:
                raise CommandError(f"--fixtures {expected}: not valid JSON: {exc}") from exc
        return sites or available

    def _progress(self, line: str) -> None:
        self.stderr.write(line)
        self.stderr.flush()
