"""Small builders for test rows. Status is set at creation only, as fixtures, never moved here."""

from __future__ import annotations

import itertools

from posts.models import Post, Status

_ids = itertools.count(1)


def make_post(status: str = Status.COLLECTED, **fields) -> Post:
    n = next(_ids)
    defaults = {
        "site_code": "nate_pann",
        "origin_id": f"t{n}",
        "url": f"https://pann.nate.com/talk/{n}",
        "title": f"테스트 글 {n}",
        "content": "본문입니다.",
        "status": status,
    }
    return Post.objects.create(**{**defaults, **fields})
