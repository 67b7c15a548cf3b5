"""``manage.py compilation``: create a draft from post ids, list, and render one inline."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from generation.models import Compilation
from posts.lifecycle import CompilationStatus as C
from posts.models import Status as S
from tests.factories import make_post

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("compilation", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_create_ranks_the_posts_in_the_given_order_and_list_shows_it():
    posts = [make_post(status=S.UPLOADED) for _ in range(3)]

    pk = int(run("create", "--posts", f"{posts[2].pk},{posts[0].pk},{posts[1].pk}", "--title", "주간 TOP 3"))

    compilation = Compilation.objects.get(pk=pk)
    assert (compilation.status, compilation.title) == (C.DRAFT, "주간 TOP 3")
    assert [i.post_id for i in compilation.items.order_by("rank")] == [posts[2].pk, posts[0].pk, posts[1].pk]
    assert f"{pk}\tDRAFT\t[{posts[2].pk},{posts[0].pk},{posts[1].pk}]\t주간 TOP 3" in run("list")


def test_create_refuses_unknown_posts_and_a_single_post():
    post = make_post(status=S.RENDERED)
    with pytest.raises(CommandError, match="no such posts: \\[999999\\]"):
        run("create", "--posts", f"{post.pk},999999")
    with pytest.raises(CommandError, match="2–10 posts, not 1"):
        run("create", "--posts", str(post.pk))
    assert not Compilation.objects.exists()


def test_render_of_a_missing_compilation_fails():
    with pytest.raises(CommandError, match="no such compilation"):
        run("render", "424242")


def test_render_approves_a_draft_and_prints_the_video_path(settings, media_tools):
    settings.SCRIPT_WRITER, settings.SCRIPT_LLM_MODEL, settings.TTS_ENGINES = "extractive", "", ["espeak"]
    posts = [make_post(status=S.RENDERED, title=f"짧은 글 {n}", content="오늘 점심이 맛있었어요.")
             for n in range(2)]
    pk = int(run("create", "--posts", f"{posts[0].pk},{posts[1].pk}"))

    path = Path(run("render", str(pk)).strip())

    assert path.is_file() and path.name == "video.mp4"
    assert Compilation.objects.get(pk=pk).status == C.RENDERED
