"""Crawler tests run against the bundled site fixtures through the loopback fixture server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawling.fixture_server import FixtureServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"


def expected(site: str) -> dict:
    return json.loads((FIXTURES / site / "expected.json").read_text("utf-8"))


@pytest.fixture(autouse=True)
def _fast_crawl(settings):
    settings.CRAWL_MIN_DELAY_SECONDS = 0
    settings.CRAWL_BACKOFF_SECONDS = 0
    settings.CRAWL_TIMEOUT_SECONDS = 5
    settings.CRAWL_ROBOTS_POLICY = {}


@pytest.fixture(scope="session")
def fixture_server():
    with FixtureServer(FIXTURES) as server:
        yield server


@pytest.fixture
def site_folder(tmp_path):
    """A writable copy of the fixtures for tests that change pages."""
    import shutil

    target = tmp_path / "sites"
    shutil.copytree(FIXTURES, target)
    return target
