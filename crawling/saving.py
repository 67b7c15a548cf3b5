"""Save what a crawler read: upsert on (site, origin id).

A new post is saved COLLECTED with its comments, fingerprint and first stats snapshot. A known
post only gets fresh counters, comment likes and a new snapshot: title, body, status, script and
whatever a moderator edited stay as they are. Too-short bodies and reposts of a story a moderator
declined are skipped.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction

from crawling import duplicates
from crawling.base import CommentData, PostData
from crawling.models import StatsSnapshot
from posts.models import Comment, Post

NEW, UPDATED, SKIPPED = "new", "updated", "skipped"


def comment_hash(author: str, text: str) -> str:
    return hashlib.sha256(f"{author}\n{text}".encode()).hexdigest()


def post_stats(data: PostData) -> dict:
    return {
        "views": data.views, "likes": data.likes, "dislikes": data.dislikes, "comments": data.comment_count,
        "best_comment_likes": sum(c.likes for c in data.best_comments),
    }


def post_save(site_code: str, data: PostData) -> str:
    """Insert or refresh one post; returns ``new``, ``updated`` or ``skipped``."""
    try:
        with transaction.atomic():
            return _upsert(site_code, data)
    except IntegrityError:
        # Another crawl inserted the same post between our lookup and insert: refresh it instead.
        with transaction.atomic():
            return _upsert(site_code, data)


def _upsert(site_code: str, data: PostData) -> str:
    post = Post.objects.filter(site_code=site_code, origin_id=data.origin_id).first()
    if post is not None:
        post_refresh(post, data)
        return UPDATED
    if len(data.content.strip()) < settings.CRAWL_MIN_BODY_CHARS:
        return SKIPPED
    fingerprint = duplicates.simhash(f"{data.title}\n{data.content}")
    similar = duplicates.near(fingerprint)
    if duplicates.declined_copy(similar):
        return SKIPPED
    post = Post.objects.create(
        site_code=site_code, origin_id=data.origin_id, url=data.url[:500], title=data.title[:300],
        content=data.content, images=data.images, author=data.author[:100],
        source_published_at=data.published_at, views=max(data.views, 0), likes=data.likes,
        comment_count=max(data.comment_count, 0), stats=post_stats(data),
    )
    comments_save(post, data.comments, known={})
    duplicates.fingerprint_save(post, fingerprint)
    duplicates.duplicates_link(post, similar)
    snapshot_add(post)
    return NEW


def post_refresh(post: Post, data: PostData) -> None:
    """Counters only, written with an UPDATE so a moderator's concurrent edit is not overwritten."""
    Post.objects.filter(pk=post.pk).update(
        views=max(data.views, 0), likes=data.likes, comment_count=max(data.comment_count, 0),
        stats={**(post.stats or {}), **post_stats(data)},
    )
    post.refresh_from_db(fields=["views", "likes", "comment_count", "stats"])
    comments_save(post, data.comments)
    snapshot_add(post)


def comments_save(post: Post, comments: list[CommentData], *, known: dict | None = None) -> None:
    if known is None:
        known = {c.content_hash: c for c in post.comments.all()}
    new: dict[str, Comment] = {}
    for data in comments:
        digest = comment_hash(data.author, data.text)
        if digest in known:
            row = known[digest]
            if (row.likes, row.is_best) != (data.likes, row.is_best or data.is_best):
                Comment.objects.filter(pk=row.pk).update(likes=data.likes, is_best=row.is_best or data.is_best)
        elif digest not in new:
            new[digest] = Comment(
                post=post, author=data.author[:100], content=data.text, content_hash=digest,
                likes=data.likes, is_best=data.is_best,
            )
    Comment.objects.bulk_create(new.values())


def snapshot_add(post: Post) -> None:
    StatsSnapshot.objects.create(post=post, views=post.views, likes=post.likes, comment_count=post.comment_count)
