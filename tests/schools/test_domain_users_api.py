from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.models import Event
from apps.schools.login_tokens import login_token_exchange
from apps.schools.models import Domain, DomainUser, SignupField, User
from apps.schools.services.domains import domain_user_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/domains/learn.alpha.test/users"


@pytest.fixture
def domain(school) -> Domain:
    return Domain.objects.create(school=school, name="learn.alpha.test")


@pytest.fixture
def other_domain(other_school) -> Domain:
    return Domain.objects.create(school=other_school, name="learn.beta.test")


def _add(domain: Domain, email: str, **access) -> DomainUser:
    return domain_user_create(
        domain=domain, email=email, first_name="Jo", last_name="Doe", **access
    )[0]


def test_create_domain_user_matches_seed_shape(api_client, domain):
    # when
    response = api_client.post(
        URL,
        {"user": {"email": "bob@example.com", "first_name": "Bob", "last_name": "User"}},
        format="json",
    )

    # then
    assert response.status_code == 201
    body = response.json()
    user = User.objects.get(email="bob@example.com")
    assert set(body) == {
        "user",
        "active",
        "marketing_optin",
        "enrolled_at",
        "expires_at",
        "access_code",
        "login_token",
    }
    assert body["user"] == {
        "id": user.id,
        "email": "bob@example.com",
        "first_name": "Bob",
        "last_name": "User",
    }
    assert body["active"] is True
    assert body["marketing_optin"] is None
    assert body["expires_at"] is None
    assert body["access_code"] is None
    assert body["enrolled_at"].endswith("Z")
    assert body["login_token"]


def test_create_domain_user_emits_domain_enrollment(api_client, domain):
    # when
    api_client.post(URL, {"user": {"email": "bob@example.com"}}, format="json")

    # then
    event = Event.objects.get(type="domain.enrollment.created")
    assert event.payload["domain"]["name"] == "learn.alpha.test"
    assert event.payload["user"]["email"] == "bob@example.com"


def test_create_existing_email_returns_existing_user(api_client, domain):
    # given
    existing = _add(domain, "bob@example.com")

    # when
    response = api_client.post(
        URL, {"user": {"email": "BOB@example.com", "first_name": "Robert"}}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json()["user"]["id"] == existing.user_id
    assert response.json()["user"]["first_name"] == "Jo"
    assert User.objects.filter(email__iexact="bob@example.com").count() == 1
    assert DomainUser.objects.filter(domain=domain).count() == 1


def test_create_user_known_to_school_joins_domain(api_client, domain, learner):
    # when
    response = api_client.post(URL, {"user": {"email": learner.user.email}}, format="json")

    # then
    assert response.status_code == 201
    assert response.json()["user"]["id"] == learner.user_id


def test_login_token_exchanges_once(api_client, domain, school):
    # given
    token = api_client.post(URL, {"user": {"email": "bob@example.com"}}, format="json").json()[
        "login_token"
    ]

    # when
    member = login_token_exchange(token=token)

    # then
    assert member.user.email == "bob@example.com"
    with pytest.raises(Exception, match="invalid, expired or already used"):
        login_token_exchange(token=token)


def test_create_domain_user_without_email_is_400(api_client, domain):
    # when
    response = api_client.post(URL, {"user": {"first_name": "Bob"}}, format="json")

    # then
    assert response.status_code == 400
    assert "user.email" in response.json()["errors"]


def test_create_domain_user_on_other_school_domain_is_404(api_client, other_domain):
    # when
    response = api_client.post(
        "/api/v1/domains/learn.beta.test/users", {"user": {"email": "x@example.com"}}, format="json"
    )

    # then
    assert response.status_code == 404
    assert not User.objects.filter(email="x@example.com").exists()


def test_list_domain_users_matches_seed_shape(api_client, domain, other_domain):
    # given
    mine = _add(domain, "joe@example.com")
    _add(other_domain, "theirs@example.com")

    # when
    response = api_client.get(URL)

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "user": {
            "id": mine.user_id,
            "email": "joe@example.com",
            "first_name": "Jo",
            "last_name": "Doe",
        },
        "active": True,
        "marketing_optin": None,
        "enrolled_at": body["results"][0]["enrolled_at"],
        "expires_at": None,
        "access_code": None,
    }


def test_expired_access_is_inactive_without_any_job(api_client, domain):
    # given
    past = timezone.now() - timedelta(minutes=1)
    expired = _add(domain, "old@example.com", expires_at=past)
    current = _add(domain, "new@example.com")

    # when
    inactive = api_client.get(f"{URL}?active=false").json()
    active = api_client.get(f"{URL}?active=true").json()
    detail = api_client.get(f"{URL}/{expired.user_id}").json()

    # then
    assert [r["user"]["id"] for r in inactive["results"]] == [expired.user_id]
    assert [r["user"]["id"] for r in active["results"]] == [current.user_id]
    assert detail["active"] is False
    expired.refresh_from_db()
    assert expired.active is True


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("user__email=JOE@example.com", ["joe"]),
        ("user__first_name=Joe", ["joe"]),
        ("user__first_name=joe", []),
        ("user__last_name=Smith", ["jane"]),
        ("access_code=null", ["joe", "jane"]),
    ],
)
def test_filter_domain_users(api_client, domain, query, expected):
    # given
    domain_user_create(domain=domain, email="joe@example.com", first_name="Joe")
    domain_user_create(domain=domain, email="jane@example.com", last_name="Smith")

    # when
    response = api_client.get(f"{URL}?{query}")

    # then
    assert response.status_code == 200
    emails = [r["user"]["email"].split("@")[0] for r in response.json()["results"]]
    assert emails == expected


def test_filter_access_code_other_than_null_is_400(api_client, domain):
    # when
    response = api_client.get(f"{URL}?access_code=abc")

    # then
    assert response.status_code == 400
    assert "access_code" in response.json()["errors"]


def test_filter_by_signup_field_and_include_data(api_client, domain, school):
    # given
    from apps.schools.services.signup_fields import signup_values_set

    field = SignupField.objects.create(school=school, domain=domain, label="Job Title")
    ceo = _add(domain, "ceo@example.com")
    _add(domain, "dev@example.com")
    signup_values_set(domain_user=ceo, values={field.id: "CEO"})

    # when
    response = api_client.get(
        f"{URL}?signup_field_label=Job Title&signup_field_value=CEO&include_signup_field_data=true"
    )

    # then
    results = response.json()["results"]
    assert [r["user"]["email"] for r in results] == ["ceo@example.com"]
    assert results[0]["signup_fields"] == [
        {"signup_field": {"id": field.id, "label": "Job Title"}, "value": "CEO"}
    ]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_domain_user_active_and_expiry(api_client, domain, method):
    # given
    domain_user = _add(domain, "joe@example.com")

    # when
    response = getattr(api_client, method)(
        f"{URL}/{domain_user.user_id}",
        {"active": False, "expires_at": "2030-01-01T00:00:00Z"},
        format="json",
    )

    # then
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert response.json()["expires_at"] == "2030-01-01T00:00:00.000000Z"
    domain_user.refresh_from_db()
    assert domain_user.active is False


def test_update_domain_user_can_only_null_access_code(api_client, domain):
    # given
    domain_user = _add(domain, "joe@example.com")

    # when
    response = api_client.patch(
        f"{URL}/{domain_user.user_id}", {"access_code": {"id": "acc_x"}}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "access_code_only_null"


def test_update_domain_user_with_bad_expiry_is_400(api_client, domain):
    # given
    domain_user = _add(domain, "joe@example.com")

    # when
    response = api_client.patch(
        f"{URL}/{domain_user.user_id}", {"expires_at": "soon"}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "expires_at" in response.json()["errors"]


def test_update_domain_user_of_other_school_is_404(api_client, other_domain):
    # given
    theirs = _add(other_domain, "theirs@example.com")

    # when
    response = api_client.patch(
        f"/api/v1/domains/learn.beta.test/users/{theirs.user_id}", {"active": False}, format="json"
    )

    # then
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.active is True


def test_user_token_sees_only_own_domain_user(user_client, domain, learner):
    # given
    from apps.schools.services.domains import domain_user_add

    domain_user_add(domain=domain, member=learner)
    _add(domain, "someone@example.com")

    # when
    response = user_client.get(URL)

    # then
    assert [r["user"]["id"] for r in response.json()["results"]] == [learner.user_id]


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_domain_users_runs_constant_queries(
    api_client, domain, django_assert_num_queries, page_size
):
    # given
    for index in range(4):
        _add(domain, f"p{index}@example.com")

    # when / then: key, key last_used_at, domain, count, page, signup values
    with django_assert_num_queries(6):
        response = api_client.get(f"{URL}?page_size={page_size}&include_signup_field_data=true")
    assert response.status_code == 200


def test_login_token_endpoint_issues_user_tokens_once(api_client, domain):
    # given
    token = api_client.post(URL, {"user": {"email": "bob@example.com"}}, format="json").json()[
        "login_token"
    ]
    anonymous = APIClient()

    # when
    first = anonymous.post("/api/v1/auth/login-token", {"login_token": token}, format="json")
    second = anonymous.post("/api/v1/auth/login-token", {"login_token": token}, format="json")

    # then
    assert first.status_code == 200
    assert set(first.json()) == {"access_token", "refresh_token", "expires_in", "token_type"}
    assert second.status_code == 400
    assert second.json()["code"] == "login_token_invalid"


def test_login_token_of_suspended_member_is_refused(api_client, domain, school):
    # given
    from apps.schools.services.people import member_suspend

    token = api_client.post(URL, {"user": {"email": "bob@example.com"}}, format="json").json()[
        "login_token"
    ]
    member_suspend(member=school_member(school, "bob@example.com"))

    # when
    response = APIClient().post("/api/v1/auth/login-token", {"login_token": token}, format="json")

    # then
    assert response.status_code == 403


@pytest.mark.parametrize("token", ["", "garbage", "mem_x-abc-def", "a" * 600])
def test_malformed_login_token_is_400(token):
    # when
    response = APIClient().post("/api/v1/auth/login-token", {"login_token": token}, format="json")

    # then
    assert response.status_code == 400


def school_member(school, email: str):
    from apps.schools.models import Member

    return Member.objects.get(school=school, user__email=email)
