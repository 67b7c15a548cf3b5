"""Webhook endpoints, the deliveries of events to them, and each delivery's attempts.

The database is the record of work, the queue only a hint: a PENDING delivery whose
``next_attempt_at`` has passed and that was not queued since is queued again by the sweep.
``next_attempt_at`` is both the back-off and the lease: claiming a delivery pushes it past the
attempt's timeout, so a second copy of the task finds nothing due and a dead worker's delivery
becomes due again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Event(models.TextChoices):
    HIGH_SCORE = "post.high_score", "New high-scoring post"
    APPROVED = "post.approved", "Approved"
    RENDERED = "post.rendered", "Rendered"
    UPLOADED = "post.uploaded", "Uploaded"
    FAILED = "post.failed", "Failed"
    TAKEN_DOWN = "post.taken_down", "Taken down"
    TEST = "test", "Test event"


SUBSCRIBABLE = [(value, label) for value, label in Event.choices if value != Event.TEST]


def secret_new() -> str:
    return secrets.token_urlsafe(32)


class Endpoint(models.Model):
    class Format(models.TextChoices):
        JSON = "json", "Generic JSON"
        DISCORD = "discord", "Discord"
        SLACK = "slack", "Slack"
        TELEGRAM = "telegram", "Telegram"

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500, help_text="Telegram: https://api.telegram.org/bot<token>/sendMessage")
    secret = models.CharField(max_length=64, default=secret_new, editable=False)
    events = models.JSONField(default=list, blank=True)
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.JSON)
    chat_id = models.CharField(max_length=64, blank=True, help_text="Telegram only: the chat to post to.")
    active = models.BooleanField(default=True)
    deactivated_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return self.active and (event == Event.TEST or event in self.events)

    def sign(self, timestamp: int, body: bytes) -> str:
        digest = hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return f"sha256={digest}"

    def deactivate(self, reason: str) -> None:
        Endpoint.objects.filter(pk=self.pk).update(active=False, deactivated_reason=reason[:200])
        self.active, self.deactivated_reason = False, reason[:200]


class DeliveryQuerySet(models.QuerySet):
    def due(self, now: datetime) -> DeliveryQuerySet:
        """PENDING deliveries whose attempt is due and that were not queued for it (a lost enqueue,
        a back-off that ended, a worker that died holding the lease)."""
        stale = now - timedelta(seconds=settings.HOOKS_REQUEUE_AFTER_SECONDS)
        not_queued = Q(queued_at__isnull=True) | Q(queued_at__lt=F("next_attempt_at")) | Q(queued_at__lt=stale)
        return self.filter(not_queued, status=Delivery.Status.PENDING, next_attempt_at__lte=now)


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32, choices=Event.choices)
    # (endpoint, event, source): one event is one delivery however often it is emitted.
    key = models.CharField(max_length=150, unique=True, help_text="Sent as X-WaggleBot-Delivery.")
    post = models.ForeignKey("posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, help_text="The event as it was when it happened.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The last attempt's.")
    error = models.CharField(max_length=500, blank=True, help_text="The last attempt's.")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_next"),
            models.Index(fields=["endpoint", "created_at"], name="delivery_endpoint_created"),
            models.Index(fields=["event", "created_at"], name="delivery_event_created"),
        ]

    def __str__(self) -> str:
        return self.key


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.CharField(max_length=500, blank=True, help_text="The answer's first 500 characters.")
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.response_code or self.error[:40]}"
