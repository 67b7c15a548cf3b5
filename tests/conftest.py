"""Shared fixtures. External tools a test needs are required in CI and skipped elsewhere."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
from pathlib import Path

import pytest
from django.db import connection

IN_CI = os.environ.get("CI") == "true"


def require(available: bool, what: str) -> None:
    """Skip when ``what`` is missing on a developer machine; fail in CI, where it must exist."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI (make setup installs it)")
    pytest.skip(f"{what} is not installed; `make setup` installs it")


def require_binary(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, name)
    return path


def on_mariadb() -> bool:
    return connection.vendor == "mysql"


@pytest.fixture
def mariadb_only():
    """Race tests run in the MariaDB pass of `make test`; SQLite serialises writers anyway."""
    if not on_mariadb():
        pytest.skip("runs in the MariaDB pass of make test")


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read the console's English source strings; tests/posts/test_i18n.py checks the Korean."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()

# Render fixtures live in a module, not tests/generation/conftest.py, which the script tests own.
pytest_plugins = ["tests.generation.media"]


@pytest.fixture
def chromium(settings, monkeypatch):
    """Debian's Chromium through Playwright, headless, with no background network traffic."""
    require(Path(settings.CHROMIUM_PATH).exists(), f"Chromium at {settings.CHROMIUM_PATH}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # live servers speak plain HTTP
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--mute-audio"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(settings.CHROMIUM_PATH), args=args)
        yield browser
        browser.close()


@pytest.fixture
def fake_youtube():
    """The loopback fake of the YouTube Data API (tests/publishing/fake_youtube.py)."""
    from tests.publishing.fake_youtube import FakeYouTube

    fake = FakeYouTube().start()
    yield fake
    fake.stop()


@pytest.fixture
def stage_lines():
    """The stage logger's lines, read back through the JSON formatter as LOG_FORMAT=json writes them."""
    from wagglebot.lib.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("wagglebot.stages")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)
