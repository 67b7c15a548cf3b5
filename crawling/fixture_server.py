"""Serve a folder laid out like ``tests/fixtures/sites`` on a loopback HTTP server.

``crawl --fixtures DIR``, the demo and the tests point each crawler's base URL at
``http://127.0.0.1:<port>/<site>`` so the real fetch, parse and save code runs offline. Real URL
paths map to files: the site's list path → ``list.html`` (page N → ``list_N.html``), a post URL →
``post_<last long number in the URL>.html``, DC's comment POST and a comment GET (a path naming
``comment`` or ``memo``, todayhumor's ``ajax_memo_list.php``) → ``comments_<no>.json``,
``robots.txt`` with the status code its ``expected.json`` records (theqoo 404, instiz 403), and a
post image ``_images/<host>/<path>`` → ``images/<file name>`` and a post's clip ``_videos/<host>/<path>`` →
``videos/<file name>`` (404 when the folder has no such file).
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

LONG_NUMBER = re.compile(r"\d{5,}")
COMMENT_PATH = re.compile(r"comment|memo", re.I)
MAX_LIST_PAGES = 20
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
               ".webp": "image/webp"}
VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime"}
MEDIA_FOLDERS = {"/_images/": ("images", IMAGE_TYPES), "/_videos/": ("videos", VIDEO_TYPES)}


class FixtureServer:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        handler = type("Handler", (_Handler,), {"root": self.root})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def base_url(self, site_code: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{site_code}"

    def sites(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if (p / "list.html").exists())


class _Handler(BaseHTTPRequestHandler):
    root: Path

    def log_message(self, format, *args) -> None:  # keep test and demo output clean
        pass

    def do_GET(self) -> None:
        site, rest = self._split()
        if rest == "/robots.txt":
            self._robots(site)
            return
        for prefix, (folder, types) in MEDIA_FOLDERS.items():
            if rest.startswith(prefix):
                name = rest.rsplit("/", 1)[1]
                self._file(self.root / site / folder / name if name else None, types.get(Path(name).suffix.lower()))
                return
        numbers = LONG_NUMBER.findall(rest)
        if numbers and COMMENT_PATH.search(rest.partition("?")[0]):
            self._file(self.root / site / f"comments_{numbers[-1]}.json", "application/json")
            return
        self._file(self._page_file(site, rest), "text/html")

    def do_POST(self) -> None:
        site, rest = self._split()
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        no = (form.get("no") or [""])[0]
        if rest.startswith("/board/comment") and no.isdigit():
            self._file(self.root / site / f"comments_{no}.json", "application/json")
        else:
            self._send(404, b"not found", "text/plain")

    def _split(self) -> tuple[str, str]:
        site, _, rest = self.path.lstrip("/").partition("/")
        return site, "/" + rest

    def _page_file(self, site: str, rest: str) -> Path | None:
        from crawling.registry import CRAWLERS

        crawler = CRAWLERS.get(site)
        if crawler is None:
            return None
        for page in range(1, MAX_LIST_PAGES + 1):
            if rest == crawler.list_path(page):
                return self.root / site / ("list.html" if page == 1 else f"list_{page}.html")
        numbers = LONG_NUMBER.findall(rest)
        return self.root / site / f"post_{numbers[-1]}.html" if numbers else None

    def _robots(self, site: str) -> None:
        expected = self.root / site / "expected.json"
        info = json.loads(expected.read_text("utf-8")).get("robots", {}) if expected.exists() else {}
        path = self.root / site / "robots.txt"
        body = path.read_bytes() if path.exists() else b""
        status = info.get("http_status", 200 if path.exists() else 404)
        self._send(status, body, info.get("content_type", "text/plain"))

    def _file(self, path: Path | None, content_type: str | None) -> None:
        if path is None or content_type is None or not path.is_file():
            self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
            return
        self._send(200, path.read_bytes(), content_type)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
