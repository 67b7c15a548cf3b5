"""Render JavaScript pages in Debian's Chromium through Playwright (only instiz needs it).

One browser per crawl run, started on first use. Background networking, updates and sync are off
so the headless browser makes no request but the page's own; ``--no-sandbox`` only when running
as root, where Chromium refuses to start with its sandbox. A browser given ``only_origin`` (a
crawl of the loopback fixture server) requests and resolves nothing else: the saved pages still
name the real site's scripts and images, and an offline crawl must not fetch them.

Playwright's sync API runs an asyncio loop in the thread that starts it, and Django refuses ORM
calls from a thread with a running loop (SynchronousOnlyOperation). So the browser lives in its
own single worker thread and the crawl thread, which saves posts, only waits for its results.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from django.conf import settings

from crawling.base import HEADERS, CrawlError

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
]


class Browser:
    def __init__(self, *, only_origin: str = "") -> None:
        parts = urlsplit(only_origin)
        self.only_origin = f"{parts.scheme}://{parts.netloc}" if only_origin else ""
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
        if self.only_origin:  # no DNS look-up either, not even a prefetch of a link's host
            args = [*args, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
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
            page = self._browser.new_page(user_agent=HEADERS["User-Agent"], locale="ko-KR")
            if self.only_origin:
                page.route("**/*", self._only_origin)
            try:
                response = page.goto(url, referer=referer or None, wait_until="load", timeout=timeout_ms)
                if response is not None and response.status >= 400:
                    raise CrawlError(f"HTTP {response.status} for {url}", permanent=response.status in (404, 410))
                if wait_for:
                    _wait_quietly(page, wait_for)
                return page.content()
            finally:
                page.close()
        except PlaywrightError as exc:
            raise CrawlError(f"browser failed on {url}: {exc}") from exc

    def _only_origin(self, route) -> None:
        url = route.request.url
        if url == self.only_origin or url.startswith(self.only_origin + "/"):
            route.continue_()
        else:
            route.abort()

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
