"""``manage.py crawl --fixtures`` runs the real fetch, parse and save code offline; the task and schedules."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from crawling.models import CrawlFailure, CrawlRun
from posts.models import Comment, Post, Status
from tests.crawling.conftest import FIXTURES

pytestmark = pytest.mark.django_db


def crawl(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("crawl", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_crawl_fixtures_saves_every_fixture_post(settings):
    settings.CRAWL_CHROMIUM_PATH = "/nonexistent/chromium"  # instiz posts fail, and are recorded
    out, progress = crawl("--fixtures", str(FIXTURES), "--robots", "ignore")
    saved = set(Post.objects.values_list("site_code", "origin_id"))
    assert {("nate_pann", "375641207"), ("dcinside", "dcbest_455901"), ("theqoo", "4361027745"),
            ("ruliweb", "76801777"), ("ppomppu", "humor_687421"), ("clien", "18912345"),
            ("bobaedream", "742851"), ("todayhumor", "468123"), ("mlbpark", "202609220187654321")} <= saved
    assert len(saved) == 14
    assert all(p.status == Status.COLLECTED for p in Post.objects.all())
    assert Comment.objects.filter(post__origin_id="dcbest_455877").count() == 5
    assert Comment.objects.filter(post__origin_id="468123").count() == 5  # todayhumor's memo JSON
    assert CrawlRun.objects.count() == 10
    assert "crawl: 10 sites" in out and "14 new" in out
    assert "nate_pann: 375641207 new" in progress
    assert CrawlFailure.objects.filter(error__contains="HTTP 404").exists()  # list items without a fixture page
    assert CrawlFailure.objects.filter(run__site_code="instiz", error__contains="browser").exists()


def test_crawl_obeys_robots_by_default_and_fails_when_every_site_fails():
    with pytest.raises(CommandError, match="every site failed"):
        crawl("nate_pann", "instiz", "--fixtures", str(FIXTURES))
    assert CrawlFailure.objects.filter(error__contains="robots.txt disallows").count() == 2
    assert not Post.objects.exists()


def test_unknown_site_is_refused():
    with pytest.raises(CommandError, match="unknown site"):
        crawl("myspace")


def test_crawl_site_task_crawls_the_real_site_urls_it_is_given(settings, monkeypatch, fixture_server):
    """The task as the scheduler runs it: real site URLs, which the HTTP seam sends to the fixtures."""
    import requests

    from crawling import tasks

    asked = []
    send = requests.Session.request

    def to_fixtures(session, method, url, **kwargs):
        asked.append(url)
        return send(session, method, url.replace("https://theqoo.net", fixture_server.base_url("theqoo")), **kwargs)

    monkeypatch.setattr(requests.Session, "request", to_fixtures)
    settings.IMAGE_FETCH_ALLOW_NETWORKS = ["127.0.0.1/32"]  # the stand-in for the real site is loopback
    settings.CRAWL_PAGES = 2
    result = tasks.crawl_site("theqoo")
    run = CrawlRun.objects.get(pk=result["run"])
    assert (run.site_code, run.pages, result["new"]) == ("theqoo", 1, 2)  # list page 2 has no fixture
    assert set(Post.objects.values_list("origin_id", flat=True)) == {"4361027745", "4361019832"}
    assert run.finished_at is not None and result["failed"] == run.failed == run.failures.count()
    assert run.failures.filter(url__startswith="https://theqoo.net/", error__contains="HTTP 404").exists()
    assert asked[0].startswith("https://theqoo.net/") and all("127.0.0.1" not in url for url in asked)


def test_every_site_has_an_hourly_schedule_on_the_default_cluster():
    from django_q.models import Schedule

    from crawling.registry import CRAWLERS
    from ops.schedules import schedules
    from wagglebot.q import DEFAULT_CLUSTER

    crawls = [s for s in schedules() if s["func"] == "crawling.tasks.crawl_site"]
    assert sorted(eval(s["args"]) for s in crawls) == sorted(CRAWLERS)
    assert {(s["schedule_type"], s["cluster"]) for s in crawls} == {(Schedule.HOURLY, DEFAULT_CLUSTER)}


@pytest.mark.parametrize(("args", "message"), [
    (["--pages", "0"], "--pages must be 1 or more, not 0"),
    (["--pages", "-3"], "--pages must be 1 or more, not -3"),
    (["--fixtures", "/nonexistent/fixtures"], "no such folder"),
])
def test_bad_crawl_arguments_are_one_line_errors(args, message):
    with pytest.raises(CommandError, match=message):
        crawl(*args)


def test_a_fixture_folder_without_the_named_site_or_with_bad_json_is_refused(site_folder, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match=r"no SITE/list\.html"):
        crawl("--fixtures", str(tmp_path / "empty"))
    (site_folder / "theqoo" / "list.html").unlink()
    with pytest.raises(CommandError, match=r"no list\.html for theqoo"):
        crawl("theqoo", "--fixtures", str(site_folder))
    (site_folder / "ruliweb" / "expected.json").write_text("{not json", "utf-8")
    with pytest.raises(CommandError, match=r"expected\.json: not valid JSON"):
        crawl("ruliweb", "--fixtures", str(site_folder))
