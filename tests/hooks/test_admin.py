"""Endpoints registered, tested and read in the admin, posted to as Django's own admin tests do."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from hooks import tasks
from hooks.events import sample_send
from hooks.models import Delivery, Endpoint, Event
from tests.factories import make_endpoint
from tests.hooks.receiver import Receiver, queued_deliveries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage of DEBUG=false needs collectstatic; tests render admin pages without it.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_adding_an_endpoint_shows_its_generated_secret_once_then_masks_it(admin_client):
    data = {"name": "mods", "url": "https://discord.com/api/webhooks/1/abc", "format": "discord",
            "chat_id": "", "events": ["post.high_score", "post.failed"], "active": "on"}
    response = admin_client.post(reverse("admin:hooks_endpoint_add"), data, follow=True)

    endpoint = Endpoint.objects.get()
    assert (endpoint.events, endpoint.format) == (["post.high_score", "post.failed"], "discord")
    assert len(endpoint.secret) >= 40
    assert any(endpoint.secret in message for message in messages_of(response))
    page = admin_client.get(reverse("admin:hooks_endpoint_change", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page
    assert f"{endpoint.secret[:4]}…{endpoint.secret[-2:]}" in page


def test_a_telegram_endpoint_needs_a_chat(admin_client):
    data = {"name": "tg", "url": "https://api.telegram.org/bot1:x/sendMessage", "format": "telegram",
            "chat_id": "", "events": ["post.approved"], "active": "on"}
    response = admin_client.post(reverse("admin:hooks_endpoint_add"), data)

    assert response.status_code == 200
    assert "Telegram needs the chat" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_send_test_event_queues_one_for_each_active_endpoint(admin_client, django_capture_on_commit_callbacks):
    active, inactive = make_endpoint(), make_endpoint(active=False)
    data = {"action": "send_test_event", ACTION_CHECKBOX_NAME: [active.pk, inactive.pk], "index": 0}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:hooks_endpoint_changelist"), data, follow=True)

    delivery = Delivery.objects.get()
    assert (delivery.endpoint, delivery.event) == (active, Event.TEST)
    assert queued_deliveries() == [delivery.pk]
    assert messages_of(response) == ["1 test events queued, 1 inactive endpoints skipped"]


def test_every_attempt_is_shown_on_the_endpoint_and_the_delivery_pages(admin_client, settings):
    settings.HOOKS_RETRY_DELAYS = [0]
    with Receiver(502, 200) as receiver:
        endpoint = make_endpoint(receiver.url)
        delivery = sample_send(endpoint)
        tasks.deliver(delivery.pk)
        tasks.deliver(delivery.pk)

    endpoint_page = admin_client.get(reverse("admin:hooks_endpoint_change", args=[endpoint.pk])).content.decode()
    assert "Recent deliveries" in endpoint_page and "Delivered" in endpoint_page
    delivery_page = admin_client.get(reverse("admin:hooks_delivery_change", args=[delivery.pk])).content.decode()
    assert "answer 502" in delivery_page and "answer 200" in delivery_page and "HTTP 502" in delivery_page
    changelist = admin_client.get(reverse("admin:hooks_delivery_changelist"), {"status__exact": "delivered"})
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].result_list) == [delivery]
    failed = admin_client.get(reverse("admin:hooks_delivery_changelist"), {"status__exact": "failed"})
    assert list(failed.context["cl"].result_list) == []


def test_a_failed_delivery_shows_and_filters_by_its_failure_kind(admin_client):
    with Receiver(400) as receiver:
        refused = sample_send(make_endpoint(receiver.url))
        tasks.deliver(refused.pk)
    with Receiver(200) as receiver:
        delivered = sample_send(make_endpoint(receiver.url, name="ops"))
        tasks.deliver(delivered.pk)

    changelist = admin_client.get(reverse("admin:hooks_delivery_changelist"), {"error_code": "WEBHOOK_REFUSED"})
    assert list(changelist.context["cl"].result_list) == [refused]
    assert "<code>WEBHOOK_REFUSED</code> the webhook receiver refused the event" in changelist.content.decode()
    delivery_page = admin_client.get(reverse("admin:hooks_delivery_change", args=[refused.pk])).content.decode()
    assert delivery_page.count("<code>WEBHOOK_REFUSED</code>") == 1  # the attempt's row
    endpoint_page = admin_client.get(reverse("admin:hooks_endpoint_change", args=[refused.endpoint_id]))
    assert "<code>WEBHOOK_REFUSED</code>" in endpoint_page.content.decode()
