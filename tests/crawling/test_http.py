"""HTTP behaviour of BaseCrawler against a scripted loopback server: retries, errors, charsets."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawling.base import CrawlError
from crawling.sites.theqoo import Theqoo


class Scripted(BaseHTTPRequestHandler):
    replies: list = []
    seen: list = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        type(self).seen.append((self.path, dict(self.headers)))
        if self.path == "/robots.txt":
            status, headers, body = 404, {}, b""
        else:
            status, headers, body = type(self).replies.pop(0)
        if headers.get("sleep"):
            time.sleep(headers.pop("sleep"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def scripted():
    Scripted.replies, Scripted.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Scripted, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_503_and_429_are_retried_until_the_page_comes(scripted):
    handler, base = scripted
    page = (200, {"Content-Type": "text/html; charset=utf-8"}, b"<p>ok</p>")
    handler.replies = [(503, {}, b""), (429, {}, b""), page]
    crawler = Theqoo(base_url=base)
    assert "ok" in crawler.get_text(base + "/hot")
    assert len(handler.replies) == 0


def test_404_is_a_permanent_crawl_error(scripted):
    handler, base = scripted
    handler.replies = [(404, {}, b"gone")]
    with pytest.raises(CrawlError) as caught:
        Theqoo(base_url=base).get_text(base + "/hot/1")
    assert caught.value.permanent


def test_500_after_every_retry_is_a_temporary_crawl_error(scripted, settings):
    handler, base = scripted
    handler.replies = [(500, {}, b"")] * (settings.CRAWL_RETRIES + 1)
    with pytest.raises(CrawlError) as caught:
        Theqoo(base_url=base).get_text(base + "/hot")
    assert not caught.value.permanent
    assert "HTTP 500" in caught.value.message


def test_a_timeout_is_a_crawl_error(scripted, settings):
    handler, base = scripted
    settings.CRAWL_TIMEOUT_SECONDS = 0.3
    settings.CRAWL_RETRIES = 1
    handler.replies = [(200, {"sleep": 1}, b"late"), (200, {"sleep": 1}, b"late")]
    with pytest.raises(CrawlError, match="Timeout"):
        Theqoo(base_url=base).get_text(base + "/hot")


def test_browser_headers_and_referer_are_sent(scripted):
    handler, base = scripted
    handler.replies = [(200, {}, b"<p>x</p>")]
    crawler = Theqoo(base_url=base)
    crawler._referer = base + "/hot"
    crawler.get_text(base + "/hot/1")
    headers = handler.seen[-1][1]
    assert headers["Referer"] == base + "/hot"
    assert "Chrome/" in headers["User-Agent"]
    assert "br" not in headers["Accept-Encoding"]


def test_missing_charset_header_falls_back_to_meta_then_to_cp949(scripted):
    handler, base = scripted
    meta = '<meta charset="euc-kr"><p>햏자</p>'.encode("cp949")
    bare = "<p>햏자 없음</p>".encode("cp949")
    handler.replies = [(200, {"Content-Type": "text/html"}, meta), (200, {"Content-Type": "text/html"}, bare)]
    crawler = Theqoo(base_url=base)
    assert "햏자" in crawler.get_text(base + "/a")
    assert "햏자 없음" in crawler.get_text(base + "/b")


def test_the_minimum_delay_spaces_requests(scripted, settings):
    handler, base = scripted
    handler.replies = [(200, {}, b"a"), (200, {}, b"b")]
    crawler = Theqoo(base_url=base)
    crawler.min_delay = 0.3
    started = time.monotonic()
    crawler.get_text(base + "/a")
    crawler.get_text(base + "/b")
    assert time.monotonic() - started >= 0.6  # robots.txt, /a, /b: two waits


def test_the_politeness_delay_applies_to_the_real_site_not_to_a_stand_in(settings):
    settings.CRAWL_MIN_DELAY_SECONDS = 1.5

    assert Theqoo().min_delay == 1.5
    assert Theqoo(base_url="http://127.0.0.1:9").min_delay == 0
