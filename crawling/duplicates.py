"""Cross-site duplicates: SimHash over character 3-gram shingles, banded for indexed lookups.

Two bodies whose 64-bit SimHashes differ in at most ``CRAWL_DUPLICATE_MAX_DISTANCE`` bits are the
same story. Copies are linked with ``Post.duplicate_of`` to one canonical post, the copy with the
best score; ``canonicals_refresh`` re-elects it after every scoring pass, so the inbox shows the
best copy and lists the others (``canonical_elect`` documents which copy leads).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

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


# BIT_SET[b] maps a byte to 1 when its bit b is set: with bytes.translate and bytes.count the
# per-bit vote below runs in C, 64 passes over the digests instead of a Python loop per shingle.
BIT_SET = [bytes((byte >> bit) & 1 for byte in range(256)) for bit in range(8)]


def simhash(text: str) -> int | None:
    letters = NON_WORD.sub("", text.lower())[:MAX_CHARS]
    if len(letters) < MIN_CHARS:
        return None
    shingles = {letters[i:i + SHINGLE] for i in range(len(letters) - SHINGLE + 1)}
    digests = b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles)
    # Bit k (most significant first) is set when most shingles' digests set it.
    votes = [
        "1" if digests[byte::8].translate(BIT_SET[bit]).count(1) * 2 > len(shingles) else "0"
        for byte in range(8) for bit in range(7, -1, -1)
    ]
    return int("".join(votes), 2)


def bands(value: int) -> dict[str, int]:
    width = BITS // BANDS
    return {f"band{i}": (value >> (width * i)) & ((1 << width) - 1) for i in range(BANDS)}


def _signed(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def fingerprints(posts: list[Post], values: list[int | None]) -> list[Fingerprint]:
    """Rows for new posts and posts edited at the source (saved with ``bulk_create``)."""
    return [
        Fingerprint(post=post, simhash=_signed(value), **bands(value))
        for post, value in zip(posts, values, strict=True) if value is not None
    ]


def _band_values(value: int) -> list[int]:
    width = BITS // BANDS
    return [(value >> (width * i)) & ((1 << width) - 1) for i in range(BANDS)]


def near_many(values: list[int | None]) -> list[dict[int, str]]:
    """``{post id: status}`` of the saved posts close to each value, in one query for a whole page.

    Close means what the one-value lookup means: at least one band equal (the indexed query) and
    at most ``CRAWL_DUPLICATE_MAX_DISTANCE`` differing bits. The query asks for any band of any
    value; the rows are then indexed by band, so each value only sees the rows sharing its bands.
    """
    wanted = [value for value in values if value is not None]
    if not wanted:
        return [{} for _ in values]
    any_band = Q()
    for i in range(BANDS):
        any_band |= Q(**{f"band{i}__in": sorted({_band_values(value)[i] for value in wanted})})
    by_band: dict[tuple[int, int], list[tuple[int, int, str]]] = defaultdict(list)
    for pk, other, status in Fingerprint.objects.filter(any_band).values_list("post_id", "simhash", "post__status"):
        row = (pk, other & (2**64 - 1), status)
        for i, band in enumerate(_band_values(row[1])):
            by_band[i, band].append(row)
    return [_near_rows(value, by_band) for value in values]


def _near_rows(value: int | None, by_band: dict) -> dict[int, str]:
    if value is None:
        return {}
    limit = settings.CRAWL_DUPLICATE_MAX_DISTANCE
    rows = (row for i, band in enumerate(_band_values(value)) for row in by_band.get((i, band), ()))
    return {pk: status for pk, other, status in rows if (other ^ value).bit_count() <= limit}


def is_close(a: int | None, b: int | None) -> bool:
    """The same test between two values of one batch: a shared band and few differing bits."""
    if a is None or b is None or (a ^ b).bit_count() > settings.CRAWL_DUPLICATE_MAX_DISTANCE:
        return False
    return any(x == y for x, y in zip(_band_values(a), _band_values(b), strict=True))


def is_declined_copy(matches: dict[int, str]) -> bool:
    """A moderator already declined this story (on any site): do not offer it again."""
    return Status.DECLINED in matches.values()


def duplicates_link(post: Post, matches: dict[int, str]) -> None:
    """Attach ``post`` to the group of its near-identical posts; see ``canonical_elect``."""
    matches = {pk: status for pk, status in matches.items() if pk != post.pk}
    if not matches:
        return
    heads = {head or pk for pk, head in Post.objects.filter(pk__in=matches).values_list("pk", "duplicate_of_id")}
    group = Post.objects.filter(Q(pk__in=heads) | Q(duplicate_of__in=heads) | Q(pk=post.pk))
    canonical_elect(list(group.only(*GROUP_FIELDS)))


GROUP_FIELDS = ("pk", "status", "score", "likes", "duplicate_of")
OPEN = (Status.COLLECTED, Status.APPROVED)


def _rank(post: Post) -> int:
    """Lower leads. 0: the canonical copy once a moderator or the pipeline decided on it
    (declined, or in production); 1: another copy in production; 2: approved; 3: collected;
    4: a declined copy that is not the canonical one."""
    decided = post.status not in OPEN
    if decided and post.duplicate_of_id is None:
        return 0
    if decided and post.status != Status.DECLINED:
        return 1
    return {Status.APPROVED: 2, Status.COLLECTED: 3}.get(post.status, 4)


def _lead_key(post: Post) -> tuple:
    return _rank(post), -post.score, -post.likes, post.pk


def canonical_elect(group: list[Post]) -> Post:
    """The copy the inbox shows for the story; the others point at it and are listed beside it.

    What a moderator expects: a decision about the story sticks. The copy shown in the inbox
    stays canonical once it is declined (declining it declined the story: another site's copy
    does not resurface, as reposts of a declined story are not saved either) or once it is in
    production (a story never changes hands while, or after, a Short is made of it). A copy put
    into production from its own page leads too, so the story leaves the inbox. Otherwise the
    approved copy leads (a moderator chose it), then the best-scored collected copy; a declined
    copy that never led is never elected over an open one. Rows are written only on change.
    """
    best = min(group, key=_lead_key)
    if best.duplicate_of_id is not None:
        Post.objects.filter(pk=best.pk).update(duplicate_of=None)
        best.duplicate_of_id = None
    moved = [p.pk for p in group if p.pk != best.pk and p.duplicate_of_id != best.pk]
    if moved:
        Post.objects.filter(pk__in=moved).update(duplicate_of=best)
    for post in group:
        if post.pk != best.pk:
            post.duplicate_of_id = best.pk
    return best


def canonicals_refresh(site_code: str | None = None) -> int:
    """Re-elect the canonical copy of the groups with a copy on ``site_code`` (all groups when
    None) after its scores changed, in one query for the groups; returns groups checked."""
    linked = Post.objects.filter(duplicate_of__isnull=False)
    if site_code is not None:
        linked = linked.filter(Q(site_code=site_code) | Q(duplicate_of__site_code=site_code))
    heads = linked.values("duplicate_of_id")
    groups: dict[int, list[Post]] = defaultdict(list)
    for post in Post.objects.filter(Q(pk__in=heads) | Q(duplicate_of__in=heads)).only(*GROUP_FIELDS):
        groups[post.duplicate_of_id or post.pk].append(post)
    for group in groups.values():
        canonical_elect(group)
    return len(groups)
