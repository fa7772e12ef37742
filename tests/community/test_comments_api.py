"""Comments and replies, reactions, reports and the moderation queue, and mentions."""

import threading

import pytest
from django.db import connection

from apps.community.models import Comment, Notification, PostReport, Reaction
from apps.community.services import posts as post_services
from apps.core.models import Event
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client
from tests.factories import (
    CommentFactory,
    PostFactory,
    SpaceFactory,
    SpaceMemberFactory,
)

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/community/posts"
REPORTS = "/api/v1/community/reports"


def _client_of(user) -> object:
    return make_client(tokens_issue(member=user.memberships.get()).access_token)


@pytest.fixture
def space(school):
    return SpaceFactory(school=school, title="Forklift drivers")


@pytest.fixture
def post(school, space):
    return PostFactory(school=school, space=space)


@pytest.fixture
def member(school, space, learner):
    SpaceMemberFactory(school=school, space=space, user=learner.user)
    return learner.user


@pytest.fixture
def member_client(member):
    return _client_of(member)


def test_comment_and_reply_notify_the_parents_author(member_client, member, school, space, post):
    # given
    parent_author = SpaceMemberFactory(school=school, space=space).user
    parent = CommentFactory(school=school, post=post, author=parent_author)
    url = f"{POSTS}/{post.id}/comments"

    # when
    reply = member_client.post(
        url, {"body": "<p>Agreed</p>", "parent_id": parent.id}, format="json"
    )
    listed = member_client.get(url).json()["results"]

    # then
    assert reply.status_code == 201, reply.content
    assert reply.json()["parent_id"] == parent.id
    assert reply.json()["author"]["id"] == member.id
    assert [row["id"] for row in listed] == [parent.id, reply.json()["id"]]
    notice = Notification.objects.get(user=parent_author)
    assert (notice.kind, notice.object_id) == ("post.reply", post.id)
    event = Event.objects.get(school=school, type="community.comment.created")
    assert event.payload["parent_id"] == parent.id


def test_a_reply_to_a_reply_is_refused(member_client, school, post):
    # given
    parent = CommentFactory(school=school, post=post)
    reply = CommentFactory(school=school, post=post, parent=parent)

    # when
    response = member_client.post(
        f"{POSTS}/{post.id}/comments", {"body": "Deeper", "parent_id": reply.id}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "reply_too_deep"
    assert Comment.objects.count() == 2


def test_a_parent_of_another_post_does_not_exist(member_client, school, space, post):
    # given
    elsewhere = CommentFactory(school=school, post=PostFactory(school=school, space=space))

    # when
    response = member_client.post(
        f"{POSTS}/{post.id}/comments", {"body": "Hi", "parent_id": elsewhere.id}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["errors"]["parent_id"]


@pytest.mark.parametrize(("body", "code"), [("", "blank"), ("<b></b>", "blank_body")])
def test_empty_comments_are_refused(member_client, post, body, code):
    # when
    response = member_client.post(f"{POSTS}/{post.id}/comments", {"body": body}, format="json")

    # then
    assert response.status_code == 400
    assert code in str(response.json())


def test_a_comment_is_changed_only_by_its_author_or_a_moderator(member_client, school, post):
    # given
    theirs = CommentFactory(school=school, post=post)
    url = f"{POSTS}/{post.id}/comments/{theirs.id}"

    # when
    changed = member_client.patch(url, {"body": "Mine"}, format="json")
    deleted = member_client.delete(url)

    # then
    assert changed.status_code == deleted.status_code == 403
    assert changed.json()["code"] == "not_author"


def test_a_hidden_comment_is_shown_to_moderators_only(
    api_client, member_client, school, space, post
):
    # given
    comment = CommentFactory(school=school, post=post)
    url = f"{POSTS}/{post.id}/comments"

    # when
    hidden = api_client.post(f"{url}/{comment.id}/hide", {"reason": "Rude"}, format="json")
    by_member = member_client.get(f"{url}/{comment.id}")
    by_staff = api_client.get(f"{url}/{comment.id}")
    counted = api_client.get(f"{POSTS}/{post.id}").json()["comments_count"]

    # then
    assert hidden.status_code == 200
    assert by_member.status_code == 404
    assert by_staff.status_code == 200
    assert counted == 0
    assert Notification.objects.filter(user=comment.author, kind="comment.hidden").exists()


def test_hiding_or_restoring_a_comment_twice_notifies_its_author_once(
    api_client, member_client, school, space, post
):
    # given
    comment = CommentFactory(school=school, post=post)
    url = f"{POSTS}/{post.id}/comments/{comment.id}"

    # when
    hidden = [api_client.post(f"{url}/hide", {"reason": "Rude"}, format="json") for _ in "ab"]
    restored = [api_client.post(f"{url}/restore") for _ in "ab"]

    # then
    assert [r.status_code for r in hidden + restored] == [200, 200, 200, 200]
    assert restored[-1].json()["is_hidden"] is False
    assert member_client.get(url).status_code == 200
    kinds = list(Notification.objects.filter(user=comment.author).values_list("kind", "object_id"))
    assert sorted(kinds) == [("comment.hidden", post.id), ("comment.restored", post.id)]


def test_a_reaction_twice_is_one_row_and_removable(member_client, post):
    # given
    url = f"{POSTS}/{post.id}/reactions/like"

    # when
    first = member_client.put(url)
    again = member_client.put(url)
    counted = member_client.get(f"{POSTS}/{post.id}").json()["reactions"]["like"]
    removed = member_client.delete(url)
    removed_again = member_client.delete(url)

    # then
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert counted == 1
    assert removed.status_code == removed_again.status_code == 204
    assert not Reaction.objects.exists()


def test_an_unknown_reaction_kind_is_refused(member_client, post):
    # when
    response = member_client.put(f"{POSTS}/{post.id}/reactions/dislike")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_reaction_kind"
    assert not Reaction.objects.exists()


def test_reacting_needs_a_membership_and_a_user_token(user_client, api_client, post):
    # when
    outsider = user_client.put(f"{POSTS}/{post.id}/reactions/like")
    staff = api_client.put(f"{POSTS}/{post.id}/reactions/like")

    # then
    assert outsider.status_code == 403
    assert outsider.json()["code"] == "not_space_member"
    assert staff.status_code == 403
    assert staff.json()["code"] == "user_token_required"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_reactions_make_one_row(school):
    # given eight requests of one person for the same reaction, released at once
    space = SpaceFactory(school=school)
    person = SpaceMemberFactory(school=school, space=space).user
    post = PostFactory(school=school, space=space)
    token = tokens_issue(member=person.memberships.get()).access_token
    workers = 8
    barrier = threading.Barrier(workers)
    statuses: list[int] = []

    def send() -> None:
        client = make_client(token)
        try:
            barrier.wait(timeout=10)
            statuses.append(client.put(f"{POSTS}/{post.id}/reactions/love").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(workers)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then
    assert sorted(statuses) == [200] * (workers - 1) + [201]
    assert Reaction.objects.filter(post=post, user=person, kind="love").count() == 1


def test_a_member_reports_once_and_a_moderator_hides_from_the_queue(
    member_client, member, school, space, post
):
    # given
    moderator = SpaceMemberFactory(school=school, space=space, role="moderator").user
    moderator_client = _client_of(moderator)
    url = f"{POSTS}/{post.id}/report"

    # when
    first = member_client.post(url, {"reason": "Spam"}, format="json")
    again = member_client.post(url, {"reason": "Spam!"}, format="json")
    queue = moderator_client.get(REPORTS).json()
    member_queue = member_client.get(REPORTS).json()
    hidden = moderator_client.post(f"{REPORTS}/{first.json()['id']}/hide")
    twice = moderator_client.post(f"{REPORTS}/{first.json()['id']}/dismiss")

    # then
    assert (first.status_code, again.status_code) == (201, 200)
    assert PostReport.objects.count() == 1
    assert [row["id"] for row in queue["results"]] == [first.json()["id"]]
    assert member_queue["count"] == 0
    assert hidden.status_code == 200
    assert hidden.json()["status"] == "hidden"
    assert twice.status_code == 409
    assert twice.json()["code"] == "report_closed"
    post.refresh_from_db()
    assert (post.is_hidden, post.hidden_reason) == (True, "Spam")
    assert Notification.objects.filter(user=member, kind="post.report.resolved").count() == 1
    assert Notification.objects.filter(user=post.author, kind="post.hidden").count() == 1


def test_a_dismissed_report_keeps_the_post_and_tells_the_reporter(
    api_client, member_client, member, post
):
    # given
    report = member_client.post(f"{POSTS}/{post.id}/report", {}, format="json").json()

    # when
    response = api_client.post(f"{REPORTS}/{report['id']}/dismiss")

    # then
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"
    post.refresh_from_db()
    assert not post.is_hidden
    notice = Notification.objects.get(user=member)
    assert "kept" in notice.text


def test_a_non_member_may_not_report(user_client, post):
    # when
    response = user_client.post(f"{POSTS}/{post.id}/report", {}, format="json")

    # then
    assert response.status_code == 403
    assert not PostReport.objects.exists()


def test_mentions_notify_active_members_of_the_space_once(
    member_client, member, school, other_school, space
):
    # given
    mentioned = SpaceMemberFactory(school=school, space=space)
    also = SpaceMemberFactory(school=school, space=space)
    elsewhere = SpaceMemberFactory(school=school)  # a member of another space
    invited = SpaceMemberFactory(school=school, space=space, status="invited")
    foreign = SpaceMemberFactory(school=other_school)
    look_alike = mentioned.id[:-1] + ("a" if mentioned.id[-1] != "a" else "b")
    body = (
        f"<p>@{mentioned.id} @{also.id} @{elsewhere.id} @{invited.id} @{foreign.id} "
        f"@{look_alike} @{mentioned.id}x @{mentioned.user_id}</p>"
    )

    # when
    created = member_client.post(POSTS, {"space_id": space.id, "body": body}, format="json")
    edited = member_client.patch(
        f"{POSTS}/{created.json()['id']}", {"body": body + "<p>edited</p>"}, format="json"
    )

    # then
    assert created.status_code == 201
    assert edited.status_code == 200
    told = Notification.objects.filter(kind="post.mention")
    assert sorted(told.values_list("user_id", flat=True)) == sorted(
        [mentioned.user_id, also.user_id]
    )


def test_a_mention_added_on_edit_notifies_only_the_new_person(school, space, member):
    # given
    first = SpaceMemberFactory(school=school, space=space)
    second = SpaceMemberFactory(school=school, space=space)
    post = post_services.post_create(space=space, author=member, body=f"Hi @{first.id}")

    # when
    post_services.post_update(post=post, body=f"Hi @{first.id} and @{second.id}")

    # then
    assert Notification.objects.filter(kind="post.mention", user=first.user).count() == 1
    assert Notification.objects.filter(kind="post.mention", user=second.user).count() == 1


def test_a_mention_in_a_comment_notifies_the_member(member_client, school, space, post):
    # given
    mentioned = SpaceMemberFactory(school=school, space=space)

    # when
    response = member_client.post(
        f"{POSTS}/{post.id}/comments", {"body": f"Ask @{mentioned.id}"}, format="json"
    )

    # then
    assert response.status_code == 201
    notice = Notification.objects.get(kind="post.mention")
    assert (notice.user_id, notice.object_id) == (mentioned.user_id, response.json()["id"])
