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
from django.utils.translation import gettext_lazy as _

from posts.lifecycle import WebhookFailure


class Event(models.TextChoices):
    HIGH_SCORE = "post.high_score", _("New high-scoring post")
    APPROVED = "post.approved", _("Approved")
    RENDERED = "post.rendered", _("Rendered")
    UPLOADED = "post.uploaded", _("Uploaded")
    FAILED = "post.failed", _("Failed")
    TAKEN_DOWN = "post.taken_down", _("Taken down")
    TEST = "test", _("Test event")


SUBSCRIBABLE = [(value, label) for value, label in Event.choices if value != Event.TEST]


def secret_new() -> str:
    return secrets.token_urlsafe(32)


class Endpoint(models.Model):
    class Format(models.TextChoices):
        JSON = "json", _("Generic JSON")
        DISCORD = "discord", "Discord"
        SLACK = "slack", "Slack"
        TELEGRAM = "telegram", "Telegram"

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("url"), max_length=500, help_text=_("Telegram: https://api.telegram.org/bot<token>/sendMessage"),
    )
    secret = models.CharField(max_length=64, default=secret_new, editable=False)
    events = models.JSONField(_("events"), default=list, blank=True)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.JSON)
    chat_id = models.CharField(
        _("chat id"), max_length=64, blank=True, help_text=_("Telegram only: the chat to post to."),
    )
    active = models.BooleanField(_("active"), default=True)
    deactivated_reason = models.CharField(_("deactivated reason"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("endpoint")
        verbose_name_plural = _("endpoints")

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
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint"),
    )
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    # (endpoint, event, source): one event is one delivery however often it is emitted.
    key = models.CharField(_("key"), max_length=150, unique=True, help_text=_("Sent as X-WaggleBot-Delivery."))
    post = models.ForeignKey("posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("post"))
    data = models.JSONField(_("data"), default=dict, help_text=_("The event as it was when it happened."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(
        _("response code"), null=True, blank=True, help_text=_("The last attempt's."),
    )
    error = models.CharField(_("error"), max_length=500, blank=True, help_text=_("The last attempt's."))
    # posts.lifecycle.WebhookFailure: the last attempt's failure, named as the stage logs name it.
    error_code = models.CharField(_("error code"), max_length=32, blank=True, help_text=_("The last attempt's."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_next"),
            models.Index(fields=["endpoint", "created_at"], name="delivery_endpoint_created"),
            models.Index(fields=["event", "created_at"], name="delivery_event_created"),
            models.Index(fields=["error_code", "created_at"], name="delivery_error_code_created"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def failure(self) -> WebhookFailure | None:
        return WebhookFailure.of(self.error_code)


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("at"), default=timezone.now)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response = models.CharField(
        _("response"), max_length=500, blank=True, help_text=_("The answer's first 500 characters."),
    )
    duration_ms = models.PositiveIntegerField(_("duration ms"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    error_code = models.CharField(_("error code"), max_length=32, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self) -> str:
        return f"{self.response_code or self.error[:40]}"

    @property
    def failure(self) -> WebhookFailure | None:
        return WebhookFailure.of(self.error_code)
