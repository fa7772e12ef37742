"""/api/v1/webhooks/{id}/deliveries: the delivery log, attempts and replay."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.models import Event
from apps.webhooks import delivery as engine
from apps.webhooks.models import Delivery
from apps.webhooks.services.deliveries import event_fan_out
from apps.webhooks.services.endpoints import webhook_create, webhook_disable
from tests.factories import DeliveryFactory, WebhookFactory
from tests.webhooks.receiver import Receiver, sequence

pytestmark = pytest.mark.django_db


def url(webhook_id: str, tail: str = "") -> str:
    return f"/api/v1/webhooks/{webhook_id}/deliveries{tail}"


def test_list_deliveries_newest_first(api_client, school):
    # given
    hook = WebhookFactory(school=school)
    older, newer = DeliveryFactory.create_batch(2, school=school, webhook=hook)

    # when
    response = api_client.get(url(hook.id))

    # then
    assert response.status_code == 200
    assert [d["id"] for d in response.data["results"]] == [newer.id, older.id]
    assert response.data["results"][0]["webhook_id"] == hook.id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=failed", {"failed"}),
        ("event_type=user.created", {"ok"}),
        ("event_type=DOMAIN_ENROLLMENT", {"failed"}),
        ("created_after=2000-01-01T00:00:00Z", {"ok", "failed"}),
        ("created_before=2000-01-01T00:00:00Z", set()),
    ],
)
def test_list_deliveries_filters(api_client, school, query, expected):
    # given
    hook = WebhookFactory(school=school)
    ok = DeliveryFactory(school=school, webhook=hook)
    failed = DeliveryFactory(
        school=school,
        webhook=hook,
        status=Delivery.Status.FAILED,
        event__type="domain.enrollment.created",
    )
    names = {ok.id: "ok", failed.id: "failed"}

    # when
    response = api_client.get(url(hook.id, f"?{query}"))

    # then
    assert response.status_code == 200
    assert {names[d["id"]] for d in response.data["results"]} == expected


@pytest.mark.parametrize("query", ["status=lost", "event_type=course.exploded", "created_after=x"])
def test_list_deliveries_refuses_bad_filters(api_client, school, query):
    # given
    hook = WebhookFactory(school=school)

    # when
    response = api_client.get(url(hook.id, f"?{query}"))

    # then
    assert response.status_code == 400


def test_list_deliveries_runs_constant_queries(api_client, school, django_assert_num_queries):
    # given
    hook = WebhookFactory(school=school)
    DeliveryFactory.create_batch(2, school=school, webhook=hook)
    api_client.get(url(hook.id))
    with CaptureQueriesContext(connection) as small:
        api_client.get(url(hook.id, "?page_size=1"))
    DeliveryFactory.create_batch(10, school=school, webhook=hook)

    # when
    with django_assert_num_queries(len(small.captured_queries)):
        response = api_client.get(url(hook.id, "?page_size=100"))

    # then
    assert len(response.data["results"]) == 12


def test_deliveries_of_other_schools_webhook_are_not_found(api_client, other_school):
    # given
    delivery = DeliveryFactory(school=other_school)

    # when
    listed = api_client.get(url(delivery.webhook_id))
    detail = api_client.get(url(delivery.webhook_id, f"/{delivery.id}"))
    replay = api_client.post(url(delivery.webhook_id, f"/{delivery.id}/replay"), {})

    # then
    assert listed.status_code == 404
    assert detail.status_code == 404
    assert replay.status_code == 404


def test_delivery_under_another_webhook_is_not_found(api_client, school):
    # given
    delivery = DeliveryFactory(school=school)
    other_hook = WebhookFactory(school=school)

    # when
    response = api_client.get(url(other_hook.id, f"/{delivery.id}"))

    # then
    assert response.status_code == 404


def test_delivery_detail_shows_every_attempt_without_secrets(api_client, school):
    # given
    with Receiver(sequence(500, 200)) as receiver:
        hook = webhook_create(
            school=school,
            target_url=receiver.url(),
            basic_auth_username="u",
            basic_auth_password="p",
        )
        event_fan_out(Event.objects.create(school=school, type="user.created"))
        delivery = Delivery.objects.get()
        engine.delivery_run(delivery_id=delivery.id, owner="a", drain=False)
        Delivery.objects.filter(id=delivery.id).update(next_attempt_at=delivery.created_at)
        engine.delivery_run(delivery_id=delivery.id, owner="b", drain=False)

    # when
    response = api_client.get(url(hook.id, f"/{delivery.id}"))

    # then
    assert response.status_code == 200
    assert response.data["status"] == "succeeded"
    assert response.data["event"]["type"] == "user.created"
    attempts = response.data["attempts"]
    assert [a["status_code"] for a in attempts] == [500, 200]
    assert attempts[0]["latency_ms"] >= 0
    assert attempts[0]["response_body"] == "ok"
    assert attempts[0]["request_headers"]["Authorization"] == "Basic [redacted]"
    assert "webhook-signature" in attempts[0]["request_headers"]


def test_replay_sends_a_delivery_again_with_same_webhook_id(
    api_client, school, webhook, receiver, eager, django_capture_on_commit_callbacks
):
    # given
    event = Event.objects.create(school=school, type="user.created")
    event_fan_out(event)
    delivery = Delivery.objects.get()
    engine.delivery_run(delivery_id=delivery.id, owner="a", drain=False)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url(webhook.id, f"/{delivery.id}/replay"), {})

    # then
    assert response.status_code == 202
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.replay_count == 1
    assert delivery.attempt_count == 2
    assert [r.headers["webhook-id"] for r in receiver.received] == [event.id, event.id]


def test_replay_of_inactive_webhook_is_a_conflict(api_client, school):
    # given
    delivery = DeliveryFactory(school=school, status=Delivery.Status.FAILED)
    webhook_disable(webhook=delivery.webhook, reason="off")

    # when
    response = api_client.post(url(delivery.webhook_id, f"/{delivery.id}/replay"), {})

    # then
    assert response.status_code == 409
