"""The recheck: posts deleted at the source are flagged and held, edited ones take the new text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crawling.models import SourceEdit
from crawling.recheck import post_recheck, recheck_due, site_recheck
from crawling.runs import site_crawl
from crawling.saving import text_hash
from crawling.sites.theqoo import Theqoo
from generation.models import Short
from generation.tasks import generate
from posts.models import Post, Status

pytestmark = pytest.mark.django_db
KEPT = "4361027745"  # theqoo's fixture post pages
GONE = "4361099999"  # no page in the fixtures: the fixture server answers 404


def crawled(base_url: str) -> dict[str, Post]:
    site_crawl("theqoo", base_url=base_url, robots_policy="ignore")
    return {post.origin_id: post for post in Post.objects.filter(site_code="theqoo")}


def theqoo_post(origin_id: str, status: str = Status.COLLECTED) -> Post:
    return Post.objects.create(site_code="theqoo", origin_id=origin_id, url=f"https://theqoo.net/hot/{origin_id}",
                               title="사라진 글", content="곧 지워질 본문입니다. " * 3, status=status)


def recheck(base_url: str) -> dict[str, int]:
    return site_recheck("theqoo", base_url=base_url, robots_policy="ignore")


def test_a_post_deleted_at_the_source_is_flagged_held_and_never_rendered(fixture_server):
    base = fixture_server.base_url("theqoo")
    posts = crawled(base)
    gone = theqoo_post(GONE)
    gone.apply("approve")

    assert recheck(base) == {"present": 2, "deleted": 1, "failed": 0}

    gone.refresh_from_db()
    assert gone.status == Status.HELD and gone.deleted_at_source is not None
    assert gone.history.first().reason == "deleted at the source: HTTP 404 at the source"
    assert generate(gone.pk) == Status.HELD and not Short.objects.filter(post=gone).exists()
    posts[KEPT].refresh_from_db()
    assert posts[KEPT].status == Status.COLLECTED and posts[KEPT].deleted_at_source is None
    assert posts[KEPT].source_checked_at is not None


def test_the_sites_deleted_post_page_counts_as_deleted(site_folder):
    from crawling.fixture_server import FixtureServer

    (site_folder / "theqoo" / f"post_{GONE}.html").write_text(
        "<html><body><div class='message'>삭제된 게시물입니다.</div></body></html>", "utf-8"
    )
    (site_folder / "theqoo" / f"post_{KEPT}.html").write_text("<html><body>점검 중</body></html>", "utf-8")
    with FixtureServer(site_folder) as server:
        gone, broken = theqoo_post(GONE), theqoo_post(KEPT)
        assert recheck(server.base_url("theqoo")) == {"present": 0, "deleted": 1, "failed": 1}

    gone.refresh_from_db(), broken.refresh_from_db()
    assert (gone.status, broken.status) == (Status.HELD, Status.COLLECTED)
    assert broken.deleted_at_source is None  # a page we cannot read is not a deletion


def test_a_post_claimed_for_generation_during_its_recheck_is_flagged_but_not_moved(fixture_server):
    theqoo_post(GONE, status=Status.APPROVED)
    [due] = recheck_due("theqoo")
    Post.objects.get(pk=due.pk).apply("claim_generation")  # the GPU worker wins the race
    crawler = Theqoo(base_url=fixture_server.base_url("theqoo"), robots_policy="ignore")

    assert post_recheck(crawler, due) == "deleted"

    post = Post.objects.get(pk=due.pk)
    assert post.status == Status.PROCESSING and post.deleted_at_source is not None


def test_an_edit_at_the_source_is_taken_by_the_recheck_and_shown_on_the_post_page(site_folder, admin_client, settings):
    from crawling.fixture_server import FixtureServer

    page = site_folder / "theqoo" / f"post_{KEPT}.html"
    with FixtureServer(site_folder) as server:
        post = crawled(server.base_url("theqoo"))[KEPT]
        old = text_hash(post.title, post.content)
        page.write_text(page.read_text("utf-8").replace("주문 빌런 TOP 5", "주문 빌런 TOP 7"), "utf-8")
        recheck(server.base_url("theqoo"))

    post.refresh_from_db()
    assert "주문 빌런 TOP 7" in post.title and post.deleted_at_source is None
    edit = SourceEdit.objects.get(post=post)
    assert edit.old_hash == old and edit.new_hash == text_hash(post.title, post.content) != old
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    page = admin_client.get(reverse("admin:posts_post_change", args=[post.pk])).content.decode()
    assert old in page and "주문 빌런 TOP 5" in page


def test_the_recheck_takes_recent_waiting_posts_unchecked_for_longest_first(settings):
    settings.CRAWL_RECHECK_LIMIT = 2
    checked = theqoo_post("1")
    Post.objects.filter(pk=checked.pk).update(source_checked_at=timezone.now())
    theqoo_post("2")  # never checked: first
    theqoo_post("3", status=Status.RENDERED)
    old = theqoo_post("4")
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    earlier = theqoo_post("5")
    Post.objects.filter(pk=earlier.pk).update(source_checked_at=timezone.now() - timedelta(hours=5))

    assert [post.origin_id for post in recheck_due("theqoo")] == ["2", "5"]


def test_every_site_has_an_hourly_recheck_on_the_default_cluster():
    from django_q.models import Schedule

    from crawling.registry import CRAWLERS
    from ops.schedules import schedules

    rechecks = [s for s in schedules() if s["func"] == "crawling.tasks.recheck_site"]
    assert sorted(eval(s["args"]) for s in rechecks) == sorted(CRAWLERS)
    assert {(s["schedule_type"], s["cluster"]) for s in rechecks} == {(Schedule.HOURLY, "default")}
