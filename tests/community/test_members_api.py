"""Space members through the API: adding, inviting (notice and e-mail), accepting, declining,
joining, roles, removal, and refusing other schools' people without a hint."""

import pytest
from django.core import mail

from apps.community.models import Notification, Space, SpaceMember
from apps.core.models import Event
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client
from tests.factories import MemberFactory, SpaceFactory, SpaceMemberFactory

pytestmark = pytest.mark.django_db


def users_url(space: Space) -> str:
    return f"/api/v1/community/spaces/{space.id}/users"


def test_adding_users_answers_only_the_newly_added(api_client, school):
    # given
    space = SpaceFactory(school=school)
    already = SpaceMemberFactory(school=school, space=space)
    by_id, by_email = MemberFactory(school=school), MemberFactory(school=school)
    body = {"users": [already.user_id, by_id.user_id, by_email.user.email.upper()]}

    # when
    response = api_client.post(users_url(space), body, format="json")
    again = api_client.post(users_url(space), body, format="json")

    # then
    assert response.status_code == 201, response.content
    added = {row["user"]["id"]: row for row in response.json()}
    assert set(added) == {by_id.user_id, by_email.user_id}
    assert {row["status"] for row in added.values()} == {"active"}
    assert again.status_code == 200
    assert again.json() == []
    events = Event.objects.filter(school=school, type="community.member.added")
    assert sorted(e.payload["user"]["id"] for e in events) == sorted(added)


def test_adding_users_to_an_invitation_space_invites_them(
    api_client, school, eager, django_capture_on_commit_callbacks
):
    # given
    space = SpaceFactory(school=school, title="Night shift", is_invitation_required=True)
    person = MemberFactory(school=school)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(users_url(space), {"users": [person.user_id]}, format="json")

    # then
    assert response.status_code == 201
    assert response.json()[0]["status"] == "invited"
    notice = Notification.objects.get(user=person.user)
    assert (notice.kind, notice.object_id, notice.is_read) == ("space.invitation", space.id, False)
    assert [message.to for message in mail.outbox] == [[person.user.email]]
    assert "Night shift" in mail.outbox[0].subject
    assert not Event.objects.filter(type="community.member.added").exists()


def test_invitation_e_mail_is_sent_once(school):
    # given
    from apps.community.services.members import space_invitation_send

    membership = SpaceMemberFactory(school=school, status=SpaceMember.Status.INVITED)

    # when
    first = space_invitation_send(membership_id=membership.id)
    second = space_invitation_send(membership_id=membership.id)

    # then
    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


def test_invited_person_accepts_with_their_own_token(api_client, school):
    # given
    space = SpaceFactory(school=school, is_invitation_required=True)
    person = MemberFactory(school=school)
    api_client.post(users_url(space), {"users": [person.user_id]}, format="json")
    client = make_client(tokens_issue(member=person).access_token)

    # when
    accepted = client.post(f"/api/v1/community/spaces/{space.id}/accept")
    twice = client.post(f"/api/v1/community/spaces/{space.id}/accept")

    # then
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "active"
    assert twice.status_code == 409
    assert twice.json()["code"] == "no_invitation"
    assert Notification.objects.get(user=person.user).is_read
    assert Event.objects.filter(type="community.member.added").count() == 1


def test_invited_person_declines_and_the_invitation_is_gone(api_client, school):
    # given
    space = SpaceFactory(school=school, is_invitation_required=True)
    person = MemberFactory(school=school)
    api_client.post(users_url(space), {"users": [person.user_id]}, format="json")
    client = make_client(tokens_issue(member=person).access_token)

    # when
    response = client.post(f"/api/v1/community/spaces/{space.id}/decline")

    # then
    assert response.status_code == 204
    assert not SpaceMember.objects.filter(space=space).exists()


def test_an_api_key_cannot_accept_for_someone(api_client, school):
    # given
    space = SpaceFactory(school=school)

    # when
    response = api_client.post(f"/api/v1/community/spaces/{space.id}/accept")

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "user_token_required"


def test_learner_joins_a_public_space_but_not_an_invitation_only_one(user_client, school):
    # given
    open_space = SpaceFactory(school=school)
    closed = SpaceFactory(school=school, is_invitation_required=True)

    # when
    joined = user_client.post(f"/api/v1/community/spaces/{open_space.id}/join")
    refused = user_client.post(f"/api/v1/community/spaces/{closed.id}/join")

    # then
    assert joined.status_code == 201
    assert refused.status_code == 403
    assert refused.json()["code"] == "space_join_refused"


@pytest.mark.parametrize("blank", ["", " ", "\t"])
def test_a_blank_name_names_nobody(api_client, school, blank):
    # given
    space = SpaceFactory(school=school)

    # when
    response = api_client.post(users_url(space), {"users": [blank]}, format="json")

    # then: refused like any name the school lacks (the schema allows a blank string)
    assert response.status_code == 400
    assert response.json()["code"] == "does_not_exist"
    assert not SpaceMember.objects.filter(space=space).exists()


@pytest.mark.parametrize("by", ["id", "email"])
def test_another_schools_user_is_refused_like_one_that_does_not_exist(
    api_client, school, other_school, by
):
    # given
    space = SpaceFactory(school=school)
    theirs = MemberFactory(school=other_school)
    name = theirs.user_id if by == "id" else theirs.user.email
    missing = "usr_00000000000000000000000000" if by == "id" else "nobody@nowhere.test"

    # when
    foreign = api_client.post(users_url(space), {"users": [name]}, format="json")
    unknown = api_client.post(users_url(space), {"users": [missing]}, format="json")

    # then: the same refusal, naming only what was sent
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json()["code"] == unknown.json()["code"] == "does_not_exist"
    assert foreign.json()["detail"].replace(name, "X") == unknown.json()["detail"].replace(
        missing, "X"
    )
    assert other_school.name not in foreign.content.decode()
    assert not SpaceMember.objects.exists()


@pytest.mark.parametrize("users", [[], ["x"] * 101, "usr_1", [1]])
def test_users_list_out_of_bounds_is_refused(api_client, school, users):
    # given
    space = SpaceFactory(school=school)

    # when
    response = api_client.post(users_url(space), {"users": users}, format="json")

    # then
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors
    assert all(key.startswith("users") for key in errors)


def test_members_are_listed_oldest_first_ten_per_page(api_client, school):
    # given
    space = SpaceFactory(school=school)
    rows = [SpaceMemberFactory(school=school, space=space) for _ in range(12)]

    # when
    response = api_client.get(users_url(space))

    # then
    body = response.json()
    assert body["count"] == 12
    assert [row["id"] for row in body["results"]] == [row.id for row in rows[:10]]


def test_staff_change_a_members_role_and_remove_them(api_client, school):
    # given
    membership = SpaceMemberFactory(school=school)
    url = f"{users_url(membership.space)}/{membership.user_id}"

    # when
    promoted = api_client.patch(url, {"role": "moderator"}, format="json")
    bad = api_client.patch(url, {"role": "owner"}, format="json")
    removed = api_client.delete(url)

    # then
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "moderator"
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_choice"
    assert removed.status_code == 204
    assert not SpaceMember.objects.exists()


def test_learners_see_each_others_names_but_not_ids_or_addresses(user_client, learner, school):
    # given
    space = SpaceFactory(school=school)
    SpaceMemberFactory(school=school, space=space, user=learner.user)
    other = SpaceMemberFactory(school=school, space=space)

    # when
    response = user_client.get(users_url(space))

    # then
    mine, theirs = (row["user"] for row in response.json()["results"])
    assert (mine["id"], mine["email"]) == (learner.user_id, learner.user.email)
    assert (theirs["id"], theirs["email"]) == (None, None)
    assert theirs["first_name"] == other.user.first_name
    assert other.user_id not in response.content.decode()
