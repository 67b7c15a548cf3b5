"""One attempt at one delivery: claim it, POST the signed event, log the attempt, decide what next.

Retried with back-off (HOOKS_RETRY_DELAYS) after a network error, a timeout, 429 or 5xx, up to
HOOKS_MAX_ATTEMPTS; any other answer outside 2xx is final, and 410 Gone also deactivates the
endpoint, as the receiver said it will never want another. A refused (private) address is final.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from hooks.formats import FORMATS
from hooks.models import Attempt, Delivery
from posts.lifecycle import WebhookFailure
from wagglebot.lib import safehttp
from wagglebot.lib.stages import StageError, stage

log = logging.getLogger(__name__)
D = Delivery.Status
LEASE_MARGIN_SECONDS = 60


@dataclass
class Outcome:
    response_code: int | None = None
    response: str = ""
    error: str = ""
    failure: WebhookFailure | None = None

    @property
    def retry(self) -> bool:
        """Worth another attempt: the kind says the same request may go through later."""
        return self.failure is not None and not self.failure.permanent

    @property
    def ok(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300

    @property
    def error_code(self) -> str:
        return self.failure.code if self.failure else ""


class DeliveryFailed(StageError):
    """Raised inside the delivery's stage so its log line is STAGE_FAILED with the failure kind."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.error, permanent=not outcome.retry)
        self.error_code = outcome.error_code


def delivery_send(delivery_id: int) -> str:
    """Make the delivery's due attempt; ``skipped`` when it is not due (done, or another worker has it)."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.HOOKS_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
    claimed = Delivery.objects.filter(pk=delivery_id, status=D.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=lease, attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.active:
        inactive = Outcome(error="the endpoint is inactive", failure=WebhookFailure.WEBHOOK_INACTIVE)
        return delivery_finish(delivery, D.FAILED, inactive)
    started = time.monotonic()
    outcome = attempt_logged(delivery)
    Attempt.objects.create(
        delivery=delivery, at=now, response_code=outcome.response_code, response=outcome.response[:500],
        duration_ms=round((time.monotonic() - started) * 1000), error=outcome.error[:500],
        error_code=outcome.error_code,
    )
    if outcome.ok:
        return delivery_finish(delivery, D.DELIVERED, outcome)
    if outcome.response_code == 410:
        endpoint.deactivate(f"the receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC")
    if outcome.retry and delivery.attempts < settings.HOOKS_MAX_ATTEMPTS:
        return delivery_finish(delivery, D.PENDING, outcome, retry_at=now + retry_delay(delivery.attempts))
    return delivery_finish(delivery, D.FAILED, outcome)


def attempt_logged(delivery: Delivery) -> Outcome:
    """attempt() as the ``webhook_delivery`` stage: STAGE_START, then STAGE_DONE or STAGE_FAILED
    with the failure kind as error_code, each with its duration, like every other service's."""
    fields = {"webhook_event": delivery.event, "endpoint": delivery.endpoint_id, "attempt": delivery.attempts}
    try:
        with stage("webhook_delivery", post_id=delivery.post_id, **fields) as result:
            outcome = attempt(delivery)
            result["response_code"] = outcome.response_code
            if not outcome.ok:
                raise DeliveryFailed(outcome)
    except DeliveryFailed:
        pass  # logged by stage(); the outcome decides what happens next
    return outcome


def attempt(delivery: Delivery) -> Outcome:
    endpoint = delivery.endpoint
    body = json.dumps(FORMATS[endpoint.format](endpoint, delivery), ensure_ascii=False, separators=(",", ":"))
    body = body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json", "User-Agent": "WaggleBot/1.0 (+webhooks)",
        "X-WaggleBot-Event": delivery.event, "X-WaggleBot-Delivery": delivery.key,
        "X-WaggleBot-Timestamp": str(timestamp), "X-WaggleBot-Signature": endpoint.sign(timestamp, body),
    }
    try:
        answer = safehttp.post(
            endpoint.url, body, headers=headers, timeout=settings.HOOKS_TIMEOUT_SECONDS,
            allow_networks=settings.HOOKS_ALLOW_NETWORKS,
        )
    except safehttp.FetchError as exc:
        return Outcome(error=str(exc), failure=fetch_failure(exc))
    code = answer.status
    failure = WebhookFailure.for_answer(code)
    error = "" if failure is None else f"HTTP {code}"
    return Outcome(response_code=code, response=answer.excerpt, error=error, failure=failure)


def fetch_failure(exc: safehttp.FetchError) -> WebhookFailure:
    if exc.refused:
        return WebhookFailure.WEBHOOK_BLOCKED
    return WebhookFailure.WEBHOOK_TIMEOUT if exc.timed_out else WebhookFailure.WEBHOOK_UNREACHABLE


def retry_delay(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th attempt failed: the schedule's entry, its last one beyond."""
    delays = settings.HOOKS_RETRY_DELAYS
    return timedelta(seconds=delays[min(attempts, len(delays)) - 1])


def delivery_finish(delivery: Delivery, status: str, outcome: Outcome, retry_at=None) -> str:
    """Record the attempt's result unless a later attempt has claimed the delivery since."""
    Delivery.objects.filter(pk=delivery.pk, status=D.PENDING, attempts=delivery.attempts).update(
        status=status, next_attempt_at=retry_at, response_code=outcome.response_code, error=outcome.error[:500],
        error_code=outcome.error_code,
        delivered_at=timezone.now() if status == D.DELIVERED else None,
    )
    log.info("webhook %s attempt %d: %s %s %s", delivery.key, delivery.attempts, status, outcome.error_code,
             outcome.error)
    return "retry" if status == D.PENDING else status
