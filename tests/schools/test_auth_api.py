"""Credentials: school API keys (Bearer and Basic), user JWTs, scopes, /me and login throttling."""

import base64
import json

import pytest
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from apps.core.credentials import USER_TOKEN_SCOPES, Credential
from apps.core.renderers import JSONRenderer
from apps.schools.api.serializers import MeSerializer
from apps.schools.models import ApiKey
from apps.schools.selectors.people import member_get
from apps.schools.services.people import (
    member_set_tags,
    member_suspend,
    member_unsuspend,
    user_anonymize,
    user_create,
    user_update,
)
from apps.schools.services.schools import api_key_create, api_key_revoke, school_sandbox
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def basic(username: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def login(client, email: str, password: str = PASSWORD, **extra):
    body = {"email": email, "password": password, **extra}
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def refresh(client, token: str):
    return client.post(
        "/api/v1/auth/token/refresh", {"refresh_token": token}, content_type="application/json"
    )


def assert_401(response, code: str) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


# --- API keys ---------------------------------------------------------------------------------


def test_bearer_api_key_is_accepted_and_records_last_use(api_key):
    # given
    key, secret = api_key

    # when
    response = make_client(secret).get("/api/v1/users")

    # then
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(api_key, django_assert_num_queries):
    # given
    client = make_client(api_key[1])
    client.get("/api/v1/me")

    # when: key lookup only, no second UPDATE of last_used_at
    with django_assert_num_queries(1):
        response = client.get("/api/v1/me")

    # then
    assert response.status_code == 200


def test_basic_auth_with_the_key_as_username_is_accepted(api_key):
    # given
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(api_key[1]))

    # when
    response = client.get("/api/v1/me")

    # then
    assert response.status_code == 200
    assert response.json()["type"] == "api_key"


def test_test_mode_key_is_accepted(school):
    # given
    _key, secret = api_key_create(school=school, name="test", test=True)

    # when
    response = make_client(secret).get("/api/v1/me")

    # then
    assert secret.startswith("sk_test_")
    assert response.status_code == 200
    assert response.json()["api_key"]["test"] is True


@pytest.mark.parametrize(
    "header",
    [
        "Bearer sk_live_wrong",
        "Bearer sk_test_wrong",
        basic("sk_live_wrong"),
        basic("someone@example.test", "password"),
    ],
    ids=["bearer", "bearer-test", "basic", "basic-not-a-key"],
)
def test_wrong_key_is_401_with_www_authenticate(header):
    # given
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    # when
    response = client.get("/api/v1/users")

    # then
    assert_401(response, "authentication_failed")


def test_missing_credential_is_401_with_www_authenticate(client):
    # when
    response = client.get("/api/v1/users")

    # then
    assert_401(response, "not_authenticated")


def test_revoked_key_is_401(api_key):
    # given
    key, secret = api_key
    api_key_revoke(api_key=key)

    # when
    bearer = make_client(secret).get("/api/v1/users")
    basic_client = APIClient()
    basic_client.credentials(HTTP_AUTHORIZATION=basic(secret))
    basic_response = basic_client.get("/api/v1/users")

    # then
    assert_401(bearer, "authentication_failed")
    assert_401(basic_response, "authentication_failed")


def test_key_of_a_deactivated_school_is_401(school, api_key):
    # given
    school.is_active = False
    school.save()

    # when
    response = make_client(api_key[1]).get("/api/v1/users")

    # then
    assert_401(response, "authentication_failed")


def test_missing_scope_is_403(scoped_client):
    # given
    reader = scoped_client("read:users")
    stranger = scoped_client("read:courses")

    # when
    read = reader.get("/api/v1/users")
    write = reader.post("/api/v1/users", {"email": "a@b.test"}, format="json")
    other = stranger.get("/api/v1/users")

    # then
    assert read.status_code == 200
    assert write.status_code == 403
    assert write.json()["code"] == "missing_scope"
    assert "write:users" in write.json()["detail"]
    assert other.status_code == 403


def test_key_secret_is_stored_only_as_a_hash(api_key):
    # given
    key, secret = api_key

    # then
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert secret not in str(stored)
    assert stored["key_hash"] == ApiKey.hash_secret(secret)
    assert stored["prefix"] == secret[:12]


# --- /me --------------------------------------------------------------------------------------


def test_me_describes_an_api_key(school, scoped_client):
    # given
    client = scoped_client("write:users", "read:users")

    # when
    response = client.get("/api/v1/me")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "api_key"
    assert body["school"] == {"id": school.id, "name": "Alpha Academy", "slug": "alpha"}
    assert body["scopes"] == ["read:users", "write:users"]
    assert body["api_key"]["prefix"].startswith("sk_live_")
    assert body["user"] is None


def test_me_describes_a_user(learner, user_client):
    # when
    response = user_client.get("/api/v1/me")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "user"
    assert body["school"]["slug"] == "alpha"
    assert body["api_key"] is None
    assert body["user"]["id"] == learner.user_id
    assert body["user"]["email"] == "learner@alpha.test"
    assert "write:users" not in body["scopes"]


def _rendered(data) -> object:
    """``data`` as a client reads it: through the API's JSON renderer."""
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("kind", ["live_key", "test_key", "user"])
def test_me_payload_is_exactly_what_the_serializer_renders(school, learner, kind):
    # given: a user with tags, metadata and an anonymization-free profile, and each credential
    member_set_tags(member=learner, tags=["zeta", "Alpha", "mid"])
    user_update(member=learner, metadata={"plan": "gold", "n": 3}, company="ACME")
    if kind == "user":
        client = make_client(tokens_issue(member=learner).access_token)
    else:
        key, secret = api_key_create(
            school=school, name="me", scopes=["read:users", "write:users"], test=kind == "test_key"
        )
        client = make_client(secret)

    # when
    response = client.get("/api/v1/me")

    # then: the same JSON as DRF's MeSerializer over the same credential
    assert response.status_code == 200
    if kind == "user":
        member = member_get(school=school, user_id=learner.user_id)
        credential = Credential(
            kind="user", school=school, scopes=USER_TOKEN_SCOPES, user=member.user, member=member
        )
    else:
        key.refresh_from_db()
        tenant = school_sandbox(school=school) if key.is_test else school
        credential = Credential(
            kind="api_key", school=tenant, scopes=frozenset(key.scopes), api_key=key
        )
        member = None
    expected = _rendered(MeSerializer(MeSerializer.describe(credential, member)).data)
    assert response.json() == expected
    assert _rendered(MeSerializer.payload(credential, member)) == expected
    assert response.json()["mode"] == ("test" if kind == "test_key" else "live")


# --- user tokens ------------------------------------------------------------------------------


def test_login_issues_access_and_refresh_tokens(learner, client):
    # when
    response = login(client, "LEARNER@alpha.test")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 15 * 60
    assert body["token_type"] == "Bearer"
    me = make_client(body["access_token"]).get("/api/v1/me")
    assert me.json()["user"]["id"] == learner.user_id


@pytest.mark.parametrize(
    ("email", "password"),
    [("learner@alpha.test", "wrong password"), ("nobody@alpha.test", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_login_with_wrong_credentials_is_401_without_saying_which(learner, client, email, password):
    # when
    response = login(client, email, password)

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert response.json()["detail"] == "E-mail or password is wrong."


def test_login_with_bad_input_is_400_naming_the_field(client):
    # when
    response = client.post(
        "/api/v1/auth/token", {"email": "not-an-email"}, content_type="application/json"
    )

    # then
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "password"}


def test_access_token_expires_after_15_minutes(learner):
    # given
    with freeze_time("2026-03-01T10:00:00Z"):
        pair = tokens_issue(member=learner)

    # when
    with freeze_time("2026-03-01T10:14:00Z"):
        fresh = make_client(pair.access_token).get("/api/v1/me")
    with freeze_time("2026-03-01T10:15:30Z"):
        expired = make_client(pair.access_token).get("/api/v1/me")

    # then
    assert fresh.status_code == 200
    assert_401(expired, "token_invalid")


def test_refresh_token_expires_after_30_days(learner, client):
    # given
    with freeze_time("2026-03-01T10:00:00Z"):
        pair = tokens_issue(member=learner)

    # when
    with freeze_time("2026-03-31T10:00:01Z"):
        response = refresh(client, pair.refresh_token)

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_refresh_rotates_and_the_old_refresh_token_is_refused(learner, client):
    # given
    pair = tokens_issue(member=learner)

    # when
    first = refresh(client, pair.refresh_token)
    replayed = refresh(client, pair.refresh_token)
    second = refresh(client, first.json()["refresh_token"])

    # then
    assert first.status_code == 200
    assert first.json()["refresh_token"] != pair.refresh_token
    assert make_client(first.json()["access_token"]).get("/api/v1/me").status_code == 200
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "token_invalid"
    assert second.status_code == 200


@pytest.mark.parametrize(
    "token", ["garbage", "a.b.c", "access"], ids=["garbage", "three-parts", "access-as-refresh"]
)
def test_refresh_with_a_bad_token_is_401(learner, client, token):
    # given
    if token == "access":
        token = tokens_issue(member=learner).access_token

    # when
    response = refresh(client, token)

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_refresh_token_is_not_an_access_token(learner):
    # given
    pair = tokens_issue(member=learner)

    # when
    response = make_client(pair.refresh_token).get("/api/v1/me")

    # then
    assert_401(response, "token_invalid")


def test_tampered_token_is_401(learner):
    # given
    header, payload, signature = tokens_issue(member=learner).access_token.split(".")
    forged = ".".join([header, payload, signature[:-4] + "AAAA"])
    unsigned = ".".join(
        [base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("="), payload, ""]
    )

    # when
    responses = [make_client(token).get("/api/v1/me") for token in (forged, unsigned)]

    # then
    for response in responses:
        assert_401(response, "token_invalid")


def test_revoke_all_refuses_earlier_access_and_refresh_tokens(learner, client):
    # given
    first = tokens_issue(member=learner)
    second = tokens_issue(member=learner)

    # when
    revoked = make_client(first.access_token).post("/api/v1/auth/token/revoke")

    # then
    assert revoked.status_code == 204
    for access in (first.access_token, second.access_token):
        assert_401(make_client(access).get("/api/v1/me"), "token_invalid")
    for token in (first.refresh_token, second.refresh_token):
        assert refresh(client, token).status_code == 401
    assert login(client, "learner@alpha.test").status_code == 200


def test_revoke_with_an_api_key_is_403(api_client):
    # when
    response = api_client.post("/api/v1/auth/token/revoke")

    # then
    assert response.status_code == 403


def test_suspended_user_cannot_log_in_and_its_tokens_stop_working(learner, client):
    # given
    pair = tokens_issue(member=learner)
    member_suspend(member=learner)

    # when
    logged_in = login(client, "learner@alpha.test")
    access = make_client(pair.access_token).get("/api/v1/me")
    refreshed = refresh(client, pair.refresh_token)

    # then
    assert logged_in.status_code == 403
    assert logged_in.json()["code"] == "user_suspended"
    assert access.status_code == 403
    assert access.json()["code"] == "user_suspended"
    assert refreshed.status_code == 403


def test_unsuspended_user_can_log_in_again(learner, client):
    # given
    member_suspend(member=learner)
    member_unsuspend(member=learner)

    # when
    response = login(client, "learner@alpha.test")

    # then
    assert response.status_code == 200


def test_anonymized_user_cannot_log_in_and_its_tokens_stop_working(learner, client):
    # given
    pair = tokens_issue(member=learner)
    user_anonymize(member=learner)

    # when
    logged_in = login(client, "learner@alpha.test")
    access = make_client(pair.access_token).get("/api/v1/me")

    # then
    assert logged_in.status_code == 401
    assert access.status_code == 401


@pytest.mark.parametrize("deactivate", ["school", "user"])
def test_token_of_a_deactivated_school_or_user_is_401_token_invalid(learner, client, deactivate):
    # given
    pair = tokens_issue(member=learner)
    target = learner.school if deactivate == "school" else learner.user
    target.is_active = False
    target.save()

    # when
    access = make_client(pair.access_token).get("/api/v1/me")
    refreshed = refresh(client, pair.refresh_token)
    logged_in = login(client, "learner@alpha.test")

    # then
    assert_401(access, "token_invalid")
    assert refreshed.status_code == 401
    assert refreshed.json()["code"] == "token_invalid"
    assert logged_in.status_code == 401
    assert logged_in.json()["code"] == "invalid_credentials"


def test_accounts_of_two_schools_with_one_password_must_name_the_school(
    learner, other_school, client
):
    # given
    user_create(school=other_school, email="learner@alpha.test", password=PASSWORD)

    # when
    ambiguous = login(client, "learner@alpha.test")
    beta = login(client, "learner@alpha.test", school="beta")
    stranger = login(client, "learner@alpha.test", school="gamma")

    # then
    assert ambiguous.status_code == 400
    assert ambiguous.json()["code"] == "school_required"
    assert ambiguous.json()["errors"] == {"school": [ambiguous.json()["detail"]]}
    assert beta.status_code == 200
    me = make_client(beta.json()["access_token"]).get("/api/v1/me").json()
    assert me["school"]["slug"] == "beta"
    assert stranger.status_code == 401


def test_suspension_in_one_school_leaves_the_other_school_usable(learner, other_school, client):
    # given
    member, _ = user_create(school=other_school, email="learner@alpha.test", password=PASSWORD)
    member_suspend(member=member)

    # when
    alpha = login(client, "learner@alpha.test", school="alpha")
    beta = login(client, "learner@alpha.test", school="beta")

    # then
    assert alpha.status_code == 200
    assert beta.status_code == 403


def test_user_token_sees_only_its_own_user(learner, user_client, school):
    # given
    other = MemberFactory(school=school)

    # when
    listed = user_client.get("/api/v1/users")
    own = user_client.get(f"/api/v1/users/{learner.user_id}")
    theirs = user_client.get(f"/api/v1/users/{other.user_id}")

    # then
    assert [row["id"] for row in listed.json()["results"]] == [learner.user_id]
    assert own.status_code == 200
    assert theirs.status_code == 404


def test_user_token_cannot_write_or_read_school_wide_logs(user_client, learner):
    # when
    created = user_client.post("/api/v1/users", {"email": "x@y.test"}, format="json")
    suspended = user_client.put(f"/api/v1/users/{learner.user_id}/suspend")
    events = user_client.get("/api/v1/event-logs")

    # then
    assert created.status_code == 403
    assert created.json()["code"] == "missing_scope"
    assert suspended.status_code == 403
    assert events.status_code == 403


def test_token_of_one_school_does_not_reach_another(learner, other_school):
    # given
    other = MemberFactory(school=other_school)
    client = make_client(tokens_issue(member=learner).access_token)

    # when
    response = client.get(f"/api/v1/users/{other.user_id}")

    # then
    assert response.status_code == 404


# --- login throttling -------------------------------------------------------------------------


@freeze_time("2026-03-01T10:00:05Z")
def test_login_is_limited_to_60_a_minute_per_account_with_headers(learner, client):
    # given
    reset = str(int(timezone.now().timestamp()) - 5 + 60)

    # when
    responses = [login(client, "learner@alpha.test", "wrong password") for _ in range(61)]

    # then
    assert responses[0]["X-RateLimit-Limit"] == "60"
    assert responses[0]["X-RateLimit-Remaining"] == "59"
    assert responses[0]["X-RateLimit-Reset"] == reset
    assert responses[59].status_code == 401
    assert responses[59]["X-RateLimit-Remaining"] == "0"
    throttled = responses[60]
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert throttled["Retry-After"] == "55"
    assert throttled["X-RateLimit-Remaining"] == "0"


def test_login_limit_resets_in_the_next_minute(learner, client):
    # given
    with freeze_time("2026-03-01T10:00:05Z"):
        for _ in range(60):
            login(client, "learner@alpha.test", "wrong password")
        blocked = login(client, "learner@alpha.test")

    # when
    with freeze_time("2026-03-01T10:01:00Z"):
        response = login(client, "learner@alpha.test")

    # then
    assert blocked.status_code == 429
    assert response.status_code == 200


@freeze_time("2026-03-01T10:00:05Z")
def test_login_limit_is_per_account(learner, client):
    # given
    for _ in range(60):
        login(client, "someone-else@alpha.test", "wrong password")

    # when
    response = login(client, "learner@alpha.test")

    # then
    assert response.status_code == 200


@freeze_time("2026-03-01T10:00:05Z")
def test_refresh_is_limited_to_60_a_minute_per_user(learner, client):
    # given
    tokens = [tokens_issue(member=learner).refresh_token for _ in range(61)]

    # when
    responses = [refresh(client, token) for token in tokens]

    # then
    assert {r.status_code for r in responses[:60]} == {200}
    assert responses[60].status_code == 429
    assert responses[60]["Retry-After"] == "55"


def test_api_key_requests_carry_rate_limit_headers(api_client, settings):
    # when
    response = api_client.get("/api/v1/me")

    # then
    assert response["X-RateLimit-Limit"] == str(settings.LYCEUM_RATE_LIMITS["credential"])
    assert int(response["X-RateLimit-Remaining"]) == settings.LYCEUM_RATE_LIMITS["credential"] - 1


@freeze_time("2026-03-01T10:00:05Z")
def test_api_key_over_its_rate_limit_is_429(api_client, settings):
    # given
    settings.LYCEUM_RATE_LIMITS = {**settings.LYCEUM_RATE_LIMITS, "credential": 3}
    for _ in range(3):
        api_client.get("/api/v1/me")

    # when
    response = api_client.get("/api/v1/me")

    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "55"
    assert response.json()["request_id"] == response["X-Request-ID"]


@pytest.mark.parametrize(
    "header",
    ["Basic é", "Basic ＡＢＣＤ", "Basic c2tfbGl2ZV/DqQ==é"],
    ids=["latin-1", "fullwidth", "trailing"],
)
def test_basic_credentials_with_non_ascii_bytes_are_401(header):
    # given: raw bytes a client may send, read as latin-1 by the server
    client = APIClient(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))

    # when
    response = client.get("/api/v1/me")

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
