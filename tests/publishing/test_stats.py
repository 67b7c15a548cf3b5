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


def test_totals_are_zero_before_any_refresh(db):
    assert stats.totals() == {"videos": 0, "views": 0, "likes": 0, "comments": 0, "fetched_at": None}


def test_local_uploads_have_no_counters(make_rendered):
    post = make_rendered(size=1000)
    tasks.upload(post.pk)
    assert tasks.refresh_stats() == 0
