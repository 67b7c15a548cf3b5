"""Post score: engagement with time decay, normalised within each site.

    engagement = ln(1+views) + 3·ln(1+likes) + 2·ln(1+comments) + ln(1+best-comment likes)
    raw        = engagement · 0.5 ^ (age_hours / CRAWL_SCORE_HALF_LIFE_HOURS)
    rank       = percentile of raw among the same site's posts of the last
                 CRAWL_SCORE_WINDOW_DAYS days, in (0, 1]  (ties share their mean rank)
    score      = 0.9 · rank + 0.1 · raw / (raw + RAW_MIDPOINT), in (0, 1)

Logarithms keep one viral post from flattening the rest; likes and comments weigh more than views
because they cost the reader effort. Age counts from the source's publish time (else first seen).
The percentile makes a small community's hit (ppomppu) compete with a big one's (Nate Pann). The
small absolute term orders posts of equal rank (every site's best post has rank 1.0) by their
engagement, so the inbox shows a total order instead of six ties; it can never lift a post over one
ranked a tenth of a site's posts above it. Recomputed for the crawled site after every crawl run; posts
older than the window keep their last score.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from posts.models import Post


def engagement(views: int, likes: int, comments: int, best_likes: int) -> float:
    return (
        math.log1p(max(views, 0)) + 3 * math.log1p(max(likes, 0))
        + 2 * math.log1p(max(comments, 0)) + math.log1p(max(best_likes, 0))
    )


def decay(age_hours: float) -> float:
    return 0.5 ** (max(age_hours, 0.0) / settings.CRAWL_SCORE_HALF_LIFE_HOURS)


def raw_score(post: Post, now: datetime) -> float:
    born = post.source_published_at or post.created_at
    age_hours = (now - born).total_seconds() / 3600
    best_likes = int((post.stats or {}).get("best_comment_likes", 0) or 0)
    return engagement(post.views, post.likes, post.comment_count, best_likes) * decay(age_hours)


# Decayed engagement that fills half of the absolute term: about 1,000 views, 50 likes, 25 comments.
RAW_MIDPOINT = 20.0
RANK_WEIGHT = 0.9


def blend(rank: float, raw: float) -> float:
    return RANK_WEIGHT * rank + (1 - RANK_WEIGHT) * raw / (raw + RAW_MIDPOINT)


def percentiles(values: list[float]) -> list[float]:
    """Mean-rank percentile of each value, in (0, 1]."""
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            result[order[k]] = rank / len(values)
        i = j + 1
    return result


def scores_recompute(site_code: str, now: datetime | None = None) -> int:
    """Rescore the site's posts in the window; returns how many were scored."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.CRAWL_SCORE_WINDOW_DAYS)
    recent = Q(source_published_at__gte=since) | Q(source_published_at__isnull=True, created_at__gte=since)
    posts = list(
        Post.objects.filter(recent, site_code=site_code)
        .only("pk", "views", "likes", "comment_count", "stats", "source_published_at", "created_at", "score")
    )
    raws = [raw_score(p, now) for p in posts]
    for post, raw, rank in zip(posts, raws, percentiles(raws), strict=True):
        post.score = round(blend(rank, raw), 6)
    Post.objects.bulk_update(posts, ["score"], batch_size=500)
    return len(posts)
