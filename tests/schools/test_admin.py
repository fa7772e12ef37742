"""The admin: a school's staff stay inside their school; the platform operator sees all."""

import binascii
import re
import zlib

import pytest
from django.contrib.admin.utils import quote
from django.contrib.messages import get_messages
from django.core import signing
from django.test import Client
from django.urls import reverse

from apps.core.models import Event
from apps.schools.models import ApiKey, Member, Tag, UserRole
from apps.schools.services.schools import api_key_create
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client
from tests.factories import DEFAULT_PASSWORD, MemberFactory, TagFactory

pytestmark = pytest.mark.django_db


def listed(response) -> list:
    assert response.status_code == 200, response.content[:500]
    return list(response.context["cl"].result_list)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_staff_sees_only_their_school_members(staff_client, staff, school, other_school):
    # given
    mine = MemberFactory(school=school)
    MemberFactory(school=other_school)

    # when
    rows = listed(staff_client.get("/admin/schools/member/"))

    # then
    assert {m.pk for m in rows} == {staff.pk, mine.pk}


def test_staff_sees_only_their_school_api_keys(staff_client, school, other_school):
    # given
    mine, _ = api_key_create(school=school, name="ours")
    api_key_create(school=other_school, name="theirs")

    # when
    rows = listed(staff_client.get("/admin/schools/apikey/"))

    # then
    assert [k.pk for k in rows] == [mine.pk]


def test_staff_cannot_open_another_school_row(staff_client, other_school):
    # given
    theirs = MemberFactory(school=other_school)

    # when
    response = staff_client.get(f"/admin/schools/member/{theirs.pk}/change/", follow=True)

    # then
    assert theirs.user.email not in response.content.decode()
    assert any("doesn’t exist" in m or "doesn't exist" in m for m in messages_of(response))


def test_staff_cannot_see_schools_or_platform_users(staff_client):
    # when
    schools = staff_client.get("/admin/schools/school/")
    users = staff_client.get("/admin/schools/user/")

    # then
    assert schools.status_code == 403
    assert users.status_code == 403


def test_a_learner_cannot_use_the_admin(learner):
    # given
    client = Client()
    client.login(email="learner@alpha.test", password=DEFAULT_PASSWORD)

    # when
    response = client.get("/admin/schools/member/")

    # then
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_related_choices_are_limited_to_the_staff_school(staff_client, school, other_school):
    # given
    member = MemberFactory(school=school, tags=[])
    ours = TagFactory(school=school, name="ours")
    TagFactory(school=other_school, name="theirs")

    # when
    page = staff_client.get(f"/admin/schools/member/{member.pk}/change/")
    search = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "schools", "model_name": "member", "field_name": "tags", "term": ""},
    )

    # then
    choices = page.context["adminform"].form.fields["tags"].queryset
    assert ours in choices
    assert set(choices) == set(Tag.objects.filter(school=school))
    found = [row["text"] for row in search.json()["results"]]
    assert "ours" in found
    assert "theirs" not in found


def test_staff_cannot_attach_another_school_tag(staff_client, school, other_school):
    # given
    member = MemberFactory(school=school, tags=[])
    theirs = TagFactory(school=other_school, name="theirs")

    # when
    response = staff_client.post(
        f"/admin/schools/member/{member.pk}/change/",
        {"role": "learner", "status": "active", "tags": [theirs.pk], "metadata": "{}"},
    )

    # then
    assert response.status_code == 200
    assert "tags" in response.context["adminform"].form.errors
    assert not member.tags.exists()


def test_staff_creates_an_api_key_and_sees_the_secret_once(staff_client, school):
    # when
    response = staff_client.post(
        "/admin/schools/apikey/add/",
        {"name": "CRM sync", "scope_choices": ["read:users", "write:users"]},
        follow=True,
    )

    # then
    key = ApiKey.objects.get()
    assert key.school_id == school.id
    assert key.scopes == ["read:users", "write:users"]
    found = [re.search(r"sk_live_\S+", m) for m in messages_of(response)]
    secret = next(m.group(0) for m in found if m)
    assert make_client(secret).get("/api/v1/users").status_code == 200
    again = staff_client.get(f"/admin/schools/apikey/{key.pk}/change/")
    assert secret not in again.content.decode()
    assert key.prefix in again.content.decode()


def readable_cookies(response) -> str:
    """Every cookie the response sets, as anyone holding it can read it (signed cookies are
    base64 of JSON, optionally zlib-compressed: signed, not encrypted)."""
    texts = []
    for morsel in response.cookies.values():
        texts.append(morsel.value)
        payload = morsel.value.split(":")[0]
        try:
            raw = signing.b64_decode(payload.lstrip(".").encode())
            texts.append((zlib.decompress(raw) if payload.startswith(".") else raw).decode())
        except (ValueError, binascii.Error, zlib.error):
            continue
    return "\n".join(texts)


def test_a_new_api_keys_secret_never_travels_in_a_cookie(staff_client):
    # when
    created = staff_client.post(
        "/admin/schools/apikey/add/", {"name": "CRM sync", "scope_choices": ["read:users"]}
    )
    shown = staff_client.get(created["Location"])

    # then
    secret = re.search(r"sk_live_[A-Za-z0-9_-]+", shown.content.decode()).group(0)
    assert make_client(secret).get("/api/v1/users").status_code == 200
    assert secret not in readable_cookies(created) + readable_cookies(shown)
    assert secret not in staff_client.get(created["Location"]).content.decode()


def test_staff_adds_a_member_through_the_service(staff_client, school):
    # when
    response = staff_client.post(
        "/admin/schools/member/add/",
        {"email": "new@example.test", "first_name": "New", "role": "learner"},
    )

    # then
    assert response.status_code == 302
    member = Member.objects.get(user__email="new@example.test")
    assert member.school_id == school.id
    assert Event.objects.filter(school=school, type="user.created").count() == 1


def test_suspend_action_suspends_the_selected_members(staff_client, school, other_school):
    # given
    mine = MemberFactory(school=school)
    theirs = MemberFactory(school=other_school)

    # when
    response = staff_client.post(
        "/admin/schools/member/",
        {"action": "suspend", "_selected_action": [mine.pk, theirs.pk]},
    )

    # then
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Member.Status.SUSPENDED
    assert theirs.status == Member.Status.ACTIVE
    assert Event.objects.filter(type="user.suspended").count() == 1


def test_revoke_tokens_action_stops_the_member_tokens(staff_client, school, learner):
    # given
    pair = tokens_issue(member=learner)

    # when
    staff_client.post(
        "/admin/schools/member/", {"action": "revoke_tokens", "_selected_action": [learner.pk]}
    )

    # then
    assert make_client(pair.access_token).get("/api/v1/me").status_code == 401


def test_revoke_action_revokes_api_keys(staff_client, school):
    # given
    key, secret = api_key_create(school=school, name="old")

    # when
    staff_client.post("/admin/schools/apikey/", {"action": "revoke", "_selected_action": [key.pk]})

    # then
    assert make_client(secret).get("/api/v1/me").status_code == 401


def test_operator_sees_every_school_with_a_school_filter(operator_client, school, other_school):
    # given
    mine = MemberFactory(school=school)
    theirs = MemberFactory(school=other_school)

    # when
    everything = listed(operator_client.get("/admin/schools/member/"))
    filtered = listed(
        operator_client.get("/admin/schools/member/", {"school__id__exact": other_school.id})
    )
    page = operator_client.get("/admin/schools/member/")

    # then
    assert {m.pk for m in everything} == {mine.pk, theirs.pk}
    assert [m.pk for m in filtered] == [theirs.pk]
    assert "school__id__exact" in page.content.decode()


def test_operator_creates_a_key_for_a_chosen_school(operator_client, other_school):
    # when
    operator_client.post(
        "/admin/schools/apikey/add/",
        {"school": other_school.pk, "name": "Theirs", "scope_choices": ["*"]},
    )

    # then
    assert ApiKey.objects.get().school_id == other_school.id


def test_operator_sees_events_and_jobs_of_all_schools(operator_client, school, other_school):
    # given
    MemberFactory(school=school)
    from apps.core.events import emit

    emit(school, "user.created", {})
    emit(other_school, "user.created", {})

    # when
    rows = listed(operator_client.get("/admin/core/event/"))

    # then
    assert {e.school_id for e in rows} == {school.id, other_school.id}


def test_staff_sees_only_their_school_events(staff_client, school, other_school):
    # given
    from apps.core.events import emit

    emit(school, "user.created", {})
    emit(other_school, "user.created", {})

    # when
    rows = listed(staff_client.get("/admin/core/event/"))

    # then
    assert {e.school_id for e in rows} == {school.id}


def test_tags_admin_keeps_new_rows_in_the_staff_school(staff_client, school):
    # when
    staff_client.post("/admin/schools/tag/add/", {"name": "cohort"})

    # then
    assert Tag.objects.get(name="cohort").school_id == school.id


def test_staff_suspends_a_member_by_status_through_the_service(staff_client, school):
    # given
    member = MemberFactory(school=school, tags=[])

    # when
    response = staff_client.post(
        f"/admin/schools/member/{member.pk}/change/",
        {
            "role": "learner",
            "status": "suspended",
            "company": "Acme",
            "country": "US",
            "metadata": "{}",
        },
    )

    # then
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == Member.Status.SUSPENDED
    assert member.suspended_at is not None
    assert Event.objects.filter(type="user.suspended").count() == 1


def test_staff_role_change_drops_the_custom_role(staff_client, school):
    # given
    member = MemberFactory(school=school, tags=[])
    mentor = UserRole.objects.create(school=school, title="Mentor", role=Member.Role.LEARNER)
    Member.objects.filter(pk=member.pk).update(user_role=mentor)

    # when
    response = staff_client.post(
        f"/admin/schools/member/{member.pk}/change/",
        {
            "role": "instructor",
            "status": "active",
            "company": "Acme",
            "country": "US",
            "metadata": "{}",
        },
    )

    # then
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Member.Role.INSTRUCTOR
    assert member.user_role is None


def test_staff_tag_change_is_saved_and_announced(staff_client, school):
    # given
    member = MemberFactory(school=school, tags=[])
    vip = TagFactory(school=school, name="vip")

    # when
    response = staff_client.post(
        f"/admin/schools/member/{member.pk}/change/",
        {
            "role": "learner",
            "status": "active",
            "tags": [vip.pk],
            "company": "Acme",
            "country": "US",
            "metadata": "{}",
        },
    )

    # then
    assert response.status_code == 302
    assert [tag.name for tag in member.tags.all()] == ["vip"]
    event = Event.objects.get(type="user.updated")
    assert event.payload["tags"] == ["vip"]


def test_member_page_links_the_account_only_for_whom_may_open_it(
    staff_client, operator_client, school
):
    # given
    member = MemberFactory(school=school)
    account_url = reverse("admin:schools_user_change", args=[quote(member.user_id)])

    # when
    staff_page = staff_client.get(f"/admin/schools/member/{member.pk}/change/")
    operator_page = operator_client.get(f"/admin/schools/member/{member.pk}/change/")

    # then
    assert staff_page.status_code == 200
    assert member.user.email in staff_page.content.decode()
    assert account_url not in staff_page.content.decode()
    assert staff_client.get(account_url).status_code in (302, 403)
    assert operator_page.status_code == 200
    assert f'href="{account_url}"' in operator_page.content.decode()
    assert operator_client.get(account_url).status_code == 200
