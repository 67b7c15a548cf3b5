"""How each kind of receiver wants an event: one function per format, registered in ``FORMATS``.

Titles and reasons come from crawled pages, i.e. from strangers: Discord is told to ping nobody
and Slack's control characters are escaped, so a title "@everyone" or "<!channel>" stays text.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

from hooks.models import Delivery, Endpoint, Event

HEADLINES = {
    Event.HIGH_SCORE: "New post to review",
    Event.APPROVED: "Approved",
    Event.RENDERED: "Rendered",
    Event.UPLOADED: "Uploaded",
    Event.FAILED: "Failed",
    Event.TAKEN_DOWN: "Taken down",
    Event.TEST: "Test event",
}


def generic(endpoint: Endpoint, delivery: Delivery) -> dict:
    return {"event": delivery.event, "delivery": delivery.key, "created_at": delivery.created_at.isoformat(),
            **delivery.data}


def discord(endpoint: Endpoint, delivery: Delivery) -> dict:
    return {"content": message(delivery)[:2000], "allowed_mentions": {"parse": []}}


def slack(endpoint: Endpoint, delivery: Delivery) -> dict:
    text = message(delivery).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {"text": text}


def telegram(endpoint: Endpoint, delivery: Delivery) -> dict:
    # No parse_mode: Telegram shows the text as it is.
    return {"chat_id": endpoint.chat_id, "text": message(delivery)[:4096], "disable_web_page_preview": True}


FORMATS: dict[str, Callable[[Endpoint, Delivery], dict]] = {
    Endpoint.Format.JSON: generic,
    Endpoint.Format.DISCORD: discord,
    Endpoint.Format.SLACK: slack,
    Endpoint.Format.TELEGRAM: telegram,
}


def message(delivery: Delivery) -> str:
    """One line a person reads in a chat: what happened to which post, and where to look."""
    post = delivery.data.get("post", {})
    line = f"{HEADLINES.get(delivery.event, delivery.event)}: [{post.get('site')}] {post.get('title')}"
    if delivery.event == Event.HIGH_SCORE:
        line += f" (score {post.get('score', 0):.2f})"
    change = delivery.data.get("change") or {}
    if delivery.event == Event.FAILED and change.get("reason"):
        line += f" — {change['reason'][:300]}"
    links = [delivery.data.get("video_url") or post.get("url", "")]
    if settings.HOOKS_SITE_URL and post.get("id"):
        links.append(settings.HOOKS_SITE_URL.rstrip("/") + reverse("admin:posts_post_change", args=[post["id"]]))
    return "\n".join([line, *filter(None, links)])
