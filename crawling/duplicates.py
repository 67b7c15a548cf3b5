"""Cross-site duplicates: SimHash over character 3-gram shingles, banded for indexed lookups.

Two bodies whose 64-bit SimHashes differ in at most ``CRAWL_DUPLICATE_MAX_DISTANCE`` bits are the
same story. Copies are linked with ``Post.duplicate_of`` to one canonical post, the copy with the
best score; ``canonicals_refresh`` re-elects it after every scoring pass, so the inbox shows the
best copy and lists the others.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.db.models import Q

from crawling.models import Fingerprint
from posts.models import Post, Status

NON_WORD = re.compile(r"\W+")
BITS = 64
BANDS = 8  # 8-bit bands: copies within 7 bits share at least one band exactly (pigeonhole)
SHINGLE = 3  # character 3-grams: Korean words carry particles, so word shingles miss small edits
MIN_CHARS = 40  # shorter bodies collide by chance; they are never linked
MAX_CHARS = 5000


def simhash(text: str) -> int | None:
    letters = NON_WORD.sub("", text.lower())[:MAX_CHARS]
    if len(letters) < MIN_CHARS:
        return None
    shingles = {letters[i:i + SHINGLE] for i in range(len(letters) - SHINGLE + 1)}
    rows = [
        f"{int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), 'big'):064b}" for s in shingles
    ]
    # Column-wise counts of 1 bits (zip runs in C); a bit is set when most shingles set it.
    return int("".join("1" if col.count("1") * 2 > len(rows) else "0" for col in zip(*rows, strict=True)), 2)


def bands(value: int) -> dict[str, int]:
    width = BITS // BANDS
    return {f"band{i}": (value >> (width * i)) & ((1 << width) - 1) for i in range(BANDS)}


def _signed(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def fingerprint_save(post: Post, value: int | None) -> None:
    """Called once, for a new post: a known post's body is never re-read."""
    if value is not None:
        Fingerprint.objects.create(post=post, simhash=_signed(value), **bands(value))


def near(value: int | None) -> dict[int, str]:
    """``{post id: status}`` of the posts whose fingerprint is within the distance setting."""
    if value is None:
        return {}
    any_band = Q()
    for name, band in bands(value).items():
        any_band |= Q(**{name: band})
    limit = settings.CRAWL_DUPLICATE_MAX_DISTANCE
    rows = Fingerprint.objects.filter(any_band).values_list("post_id", "simhash", "post__status")
    return {pk: status for pk, other, status in rows if ((other & (2**64 - 1)) ^ value).bit_count() <= limit}


def declined_copy(matches: dict[int, str]) -> bool:
    """A moderator already declined this story (on any site): do not offer it again."""
    return Status.DECLINED in matches.values()


def duplicates_link(post: Post, matches: dict[int, str]) -> None:
    """Attach ``post`` to the group of its near-identical posts; the best-scored copy leads."""
    matches = {pk: status for pk, status in matches.items() if pk != post.pk}
    if not matches:
        return
    heads = {head or pk for pk, head in Post.objects.filter(pk__in=matches).values_list("pk", "duplicate_of_id")}
    group = Post.objects.filter(Q(pk__in=heads) | Q(duplicate_of__in=heads) | Q(pk=post.pk))
    canonical_elect(list(group.only("pk", "score", "likes", "duplicate_of")))


def canonical_elect(group: list[Post]) -> Post:
    best = max(group, key=lambda p: (p.score, p.likes, -p.pk))
    Post.objects.filter(pk=best.pk).update(duplicate_of=None)
    Post.objects.filter(pk__in=[p.pk for p in group if p.pk != best.pk]).update(duplicate_of=best)
    return best


def canonicals_refresh() -> int:
    """Re-elect the canonical copy of every group after scores changed; returns groups checked."""
    fields = ("pk", "score", "likes", "duplicate_of")
    heads = Post.objects.filter(duplicates__isnull=False).distinct().only(*fields)
    for head in heads:
        canonical_elect([head, *head.duplicates.only(*fields)])
    return len(heads)
