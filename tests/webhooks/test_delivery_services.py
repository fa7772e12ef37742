"""The delivery engine: fan-out, signing, success, retries, leases, disabling."""

import importlib
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.core.events import emit
from apps.core.models import Event
from apps.schools.models import Member
from apps.schools.services.people import user_create
from apps.webhooks import delivery as engine
from apps.webhooks import signing
from apps.webhooks.delivery.attempts import ERROR_TEXT
from apps.webhooks.models import Delivery, DeliveryAttempt, Webhook
from apps.webhooks.services.deliveries import deliveries_prune, event_fan_out, webhook_test
from apps.webhooks.services.endpoints import webhook_create, webhook_disable, webhook_rotate_secret
from tests.factories import DeliveryFactory, WebhookFactory
from tests.webhooks.receiver import Receiver, Reply, always, sequence

pytestmark = pytest.mark.django_db


def run_due() -> int:
    """Attempt every due delivery once, as a worker would."""
    sent = 0
    now = timezone.now()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    for delivery_id in due.values_list("id", flat=True):
        sent += engine.delivery_run(delivery_id=delivery_id, owner=engine.new_owner(), drain=False)
    return sent


def make_due(delivery: Delivery) -> None:
    Delivery.objects.filter(id=delivery.id).update(next_attempt_at=timezone.now())


def test_emitted_event_is_delivered_signed_when_committed(
    school, webhook, receiver, eager, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        member, _ = user_create(school=school, email="new@alpha.test")

    # when
    delivery = Delivery.objects.get(webhook=webhook)

    # then
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert len(receiver.received) == 1
    request = receiver.received[0]
    body = json.loads(request.body)
    assert body["type"] == "user.created"
    assert body["data"]["email"] == "new@alpha.test"
    assert body["metadata"] == {"webhook_id": webhook.id, "attempt": 1}
    assert request.headers["webhook-id"] == body["id"] == delivery.event_id
    assert signing.verify(
        webhook.secret,
        request.headers["webhook-id"],
        int(request.headers["webhook-timestamp"]),
        request.body,
        request.headers["webhook-signature"],
    )


def test_event_goes_once_per_url_when_webhooks_share_it(school, receiver):
    # given
    first = webhook_create(school=school, target_url=receiver.url())
    webhook_create(school=school, target_url=receiver.url(), event_type="user.created")
    webhook_create(school=school, target_url=receiver.url("/other"))
    event = Event.objects.create(school=school, type="user.created", payload={"id": "usr_x"})

    # when
    event_fan_out(event)
    event_fan_out(event)  # the outbox may hand an event over twice

    # then
    deliveries = Delivery.objects.filter(event=event)
    assert deliveries.count() == 2
    assert deliveries.get(target_url=receiver.url()).webhook_id == first.id


def test_fan_out_skips_webhooks_filtered_out_or_inactive(school, receiver):
    # given
    webhook_create(school=school, target_url=receiver.url("/a"), events=["user.updated"])
    webhook_create(school=school, target_url=receiver.url("/b"), active=False)
    wanted = webhook_create(
        school=school, target_url=receiver.url("/c"), events=["DOMAIN_ENROLLMENT"]
    )
    event = Event.objects.create(school=school, type="domain.enrollment.created", payload={})

    # when
    event_fan_out(event)

    # then
    assert list(Delivery.objects.values_list("webhook_id", flat=True)) == [wanted.id]


def test_fan_out_ignores_other_schools_webhooks(school, other_school, receiver):
    # given
    webhook_create(school=other_school, target_url=receiver.url())
    event = Event.objects.create(school=school, type="user.created", payload={})

    # when
    created = event_fan_out(event)

    # then
    assert created == []


def test_failure_is_retried_on_schedule_then_delivered(school):
    # given
    with Receiver(sequence(500, 200)) as receiver:
        hook = webhook_create(school=school, target_url=receiver.url())
        event = Event.objects.create(school=school, type="user.created", payload={})
        event_fan_out(event)

        # when
        run_due()
        delivery = Delivery.objects.get(event=event)
        waited = delivery.next_attempt_at - delivery.last_attempt_at
        make_due(delivery)
        run_due()

    # then
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempt_count == 2
    first_delay = engine.retry_delays()[0]
    assert first_delay * 0.79 <= waited.total_seconds() <= first_delay * 1.21
    assert [a.status_code for a in delivery.attempts.order_by("number")] == [500, 200]
    bodies = [json.loads(r.body) for r in receiver.received]
    assert [b["metadata"]["attempt"] for b in bodies] == [1, 2]
    assert {r.headers["webhook-id"] for r in receiver.received} == {event.id}
    assert Webhook.objects.get(id=hook.id).consecutive_failures == 0


def test_default_schedule_is_eight_attempts_over_about_a_day():
    # when
    delays = engine.retry_delays()

    # then
    assert len(delays) == 7
    assert sum(delays) == pytest.approx(86400)
    assert all(later > earlier for earlier, later in zip(delays, delays[1:], strict=False))


def test_receiver_failing_all_schedule_disables_webhook_and_mails_admins(
    school, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    admin, _ = user_create(school=school, email="boss@alpha.test", role=Member.Role.ADMIN)
    with Receiver(always(500)) as receiver:
        hook = webhook_create(school=school, target_url=receiver.url())
        event = Event.objects.create(school=school, type="user.created", payload={})
        event_fan_out(event)
        later = Event.objects.create(school=school, type="user.updated", payload={})
        event_fan_out(later)

        # when
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                for delivery in Delivery.objects.filter(event=event):
                    make_due(delivery)
                run_due()

    # then
    hook.refresh_from_db()
    assert not hook.active
    assert "last error: The receiver answered 500." in hook.deactivate_reason
    assert Delivery.objects.get(event=event).status == Delivery.Status.FAILED
    assert Delivery.objects.get(event=later).status == Delivery.Status.FAILED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["boss@alpha.test"]
    assert hook.target_url in mail.outbox[0].body


def test_gone_disables_webhook_at_once(school):
    # given
    with Receiver(always(410)) as receiver:
        hook = webhook_create(school=school, target_url=receiver.url())
        event_fan_out(Event.objects.create(school=school, type="user.created"))

        # when
        run_due()

    # then
    hook.refresh_from_db()
    assert not hook.active
    assert "410" in hook.deactivate_reason
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_retry_after_is_honoured_on_429(school):
    # given
    with Receiver(always(429, headers={"Retry-After": "7200"})) as receiver:
        hook = webhook_create(school=school, target_url=receiver.url())
        event_fan_out(Event.objects.create(school=school, type="user.created"))

        # when
        run_due()

    # then
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at - delivery.last_attempt_at >= timedelta(seconds=7199)
    hook.refresh_from_db()
    assert hook.paused_until is not None


@pytest.mark.parametrize(
    ("reply", "error", "code"),
    [
        (
            Reply(status=302, headers={"Location": "http://169.254.169.254/"}),
            "not followed",
            "redirect",
        ),
        (Reply(status=200, body=b"x" * (10 * 1024 * 1024)), "limit", "too_large"),
        (Reply(status=200, delay=5), "timed out", "timeout"),
    ],
    ids=["redirect-to-metadata", "ten-megabytes", "never-answers"],
)
def test_bad_receiver_fails_cleanly_and_is_logged(school, reply, error, code):
    # given
    with Receiver(lambda n, b, h: reply) as receiver:
        webhook_create(school=school, target_url=receiver.url())
        event_fan_out(Event.objects.create(school=school, type="user.created"))

        # when
        run_due()

    # then
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    attempt = delivery.attempts.get()
    assert attempt.outcome == "failed"
    assert error in attempt.error
    assert attempt.error_code == delivery.last_error_code == code
    assert len(attempt.response_body) <= engine.KEEP_BYTES


def test_private_target_is_refused_at_delivery_when_not_allowed(school, webhook, settings):
    # given
    event_fan_out(Event.objects.create(school=school, type="user.created"))
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    # when
    run_due()

    # then
    attempt = Delivery.objects.get().attempts.get()
    assert attempt.error_code == "blocked"
    assert "127.0.0.1" not in attempt.error


def test_two_workers_never_lease_the_same_attempt(school, webhook):
    # given
    event_fan_out(Event.objects.create(school=school, type="user.created"))
    delivery = Delivery.objects.get()

    # when
    first = engine.claim(webhook_id=webhook.id, owner="a", delivery_id=delivery.id)
    second = engine.claim(webhook_id=webhook.id, owner="b", delivery_id=delivery.id)

    # then
    assert first is not None
    assert second is None


def test_concurrency_limit_holds_back_a_second_attempt_to_the_same_webhook(school, webhook):
    # given
    for _ in range(2):
        event_fan_out(Event.objects.create(school=school, type="user.created"))
    one, two = Delivery.objects.order_by("id")

    # when
    first = engine.claim(webhook_id=webhook.id, owner="a", delivery_id=one.id)
    second = engine.claim(webhook_id=webhook.id, owner="b", delivery_id=two.id)

    # then
    assert first is not None
    assert second is None
    two.refresh_from_db()
    assert two.status == Delivery.Status.PENDING
    assert two.queued_at is None


def test_expired_lease_is_returned_by_the_pump_and_sent_again(school, webhook, receiver):
    # given
    event_fan_out(Event.objects.create(school=school, type="user.created"))
    delivery = Delivery.objects.get()
    assert engine.claim(webhook_id=webhook.id, owner="dead", delivery_id=delivery.id)
    Delivery.objects.filter(id=delivery.id).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    # when
    result = engine.pump()
    run_due()

    # then
    assert result["expired"] == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts.get().number == 1


def test_redelivered_task_reclaims_the_attempt_its_killed_run_leased(school, webhook, receiver):
    # given
    event_fan_out(Event.objects.create(school=school, type="user.created"))
    delivery = Delivery.objects.get()
    assert engine.claim(webhook_id=webhook.id, owner="task-1", delivery_id=delivery.id)

    # when
    sent = engine.delivery_run(delivery_id=delivery.id, owner="task-1", drain=False)

    # then
    assert sent == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED


def test_worker_drains_the_webhook_backlog(school, webhook, receiver):
    # given
    for _ in range(5):
        event_fan_out(Event.objects.create(school=school, type="user.created"))
    first = Delivery.objects.order_by("id").first()

    # when
    sent = engine.delivery_run(delivery_id=first.id, owner="w", drain=True)

    # then
    assert sent == 5
    assert not Delivery.objects.exclude(status=Delivery.Status.SUCCEEDED).exists()


def test_pump_queues_due_deliveries_once_per_webhook(school, webhook, eager, receiver):
    # given
    for _ in range(3):
        event_fan_out(Event.objects.create(school=school, type="user.created"))
    Delivery.objects.update(queued_at=None)

    # when
    result = engine.pump()

    # then
    assert result["queued"] == 1
    assert Delivery.objects.filter(status=Delivery.Status.SUCCEEDED).count() == 1


def test_rotated_secret_signs_alongside_the_old_one_for_a_day(school, webhook, receiver):
    # given
    old = webhook.secret
    webhook_rotate_secret(webhook=webhook)
    webhook.refresh_from_db()
    event_fan_out(Event.objects.create(school=school, type="user.created"))

    # when
    run_due()

    # then
    request = receiver.received[0]
    args = (
        request.headers["webhook-id"],
        int(request.headers["webhook-timestamp"]),
        request.body,
        request.headers["webhook-signature"],
    )
    assert signing.verify(webhook.secret, *args)
    assert signing.verify(old, *args)
    assert len(request.headers["webhook-signature"].split()) == 2


def test_basic_auth_is_sent_and_redacted_in_the_log(school, receiver):
    # given
    webhook_create(
        school=school,
        target_url=receiver.url(),
        basic_auth_username="hook",
        basic_auth_password="s3cret",
    )
    event_fan_out(Event.objects.create(school=school, type="user.created"))

    # when
    run_due()

    # then
    assert receiver.received[0].headers["authorization"] == "Basic aG9vazpzM2NyZXQ="
    logged = Delivery.objects.get().attempts.get().request_headers
    assert logged["Authorization"] == "Basic [redacted]"


def test_ping_reaches_only_its_webhook_once(school, webhook, receiver, eager):
    # given
    webhook_create(school=school, target_url=receiver.url("/other"))

    # when
    with pytest.raises(AssertionError):  # sanity: nothing sent before the ping
        assert receiver.received
    delivery = webhook_test(webhook=webhook)
    engine.delivery_run(delivery_id=delivery.id, owner="t", drain=False)

    # then
    assert [r.path for r in receiver.received] == ["/hook"]
    assert json.loads(receiver.received[0].body)["type"] == "ping"


def test_prune_deletes_only_finished_old_deliveries(school, webhook):
    # given
    event_fan_out(Event.objects.create(school=school, type="user.created"))
    old = Delivery.objects.get()
    Delivery.objects.filter(id=old.id).update(
        status=Delivery.Status.SUCCEEDED, created_at=timezone.now() - timedelta(days=40)
    )
    event_fan_out(Event.objects.create(school=school, type="user.created"))

    # when
    deleted = deliveries_prune(older_than=timedelta(days=30))

    # then
    assert deleted == 1
    assert Delivery.objects.count() == 1


def test_emit_without_webhooks_creates_no_delivery(school):
    # when
    event = emit(school, "user.created", {"id": "usr_x"})
    event_fan_out(event)

    # then
    assert not Delivery.objects.exists()


def test_in_process_tasks_deliver_each_new_event_at_once(
    school, webhook, receiver, eager, django_capture_on_commit_callbacks
):
    # given
    events = [Event.objects.create(school=school, type="user.created") for _ in range(3)]

    # when
    for event in events:
        with django_capture_on_commit_callbacks(execute=True):
            event_fan_out(event)

    # then
    assert receiver.count == 3
    assert not Delivery.objects.exclude(status=Delivery.Status.SUCCEEDED).exists()


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120), ("Wed, 21 Oct 2099 07:28:00 GMT", 86400), ("soon", None), ("", None)],
)
def test_retry_after_reads_seconds_and_dates_capped_at_a_day(header, seconds):
    # when
    wait = engine.retry_after({"retry-after": header}, timezone.now())

    # then
    assert (wait.total_seconds() if wait is not None else None) == seconds


def test_disabling_a_webhook_fails_its_pending_deliveries(school, webhook):
    # given
    event_fan_out(Event.objects.create(school=school, type="user.created"))

    # when
    webhook_disable(webhook=webhook, reason="Disabled in the admin.")

    # then
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "Disabled in the admin." in delivery.last_error


def test_failures_logged_before_categories_are_rewritten_by_the_migration(school):
    # given rows holding the raw network text the earlier code stored
    from django.apps import apps as django_apps

    migration = importlib.import_module("apps.webhooks.migrations.0002_delivery_error_codes")
    raw = "connection failed: BadStatusLine: SSH-2.0-OpenSSH_9.6p1 Debian-3"
    hook = WebhookFactory(
        school=school,
        last_error=raw,
        deactivate_reason=f"Every delivery failed from a to b (8 attempts of x); last error: {raw}",
    )
    delivery = DeliveryFactory(school=school, webhook=hook, last_error="TLS error: [SSL] wrong")
    attempt = DeliveryAttempt.objects.create(
        school=school,
        delivery=delivery,
        number=1,
        outcome="failed",
        started_at=timezone.now(),
        request_url=hook.target_url,
        error="Redirect (302) to http://169.254.169.254/ not followed.",
    )

    # when
    migration.rewrite(django_apps, None)

    # then only categories and Lyceum's own sentences remain
    attempt.refresh_from_db()
    delivery.refresh_from_db()
    hook.refresh_from_db()
    assert (attempt.error_code, attempt.error) == (
        "redirect",
        "The receiver answered 302 (a redirect, not followed).",
    )
    assert delivery.last_error_code == "tls"
    assert delivery.last_error == ERROR_TEXT["tls"]
    assert hook.last_error == ERROR_TEXT["connection"]
    assert hook.deactivate_reason.endswith(f"last error: {ERROR_TEXT['connection']}")
    assert "OpenSSH" not in f"{hook.last_error}{hook.deactivate_reason}"
