"""Test mode: ``sk_test_`` keys act on the school's sandbox, a tenant of its own linked to the
live school; live and test credentials never see each other's rows."""

import pytest
from django.test import Client

from apps.core.errors import InvalidInput
from apps.core.models import Event
from apps.schools.models import School, User, UserRole
from apps.schools.services.people import user_create
from apps.schools.services.schools import api_key_create, school_create, school_sandbox
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def test_client(school):
    return make_client(api_key_create(school=school, name="test", scopes=["*"], test=True)[1])


def test_the_first_test_key_makes_the_school_sandbox_and_later_ones_share_it(school):
    # when
    api_key_create(school=school, name="one", test=True)
    api_key_create(school=school, name="two", test=True)

    # then
    sandbox = School.objects.get(live_school=school)
    assert (sandbox.name, sandbox.slug, sandbox.mode) == (
        "Alpha Academy (sandbox)",
        "alpha--sandbox",
        "test",
    )
    assert UserRole.objects.filter(school=sandbox, builtin=True).count() == 4
    assert school_sandbox(school=school) == sandbox


def test_me_says_which_mode_the_credential_is_in(api_client, test_client):
    # when
    live = api_client.get("/api/v1/me").json()
    test = test_client.get("/api/v1/me").json()

    # then
    assert (live["mode"], live["school"]["slug"]) == ("live", "alpha")
    assert (test["mode"], test["school"]["slug"]) == ("test", "alpha--sandbox")
    assert test["api_key"]["test"] is True


def test_live_and_test_keys_never_see_each_other_users(api_client, test_client):
    # given
    live = api_client.post("/api/v1/users", {"email": "ada@example.test"}, format="json").json()
    test = test_client.post("/api/v1/users", {"email": "ada@example.test"}, format="json").json()

    # when
    live_list = api_client.get("/api/v1/users").json()["results"]
    test_list = test_client.get("/api/v1/users").json()["results"]

    # then: two accounts, each visible to its own mode only
    assert live["id"] != test["id"]
    assert [row["id"] for row in live_list] == [live["id"]]
    assert [row["id"] for row in test_list] == [test["id"]]
    assert api_client.get(f"/api/v1/users/{test['id']}").status_code == 404
    assert test_client.get(f"/api/v1/users/{live['id']}").status_code == 404
    assert test_client.patch(f"/api/v1/users/{live['id']}", {"company": "x"}).status_code == 404


def test_events_of_test_mode_belong_to_the_sandbox(api_client, test_client, school):
    # given
    test_client.post("/api/v1/users", {"email": "sandboxed@example.test"}, format="json")

    # when
    live_log = api_client.get("/api/v1/event-logs").json()["results"]
    test_log = test_client.get("/api/v1/event-logs").json()["results"]

    # then
    assert live_log == []
    assert [row["type"] for row in test_log] == ["user.created"]
    assert Event.objects.get().school.live_school == school


def test_a_sandbox_account_signs_in_with_its_sandbox_slug_only(school, client):
    # given
    sandbox = school_sandbox(school=school)
    user_create(school=sandbox, email="ada@example.test", password=PASSWORD)

    # when
    without = client.post(
        "/api/v1/auth/token",
        {"email": "ada@example.test", "password": PASSWORD},
        content_type="application/json",
    )
    with_slug = client.post(
        "/api/v1/auth/token",
        {"email": "ada@example.test", "password": PASSWORD, "school": "alpha--sandbox"},
        content_type="application/json",
    )

    # then
    assert without.status_code == 401
    assert with_slug.status_code == 200
    me = make_client(with_slug.json()["access_token"]).get("/api/v1/me").json()
    assert (me["type"], me["mode"]) == ("user", "test")


def test_a_sandbox_copy_of_a_live_account_leaves_the_live_login_unambiguous(school, client):
    # given: the same person with the same password in the school and its sandbox
    user_create(school=school, email="ada@example.test", password=PASSWORD)
    user_create(school=school_sandbox(school=school), email="ada@example.test", password=PASSWORD)

    # when
    response = client.post(
        "/api/v1/auth/token",
        {"email": "ada@example.test", "password": PASSWORD},
        content_type="application/json",
    )

    # then
    assert response.status_code == 200
    me = make_client(response.json()["access_token"]).get("/api/v1/me").json()
    assert me["mode"] == "live"


def test_a_sandbox_has_no_keys_of_its_own(school):
    # given
    sandbox = school_sandbox(school=school)

    # when / then
    with pytest.raises(InvalidInput) as caught:
        api_key_create(school=sandbox, name="nope")
    assert caught.value.code == "sandbox_has_no_keys"


def test_sandbox_slugs_are_reserved():
    # when / then
    with pytest.raises(InvalidInput) as caught:
        school_create(name="Sneaky", slug="alpha--sandbox")
    assert caught.value.code == "slug_reserved"


def test_a_deactivated_school_closes_its_sandbox_too(school, test_client):
    # given
    sandbox = school_sandbox(school=school)
    member, _ = user_create(school=sandbox, email="ada@example.test")
    user_client = make_client(tokens_issue(member=member).access_token)
    School.objects.filter(pk=school.pk).update(is_active=False)

    # when / then
    assert test_client.get("/api/v1/me").status_code == 401
    assert user_client.get("/api/v1/me").status_code == 401


def test_renaming_a_school_renames_its_sandbox(school):
    # given
    sandbox = school_sandbox(school=school)

    # when
    school_create(name="Alpha College", slug="alpha")

    # then
    sandbox.refresh_from_db()
    assert sandbox.name == "Alpha College (sandbox)"


def test_the_operator_admin_lists_the_sandbox_under_its_school(school):
    # given
    school_sandbox(school=school)
    User.objects.create_superuser("root@example.test", "operator passphrase")
    client = Client()
    client.login(email="root@example.test", password="operator passphrase")

    # when
    page = client.get("/admin/schools/school/").content.decode()

    # then
    assert "Alpha Academy (sandbox)" in page
