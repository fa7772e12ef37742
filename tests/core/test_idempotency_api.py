"""``Idempotency-Key`` on POST: replay, mismatch (422), in flight (409), scope and expiry."""

import threading

import pytest
from django.db import connection
from freezegun import freeze_time
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.throttling import BaseThrottle

from apps.core.api.base import ApiView
from apps.core.credentials import Credential
from apps.core.models import Event, IdempotencyRecord
from apps.schools.models import Member, User
from apps.schools.services import people as people_services
from tests.conftest import make_client
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

BODY = {"email": "ada@example.test", "first_name": "Ada"}


def post(client, body=BODY, key="key-1", **extra):
    return client.post("/api/v1/users", body, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_same_key_and_body_replays_the_first_response(api_client, school):
    # given
    first = post(api_client)

    # when
    second = post(api_client)

    # then
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert second["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    assert second["Content-Type"] == "application/json"
    assert User.objects.count() == 1
    assert Event.objects.filter(type="user.created").count() == 1


def test_same_key_with_another_body_is_422(api_client):
    # given
    post(api_client)

    # when
    response = post(api_client, {**BODY, "first_name": "Eve"})

    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in body["errors"]


def test_same_key_on_another_path_is_422(api_client, school):
    # given
    member = MemberFactory(school=school)
    post(api_client)

    # when
    response = api_client.post(
        f"/api/v1/users/{member.user_id}/anonymize", HTTP_IDEMPOTENCY_KEY="key-1"
    )

    # then
    assert response.status_code == 422


def test_same_key_on_another_path_says_so(api_client):
    # given
    post(api_client)

    # when
    response = api_client.post(
        "/api/v1/webhooks",
        {"url": "https://hooks.example.test/x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="key-1",
    )

    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "idempotency_key_path_mismatch"
    assert "used on another path" in body["detail"]
    assert "/api/v1/users" not in body["detail"]  # the first request's path is not echoed
    assert "Idempotency-Key" in body["errors"]


def test_a_key_in_flight_is_409(api_client, monkeypatch):
    # given: while the first request runs, its duplicate arrives
    real_create = people_services.user_create
    duplicate = {}

    def create_and_meanwhile_retry(**kwargs):
        duplicate["response"] = post(api_client)
        return real_create(**kwargs)

    monkeypatch.setattr(people_services, "user_create", create_and_meanwhile_retry)

    # when
    first = post(api_client)

    # then
    assert first.status_code == 201
    assert duplicate["response"].status_code == 409
    assert duplicate["response"].json()["code"] == "idempotency_key_in_progress"
    assert User.objects.count() == 1


def test_keys_are_per_credential(api_client, school, scoped_client):
    # given
    other_key_client = scoped_client("read:users", "write:users")
    post(api_client)

    # when: the same key from another credential is a different request
    response = post(other_key_client)

    # then
    assert response.status_code == 200
    assert "Idempotent-Replayed" not in response


def test_keys_are_per_school(api_client, other_api_client):
    # given
    post(api_client)

    # when
    response = post(other_api_client)

    # then: processed, not replayed (a new account of the other school)
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Member.objects.count() == 2


def test_a_key_is_replayed_for_24_hours_only(api_client):
    # given
    with freeze_time("2026-01-01T00:00:00Z"):
        post(api_client)

    # when
    with freeze_time("2026-01-01T23:59:00Z"):
        within = post(api_client)
    with freeze_time("2026-01-02T00:00:01Z"):
        after = post(api_client)

    # then
    assert within["Idempotent-Replayed"] == "true"
    assert after.status_code == 200  # processed again: the user now exists
    assert "Idempotent-Replayed" not in after


def test_client_errors_are_replayed(api_client):
    # given
    first = post(api_client, {"email": "not-an-email"})

    # when
    second = post(api_client, {"email": "not-an-email"})

    # then
    assert first.status_code == second.status_code == 400
    assert second["Idempotent-Replayed"] == "true"


def test_a_conflict_releases_the_key_so_the_client_can_retry(api_client, school):
    # given
    MemberFactory(school=school, external_id="crm-1")

    # when
    response = post(api_client, {"email": "x@example.test", "external_id": "crm-1"})

    # then
    assert response.status_code == 409
    assert not IdempotencyRecord.objects.exists()


def test_without_a_key_each_post_is_processed(api_client):
    # when
    first = api_client.post("/api/v1/users", BODY, format="json")
    second = api_client.post("/api/v1/users", BODY, format="json")

    # then
    assert (first.status_code, second.status_code) == (201, 200)
    assert not IdempotencyRecord.objects.exists()


def test_key_is_ignored_on_other_methods(api_client, school):
    # given
    member = MemberFactory(school=school)

    # when
    response = api_client.patch(
        f"/api/v1/users/{member.user_id}", {"company": "X"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    # then
    assert response.status_code == 200
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_blank_or_overlong_key_is_400(api_client, key):
    # when
    response = post(api_client, key=key)

    # then
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_prune_forgets_records_older_than_a_day(api_client):
    # given
    from apps.core.idempotency import prune_records

    with freeze_time("2026-01-01T00:00:00Z"):
        post(api_client, key="old")
    with freeze_time("2026-01-01T20:00:00Z"):
        post(api_client, key="new", body={"email": "b@example.test"})

    # when
    with freeze_time("2026-01-02T01:00:00Z"):
        pruned = prune_records()

    # then
    assert pruned == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


# --- real concurrency (PostgreSQL: row locks and unique-index waits as in production) ---------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_user(api_key):
    # given
    secret = api_key[1]
    workers = 8
    barrier = threading.Barrier(workers)
    responses = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            responses.append(post(make_client(secret)))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(workers)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: one did the work; each other one saw it in flight (409) or replayed it
    statuses = sorted(r.status_code for r in responses)
    assert len(responses) == workers
    assert set(statuses) <= {201, 409}
    fresh = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r]
    assert len(fresh) == 1
    assert User.objects.filter(email="ada@example.test").count() == 1
    assert Event.objects.filter(type="user.created").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_duplicate_while_the_first_runs_is_409_then_replays(api_key, monkeypatch):
    # given: the first request is held inside the service until the duplicate has answered
    secret = api_key[1]
    inside, release = threading.Event(), threading.Event()
    real_create = people_services.user_create

    def slow_create(**kwargs):
        inside.set()
        assert release.wait(timeout=30)
        return real_create(**kwargs)

    monkeypatch.setattr(people_services, "user_create", slow_create)
    results = {}

    def first_request() -> None:
        try:
            results["first"] = post(make_client(secret))
        finally:
            connection.close()

    thread = threading.Thread(target=first_request)
    thread.start()
    assert inside.wait(timeout=30)

    # when
    duplicate = post(make_client(secret))
    release.set()
    thread.join(timeout=60)
    monkeypatch.setattr(people_services, "user_create", real_create)
    replay = post(make_client(secret))

    # then
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "idempotency_key_in_progress"
    assert results["first"].status_code == 201
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.content == results["first"].content
    assert User.objects.filter(email="ada@example.test").count() == 1


class _ReadsBodyFirst(BaseThrottle):
    """A throttle that looks at the body before the view, as account-based limits do."""

    def allow_request(self, request, view) -> bool:
        return bool(request.data is not None)


class _EchoView(ApiView):
    throttle_classes = [_ReadsBodyFirst]

    def post(self, request):
        return Response({"echo": request.data}, status=201)


def test_key_works_when_the_body_was_read_before_the_view(api_key):
    # given
    key = api_key[0]
    credential = Credential(kind="api_key", school=key.school, scopes=frozenset("*"), api_key=key)
    factory = APIRequestFactory()

    def send():
        request = factory.post("/x", {"a": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        force_authenticate(request, token=credential)
        return _EchoView.as_view()(request)

    # when
    first = send()
    second = send()

    # then
    assert first.status_code == 201
    assert first.data == {"echo": {"a": 1}}
    assert second["Idempotent-Replayed"] == "true"
