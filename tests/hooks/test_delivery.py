"""Deliveries against a real local receiver: signed, retried on the right answers, never twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hooks import sending, tasks
from hooks.events import sample_send
from hooks.models import Delivery
from posts import services
from posts.lifecycle import Status as S
from tests.factories import make_endpoint, make_post
from tests.hooks.receiver import Receiver, closed_port_url, queued_deliveries, run_queued_deliveries

pytestmark = pytest.mark.django_db
D = Delivery.Status


def send_one(url: str, **endpoint) -> Delivery:
    """A test event for a fresh endpoint at ``url``, attempted once."""
    delivery = sample_send(make_endpoint(url, **endpoint))
    tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_an_approval_reaches_the_receiver_signed_with_the_endpoint_secret(
    admin_user, django_capture_on_commit_callbacks,
):
    post = make_post(status=S.COLLECTED, title="오늘의 썰")
    with Receiver(200) as receiver:
        endpoint = make_endpoint(receiver.url)
        receiver.secret = endpoint.secret
        with django_capture_on_commit_callbacks(execute=True):
            services.post_approve(post=post, by=admin_user)
        assert run_queued_deliveries() == ["delivered"]

    (got,) = receiver.received
    delivery = Delivery.objects.get()
    assert got.verified
    assert (got.headers["X-WaggleBot-Event"], got.headers["X-WaggleBot-Delivery"]) == ("post.approved", delivery.key)
    body = got.json
    assert (body["event"], body["post"]["id"], body["post"]["title"]) == ("post.approved", post.pk, "오늘의 썰")
    assert (body["change"]["old"], body["change"]["new"]) == (S.COLLECTED, S.APPROVED)
    assert (delivery.status, delivery.attempts, delivery.response_code) == (D.DELIVERED, 1, 200)
    (attempt,) = delivery.attempt_log.all()
    assert (attempt.response_code, len(attempt.response), attempt.error) == (200, 500, "")
    assert attempt.response.startswith("answer 200")


def test_a_signature_made_with_another_secret_does_not_verify():
    with Receiver(200, secret="not-the-endpoint-secret") as receiver:
        send_one(receiver.url)

    assert [got.verified for got in receiver.received] == [False]


def test_a_receiver_that_is_down_is_retried_a_minute_later():
    delivery = send_one(closed_port_url())

    assert (delivery.status, delivery.attempts, delivery.response_code) == (D.PENDING, 1, None)
    assert "failed" in delivery.error
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(seconds=60)
    assert delivery.attempt_log.get().error == delivery.error


def test_a_slow_receiver_times_out_and_is_retried():
    with Receiver("slow") as receiver:
        started = time.monotonic()
        delivery = send_one(receiver.url)
        took = time.monotonic() - started

    assert took < 1.2  # HOOKS_TIMEOUT_SECONDS is 0.5; the receiver would have taken 1.5 s
    assert (delivery.status, delivery.attempts) == (D.PENDING, 1)
    assert "no answer within 0.5 s" in delivery.error
    assert delivery.next_attempt_at > timezone.now()


def test_410_gone_deactivates_the_endpoint_without_a_retry():
    with Receiver(410) as receiver:
        delivery = send_one(receiver.url)
        again = sample_send(delivery.endpoint)

    delivery.endpoint.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.next_attempt_at) == (D.FAILED, 410, None)
    assert not delivery.endpoint.active
    assert "410 Gone" in delivery.endpoint.deactivated_reason
    assert again is not None  # a queued event for a deactivated endpoint ends without a request:
    assert tasks.deliver(again.pk) == D.FAILED
    assert len(receiver.received) == 1


def test_400_is_final():
    with Receiver(400) as receiver:
        delivery = send_one(receiver.url)

    assert (delivery.status, delivery.response_code, delivery.error) == (D.FAILED, 400, "HTTP 400")
    assert delivery.next_attempt_at is None
    assert delivery.endpoint.active
    assert len(receiver.received) == 1


@pytest.mark.parametrize("code", [429, 503])
def test_429_and_5xx_are_retried(code):
    with Receiver(code) as receiver:
        delivery = send_one(receiver.url)

    assert (delivery.status, delivery.response_code) == (D.PENDING, code)


def test_500_then_200_is_retried_once_by_the_sweep_and_delivered(settings, django_capture_on_commit_callbacks):
    settings.HOOKS_RETRY_DELAYS = [0]  # due at once, so the sweep takes it now
    with Receiver(500, 200) as receiver:
        delivery = send_one(receiver.url)
        assert delivery.status == D.PENDING
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.sweep() == {"requeued": 1, "skipped": 0}
        assert run_queued_deliveries() == ["delivered"]

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.DELIVERED, 2)
    assert [a.response_code for a in delivery.attempt_log.order_by("pk")] == [500, 200]
    assert {got.headers["X-WaggleBot-Delivery"] for got in receiver.received} == {delivery.key}


def test_the_back_off_follows_the_schedule_and_gives_up_after_the_last_attempt(settings):
    settings.HOOKS_MAX_ATTEMPTS = 3
    assert [sending.retry_delay(n).total_seconds() for n in (1, 2, 5, 9)] == [60, 300, 21600, 21600]

    settings.HOOKS_RETRY_DELAYS = [0]
    delivery = send_one(closed_port_url())
    for _ in range(3):
        tasks.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.attempt_log.count()) == (D.FAILED, 3, 3)


def test_a_double_delivery_of_the_task_posts_once():
    with Receiver(200) as receiver:
        delivery = sample_send(make_endpoint(receiver.url))
        outcomes = [tasks.deliver(delivery.pk), tasks.deliver(delivery.pk)]

    assert outcomes == ["delivered", "skipped"]
    assert len(receiver.received) == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_delivered_twice_while_the_first_copy_waits_for_the_receiver_posts_once(settings):
    settings.HOOKS_TIMEOUT_SECONDS = 5
    with Receiver("slow") as receiver:
        delivery = sample_send(make_endpoint(receiver.url))
        first = threading.Thread(target=tasks.deliver, args=(delivery.pk,))
        first.start()
        while not receiver.received:
            time.sleep(0.05)
        second = tasks.deliver(delivery.pk)  # the broker's second copy, while the first is in flight
        first.join()

    assert second == "skipped"
    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == D.DELIVERED


def test_a_private_address_is_refused_by_default(settings):
    settings.HOOKS_ALLOW_NETWORKS = []
    with Receiver(200) as receiver:
        delivery = send_one(receiver.url)

    assert receiver.received == []
    assert (delivery.status, delivery.next_attempt_at) == (D.FAILED, None)
    assert "non-public address 127.0.0.1" in delivery.error


def test_the_sweep_queues_a_delivery_whose_enqueue_was_lost(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the broker never hears of it
        delivery = sample_send(make_endpoint())
    assert queued_deliveries() == []

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep() == {"requeued": 0, "skipped": 0}  # just queued, as far as the row says
        settings.HOOKS_REQUEUE_AFTER_SECONDS = 0
        assert tasks.sweep() == {"requeued": 1, "skipped": 0}
    assert queued_deliveries() == [delivery.pk]


@pytest.mark.mariadb
@pytest.mark.django_db(transaction=True)
def test_four_copies_of_each_task_racing_on_mariadb_post_each_event_once(mariadb_only):
    copies, events = 4, 20
    with Receiver(200) as receiver:
        endpoint = make_endpoint(receiver.url)
        ids = [sample_send(endpoint).pk for _ in range(events)]
        start = threading.Barrier(copies)
        outcomes: list[str] = []

        def worker() -> None:
            start.wait()
            try:
                outcomes.extend(tasks.deliver(pk) for pk in ids)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(copies)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(got.headers["X-WaggleBot-Delivery"] for got in receiver.received) == sorted(
        Delivery.objects.values_list("key", flat=True))
    assert (outcomes.count("delivered"), outcomes.count("skipped")) == (events, events * (copies - 1))
