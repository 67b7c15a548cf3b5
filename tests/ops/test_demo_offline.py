"""The guard the demo's end-to-end test runs under, and the part of the demo it cannot see.

Each Python process of a guarded run loads ``tests/ops/netguard/sitecustomize.py``, which refuses
and records every connection and name look-up outside loopback (``tests/e2e/test_demo.py``).
Chromium is not Python: the browser test checks that a fixture crawl's browser requests nothing
but the fixture server.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crawling.browser import Browser
from crawling.netpolicy import NetPolicy
from tests.conftest import require_binary
from tests.ops.netguard import guarded_env


def test_the_guard_records_a_child_process_reaching_outside_loopback(tmp_path):
    log = tmp_path / "netguard.log"
    code = "import socket\ntry: socket.create_connection(('192.0.2.1', 80), timeout=1)\nexcept OSError: pass"

    subprocess.run([sys.executable, "-c", code], env=guarded_env(log), check=True, timeout=60)

    assert "192.0.2.1" in log.read_text()


@pytest.mark.browser
def test_a_browser_kept_to_the_fixture_server_requests_nothing_from_another_origin(settings):
    settings.CRAWL_CHROMIUM_PATH = require_binary("chromium")
    with recording_server() as elsewhere:
        page = f'<script src="{elsewhere.url}/app.js"></script><img src="{elsewhere.url}/a.png">'
        with recording_server(page) as fixtures:
            unrestricted = Browser(policy=lambda url: True)
            kept = Browser(policy=NetPolicy.fixture_only(fixtures.url))
            try:
                unrestricted.render(f"{fixtures.url}/instiz/pt/1")
                seen_unrestricted = list(elsewhere.paths)
                elsewhere.paths.clear()
                html = kept.render(f"{fixtures.url}/instiz/pt/1")
            finally:
                unrestricted.close()
                kept.close()

    assert seen_unrestricted  # the page does reach out when nothing keeps it in
    assert elsewhere.paths == []
    assert "app.js" in html  # the page itself was served


class recording_server:
    """A loopback HTTP server that answers ``body`` and records each path requested."""

    def __init__(self, body: str = "") -> None:
        self.paths: list[str] = []
        paths, payload = self.paths, body.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> recording_server:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
