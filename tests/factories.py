"""Small builders for test rows. Status is set at creation only, as fixtures, never moved here."""

from __future__ import annotations

import itertools

from hooks.models import Endpoint
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


def make_endpoint(url: str = "http://127.0.0.1:9/hook", **fields) -> Endpoint:
    defaults = {"name": "moderators", "events": ["post.approved", "post.high_score", "post.failed"]}
    return Endpoint.objects.create(url=url, **{**defaults, **fields})


def make_compilation(status: str = "DRAFT", *, count: int = 3, **fields):
    """A compilation of ``count`` fresh RENDERED posts ranked in creation order."""
    from generation.models import Compilation, CompilationItem

    compilation = Compilation.objects.create(title=fields.pop("title", "테스트 TOP"), status=status, **fields)
    for rank in range(1, count + 1):
        CompilationItem.objects.create(compilation=compilation, post=make_post(status=Status.RENDERED), rank=rank)
    return compilation
