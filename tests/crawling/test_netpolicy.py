"""The crawlers' network policy: a listener stands for loopback services and counts what reaches it."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawling.base import CrawlError
from crawling.browser import Browser
from crawling.models import CrawlRun
from crawling.netpolicy import NetPolicy
from crawling.runs import site_crawl
from crawling.sites.theqoo import Theqoo
from tests.conftest import require


class Listener:
    """A loopback HTTP server answering every request from ``routes`` (404 otherwise), counting hits."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.hits.append(self.path)
                status, headers, body = listener.routes.get(self.path, (404, {}, b""))
                self.send_response(status)
                for name, value in {"Content-Type": "text/html", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def secret():
    """A loopback service the crawler must never reach (our admin, Redis, a metadata stand-in)."""
    running = Listener()
    yield running
    running.close()


@pytest.fixture
def site():
    """The site in fixture mode: the one origin the policy allows."""
    running = Listener()
    running.routes["/robots.txt"] = (404, {}, b"")
    yield running
    running.close()


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://theqoo.net/hot", True),
    ("https://img-cdn.theqoo.net/a.jpg", True),
    ("http://theqoo.net/hot", True),
    ("https://theqoo.net.evil.example/hot", False),
    ("https://eviltheqoo.net/hot", False),
    ("https://theqoo.net:8080/hot", False),
    ("https://theqoo.net@127.0.0.1/hot", False),
    ("http://127.0.0.1/", False),
    ("http://169.254.169.254/latest/meta-data/", False),
    ("file:///etc/passwd", False),
])
def test_a_live_policy_allows_only_the_sites_hosts(url, allowed):
    from crawling.netpolicy import Refused

    policy = NetPolicy.live(Theqoo.hosts)
    if allowed:
        policy.check(url)
    else:
        with pytest.raises(Refused):
            policy.check(url)


def test_a_site_host_resolving_to_loopback_is_refused_for_the_browser(monkeypatch):
    def fake_dns(host, port, *args, **kwargs):  # the DNS seam: the site's own name answering 127.0.0.1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)

    assert NetPolicy.live(Theqoo.hosts)("https://theqoo.net/hot") is False


def test_a_live_crawl_does_not_connect_to_a_site_host_resolving_to_loopback(monkeypatch, secret):
    port = int(secret.url.rsplit(":", 1)[1])

    def fake_dns(host, port_, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)

    with pytest.raises(CrawlError, match=r"non-public address 127\.0\.0\.1") as refused:
        Theqoo(robots_policy="ignore").get_text("http://theqoo.net/hot")

    assert refused.value.permanent and secret.hits == []


@pytest.mark.parametrize("target", ["{secret}/admin/", "http://169.254.169.254/latest/meta-data/",
                                    "http://[::1]:{port}/", "https://theqoo.net/hot"])
def test_a_redirect_off_the_fixture_server_is_not_followed(site, secret, target):
    location = target.format(secret=secret.url, port=secret.url.rsplit(":", 1)[1])
    site.routes["/hot"] = (302, {"Location": location}, b"")

    with pytest.raises(CrawlError, match="refused by the network policy") as refused:
        Theqoo(base_url=site.url).get_text(site.url + "/hot")

    assert refused.value.permanent
    assert site.hits == ["/robots.txt", "/hot"] and secret.hits == []


def test_a_redirect_within_the_fixture_server_is_followed(site):
    site.routes["/old"] = (301, {"Location": "/new"}, b"")
    site.routes["/new"] = (200, {}, b"<p>moved here</p>")

    assert "moved here" in Theqoo(base_url=site.url).get_text(site.url + "/old")
    assert site.hits == ["/robots.txt", "/old", "/new"]


def test_robots_txt_redirected_to_loopback_is_not_followed(site, secret):
    site.routes["/robots.txt"] = (302, {"Location": secret.url + "/robots.txt"}, b"")

    with pytest.raises(CrawlError, match="refused by the network policy"):
        Theqoo(base_url=site.url).get_text(site.url + "/hot")

    assert secret.hits == []


@pytest.mark.django_db
def test_a_list_link_to_another_host_is_left_out_and_never_requested(fixture_server, site_folder, secret, settings):
    page = site_folder / "dcinside" / "list.html"
    link = 'href="/board/view/?id=dcbest&amp;no=455901'  # a post the fixtures have
    page.write_text(page.read_text("utf-8").replace(link, f'href="{secret.url}/board/view/?id=dcbest&amp;no=455901'),
                    "utf-8")
    from crawling.fixture_server import FixtureServer

    with FixtureServer(site_folder) as server:
        run = site_crawl("dcinside", base_url=server.base_url("dcinside"), robots_policy="ignore")

    assert secret.hits == []
    assert not CrawlRun.objects.get(pk=run.pk).failures.filter(url__contains="no=455901").exists()  # not a post
    assert run.new == 1  # post 455877, the other post the fixtures have, is still crawled


def test_a_post_link_to_another_host_is_refused_before_any_request(fixture_server, secret):
    from crawling.base import ListItem
    from crawling.sites.dcinside import DcInside

    crawler = DcInside(base_url=fixture_server.base_url("dcinside"), robots_policy="ignore")
    item = ListItem(origin_id="dcbest_455901", url="https://gall.dcinside.com/board/view/?id=dcbest&no=455901",
                    title="", fetch_url=f"{secret.url}/board/view/?id=dcbest&no=455901")
    with pytest.raises(CrawlError, match="refused by the network policy"):
        crawler.post_fetch(item)
    crawler.close()
    assert secret.hits == []


HOSTILE_PAGE = """<html><body><p id="post">hostile post</p>
<img src="/ok.png">
<img src="{secret}/img">
<img src="/redirect">
<iframe src="{secret}/frame"></iframe>
<link rel="prefetch" href="{secret}/prefetch">
<script>
  new Image().src = "{secret}/image-js";
  navigator.sendBeacon && navigator.sendBeacon("{secret}/beacon", "x");
  try {{ new WebSocket("{ws}/ws"); }} catch (e) {{}}
  Promise.allSettled([fetch("{secret}/fetch"), fetch("/same-origin")]).then(function (results) {{
    var done = document.createElement("p");
    done.id = "done";
    done.textContent = results.map(function (r) {{ return r.status; }}).join(",");
    document.body.appendChild(done);
  }});
</script></body></html>"""


@pytest.mark.browser
def test_chromium_sends_only_the_requests_the_policy_allows(site, secret, settings):
    require(Path(settings.CRAWL_CHROMIUM_PATH).exists(), f"Chromium at {settings.CRAWL_CHROMIUM_PATH}")
    page = HOSTILE_PAGE.format(secret=secret.url, ws=secret.url.replace("http", "ws"))
    site.routes["/post/1"] = (200, {}, page.encode())
    site.routes["/ok.png"] = (200, {"Content-Type": "image/png"}, b"")
    site.routes["/same-origin"] = (200, {"Content-Type": "text/plain"}, b"ok")
    site.routes["/redirect"] = (302, {"Location": secret.url + "/redirected"}, b"")
    browser = Browser(policy=NetPolicy.fixture_only(site.url))
    try:
        html = browser.render(site.url + "/post/1", wait_for="#done")
    finally:
        browser.close()

    assert "hostile post" in html and 'id="done">rejected,fulfilled<' in html
    assert {"/post/1", "/ok.png", "/same-origin", "/redirect"} <= set(site.hits)
    assert secret.hits == []
    paths = ("/img", "/frame", "/fetch", "/image-js", "/redirected")
    assert {secret.url + path for path in paths} <= set(browser.blocked)


@pytest.mark.browser
def test_chromium_checks_a_redirected_navigation_hop_by_hop(site, secret, settings):
    require(Path(settings.CRAWL_CHROMIUM_PATH).exists(), f"Chromium at {settings.CRAWL_CHROMIUM_PATH}")
    site.routes["/post/2"] = (302, {"Location": "/post/3"}, b"")
    site.routes["/post/3"] = (302, {"Location": secret.url + "/admin/login/"}, b"")
    browser = Browser(policy=NetPolicy.fixture_only(site.url))
    try:
        with pytest.raises(CrawlError):
            browser.render(site.url + "/post/2")
    finally:
        browser.close()

    assert site.hits == ["/post/2", "/post/3"]
    assert secret.hits == [] and browser.blocked == [secret.url + "/admin/login/"]
