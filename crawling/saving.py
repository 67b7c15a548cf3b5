"""Save what a crawler read: upsert on (site, origin id).

A new post is saved COLLECTED with its comments, fingerprint and first stats snapshot. A known
post gets fresh counters, comment likes and a new snapshot; when its title or body changed at the
source it takes the new text (a ``SourceEdit`` keeps the old text's hash, the fingerprint follows),
while its status, script and whatever a moderator edited stay as they are. A known post read
without a title or with a too-short body keeps its text: that is a page we failed to read, not an
edit. Too-short bodies and reposts of a story a moderator declined are skipped.

A crawl saves one list page's posts together (``posts_save``): one transaction and a handful of
statements per page instead of one transaction and about eight statements per post. On MariaDB
every commit waits for the redo log to reach the disk, which was most of a post-by-post save. The
result is the same as saving the posts one after another, known posts first (a new copy of a known
story is linked against its fresh counters); ``tests/crawling/test_page_saving.py`` compares the two.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction

from crawling import duplicates
from crawling.base import CommentData, PostData
from crawling.models import Fingerprint, SourceEdit, StatsSnapshot
from posts.models import Comment, Post, Status

NEW, UPDATED, SKIPPED = "new", "updated", "skipped"


def comment_hash(author: str, text: str) -> str:
    return hashlib.sha256(f"{author}\n{text}".encode()).hexdigest()


def text_hash(title: str, content: str) -> str:
    return hashlib.sha256(f"{title}\n{content}".encode()).hexdigest()


def post_stats(data: PostData) -> dict:
    return {
        "views": data.views, "likes": data.likes, "dislikes": data.dislikes, "comments": data.comment_count,
        "best_comment_likes": sum(c.likes for c in data.best_comments),
    }


def post_save(site_code: str, data: PostData) -> str:
    """Insert or refresh one post; returns ``new``, ``updated`` or ``skipped``."""
    return posts_save(site_code, [data])[0]


def posts_save(site_code: str, batch: list[PostData]) -> list[str]:
    """Upsert a page of posts in one transaction; returns each post's outcome, in order."""
    try:
        with transaction.atomic():
            return _upsert(site_code, batch)
    except IntegrityError:
        # Another crawl inserted one of these posts between our lookup and insert: it is known now.
        with transaction.atomic():
            return _upsert(site_code, batch)


def _upsert(site_code: str, batch: list[PostData]) -> list[str]:
    """A post listed twice is saved twice, the second time as a known post, as one by one would."""
    seen: set[str] = set()
    first, again = [], []
    for i, data in enumerate(batch):
        (again if data.origin_id in seen else first).append(i)
        seen.add(data.origin_id)
    outcomes = dict(zip(first, _upsert_distinct(site_code, [batch[i] for i in first]), strict=True))
    if again:
        outcomes.update(zip(again, _upsert(site_code, [batch[i] for i in again]), strict=True))
    return [outcomes[i] for i in range(len(batch))]


def _upsert_distinct(site_code: str, batch: list[PostData]) -> list[str]:
    ids = [data.origin_id for data in batch]
    known = {
        post.origin_id: post
        for post in Post.objects.filter(site_code=site_code, origin_id__in=ids)
        .only("pk", "origin_id", "stats", "title", "content")
    }
    refreshed = [(known[data.origin_id], data) for data in batch if data.origin_id in known]
    # Known posts first, so a new copy of one of them is linked against its fresh counters.
    posts_refresh(refreshed)
    created = posts_insert(site_code, [data for data in batch if data.origin_id not in known])
    snapshots_add([*created.values(), *(post for post, _ in refreshed)])
    return [UPDATED if i in known else NEW if i in created else SKIPPED for i in ids]


def posts_insert(site_code: str, batch: list[PostData]) -> dict[str, Post]:
    """New posts with comments, fingerprints and duplicate links; ``{origin id: post}`` of those saved.

    A post is checked against the saved posts and the earlier posts of the batch, so a story
    listed twice on one page is linked as it would be when saved one by one.
    """
    candidates = [data for data in batch if len(data.content.strip()) >= settings.CRAWL_MIN_BODY_CHARS]
    values = [duplicates.simhash(f"{data.title}\n{data.content}") for data in candidates]
    kept: list[tuple[PostData, int | None, dict[int, str], list[int]]] = []
    for data, value, similar in zip(candidates, values, duplicates.near_many(values), strict=True):
        if duplicates.is_declined_copy(similar):
            continue
        twins = [j for j, (_, other, _, _) in enumerate(kept) if duplicates.is_close(other, value)]
        kept.append((data, value, similar, twins))
    posts = _posts_create(site_code, [data for data, *_ in kept])
    comments_add(posts, [data.comments for data, *_ in kept])
    Fingerprint.objects.bulk_create(duplicates.fingerprints(posts, [value for _, value, _, _ in kept]))
    for post, (_, _, similar, twins) in zip(posts, kept, strict=True):
        duplicates.duplicates_link(post, {**similar, **{posts[j].pk: Status.COLLECTED for j in twins}})
    return {post.origin_id: post for post in posts}


def _posts_create(site_code: str, batch: list[PostData]) -> list[Post]:
    posts = Post.objects.bulk_create([
        Post(
            site_code=site_code, origin_id=data.origin_id, url=data.url[:500], title=data.title[:300],
            content=data.content, images=data.images, videos=data.videos, author=data.author[:100],
            source_published_at=data.published_at, views=max(data.views, 0), likes=data.likes,
            comment_count=max(data.comment_count, 0), stats=post_stats(data),
            parse_sources=data.parse.get("sources", {}), missing_fields=data.missing,
        )
        for data in batch
    ])
    if any(post.pk is None for post in posts):  # a backend that cannot return ids from a bulk insert
        pks = dict(Post.objects.filter(site_code=site_code, origin_id__in=[p.origin_id for p in posts])
                   .values_list("origin_id", "pk"))
        for post in posts:
            post.pk = pks[post.origin_id]
    return posts


def posts_refresh(pairs: list[tuple[Post, PostData]]) -> None:
    """Counters, and the text of posts edited at the source, written with UPDATEs that name their
    columns, so a moderator's concurrent edit of the status or anything else is not overwritten."""
    if not pairs:
        return
    for post, data in pairs:
        post.views, post.likes = max(data.views, 0), data.likes
        post.comment_count = max(data.comment_count, 0)
        post.stats = {**(post.stats or {}), **post_stats(data)}
    Post.objects.bulk_update([post for post, _ in pairs], ["views", "likes", "comment_count", "stats"])
    texts_update(pairs)
    saved: dict[int, dict[str, Comment]] = defaultdict(dict)
    rows = Comment.objects.filter(post__in=[post.pk for post, _ in pairs])
    for row in rows.only("pk", "post_id", "content_hash", "likes", "is_best"):
        saved[row.post_id][row.content_hash] = row
    changes: dict[int, Comment] = {}
    for post, data in pairs:
        changes.update(find_changed_comments(saved[post.pk], data.comments))
    Comment.objects.bulk_update(changes.values(), ["likes", "is_best"])
    comments_add([post for post, _ in pairs], [data.comments for _, data in pairs], saved=saved)


def texts_update(pairs: list[tuple[Post, PostData]]) -> None:
    """Take the source's new title or body; record the old text's hash and refresh the fingerprint."""
    edits, edited = [], []
    for post, data in pairs:
        title = data.title[:300] or post.title
        body_read = len(data.content.strip()) >= settings.CRAWL_MIN_BODY_CHARS
        content = data.content if body_read else post.content
        if (title, content) == (post.title, post.content):
            continue
        old = text_hash(post.title, post.content)
        edits.append(SourceEdit(post=post, old_hash=old, new_hash=text_hash(title, content), old_title=post.title))
        post.title, post.content = title, content
        edited.append(post)
    if not edited:
        return
    Post.objects.bulk_update(edited, ["title", "content"])
    SourceEdit.objects.bulk_create(edits)
    Fingerprint.objects.filter(post__in=edited).delete()
    values = [duplicates.simhash(f"{post.title}\n{post.content}") for post in edited]
    Fingerprint.objects.bulk_create(duplicates.fingerprints(edited, values))


def find_changed_comments(known: dict[str, Comment], comments: list[CommentData]) -> dict[int, Comment]:
    """Saved comments whose likes or best mark changed; a comment read twice keeps the last change."""
    changes: dict[int, Comment] = {}
    for data in comments:
        row = known.get(comment_hash(data.author, data.text))
        if row is None:
            continue
        wanted = (data.likes, row.is_best or data.is_best)
        if (row.likes, row.is_best) != wanted:
            changes[row.pk] = Comment(pk=row.pk, likes=wanted[0], is_best=wanted[1])
    return changes


def comments_add(posts: list[Post], comments: list[list[CommentData]], *, saved: dict | None = None) -> None:
    """Comments not saved yet, one row per author and text (``content_hash``)."""
    new: dict[tuple[int, str], Comment] = {}
    for post, batch in zip(posts, comments, strict=True):
        known = saved[post.pk] if saved is not None else {}
        for data in batch:
            digest = comment_hash(data.author, data.text)
            if digest not in known and (post.pk, digest) not in new:
                new[post.pk, digest] = Comment(
                    post=post, author=data.author[:100], content=data.text, content_hash=digest,
                    likes=data.likes, is_best=data.is_best,
                )
    Comment.objects.bulk_create(new.values())


def snapshots_add(posts: list[Post]) -> None:
    StatsSnapshot.objects.bulk_create(
        StatsSnapshot(post=post, views=post.views, likes=post.likes, comment_count=post.comment_count)
        for post in posts
    )
