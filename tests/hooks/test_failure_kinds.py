"""A failed delivery is named in the lifecycle's failure vocabulary, on its row, its attempt and its
stage log line (start / done / failed with the duration), against the real local receiver."""

from __future__ import annotations

import pytest

from hooks import tasks
from hooks.events import sample_send
from hooks.models import Delivery
from posts.lifecycle import WebhookFailure as W
from tests.factories import make_endpoint
from tests.hooks.receiver import Receiver, closed_port_url

pytestmark = pytest.mark.django_db
D = Delivery.Status




def send_one(url: str) -> Delivery:
    delivery = sample_send(make_endpoint(url))
    tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    return delivery


@pytest.mark.parametrize(("answer", "kind", "status"), [
    ("slow", W.WEBHOOK_TIMEOUT, D.PENDING),
    (503, W.WEBHOOK_SERVER_ERROR, D.PENDING),
    (429, W.WEBHOOK_SERVER_ERROR, D.PENDING),
    (400, W.WEBHOOK_REFUSED, D.FAILED),
    (410, W.WEBHOOK_GONE, D.FAILED),
])
def test_a_receivers_answer_is_recorded_as_its_failure_kind(answer, kind, status, stage_lines):
    with Receiver(answer) as receiver:
        delivery = send_one(receiver.url)

    assert (delivery.status, delivery.error_code, delivery.failure) == (status, kind.code, kind)
    assert delivery.attempt_log.get().error_code == kind.code
    start, failed = [line for line in stage_lines() if line["stage"] == "webhook_delivery"]
    assert (start["event"], failed["event"]) == ("STAGE_START", "STAGE_FAILED")
    assert (failed["error_code"], failed["post_id"], failed["attempt"]) == (kind.code, None, 1)
    assert failed["duration_ms"] >= (500 if answer == "slow" else 0)
    assert kind.permanent == (status == D.FAILED)


def test_a_receiver_that_is_down_is_unreachable_not_timed_out(stage_lines):
    delivery = send_one(closed_port_url())

    assert (delivery.status, delivery.error_code) == (D.PENDING, "WEBHOOK_UNREACHABLE")
    assert stage_lines()[-1]["error_code"] == "WEBHOOK_UNREACHABLE"


def test_a_private_address_is_blocked(settings):
    settings.HOOKS_ALLOW_NETWORKS = []
    with Receiver(200) as receiver:
        delivery = send_one(receiver.url)

    assert (delivery.status, delivery.error_code) == (D.FAILED, "WEBHOOK_BLOCKED")


def test_a_delivery_that_succeeds_after_a_failure_clears_its_code_and_logs_done(settings, stage_lines):
    settings.HOOKS_RETRY_DELAYS = [0]
    with Receiver(502, 200) as receiver:
        delivery = send_one(receiver.url)
        tasks.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.error_code) == (D.DELIVERED, "")
    assert [a.error_code for a in delivery.attempt_log.order_by("pk")] == ["WEBHOOK_SERVER_ERROR", ""]
    events = [(line["event"], line.get("error_code")) for line in stage_lines() if line["stage"] == "webhook_delivery"]
    assert events == [("STAGE_START", None), ("STAGE_FAILED", "WEBHOOK_SERVER_ERROR"),
                      ("STAGE_START", None), ("STAGE_DONE", None)]
    assert stage_lines()[-1]["response_code"] == 200


def test_an_inactive_endpoint_fails_its_queued_delivery_as_inactive():
    endpoint = make_endpoint()
    delivery = sample_send(endpoint)
    endpoint.deactivate("test")

    assert tasks.deliver(delivery.pk) == D.FAILED
    delivery.refresh_from_db()
    assert delivery.error_code == "WEBHOOK_INACTIVE"


def test_every_webhook_kind_has_a_distinct_code_in_the_lifecycles_vocabulary():
    from posts.lifecycle import Failure

    codes = [kind.code for kind in W]
    assert len(set(codes)) == len(codes)
    assert not set(codes) & {kind.code for kind in Failure}
    assert all(code.startswith("WEBHOOK_") for code in codes)
