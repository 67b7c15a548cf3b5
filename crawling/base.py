"""The crawler framework: HTTP with retries and a per-site delay, robots.txt, and the data a site returns.

A site module subclasses ``BaseCrawler`` and only knows its URLs and selectors:
``list_path(page)``, ``parse_list(doc, url)``, ``parse_post(doc, url)`` and, when comments live
elsewhere, ``post_fetch(item)``. Every failure a page can have is a ``CrawlError``.

robots.txt (per site, ``CRAWL_ROBOTS_POLICY``, default ``obey``): fetched once per run through the
same session and read by ``urllib.robotparser``. Status handling follows robotparser's own
``read()``: 200 → the rules; 401/403 → everything disallowed (a site that refuses the robots file
to bots is telling bots to stay away; instiz does this); other 4xx (theqoo's soft-404 HTML page)
→ no rules; 5xx or no answer → the run stops for that site (temporary, retried next hour).
``ignore`` is the operator's explicit choice and is logged on every run.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
from django.conf import settings

from crawling import html
from crawling.netpolicy import NetPolicy, Refused
from wagglebot.lib import safehttp
from wagglebot.lib.safehttp import MAX_REDIRECTS, FetchError

log = logging.getLogger("wagglebot.crawling")

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "Accept-Language": "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7",
    # requests decodes gzip and deflate only; advertising br would get bodies we cannot read.
    "Accept-Encoding": "gzip, deflate",
    "Upgrade-Insecure-Requests": "1",
}
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# List rows that are not posts of the board: pinned notices, ads and promotions dressed as posts.
PROMO_ROW_CLASSES = frozenset({
    "notice", "notice_expand", "ad", "ads", "adv", "advert", "sponsor", "promotion", "promo",
})
# A promotion keyword at a title's start: bracketed ("[이벤트] …", "(광고)"), followed by ")" or ":"
# ("홍보: …"), or 체험단 (a product-trial call). "이벤트 당첨 연락이 왔는데 …" is a post.
PROMO_TITLE = re.compile(
    r"^\s*(?:[\[(【<]\s*(?:체험단?|이벤트|광고|공지|홍보|AD|PR)\s*[\])】>]|(?:체험|이벤트|광고|공지|홍보)\s*[):]|체험단)",
    re.I,
)
CHARSET = re.compile(r"charset=([\w:-]+)", re.I)


class CrawlError(Exception):
    """A page that could not be fetched or read. ``permanent``: retrying will not help (404, robots);
    ``status``: the HTTP status that refused it, if any (a recheck tells a deleted post by 404/410)."""

    def __init__(self, message: str, *, permanent: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status


@dataclass
class ListItem:
    origin_id: str
    url: str  # canonical post URL
    title: str
    views: int = 0
    likes: int = 0
    comments: int = 0
    fetch_url: str = ""  # the link as the list gives it, when it differs from ``url``


@dataclass
class CommentData:
    author: str
    text: str
    likes: int = 0
    is_best: bool = False
    id: str = ""


@dataclass
class PostData:
    origin_id: str
    url: str
    title: str
    content: str
    images: list[str] = field(default_factory=list)
    # Clip URLs (``html.videos``): fetched by the render, not the crawl (``generation.clips``).
    videos: list[str] = field(default_factory=list)
    views: int = 0
    likes: int = 0
    dislikes: int = 0
    comment_count: int = 0
    author: str = ""
    published_at: datetime | None = None
    comments: list[CommentData] = field(default_factory=list)
    # Which source answered each field and which fields none did (``crawling.fields.Fields.record``).
    parse: dict = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return list(self.parse.get("missing", ()))

    @property
    def best_comments(self) -> list[CommentData]:
        return sorted((c for c in self.comments if c.is_best), key=lambda c: -c.likes)


def dedupe_comments(comments: list[CommentData]) -> list[CommentData]:
    """One entry per comment id; a best comment repeated in the normal list stays marked best."""
    by_id: dict[str, CommentData] = {}
    for comment in comments:
        key = comment.id or f"{comment.author}\n{comment.text}"
        if key in by_id:
            by_id[key].is_best = by_id[key].is_best or comment.is_best
        else:
            by_id[key] = comment
    return list(by_id.values())


class BaseCrawler:
    """Everything about a site is a class attribute here; ``crawling.registry`` derives every list of
    sites (choices, tags, tests, bench) from them, so a new site cannot be half-registered."""

    code: str = ""  # the registry key and ``Post.site_code``
    name: str = ""  # display name (site choices, the upload's source line)
    name_ko: str = ""  # the name Korean readers know the site by
    hashtag: str = ""  # the Korean tag a video from this site gets, without "#" or spaces
    origin: str = ""  # the real site, e.g. "https://pann.nate.com"; canonical URLs use it
    encoding: str | None = None  # force a charset the site mislabels (ppomppu: cp949)
    needs_browser: bool = False  # post pages need Chromium (comments inserted by JavaScript)
    # Domains a live crawl may connect to (subdomains included): the site and its image CDNs.
    # Empty means the origin's host only. See crawling.netpolicy.
    hosts: tuple[str, ...] = ()
    # Site extras for ``row_skipped``: CSS inside a row that marks it as an ad or notice, and words.
    promo_marks: tuple[str, ...] = ()
    promo_words: tuple[str, ...] = ()
    # The image host refuses requests without the post page as Referer (hotlink protection).
    image_referer: bool = False
    # Words of the page a site shows instead of a deleted post (often with HTTP 200); a recheck
    # looks for them only when the page no longer parses as a post.
    deleted_phrases: tuple[str, ...] = (
        "삭제된 게시물", "삭제된 글", "게시물이 삭제", "글이 삭제", "존재하지 않는 게시물", "존재하지 않는 글",
        "없는 게시물", "없는 게시글",
    )

    def __init__(self, *, base_url: str | None = None, robots_policy: str | None = None) -> None:
        self.base_url = (base_url or self.origin).rstrip("/")
        # base_url is given only in fixture mode: then the fixture server is the one host allowed.
        self.policy = (
            NetPolicy.fixture_only(self.base_url) if base_url
            else NetPolicy.live(self.hosts or (urlsplit(self.origin).hostname,))
        )
        self.session = requests.Session()
        self.session.headers.update(HEADERS)
        self.session.trust_env = False  # an environment proxy would connect on our behalf, unchecked
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, self.policy.adapter())
        # The politeness delay protects the real site; a stand-in (the loopback fixture server)
        # needs none, and with it the demo's sample crawl would take two minutes instead of seconds.
        self.min_delay = 0.0 if base_url else settings.CRAWL_MIN_DELAY_SECONDS
        policy = robots_policy or settings.CRAWL_ROBOTS_POLICY.get(self.code, "obey")
        self.robots_policy = "ignore" if policy.strip().lower() == "ignore" else "obey"  # anything else obeys
        self._robots: RobotFileParser | None = None
        self._last_request = 0.0
        self._referer = ""

    # Site modules fill these in -------------------------------------------------------------

    @classmethod
    def list_path(cls, page: int) -> str:
        raise NotImplementedError

    def parse_list(self, doc, url: str) -> list[ListItem]:
        raise NotImplementedError

    def parse_post(self, doc, url: str) -> PostData:
        raise NotImplementedError

    def row_skipped(self, row, title: str, href: str) -> bool:
        """A list row that is not a post of the board: a notice or ad row (its classes or the site's
        marks), a promotion keyword at the title's start, or a link that leaves the site."""
        classes = set((row.get("class") or "").split()) if row is not None else set()
        if classes & PROMO_ROW_CLASSES or any(html.first(row, css) is not None for css in self.promo_marks):
            return True
        if PROMO_TITLE.match(title) or any(title.lstrip(" [(").startswith(word) for word in self.promo_words):
            return True
        host = urlsplit(urljoin(self.origin + "/", href)).hostname or ""
        allowed = self.hosts or (urlsplit(self.origin).hostname,)
        return not any(host == name or host.endswith("." + name) for name in allowed)

    # Units of work the run loop calls -------------------------------------------------------

    def list_url(self, page: int) -> str:
        return self.base_url + self.list_path(page)

    def fetch_url(self, url: str) -> str:
        """Where to fetch a canonical URL or a list's link: the same path on ``base_url`` (the fixture
        server in tests). A link the network policy refuses fails here, before any request."""
        if url.startswith(self.origin):
            url = self.base_url + url[len(self.origin):]
        self.policy_check(url)
        return url

    def list_fetch(self, page: int) -> list[ListItem]:
        url = self.list_url(page)
        doc = html.document(self.get_text(url))
        self._referer = url
        items = self.parse_list(doc, url)
        if not items:
            raise CrawlError(f"no posts found on list page {url}")
        return items

    def post_fetch(self, item: ListItem) -> PostData:
        doc = html.document(self.get_text(self.fetch_url(item.fetch_url or item.url)))
        return self.parse_post(doc, item.url)

    def deleted_check(self, url: str) -> bool:
        """Whether the post page at ``url`` says the post is gone: HTTP 404/410 or a "deleted" page."""
        try:
            text = self.get_text(self.fetch_url(url))
        except CrawlError as exc:
            if exc.status in (404, 410):
                return True
            raise
        return any(phrase in text for phrase in self.deleted_phrases)

    def image_fetch(self, url: str, *, referer: str = "") -> bytes:
        """One image through the SSRF-safe fetcher (public addresses, size cap, one deadline), at
        this site's pace. Images may live on any public host (posts link imgur as often as the
        site's CDN), so a live crawl leaves them to safehttp's address guard rather than ``hosts``;
        in fixture mode every image comes from the fixture server's ``_images/`` and nowhere else."""
        accept = "image/avif,image/webp,image/*,*/*;q=0.8"
        return self.media_fetch(url, "_images", accept, settings.IMAGE_FETCH_MAX_BYTES, referer=referer,
                                timeout=settings.IMAGE_FETCH_TIMEOUT)

    def clip_fetch(self, url: str, *, referer: str = "") -> bytes:
        """One video clip the same way (fixture mode: the fixture server's ``_videos/``), within
        CLIP_FETCH_MAX_BYTES and only when the server says it is ``video/*``."""
        accept = "video/mp4,video/webm,video/*;q=0.9,*/*;q=0.5"
        return self.media_fetch(url, "_videos", accept, settings.CLIP_FETCH_MAX_BYTES, referer=referer,
                                timeout=settings.CLIP_FETCH_TIMEOUT)

    def media_fetch(
        self, url: str, folder: str, accept: str, max_bytes: int, *, referer: str = "", timeout: float,
    ) -> bytes:
        if self.policy.fixture:
            parts = urlsplit(url)
            url = f"{self.base_url}/{folder}/{parts.hostname}{parts.path}"
        headers = {"User-Agent": USER_AGENT, "Accept": accept}
        if self.image_referer and referer:
            headers["Referer"] = referer
        self.pace()
        try:
            return safehttp.fetch(
                url, max_bytes=max_bytes, content_type_prefix=accept.partition("/")[0] + "/", headers=headers,
                check=self.policy_check if self.policy.fixture else None, pools=self.policy.pools(),
                timeout=timeout,
            ).body
        finally:
            self._last_request = time.monotonic()

    def close(self) -> None:
        self.session.close()

    # HTTP -----------------------------------------------------------------------------------

    def get_text(self, url: str) -> str:
        response = self.request("GET", url)
        match = CHARSET.search(response.headers.get("Content-Type", ""))
        return html.html_decode(response.content, header_charset=match and match.group(1), forced=self.encoding)

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        """One request with robots, the per-site delay, a Referer and retries with back-off."""
        self.robots_check(url)
        headers = {"Referer": self._referer} if self._referer else {}
        headers.update(kwargs.pop("headers", {}))
        attempts = settings.CRAWL_RETRIES + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._send(method, url, headers=headers, **kwargs)
            except requests.RequestException as exc:
                if last:
                    raise CrawlError(f"{type(exc).__name__} for {url}: {exc}") from exc
                self._backoff(attempt, None)
                continue
            if response.status_code in RETRY_STATUSES and not last:
                self._backoff(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code >= 400:
                status = response.status_code
                raise CrawlError(f"HTTP {status} for {url}", permanent=status in (404, 410), status=status)
            return response
        raise AssertionError("unreachable")

    def pace(self) -> None:
        """Sleep until the site's minimum delay since the previous request has passed."""
        wait = self._last_request + self.min_delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request = time.monotonic()

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        """One request, redirects followed by hand so that every hop is checked against the policy."""
        for _ in range(MAX_REDIRECTS + 1):
            self.policy_check(url)
            self.pace()
            try:
                response = self.session.request(
                    method, url, timeout=settings.CRAWL_TIMEOUT_SECONDS, allow_redirects=False, **kwargs
                )
            except FetchError as exc:  # the connection's own address check (safehttp)
                raise CrawlError(f"refused by the network policy: {exc}", permanent=exc.refused) from exc
            finally:
                self._last_request = time.monotonic()
            if not response.is_redirect:
                return response
            url = urljoin(url, response.headers["Location"])
            response.close()
            if response.status_code in (301, 302, 303) and method == "POST":  # as browsers and requests do
                method = "GET"
                kwargs.pop("data", None)
        raise CrawlError(f"more than {MAX_REDIRECTS} redirects from {url}")

    def policy_check(self, url: str) -> None:
        try:
            self.policy.check(url)
        except Refused as exc:
            raise CrawlError(f"refused by the network policy: {exc}", permanent=exc.permanent) from exc

    def _backoff(self, attempt: int, retry_after: str | None) -> None:
        delay = settings.CRAWL_BACKOFF_SECONDS * (2**attempt)
        if retry_after and retry_after.isdigit():
            delay = max(delay, min(int(retry_after), 60))
        time.sleep(delay)

    # robots.txt -----------------------------------------------------------------------------

    def robots_announce(self) -> None:
        if self.robots_policy == "ignore":
            log.warning("robots.txt IGNORED for %s by operator setting (CRAWL_ROBOTS_POLICY)", self.code)

    def robots_check(self, url: str) -> None:
        if self.robots_policy == "ignore":
            return
        if self._robots is None:
            self._robots = self._robots_load()
        # Rules are written for the real site's paths, also when fetching from a fixture server.
        real = self.origin + url[len(self.base_url):] if url.startswith(self.base_url) else url
        if not self._robots.can_fetch(settings.CRAWL_ROBOTS_AGENT, real):
            raise CrawlError(f"robots.txt disallows {url}", permanent=True)

    def _robots_load(self) -> RobotFileParser:
        parser = RobotFileParser(self.base_url + "/robots.txt")
        try:
            response = self._send("GET", parser.url)
        except requests.RequestException as exc:
            raise CrawlError(f"robots.txt unreachable: {exc}") from exc
        status = response.status_code
        if status in (401, 403):
            parser.disallow_all = True
        elif 400 <= status < 500:
            parser.allow_all = True
        elif status >= 500:
            raise CrawlError(f"robots.txt answered HTTP {status}")
        else:
            parser.parse(html.html_decode(response.content).splitlines())
        parser.modified()
        return parser
