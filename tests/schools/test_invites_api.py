from datetime import timedelta

import jsonschema
import pytest
from django.core import mail
from freezegun import freeze_time

from apps.core.event_types import get as event_type
from apps.core.models import Event
from apps.schools.models import Domain, DomainUser, Invite
from apps.schools.selectors.invites import invite_token
from apps.schools.services.domains import domain_user_add, domain_user_create
from apps.schools.services.invites import invite_create
from tests.factories import DomainUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain(school) -> Domain:
    return Domain.objects.create(school=school, name="learn.alpha.test")


@pytest.fixture
def domain_user(domain) -> DomainUser:
    return domain_user_create(domain=domain, email="new@example.com", first_name="Nia")[0]


def _url(domain_user: DomainUser) -> str:
    return f"/api/v1/domains/learn.alpha.test/users/{domain_user.user_id}/invites"


def test_create_invite_sends_email_with_activation_link(
    api_client, domain_user, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(_url(domain_user), {}, format="json")

    # then
    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("inv_")
    assert body["send_email"] is True
    assert body["status"] == "pending"
    assert body["user"]["id"] == domain_user.user_id
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    assert message.subject == "You are invited to Alpha Academy"
    invite = Invite.objects.get()
    assert f"/invites/{invite_token(invite)}" in message.body
    assert invite.sent_at is not None
    html = message.alternatives[0][0]
    assert "Accept the invitation" in html


def test_create_invite_with_coursepath_overrides(
    api_client, domain_user, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            _url(domain_user),
            {
                "mail[subject]": "Join the <beta>",
                "mail[body]": "Come <b>learn</b> with us",
                "mail": {"action": "Start now"},
            },
            format="json",
        )

    # then
    assert response.status_code == 201
    message = mail.outbox[0]
    assert message.subject == "Join the <beta>"
    assert "Come <b>learn</b> with us" in message.body
    assert "Start now:" in message.body
    html = message.alternatives[0][0]
    assert "Come &lt;b&gt;learn&lt;/b&gt; with us" in html
    assert "Start now" in html


def test_create_invite_without_email(api_client, domain_user, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(_url(domain_user), {"send_email": False}, format="json")

    # then
    assert response.status_code == 201
    assert mail.outbox == []
    assert Invite.objects.get().sent_at is None


def test_create_invite_with_too_long_subject_is_400(api_client, domain_user):
    # when
    response = api_client.post(_url(domain_user), {"mail[subject]": "x" * 300}, format="json")

    # then
    assert response.status_code == 400
    assert "mail[subject]" in response.json()["errors"]
    assert not Invite.objects.exists()


def test_invite_needs_user_on_the_domain(api_client, domain, learner):
    # when
    response = api_client.post(
        f"/api/v1/domains/learn.alpha.test/users/{learner.user_id}/invites", {}, format="json"
    )

    # then
    assert response.status_code == 404


def test_list_invites(api_client, domain_user):
    # given
    first = invite_create(domain_user=domain_user, send_email=False)
    second = invite_create(domain_user=domain_user, send_email=False)

    # when
    response = api_client.get(_url(domain_user))

    # then
    assert [i["id"] for i in response.json()["results"]] == [first.id, second.id]


def test_invites_of_other_school_user_is_404(api_client, other_school):
    # given
    theirs = DomainUserFactory(school=other_school)

    # when
    response = api_client.post(
        f"/api/v1/domains/{theirs.domain.name}/users/{theirs.user_id}/invites", {}, format="json"
    )

    # then
    assert response.status_code == 404
    assert not Invite.objects.exists()


@pytest.mark.parametrize("page_size", [1, 100])
def test_list_invites_runs_constant_queries(
    api_client, domain_user, django_assert_num_queries, page_size
):
    # given
    for _ in range(3):
        invite_create(domain_user=domain_user, send_email=False)
    api_client.get(_url(domain_user))

    # when / then: key, domain, domain user, count, page
    with django_assert_num_queries(5):
        api_client.get(f"{_url(domain_user)}?page_size={page_size}")


# --- the activation page ---------------------------------------------------------------------


def test_activation_page_sets_password_once(client, domain_user):
    # given
    invite = invite_create(domain_user=domain_user, send_email=False)
    url = f"/invites/{invite_token(invite)}"

    # when
    page = client.get(url)
    accepted = client.post(
        url, {"new_password1": "a long Secret 123", "new_password2": "a long Secret 123"}
    )
    again = client.get(url)

    # then
    assert page.status_code == 200
    assert b"Choose a password" in page.content
    assert accepted.status_code == 200
    assert b"Welcome" in accepted.content
    domain_user.user.refresh_from_db()
    assert domain_user.user.check_password("a long Secret 123")
    invite.refresh_from_db()
    assert invite.accepted_at is not None
    assert again.status_code == 410


def test_activation_page_rejects_weak_password(client, domain_user):
    # given
    invite = invite_create(domain_user=domain_user, send_email=False)

    # when
    response = client.post(
        f"/invites/{invite_token(invite)}", {"new_password1": "123", "new_password2": "123"}
    )

    # then
    assert response.status_code == 400
    invite.refresh_from_db()
    assert invite.accepted_at is None


def test_activation_link_expires_after_seven_days(client, domain_user):
    # given
    invite = invite_create(domain_user=domain_user, send_email=False)
    token = invite_token(invite)

    # when
    with freeze_time(invite.created_at + timedelta(days=7, minutes=1)):
        response = client.get(f"/invites/{token}")

    # then
    assert response.status_code == 410


def test_activation_with_forged_token_is_refused(client, domain_user):
    # given
    invite = invite_create(domain_user=domain_user, send_email=False)

    # when
    response = client.get(f"/invites/{invite.id}:forged:token")

    # then
    assert response.status_code == 410


def test_existing_account_accepts_without_changing_password(client, domain, learner):
    # given
    from apps.schools.services.domains import domain_user_add

    domain_user, _ = domain_user_add(domain=domain, member=learner, active=False)
    invite = invite_create(domain_user=domain_user, send_email=False)

    # when
    page = client.get(f"/invites/{invite_token(invite)}")
    accepted = client.post(f"/invites/{invite_token(invite)}", {"new_password1": "hijack!!x1"})

    # then
    assert b"already have an account" in page.content
    assert accepted.status_code == 200
    learner.user.refresh_from_db()
    assert learner.user.check_password("correct horse battery")
    domain_user.refresh_from_db()
    assert domain_user.active is True


def test_accepting_reactivates_access_and_announces_it(client, domain, learner):
    # given
    domain_user, _ = domain_user_add(domain=domain, member=learner, active=False)
    invite = invite_create(domain_user=domain_user, send_email=False)

    # when
    client.post(f"/invites/{invite_token(invite)}", {})

    # then
    domain_user.refresh_from_db()
    assert domain_user.active is True
    updated = Event.objects.get(type="domain.enrollment.updated")
    assert updated.payload["active"] is True
    assert updated.payload["user"]["id"] == learner.user_id
    assert updated.payload["domain"] == {"id": domain.id, "name": domain.name}
    jsonschema.validate(updated.payload, event_type("domain.enrollment.updated").schema)


def test_accepting_with_access_already_active_announces_no_change(client, domain_user):
    # given
    invite = invite_create(domain_user=domain_user, send_email=False)
    password = "a long Secret 123"

    # when
    client.post(
        f"/invites/{invite_token(invite)}",
        {"new_password1": password, "new_password2": password},
    )

    # then
    invite.refresh_from_db()
    assert invite.accepted_at is not None
    assert not Event.objects.filter(type="domain.enrollment.updated").exists()
