"""The webhooks admin: health, delivery log with attempts, and the actions."""

import pytest

from apps.webhooks.models import Delivery, DeliveryAttempt, Webhook
from tests.factories import (
    DeliveryFactory,
    WebhookFactory,
)

pytestmark = pytest.mark.django_db


def test_staff_sees_their_webhooks_with_health(staff_client, school, other_school):
    # given
    mine = WebhookFactory(school=school, last_error="The receiver answered 500.")
    WebhookFactory(school=other_school)
    DeliveryFactory(school=school, webhook=mine)
    DeliveryFactory(school=school, webhook=mine, status=Delivery.Status.FAILED)

    # when
    response = staff_client.get("/admin/webhooks/webhook/")

    # then
    assert response.status_code == 200
    assert [w.pk for w in response.context["cl"].result_list] == [mine.pk]
    assert "50.0% of 2" in response.content.decode()
    assert "The receiver answered 500." in response.content.decode()


def test_staff_adds_a_webhook_through_the_service(staff_client, school, receiver):
    # when
    response = staff_client.post(
        "/admin/webhooks/webhook/add/",
        {"target_url": receiver.url(), "active": "on", "events": '["DOMAIN_ENROLLMENT"]'},
    )

    # then
    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert webhook.school == school
    assert webhook.events == ["domain.enrollment.created"]
    assert webhook.secret.startswith("whsec_")


def test_admin_refuses_an_unsafe_url(staff_client, settings):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    # when
    response = staff_client.post(
        "/admin/webhooks/webhook/add/", {"target_url": "http://127.0.0.1/", "events": "[]"}
    )

    # then
    assert response.status_code == 200
    assert "loopback" in response.content.decode()
    assert not Webhook.objects.exists()


def test_reenable_action_clears_the_reason(staff_client, school):
    # given
    webhook = WebhookFactory(school=school, active=False, deactivate_reason="kept failing")

    # when
    staff_client.post(
        "/admin/webhooks/webhook/",
        {"action": "reenable", "_selected_action": [webhook.pk]},
    )

    # then
    webhook.refresh_from_db()
    assert webhook.active
    assert webhook.deactivate_reason is None


def test_delivery_page_shows_attempts_inline(operator_client, school):
    # given
    delivery = DeliveryFactory(school=school)
    DeliveryAttempt.objects.create(
        school=school,
        delivery=delivery,
        number=1,
        outcome="succeeded",
        started_at=delivery.created_at,
        request_url=delivery.target_url,
        status_code=204,
        latency_ms=12,
    )

    # when
    response = operator_client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")

    # then
    assert response.status_code == 200
    assert "204" in response.content.decode()


def test_replay_action_requeues_a_failed_delivery(staff_client, school, eager):
    # given
    delivery = DeliveryFactory(school=school, status=Delivery.Status.FAILED)

    # when
    staff_client.post(
        "/admin/webhooks/delivery/",
        {"action": "replay", "_selected_action": [delivery.pk]},
    )

    # then
    delivery.refresh_from_db()
    assert delivery.replay_count == 1
