"""The registry is the one list of sites; every crawler class carries all of its site's facts."""

from __future__ import annotations

import pytest

from crawling.registry import CRAWLERS, site_hashtag, site_name, static_sites
from generation.script import make_tags
from tests.crawling.conftest import FIXTURES


@pytest.mark.parametrize("code", list(CRAWLERS))
def test_each_site_is_registered_under_its_own_code_with_names_and_a_hashtag(code):
    crawler = CRAWLERS[code]
    assert crawler.code == code
    assert crawler.name and crawler.name_ko and crawler.origin.startswith("https://")
    assert crawler.hashtag and not any(ch.isspace() or ch == "#" for ch in crawler.hashtag)


@pytest.mark.parametrize("code", list(CRAWLERS))
def test_each_site_has_fixture_pages_for_its_parser_test(code):
    assert (FIXTURES / code / "expected.json").is_file()
    assert (FIXTURES / code / "list.html").is_file()


def test_a_site_no_longer_registered_is_shown_by_its_code_and_gets_no_hashtag():
    assert site_name("gone_site") == "gone_site"
    assert site_hashtag("gone_site") == ""


def test_static_sites_leave_out_the_sites_that_need_a_browser():
    assert static_sites() == [code for code in CRAWLERS if code != "instiz"]


def test_generated_tags_carry_the_site_hashtag_from_the_registry():
    assert "더쿠" in make_tags("theqoo", "점심시간 논쟁")
    assert "뽐뿌" in make_tags("ppomppu", "점심시간 논쟁")
