"""Django-Q2 tasks of the webhooks (default cluster): one delivery attempt, and the sweep."""

from __future__ import annotations

import logging

from django.utils import timezone

from hooks.events import delivery_enqueue
from hooks.models import Delivery
from hooks.sending import delivery_send

log = logging.getLogger(__name__)


def deliver(delivery_id: int) -> str:
    """Safe to run twice: the claim lets one copy make the attempt; the other finds nothing due."""
    return delivery_send(delivery_id)


def sweep() -> dict[str, int]:
    """Queue every due delivery nobody queued for this attempt: retries whose back-off ended,
    enqueues a broker lost, deliveries a dead worker held. A second sweep skips what the first marked."""
    now = timezone.now()
    counts = {"requeued": 0, "skipped": 0}
    for delivery in Delivery.objects.due(now).only("pk", "queued_at"):
        marked = Delivery.objects.filter(pk=delivery.pk, queued_at=delivery.queued_at).update(queued_at=now)
        if marked:
            delivery_enqueue(delivery)
        counts["requeued" if marked else "skipped"] += 1
    if any(counts.values()):
        log.info("webhook sweep %s", counts)
    return counts
