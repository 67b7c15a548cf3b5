"""Each format preset's body, as the receiver gets it, signed the same way."""

from __future__ import annotations

import pytest

from hooks import tasks
from hooks.events import event_emit, post_facts
from hooks.models import Endpoint, Event
from tests.factories import make_endpoint, make_post
from tests.hooks.receiver import Receiver

pytestmark = pytest.mark.django_db


def received_body(settings, fmt: str, **endpoint) -> dict:
    """The body ``fmt`` sends for a new high-scoring post whose title tries to ping everyone."""
    settings.HOOKS_SITE_URL = "https://wagglebot.example.com/"
    post = make_post(title="@everyone <!channel> 헬스장 & 썰", score=0.93)
    with Receiver(200) as receiver:
        target = make_endpoint(receiver.url, format=fmt, events=["post.high_score"], **endpoint)
        receiver.secret = target.secret
        (delivery,) = event_emit(Event.HIGH_SCORE, source=f"post{post.pk}", post=post, data=post_facts(post))
        tasks.deliver(delivery.pk)
    (got,) = receiver.received
    assert got.verified
    assert got.headers["X-WaggleBot-Event"] == "post.high_score"
    return {**got.json, "_post": post.pk}


def test_generic_json_carries_the_event_the_key_and_the_post(settings):
    body = received_body(settings, Endpoint.Format.JSON)

    assert set(body) == {"event", "delivery", "created_at", "post", "_post"}
    assert body["post"] == {"id": body["_post"], "site": "nate_pann", "title": "@everyone <!channel> 헬스장 & 썰",
                            "url": body["post"]["url"], "score": 0.93, "status": "COLLECTED"}


def test_discord_gets_content_and_pings_nobody(settings):
    body = received_body(settings, Endpoint.Format.DISCORD)

    assert set(body) == {"content", "allowed_mentions", "_post"}
    assert body["allowed_mentions"] == {"parse": []}
    first, *links = body["content"].split("\n")
    assert first == "New post to review: [nate_pann] @everyone <!channel> 헬스장 & 썰 (score 0.93)"
    assert links[-1] == f"https://wagglebot.example.com/admin/posts/post/{body['_post']}/change/"


def test_slack_gets_text_with_its_control_characters_escaped(settings):
    body = received_body(settings, Endpoint.Format.SLACK)

    assert set(body) == {"text", "_post"}
    assert body["text"].startswith("New post to review: [nate_pann] @everyone &lt;!channel&gt; 헬스장 &amp; 썰")


def test_telegram_gets_send_message_with_the_endpoint_chat(settings):
    body = received_body(settings, Endpoint.Format.TELEGRAM, chat_id="-1001234567")

    assert set(body) == {"chat_id", "text", "disable_web_page_preview", "_post"}
    assert body["chat_id"] == "-1001234567"
    assert body["text"].startswith("New post to review: [nate_pann] @everyone <!channel> 헬스장 & 썰")
