"""Render JavaScript pages in Debian's Chromium through Playwright (only instiz needs it).

One browser per crawl run, started on first use; ``--no-sandbox`` only when running as root, where
Chromium refuses to start with its sandbox.

Crawled pages are hostile: an ``<img>``, ``<iframe>`` or ``fetch()`` in a post body would otherwise
reach loopback or our own admin. So every request a page makes goes through the crawler's network
policy (``crawling.netpolicy``, a callable ``url -> bool``) and, when allowed, is fetched by
Playwright with redirects followed by hand, each hop checked; the rest is aborted, and WebSockets
are never connected. Chromium itself resolves no host at all (``--host-resolver-rules``), and its
background networking, component updates, autofill and safe-browsing lookups are off, so an
offline fixture crawl stays offline.

Playwright's sync API runs an asyncio loop in the thread that starts it, and Django refuses ORM
calls from a thread with a running loop (SynchronousOnlyOperation). So the browser lives in its
own single worker thread and the crawl thread, which saves posts, only waits for its results.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

from django.conf import settings

from crawling.base import HEADERS, CrawlError
from wagglebot.lib.safehttp import MAX_REDIRECTS

ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-extensions",
    "--disable-gpu",
    "--no-first-run",
    "--mute-audio",
    "--metrics-recording-only",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter,Translate,NetworkPrediction",
    "--dns-prefetch-disable",
    "--no-pings",
    # Pages are fetched through the router below, so Chromium never needs to resolve a name itself.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
EVERYTHING = re.compile(".*")
Policy = Callable[[str], bool]


class Browser:
    def __init__(self, *, policy: Policy) -> None:
        self.policy = policy
        self.blocked: list[str] = []  # what the policy refused this run, for logs and tests
        self._playwright = None
        self._browser = None
        self._thread: ThreadPoolExecutor | None = None
        self._launch_error = ""  # a browser that cannot start fails the rest of the run at once

    def render(self, url: str, *, referer: str = "", wait_for: str = "") -> str:
        """The page's HTML after its scripts ran; waits briefly for ``wait_for`` when given."""
        if self._thread is None:
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        return self._thread.submit(self._render, url, referer, wait_for).result()

    def close(self) -> None:
        if self._thread is not None:
            self._thread.submit(self._stop).result()
            self._thread.shutdown()
        self._thread = None

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        args = [*ARGS, "--no-sandbox"] if os.geteuid() == 0 else ARGS
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=settings.CRAWL_CHROMIUM_PATH, headless=True, args=args
            )
        except Exception as exc:
            self._stop()  # a failed launch must not leave a half-started driver for the next page
            self._launch_error = f"browser failed to start: {exc}"
            raise CrawlError(self._launch_error) from exc

    def _render(self, url: str, referer: str, wait_for: str) -> str:
        from playwright.sync_api import Error as PlaywrightError

        timeout_ms = settings.CRAWL_TIMEOUT_SECONDS * 1000
        if self._launch_error:
            raise CrawlError(self._launch_error)
        try:
            if self._browser is None:
                self._start()
            context = self._browser.new_context(
                user_agent=HEADERS["User-Agent"], locale="ko-KR", service_workers="block"
            )
            context.route(EVERYTHING, self._route)
            context.route_web_socket(EVERYTHING, lambda ws: ws.close())  # never connected to a server
            page = context.new_page()
            try:
                response = page.goto(url, referer=referer or None, wait_until="load", timeout=timeout_ms)
                if response is not None and response.status >= 400:
                    raise CrawlError(f"HTTP {response.status} for {url}", permanent=response.status in (404, 410))
                if wait_for:
                    _wait_quietly(page, wait_for)
                return page.content()
            finally:
                context.close()
        except PlaywrightError as exc:
            raise CrawlError(f"browser failed on {url}: {exc}") from exc

    def _route(self, route) -> None:
        """Fetch an allowed request, following redirects here hop by hop: Chromium does not follow a
        redirect it is handed, and Playwright's own redirects would skip the policy."""
        url = route.request.url
        timeout_ms = settings.CRAWL_TIMEOUT_SECONDS * 1000
        for _ in range(MAX_REDIRECTS + 1):
            if not self.policy(url):
                self.blocked.append(url)
                route.abort("blockedbyclient")
                return
            try:
                response = route.fetch(url=url, max_redirects=0, timeout=timeout_ms)
            except Exception:  # the page sees a network error, as it would without the router
                route.abort("failed")
                return
            location = response.headers.get("location")
            if not (300 <= response.status < 400 and location):
                route.fulfill(response=response)
                return
            url = urljoin(url, location)
        route.abort("failed")

    def _stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None


def _wait_quietly(page, selector: str) -> None:
    """A post with no comments never shows the selector; that is not an error."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_selector(selector, timeout=2000, state="attached")
