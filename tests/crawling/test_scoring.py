"""Scores: engagement with time decay, as a percentile within each site."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from crawling.scoring import RAW_MIDPOINT, decay, engagement, percentiles, raw_score, scores_recompute
from posts.models import Post

pytestmark = pytest.mark.django_db


def make(site: str, n: int, views: int, likes: int, hours_old: float = 1) -> Post:
    return Post.objects.create(
        site_code=site, origin_id=str(n), url=f"https://x/{n}", title=str(n), views=views, likes=likes,
        comment_count=likes // 2, source_published_at=timezone.now() - timedelta(hours=hours_old),
    )


def test_the_top_post_of_a_small_site_scores_near_the_top_post_of_a_big_one():
    big = [make("nate_pann", i, views=100_000 * (i + 1), likes=1000 * (i + 1)) for i in range(4)]
    small = [make("ppomppu", 10 + i, views=300 * (i + 1), likes=3 * (i + 1)) for i in range(4)]
    scores_recompute("nate_pann")
    scores_recompute("ppomppu")
    for group in (big, small):
        for post in group:
            post.refresh_from_db()
        ranks = [(p.score - 0.1 * raw_score(p, timezone.now()) / (raw_score(p, timezone.now()) + RAW_MIDPOINT)) / 0.9
                 for p in group]
        assert ranks == pytest.approx([0.25, 0.5, 0.75, 1.0], abs=1e-4)
    # Both tops have rank 1.0; engagement orders them, and a small site's top still beats
    # every big-site post but the top.
    assert big[3].score > small[3].score > big[2].score


def test_equal_ranks_on_different_sites_get_distinct_scores_ordered_by_engagement():
    loud = make("theqoo", 1, views=50_000, likes=900)
    quiet = make("ruliweb", 2, views=800, likes=10)
    scores_recompute("theqoo")
    scores_recompute("ruliweb")
    loud.refresh_from_db()
    quiet.refresh_from_db()
    assert 1.0 > loud.score > quiet.score > 0.9


def test_old_posts_decay_below_fresh_ones_with_equal_engagement(settings):
    settings.CRAWL_SCORE_HALF_LIFE_HOURS = 6
    old = make("theqoo", 1, views=5000, likes=50, hours_old=24)
    fresh = make("theqoo", 2, views=5000, likes=50, hours_old=1)
    scores_recompute("theqoo")
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert fresh.score > old.score
    assert decay(6) == pytest.approx(0.5)


def test_posts_outside_the_window_are_not_rescored(settings):
    settings.CRAWL_SCORE_WINDOW_DAYS = 7
    ancient = make("theqoo", 1, views=10, likes=1, hours_old=24 * 30)
    Post.objects.filter(pk=ancient.pk).update(score=0.42)
    make("theqoo", 2, views=10, likes=1)
    assert scores_recompute("theqoo") == 1
    ancient.refresh_from_db()
    assert ancient.score == 0.42


def test_ties_share_their_mean_rank_and_likes_outweigh_views():
    assert percentiles([1.0, 1.0, 3.0, 0.5]) == [0.625, 0.625, 1.0, 0.25]
    assert engagement(0, 100, 0, 0) > engagement(100, 0, 0, 0)
