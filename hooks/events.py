"""Lifecycle events → one delivery per subscribed endpoint, each queued once its row is committed.

An event's source (the StatusChange, or the post for a new high-scoring post) is part of each
delivery's unique key, so emitting the same event twice, or a task that runs twice, never makes
a second delivery.
"""

from __future__ import annotations

import logging
import uuid
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hooks.models import Delivery, Endpoint, Event
from posts.lifecycle import Status as S
from posts.models import Post, StatusChange
from wagglebot.q import DEFAULT_CLUSTER

log = logging.getLogger(__name__)

# The status a change lands on → its event, and the statuses it must come from (None: any).
STATUS_EVENTS: dict[str, tuple[Event, frozenset[str] | None]] = {
    S.APPROVED: (Event.APPROVED, frozenset({S.COLLECTED})),  # a person's approval, not a retry or release
    S.RENDERED: (Event.RENDERED, frozenset({S.PROCESSING})),
    S.UPLOADED: (Event.UPLOADED, frozenset({S.UPLOADING})),
    S.FAILED: (Event.FAILED, None),
    S.TAKEN_DOWN: (Event.TAKEN_DOWN, None),
}


def event_of(change: StatusChange) -> Event | None:
    event, sources = STATUS_EVENTS.get(change.new, (None, None))
    if event is None or change.old == change.new or (sources is not None and change.old not in sources):
        return None
    return event


def on_status_changed(sender, change: StatusChange, **kwargs) -> None:
    event = event_of(change)
    if event is not None:
        data = {**post_facts(change.post), "change": {
            "id": change.pk, "old": change.old, "new": change.new, "reason": change.reason,
            "error_code": change.error_code, "at": change.at.isoformat(),
        }}
        event_emit(event, source=f"change{change.pk}", post=change.post, data=data)


def on_posts_collected(sender, posts, **kwargs) -> None:
    for post in posts:
        # A copy of a story already in the inbox is not news for the moderators.
        if post.score >= settings.HOOKS_HIGH_SCORE and post.duplicate_of_id is None:
            event_emit(Event.HIGH_SCORE, source=f"post{post.pk}", post=post, data=post_facts(post))


def post_facts(post: Post) -> dict:
    facts = {"post": {
        "id": post.pk, "site": post.site_code, "title": post.title, "url": post.url,
        "score": round(post.score, 4), "status": post.status,
    }}
    upload = post.uploads.exclude(url="").order_by("-uploaded_at").first() if post.status == S.UPLOADED else None
    if upload is not None:
        facts["video_url"] = upload.url
    return facts


def event_emit(event: Event, *, source: str, post: Post | None, data: dict) -> list[Delivery]:
    """Create the event's deliveries (one per endpoint that wants it); the new ones are queued."""
    created = []
    for endpoint in Endpoint.objects.filter(active=True):
        if endpoint.wants(event):
            delivery = delivery_create(endpoint, event, key=f"{endpoint.pk}:{event}:{source}", post=post, data=data)
            if delivery is not None:
                created.append(delivery)
    return created


def sample_send(endpoint: Endpoint) -> Delivery | None:
    """A sample event to check an endpoint from the admin; each one is a new event."""
    data = {"post": {"id": 0, "site": "test", "title": "WaggleBot test event", "url": "https://example.com/",
                     "score": 1.0, "status": S.COLLECTED}}
    return delivery_create(endpoint, Event.TEST, key=f"{endpoint.pk}:test:{uuid.uuid4().hex}", post=None, data=data)


def delivery_create(endpoint: Endpoint, event: Event, *, key: str, post: Post | None, data: dict) -> Delivery | None:
    """A new PENDING delivery queued on commit, or None when the key exists (the event was emitted before)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            delivery, created = Delivery.objects.get_or_create(key=key, defaults={
                "endpoint": endpoint, "event": event, "post": post, "data": data,
                "next_attempt_at": now, "queued_at": now,
            })
    except IntegrityError:  # another emission inserted the key between our lookup and insert
        return None
    if not created:
        log.info("webhook %s: already emitted", key)
        return None
    delivery_enqueue(delivery)
    return delivery


def delivery_enqueue(delivery: Delivery) -> None:
    """Queue the delivery's task once its row is committed; a refused enqueue is healed by the sweep."""
    from django_q.tasks import async_task

    transaction.on_commit(partial(async_task, "hooks.tasks.deliver", delivery.pk, cluster=DEFAULT_CLUSTER), robust=True)
