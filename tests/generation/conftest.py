"""Posts built from the shared site fixtures' expected data (see data/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from posts.models import Comment, Post

DATA = Path(__file__).parent / "data"
FIXTURE_POSTS = json.loads((DATA / "posts.json").read_text(encoding="utf-8"))


def post_from_fixture(entry: dict) -> Post:
    post = Post.objects.create(
        site_code=entry["site_code"], origin_id=entry["origin_id"], url=entry["url"],
        title=entry["title"], content=entry["content"], author=entry["author"] or "",
    )
    for n, comment in enumerate(entry["comments"]):
        Comment.objects.create(
            post=post, author=comment["author"] or "", content=comment["text"], content_hash=f"h{n}",
            likes=comment["likes"], is_best=comment["is_best"],
        )
    return post


@pytest.fixture
def fixture_post(db):
    return post_from_fixture


@pytest.fixture
def extractive(settings):
    settings.SCRIPT_WRITER = "extractive"
    settings.SCRIPT_LLM_MODEL = ""
