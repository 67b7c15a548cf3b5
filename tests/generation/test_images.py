"""The image download boundary: public http(s) only, checked on every hop, images re-encoded.

The render takes the images the crawl cached (``crawling.images``); a post without any is cached
here first, through the same code.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from generation.images import post_images_fetch
from posts.models import PostImage
from tests.factories import make_post
from wagglebot.lib import safehttp
from wagglebot.lib.safehttp import FetchError, fetch


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


class Server:
    """A loopback HTTP server that counts the requests it answers."""

    def __init__(self, host: str) -> None:
        self.hits: list[str] = []
        # A route is (status, headers, body), or a function that writes the raw response itself.
        self.routes: dict[str, tuple[int, dict, bytes] | Callable] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits.append(self.path)
                route = server.routes.get(self.path, (404, {}, b""))
                if callable(route):
                    return route(self)
                status, headers, body = route
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = Server("127.0.0.1")
    running.routes["/cat.jpg"] = (200, {"Content-Type": "image/jpeg"}, jpeg_bytes())
    yield running
    running.close()


@pytest.fixture
def trusted_loopback(settings):
    """Let 127.0.0.1 (only) through, standing in for a public host, so redirects can be tested."""
    settings.IMAGE_FETCH_ALLOW_NETWORKS = ["127.0.0.1/32"]
    settings.CRAWL_MIN_DELAY_SECONDS = 0  # the site's politeness delay, between images


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/cat.jpg",
    "http://[::1]:{port}/cat.jpg",
    "http://10.0.0.1/cat.jpg",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:127.0.0.1]:{port}/cat.jpg",
    "http://0.0.0.0:{port}/cat.jpg",
    "http://[2002:7f00:1::1]:{port}/cat.jpg",  # 6to4 for 127.0.0.1
    "http://[2002:a9fe:a9fe::1]/latest/meta-data/",  # 6to4 for 169.254.169.254
    "http://[2002:a00:1::1]/cat.jpg",  # 6to4 for 10.0.0.1
    "http://[fec0::1]/cat.jpg",  # site-local
])
def test_private_and_loopback_addresses_are_refused_without_a_request(server, settings, url):
    settings.IMAGE_FETCH_TIMEOUT = 1
    port = server.url.rsplit(":", 1)[1]

    with pytest.raises(FetchError) as refused:
        fetch(url.format(port=port), max_bytes=10**6, content_type_prefix="image/")

    assert refused.value.refused
    assert server.hits == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.jpg", "gopher://x/", "//cat.jpg"])
def test_only_http_and_https_urls_are_fetched(url):
    with pytest.raises(FetchError, match="only http and https") as refused:
        fetch(url, max_bytes=10**6)

    assert refused.value.refused


def test_a_hostname_that_resolves_to_a_private_address_is_refused(monkeypatch, server):
    port = int(server.url.rsplit(":", 1)[1])

    def fake_dns(host, port_, *args, **kwargs):  # the DNS seam: a public name answering 127.0.0.1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]

    monkeypatch.setattr(safehttp.socket, "getaddrinfo", fake_dns)

    with pytest.raises(FetchError, match=r"non-public address 127\.0\.0\.1") as refused:
        fetch(f"http://images.example.com:{port}/cat.jpg", max_bytes=10**6)

    assert refused.value.refused and server.hits == []


def test_a_redirect_to_a_private_address_is_not_followed(server, trusted_loopback):
    secret = Server("127.0.0.2")  # loopback too, but not the one trusted host
    secret.routes["/secret"] = (200, {"Content-Type": "image/jpeg"}, jpeg_bytes())
    server.routes["/to-secret"] = (302, {"Location": f"{secret.url}/secret"}, b"")
    server.routes["/to-metadata"] = (301, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    try:
        for path in ("/to-secret", "/to-metadata"):
            with pytest.raises(FetchError, match="non-public address") as refused:
                fetch(server.url + path, max_bytes=10**6)
            assert refused.value.refused
        assert server.hits == ["/to-secret", "/to-metadata"]
        assert secret.hits == []
    finally:
        secret.close()


def test_a_redirect_to_an_allowed_host_is_followed(server, trusted_loopback):
    server.routes["/moved"] = (302, {"Location": "/cat.jpg"}, b"")

    fetched = fetch(server.url + "/moved", max_bytes=10**6, content_type_prefix="image/")

    assert fetched.content_type == "image/jpeg" and fetched.body == jpeg_bytes()
    assert server.hits == ["/moved", "/cat.jpg"]


def test_bodies_over_the_size_limit_and_non_images_are_refused(server, trusted_loopback):
    server.routes["/page"] = (200, {"Content-Type": "text/html"}, b"<html>")

    with pytest.raises(FetchError, match="larger than 100 bytes"):
        fetch(server.url + "/cat.jpg", max_bytes=100, content_type_prefix="image/")
    with pytest.raises(FetchError, match="not image/"):
        fetch(server.url + "/page", max_bytes=10**6, content_type_prefix="image/")


@pytest.mark.django_db
def test_post_images_are_re_encoded_and_cached_and_bad_ones_skipped(server, trusted_loopback, settings):
    server.routes["/broken.jpg"] = (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8 not really a jpeg")
    server.routes["/page.jpg"] = (200, {"Content-Type": "text/html"}, b"<html>")
    urls = [f"{server.url}/broken.jpg", "http://10.0.0.1/x.jpg", f"{server.url}/page.jpg", f"{server.url}/cat.jpg",
            {"url": f"{server.url}/cat.jpg"}, "file:///etc/hostname"]
    post = make_post(images=urls)

    paths = post_images_fetch(post)

    folder = settings.MEDIA_ROOT / "posts" / str(post.pk) / "images"
    assert paths == [folder / "03.jpg", folder / "04.jpg"]
    with Image.open(paths[0]) as image:
        assert (image.format, image.size, image.mode) == ("JPEG", (64, 48), "RGB")
    assert post_images_fetch(post) == paths
    assert server.hits.count("/cat.jpg") == 2  # the second call used the cache


@pytest.mark.django_db
def test_an_undecodable_image_is_skipped_not_fatal(server, trusted_loopback, settings):
    server.routes["/truncated.png"] = (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    post = make_post(images=[f"{server.url}/truncated.png"])

    assert post_images_fetch(post) == []
    assert "not a decodable image" in PostImage.objects.get(post=post).error
    assert not (settings.MEDIA_ROOT / "posts" / str(post.pk)).exists()


@pytest.mark.django_db
def test_the_render_uses_the_crawls_files_and_only_images_the_post_still_lists(server, trusted_loopback, settings):
    server.routes["/cat.jpg?2"] = server.routes["/cat.jpg"]
    post = make_post(images=[f"{server.url}/cat.jpg", f"{server.url}/cat.jpg?2"])
    first = post_images_fetch(post)
    post.images = [f"{server.url}/cat.jpg?2"]  # a moderator removed the first image

    assert post_images_fetch(post) == first[1:]
    assert server.hits == ["/cat.jpg", "/cat.jpg?2"]


def short_body(handler: BaseHTTPRequestHandler) -> None:
    """Promise more bytes than are sent, then hang up: urllib3 raises IncompleteRead mid-read."""
    body = jpeg_bytes()
    handler.send_response(200)
    handler.send_header("Content-Type", "image/jpeg")
    handler.send_header("Content-Length", str(len(body) + 1000))
    handler.end_headers()
    handler.wfile.write(body)


def trickle(handler: BaseHTTPRequestHandler) -> None:
    """One byte every 50 ms for 30 s: each read is quick, the whole download is not."""
    handler.send_response(200)
    handler.send_header("Content-Type", "image/jpeg")
    handler.end_headers()
    try:
        for _ in range(600):
            handler.wfile.write(b"\xff")
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:  # the client gave up: what the test wants
        pass


@pytest.mark.django_db
def test_a_body_cut_short_skips_that_image_and_keeps_the_others(server, trusted_loopback, settings):
    server.routes["/short.jpg"] = short_body
    post = make_post(images=[f"{server.url}/short.jpg", f"{server.url}/cat.jpg"])

    paths = post_images_fetch(post)

    assert paths == [settings.MEDIA_ROOT / "posts" / str(post.pk) / "images" / "01.jpg"]
    with pytest.raises(FetchError, match="reading"):
        fetch(f"{server.url}/short.jpg", max_bytes=10**6)


@pytest.mark.django_db
def test_a_trickling_server_is_cut_off_at_the_overall_deadline(server, trusted_loopback, settings):
    settings.IMAGE_FETCH_TIMEOUT = 0.5
    server.routes["/slow.jpg"] = trickle
    started = time.monotonic()

    with pytest.raises(FetchError, match=r"TIMEOUT=0\.5 s"):
        fetch(f"{server.url}/slow.jpg", max_bytes=10**6)

    assert time.monotonic() - started < 15, "stopped long before the 30 s trickle ends"
    assert post_images_fetch(make_post(images=[f"{server.url}/slow.jpg"])) == []


def drip_headers(handler) -> None:
    """A status line, then one header byte every 0.1 s for 20 s."""
    try:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nX-Slow: ")
        for _ in range(200):
            handler.wfile.write(b"a")
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:  # the client gave up: what the test wants
        pass


def slow_hop(handler) -> None:
    time.sleep(0.4)
    hop = int(handler.path.rsplit("/", 1)[1])
    location = f"/hop/{hop + 1}" if hop < 4 else "/cat.jpg"
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def test_a_server_dripping_headers_is_cut_off_at_the_overall_deadline(server, trusted_loopback, settings):
    settings.IMAGE_FETCH_TIMEOUT = 1
    server.routes["/drip.jpg"] = drip_headers
    started = time.monotonic()

    with pytest.raises(FetchError, match=r"TIMEOUT=1 s"):
        fetch(f"{server.url}/drip.jpg", max_bytes=10**6)

    assert time.monotonic() - started < 3


def test_slow_redirect_hops_share_one_deadline(server, trusted_loopback, settings):
    settings.IMAGE_FETCH_TIMEOUT = 1
    for hop in range(5):
        server.routes[f"/hop/{hop}"] = slow_hop
    started = time.monotonic()

    with pytest.raises(FetchError, match=r"TIMEOUT=1 s"):
        fetch(f"{server.url}/hop/0", max_bytes=10**6)

    assert time.monotonic() - started < 2
    assert "/cat.jpg" not in server.hits
