"""/api/v1/webhooks: endpoints, event types, samples, test pings, rotation and bulk replay."""

import socket

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.models import Job
from apps.webhooks.models import Delivery, Webhook
from apps.webhooks.services.endpoints import webhook_create, webhook_disable
from apps.webhooks.services.removal import webhook_delete_run, webhook_delete_start
from tests.factories import DeliveryFactory, WebhookFactory
from tests.webhooks.receiver import foreign_service

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks"


def test_create_webhook_returns_secret_once(api_client, fake_dns):
    # given
    fake_dns["hooks.example.com"] = ["93.184.216.34"]

    # when
    created = api_client.post(
        URL,
        {"target_url": "https://hooks.example.com/lyceum", "event_type": "DOMAIN_ENROLLMENT"},
        format="json",
    )
    fetched = api_client.get(f"{URL}/{created.data['id']}")

    # then
    assert created.status_code == 201
    assert created.data["secret"].startswith("whsec_")
    assert created.data["events"] == ["domain.enrollment.created"]
    assert created.data["event_type"] == "DOMAIN_ENROLLMENT"
    assert created.data["active"] is True
    assert created.data["deactivate_reason"] is None
    assert "secret" not in fetched.data
    assert "basic_auth_password" not in fetched.data


def test_list_webhooks_in_skilljar_shape(api_client, school):
    # given
    WebhookFactory(school=school, events=[])

    # when
    response = api_client.get(URL)

    # then
    assert response.status_code == 200
    assert response.data["count"] == 1
    item = response.data["results"][0]
    assert {"id", "target_url", "event_type", "active", "deactivate_reason"} <= set(item)
    assert item["event_type"] is None


def test_list_webhooks_runs_constant_queries(api_client, school, django_assert_num_queries):
    # given
    WebhookFactory.create_batch(3, school=school)
    api_client.get(URL)  # the first call of a key also records its use
    with CaptureQueriesContext(connection) as small:
        api_client.get(f"{URL}?page_size=1")
    WebhookFactory.create_batch(10, school=school)

    # when
    with django_assert_num_queries(len(small.captured_queries)):
        response = api_client.get(f"{URL}?page_size=100")

    # then
    assert len(response.data["results"]) == 13


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"target_url": "https://10.0.0.5/hook"}, "target_url", "private"),
        ({"target_url": "https://169.254.169.254/latest"}, "target_url", "metadata"),
        ({"target_url": "file:///etc/passwd"}, "target_url", "https"),
        ({"target_url": "https://user:pw@hooks.example.com/"}, "target_url", "credentials"),
        ({"target_url": "https://nowhere.invalid/hook"}, "target_url", "does not resolve"),
        ({"target_url": "https://2130706433/"}, "target_url", "loopback"),
        ({"target_url": "https://0x7f000001/"}, "target_url", "loopback"),
        ({"target_url": "https://[::ffff:127.0.0.1]/"}, "target_url", "loopback"),
        ({"target_url": "https://[2002:7f00:1::1]/"}, "target_url", "6to4"),
        ({"target_url": "https://[64:ff9b::7f00:1]/"}, "target_url", "NAT64"),
        ({"target_url": "https://hooks.example.com/" + "a" * 2048}, "target_url", "2048"),
        (
            {"target_url": "https://hooks.example.com/", "events": ["course.exploded"]},
            "events",
            "course.exploded",
        ),
        (
            {"target_url": "https://hooks.example.com/", "event_type": "NOPE"},
            "event_type",
            "NOPE",
        ),
        (
            {"target_url": "https://hooks.example.com/", "secret": "whsec_c2hvcnQ="},
            "secret",
            "at least 24 bytes",
        ),
        (
            {"target_url": "https://hooks.example.com/", "secret": "plain-text-secret"},
            "secret",
            "whsec_",
        ),
        (
            {"target_url": "https://hooks.example.com/", "basic_auth_password": "x"},
            "basic_auth_username",
            "username",
        ),
    ],
)
def test_create_webhook_refuses_bad_input_naming_the_problem(
    api_client, settings, fake_dns, body, field, text
):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOKS_ALLOW_HTTP = False
    fake_dns["hooks.example.com"] = ["93.184.216.34"]

    # when
    response = api_client.post(URL, body, format="json")

    # then
    assert response.status_code == 400
    assert field in response.data["errors"]
    assert text in response.data["detail"]
    assert not Webhook.objects.exists()


def test_create_refuses_host_resolving_to_private_address(api_client, settings, fake_dns):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    fake_dns["rebind.example.com"] = ["93.184.216.34", "10.1.2.3"]

    # when
    response = api_client.post(URL, {"target_url": "https://rebind.example.com/"}, format="json")

    # then
    assert response.status_code == 400
    assert response.data["code"] == "unsafe_target_url"


def test_update_is_partial_for_put_and_patch(api_client, school):
    # given
    hook = WebhookFactory(school=school, description="old")

    # when
    put = api_client.put(f"{URL}/{hook.id}", {"description": "new"}, format="json")
    patch = api_client.patch(f"{URL}/{hook.id}", {"events": ["user.created"]}, format="json")

    # then
    assert put.status_code == 200
    assert put.data["description"] == "new"
    assert patch.data["events"] == ["user.created"]
    assert patch.data["event_type"] == "user.created"
    assert patch.data["target_url"] == hook.target_url


def test_reactivating_clears_the_deactivate_reason(api_client, school):
    # given
    hook = WebhookFactory(school=school)
    webhook_disable(webhook=hook, reason="Receiver kept failing.")

    # when
    response = api_client.patch(f"{URL}/{hook.id}", {"active": True}, format="json")

    # then
    assert response.data["active"] is True
    assert response.data["deactivate_reason"] is None


def test_null_event_type_means_all_events(api_client, school):
    # given
    hook = WebhookFactory(school=school, events=["user.created"])

    # when
    response = api_client.patch(f"{URL}/{hook.id}", {"event_type": None}, format="json")

    # then
    assert response.data["events"] == []
    assert response.data["event_type"] is None


def test_conflicting_events_and_event_type_are_refused(api_client, school):
    # given
    hook = WebhookFactory(school=school)

    # when
    response = api_client.patch(
        f"{URL}/{hook.id}",
        {"events": ["user.created"], "event_type": "DOMAIN_ENROLLMENT"},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert response.data["code"] == "conflicting_event_filters"


def test_delete_webhook_is_a_job_that_removes_it_with_its_log(
    api_client, school, django_capture_on_commit_callbacks
):
    # given
    hook = WebhookFactory(school=school)
    DeliveryFactory.create_batch(3, school=school, webhook=hook)
    kept = DeliveryFactory(school=school)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"{URL}/{hook.id}")

    # then
    assert response.status_code == 202, response.content
    assert response["Location"].endswith(f"/api/v1/jobs/{response.data['id']}")
    job = Job.objects.get(id=response.data["id"])
    assert job.kind == "webhooks.delete"
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"webhook_id": hook.id, "deleted": 3}
    assert not Webhook.objects.filter(id=hook.id).exists()
    assert list(Delivery.objects.values_list("id", flat=True)) == [kept.id]
    assert api_client.get(f"/api/v1/jobs/{job.id}").status_code == 200


def test_webhook_being_deleted_is_off_and_gone_from_the_api(api_client, school):
    # given: the deletion job is queued but no worker has run it yet
    hook = WebhookFactory(school=school)
    pending = DeliveryFactory(school=school, webhook=hook, status=Delivery.Status.PENDING)

    # when
    first = api_client.delete(f"{URL}/{hook.id}")
    again = api_client.delete(f"{URL}/{hook.id}")
    patched = api_client.patch(f"{URL}/{hook.id}", {"active": True}, format="json")
    read = api_client.get(f"{URL}/{hook.id}")
    log = api_client.get(f"{URL}/{hook.id}/deliveries/{pending.id}")
    listed = api_client.get(URL)

    # then: deleted at once as far as the API goes; the job reclaims the rows
    assert first.status_code == 202
    assert (again.status_code, patched.status_code, read.status_code) == (404, 404, 404)
    assert log.status_code == 404
    assert hook.id not in {row["id"] for row in listed.data["results"]}
    hook.refresh_from_db()
    assert hook.active is False
    pending.refresh_from_db()
    assert pending.status == Delivery.Status.FAILED


def test_delete_job_deletes_the_log_in_batches(school):
    # given
    hook = WebhookFactory(school=school)
    DeliveryFactory.create_batch(5, school=school, webhook=hook)
    job, created = webhook_delete_start(webhook=hook)

    # when
    done = webhook_delete_run(job=job, batch=2)

    # then
    assert created is True
    assert done.status == Job.Status.SUCCEEDED
    assert done.progress_total == 5
    assert done.progress_done == 5
    assert not Webhook.objects.filter(id=hook.id).exists()
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_other_schools_webhook_is_not_found(api_client, other_school, method):
    # given
    hook = WebhookFactory(school=other_school)

    # when
    response = getattr(api_client, method)(f"{URL}/{hook.id}", {}, format="json")

    # then
    assert response.status_code == 404
    assert Webhook.objects.filter(id=hook.id).exists()


def test_user_tokens_cannot_use_webhooks(user_client):
    # when
    response = user_client.get(URL)

    # then
    assert response.status_code == 403


def test_read_scope_cannot_create(scoped_client):
    # given
    client = scoped_client("read:webhooks")

    # when
    listed = client.get(URL)
    created = client.post(URL, {"target_url": "https://hooks.example.com/"}, format="json")

    # then
    assert listed.status_code == 200
    assert created.status_code == 403


def test_rotate_secret_returns_the_new_one(api_client, school):
    # given
    hook = WebhookFactory(school=school)

    # when
    response = api_client.post(f"{URL}/{hook.id}/rotate-secret", {}, format="json")

    # then
    assert response.status_code == 200
    assert response.data["secret"] != hook.secret
    hook.refresh_from_db()
    assert hook.previous_secret_expires_at is not None


def test_rotate_secret_refuses_a_short_one(api_client, school):
    # given
    hook = WebhookFactory(school=school)

    # when
    response = api_client.post(
        f"{URL}/{hook.id}/rotate-secret", {"secret": "whsec_c2hvcnQ="}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.data["code"] == "invalid_secret"


def test_test_endpoint_sends_a_ping(
    api_client, webhook, receiver, eager, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"{URL}/{webhook.id}/test", {}, format="json")

    # then
    assert response.status_code == 202
    assert response.data["event_type"] == "ping"
    detail = api_client.get(f"{URL}/{webhook.id}/deliveries/{response.data['id']}")
    assert detail.data["status"] == "succeeded"
    assert detail.data["attempts"][0]["status_code"] == 200
    assert len(receiver.received) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SSH_BANNER = b"SSH-2.0-OpenSSH_9.6p1 Debian-3\r\n"


@pytest.mark.parametrize(
    ("target", "code"),
    [
        (lambda: f"http://127.0.0.1:{foreign_service(SSH_BANNER)}/", "protocol"),
        (lambda: f"https://127.0.0.1:{foreign_service(SSH_BANNER)}/", "tls"),
        (lambda: f"http://127.0.0.1:{_closed_port()}/", "refused"),
    ],
    ids=["ssh-port", "ssh-port-over-tls", "closed-port"],
)
def test_test_endpoint_reports_a_failure_by_category_only(
    api_client, school, eager, django_capture_on_commit_callbacks, target, code
):
    # given a webhook aimed at a port of some host that is not a webhook receiver
    hook = webhook_create(school=school, target_url=target())

    # when it is tested and its delivery log read
    with django_capture_on_commit_callbacks(execute=True):
        sent = api_client.post(f"{URL}/{hook.id}/test", {}, format="json")
    detail = api_client.get(f"{URL}/{hook.id}/deliveries/{sent.data['id']}")
    listed = api_client.get(f"{URL}/{hook.id}/deliveries")

    # then the failure's category shows, never the service's or the socket's words
    assert detail.status_code == 200
    attempt = detail.data["attempts"][0]
    assert attempt["error_code"] == detail.data["last_error_code"] == code
    for body in (detail.content, listed.content):
        for leak in (b"OpenSSH", b"Errno", b"SSL", b"BadStatusLine", b"wrong version"):
            assert leak not in body


def test_test_endpoint_of_other_school_is_not_found(api_client, other_school):
    # given
    hook = WebhookFactory(school=other_school)

    # when
    response = api_client.post(f"{URL}/{hook.id}/test", {}, format="json")

    # then
    assert response.status_code == 404


def test_bulk_replay_starts_a_job(
    api_client, school, eager, receiver, django_capture_on_commit_callbacks
):
    # given
    hook = webhook_create(school=school, target_url=receiver.url())
    DeliveryFactory.create_batch(2, school=school, webhook=hook, status=Delivery.Status.FAILED)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"{URL}/{hook.id}/replay?since=2020-01-01T00:00:00Z", {})

    # then
    assert response.status_code == 202
    job = Job.objects.get(id=response.data["id"])
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"replayed": 2}
    assert not Delivery.objects.filter(status=Delivery.Status.FAILED, replay_count=0).exists()


@pytest.mark.parametrize("since", ["", "yesterday", "2026-01-01T00:00:00"])
def test_bulk_replay_needs_a_zoned_since(api_client, school, since):
    # given
    hook = WebhookFactory(school=school)

    # when
    response = api_client.post(f"{URL}/{hook.id}/replay?since={since}", {})

    # then
    assert response.status_code == 400
    assert response.data["code"] == "invalid_since"


def test_event_types_list_every_event_with_schema(api_client):
    # when
    response = api_client.get(f"{URL}/event-types")

    # then
    assert response.status_code == 200
    by_type = {item["type"]: item for item in response.data["results"]}
    assert by_type["domain.enrollment.created"]["event_type"] == "DOMAIN_ENROLLMENT"
    assert by_type["user.created"]["schema"]["type"] == "object"
    assert response.data["count"] == len(response.data["results"])


@pytest.mark.parametrize(
    ("slug", "type_", "alias"),
    [
        ("domain-enrollment", "domain.enrollment.created", "DOMAIN_ENROLLMENT"),
        ("user-created", "user.created", None),
        ("group-member-added", "group.member.added", None),
    ],
)
def test_samples_are_served(api_client, slug, type_, alias):
    # when
    response = api_client.get(f"{URL}/sample-{slug}")

    # then
    assert response.status_code == 200
    assert response.data["type"] == type_
    assert response.data.get("event_type") == alias
    assert set(response.data) >= {"id", "type", "created_at", "data", "metadata"}


@pytest.mark.parametrize("slug", ["purchase-fulfillment", "dashboard-task-created"])
def test_no_sample_for_events_nothing_emits(api_client, slug):
    # when
    response = api_client.get(f"{URL}/sample-{slug}")

    # then
    assert response.status_code == 404


def test_unknown_sample_is_not_found(api_client):
    # when
    response = api_client.get(f"{URL}/sample-course-explosion")

    # then
    assert response.status_code == 404


def test_bulk_replay_of_inactive_webhook_is_a_conflict(api_client, school):
    # given
    hook = WebhookFactory(school=school, active=False, deactivate_reason="off")

    # when
    response = api_client.post(f"{URL}/{hook.id}/replay?since=2020-01-01T00:00:00Z", {})

    # then
    assert response.status_code == 409
    assert not Job.objects.exists()
