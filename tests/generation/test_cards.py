"""What the cards say: the best comment's author exactly as the script masked it."""

from __future__ import annotations

from generation import cards
from generation.script import write_script
from posts.models import Comment, Post


def test_the_comment_card_shows_the_authors_name_as_the_script_masked_it(db, extractive):
    post = Post.objects.create(site_code="nate_pann", origin_id="card-1", url="https://example.com/card",
                               title="회사 커피 논쟁", content="탕비실 커피가 사라졌어요.\n누가 가져갔을까요?")
    Comment.objects.create(post=post, author="가나", content="범인은 팀장님입니다", content_hash="c", is_best=True)
    script = write_script(post)
    assert script.best_comment["author"] == "가*"

    text = cards.card_texts(script.title, script.best_comment)

    assert f"베스트 댓글 · 가* {script.best_comment['text']}" in text
    assert "가**" not in text
