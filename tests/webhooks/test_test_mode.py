"""Webhooks in test mode: an endpoint registered with a test key receives sandbox events only."""

import pytest

from apps.core.models import Event
from apps.schools.services.schools import api_key_create
from apps.webhooks.models import Delivery, Webhook
from apps.webhooks.services.deliveries import event_fan_out
from tests.conftest import make_client

pytestmark = pytest.mark.django_db


def test_a_webhook_registered_with_a_test_key_gets_only_sandbox_events(
    school, api_client, receiver
):
    # given: one endpoint registered in each mode
    test_client = make_client(api_key_create(school=school, name="t", scopes=["*"], test=True)[1])
    for client, path in ((api_client, "/live"), (test_client, "/test")):
        created = client.post("/api/v1/webhooks", {"target_url": receiver.url(path)}, format="json")
        assert created.status_code == 201, created.content
    live_hook = Webhook.objects.get(target_url=receiver.url("/live"))
    test_hook = Webhook.objects.get(target_url=receiver.url("/test"))

    # when: a user is created in each mode and the events fan out
    api_client.post("/api/v1/users", {"email": "live@example.test"}, format="json")
    test_client.post("/api/v1/users", {"email": "test@example.test"}, format="json")
    for event in Event.objects.all():
        event_fan_out(event)

    # then
    assert test_hook.school.live_school == school
    test_emails = {d.event.payload["email"] for d in Delivery.objects.filter(webhook=test_hook)}
    live_emails = {d.event.payload["email"] for d in Delivery.objects.filter(webhook=live_hook)}
    assert test_emails == {"test@example.test"}
    assert live_emails == {"live@example.test"}
