from __future__ import annotations

from django.utils import timezone

from posts.models import Post
from publishing import stats, tasks
from publishing.models import QuotaUsage
from publishing.quota import pacific_day


def _uploaded(make_rendered, n: int) -> list[Post]:
    posts = []
    for _ in range(n):
        post = make_rendered(size=1000)
        assert tasks.upload(post.pk)
        posts.append(post)
    return posts


def test_refresh_pulls_counters_50_ids_per_call_and_totals_sum_them(youtube, make_rendered):
    posts = _uploaded(make_rendered, 52)
    youtube.views_per_list = youtube.likes_per_list = youtube.comments_per_list = 0
    for n, video in enumerate(youtube.videos.values()):
        video["statistics"] = {"viewCount": str(100 + n), "likeCount": "2", "commentCount": "1"}
    units_before = QuotaUsage.objects.used(pacific_day(timezone.now()), "units")
    youtube.log.clear()

    assert tasks.refresh_stats() == 52

    calls = youtube.requests("GET", "/youtube/v3/videos")
    assert [len(c["query"]["id"].split(",")) for c in calls] == [50, 2]
    assert QuotaUsage.objects.used(pacific_day(timezone.now()), "units") == units_before + 2
    totals = stats.totals()
    assert totals["videos"] == 52
    assert totals["views"] == sum(range(100, 152))
    assert (totals["likes"], totals["comments"]) == (104, 52)
    posts[0].refresh_from_db()
    assert posts[0].uploads.get().views >= 100


def test_each_refresh_records_the_counters_as_they_are_now(youtube, make_rendered):
    [post] = _uploaded(make_rendered, 1)

    tasks.refresh_stats()
    first = post.uploads.get()
    tasks.refresh_stats()
    second = post.uploads.get()

    [video] = youtube.videos.values()
    assert (first.views, first.likes, first.comments) == (17, 2, 1)
    assert (second.views, second.likes, second.comments) == (34, 4, 2) == tuple(
        int(video["statistics"][key]) for key in ("viewCount", "likeCount", "commentCount"))
    assert second.stats_fetched_at >= first.stats_fetched_at
    assert stats.totals()["views"] == 34


def test_totals_are_zero_before_any_refresh(db):
    assert stats.totals() == {"videos": 0, "views": 0, "likes": 0, "comments": 0, "fetched_at": None}


def test_local_uploads_have_no_counters(make_rendered):
    post = make_rendered(size=1000)
    tasks.upload(post.pk)
    assert tasks.refresh_stats() == 0
