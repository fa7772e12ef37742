"""Posts through the API: order, filters, writes by members and staff, sanitising, refusals,
pinning, hiding, soft delete of their space."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from apps.community.api.posts import PostViewSet
from apps.community.models import Notification, Post, Space, SpaceMember
from apps.community.services import posts as post_services
from apps.community.services.spaces import space_delete
from apps.core.models import Event
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client
from tests.factories import (
    CommentFactory,
    MemberFactory,
    PostFactory,
    ReactionFactory,
    SpaceFactory,
    SpaceMemberFactory,
)

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/community/posts"


def _client_of(member) -> object:
    return make_client(tokens_issue(member=member).access_token)


@pytest.fixture
def space(school):
    return SpaceFactory(school=school, title="Forklift drivers")


@pytest.fixture
def member_client(school, space, learner):
    """The learner as an active member of ``space``."""
    SpaceMemberFactory(school=school, space=space, user=learner.user)
    return _client_of(learner)


def test_posts_are_listed_newest_first_ten_per_page_with_counts(api_client, school, space):
    # given
    posts = [PostFactory(school=school, space=space) for _ in range(12)]
    CommentFactory(school=school, post=posts[-1])
    CommentFactory(school=school, post=posts[-1])
    CommentFactory(school=school, post=posts[-1], is_hidden=True)
    ReactionFactory(school=school, post=posts[-1], kind="like")
    ReactionFactory(school=school, post=posts[-1], kind="love")
    ReactionFactory(school=school, post=posts[-1], kind="like")

    # when
    response = api_client.get(POSTS)

    # then
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 12
    assert [row["id"] for row in body["results"]] == [post.id for post in posts[::-1][:10]]
    newest = body["results"][0]
    assert newest["comments_count"] == 2
    assert newest["reactions"] == {
        "like": 2,
        "love": 1,
        "celebrate": 0,
        "insightful": 0,
        "curious": 0,
    }


def test_post_filters_are_combined_with_and(api_client, school, space):
    # given
    other_space = SpaceFactory(school=school)
    wanted = post_services.post_create(
        space=space, author=None, body="<p>Check the forks</p>", tags=["Safety"]
    )
    post_services.post_create(space=space, author=None, body="<p>Check the forks</p>")
    post_services.post_create(space=space, author=None, body="<p>Lunch</p>", tags=["safety"])
    post_services.post_create(
        space=other_space, author=None, body="<p>Check the forks</p>", tags=["safety"]
    )

    # when
    response = api_client.get(POSTS, {"space_id": space.id, "tag": "safety", "search": "forks"})

    # then
    assert [row["id"] for row in response.json()["results"]] == [wanted.id]
    assert response.json()["results"][0]["tags"] == ["safety"]


def test_pinned_posts_come_first_in_their_space(api_client, school, space):
    # given
    older = PostFactory(school=school, space=space)
    newer = PostFactory(school=school, space=space)

    # when
    pinned = api_client.post(f"{POSTS}/{older.id}/pin")
    listed = api_client.get(POSTS, {"space_id": space.id}).json()["results"]
    everywhere = api_client.get(POSTS).json()["results"]

    # then
    assert pinned.status_code == 200
    assert pinned.json()["is_pinned"] is True
    assert [row["id"] for row in listed] == [older.id, newer.id]
    assert [row["id"] for row in everywhere] == [newer.id, older.id]


def test_member_posts_as_itself_with_the_body_sanitised(member_client, learner, space, school):
    # given
    body = {
        "space_id": space.id,
        "title": "Night shift",
        "body": '<p onclick="steal()">Hi<script>alert(1)</script></p>',
        "tags": ["Safety", "night-shift"],
    }

    # when
    response = member_client.post(POSTS, body, format="json")

    # then
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["body"] == "<p>Hi</p>"
    assert row["author"]["id"] == learner.user_id
    assert row["tags"] == ["safety", "night-shift"]
    event = Event.objects.get(school=school, type="community.post.created")
    assert event.payload["id"] == row["id"]
    assert event.payload["author"]["id"] == learner.user_id


def test_staff_post_as_a_person_or_as_the_school(api_client, school, space):
    # given
    person = MemberFactory(school=school).user

    # when
    as_person = api_client.post(
        POSTS, {"space_id": space.id, "body": "<p>Hi</p>", "author_id": person.id}, format="json"
    )
    as_school = api_client.post(POSTS, {"space_id": space.id, "body": "Hi"}, format="json")

    # then
    assert as_person.status_code == 201
    assert as_person.json()["author"]["id"] == person.id
    assert as_school.status_code == 201
    assert as_school.json()["author"] is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"body": ""}, "blank"),
        ({"body": "<p> </p>"}, "blank_body"),
        ({"body": "<script>alert(1)</script>"}, "blank_body"),
        ({"body": "x" * (20_000 + 1)}, "max_length"),
        ({"body": "Hi", "tags": ["no spaces"]}, "tags"),
        ({"body": "Hi", "tags": [f"t{n}" for n in range(11)]}, "max_length"),
        ({"body": "Hi", "author_id": None}, "author_not_allowed"),
    ],
)
def test_bad_post_bodies_are_refused_with_a_code(member_client, space, body, code):
    # when
    response = member_client.post(POSTS, {"space_id": space.id, **body}, format="json")

    # then
    assert response.status_code == 400, response.content
    assert code in str(response.json()), response.json()
    assert not Post.objects.exists()


def test_posting_in_an_unknown_or_foreign_space_is_does_not_exist(
    api_client, member_client, other_school, school
):
    # given
    theirs = SpaceFactory(school=other_school)
    secret = SpaceFactory(school=school, visibility=Space.Visibility.SECRET)

    # when
    answers = [
        api_client.post(POSTS, {"space_id": "spc_nope", "body": "Hi"}, format="json"),
        api_client.post(POSTS, {"space_id": theirs.id, "body": "Hi"}, format="json"),
        member_client.post(POSTS, {"space_id": secret.id, "body": "Hi"}, format="json"),
    ]

    # then
    for response in answers:
        assert response.status_code == 400
        assert response.json()["errors"]["space_id"]
        assert "does_not_exist" in str(response.json())
    assert not Post.objects.exists()


def test_a_non_member_or_an_invitee_may_not_post(user_client, school, space, learner):
    # given
    invited_to = SpaceFactory(school=school)
    SpaceMemberFactory(
        school=school, space=invited_to, user=learner.user, status=SpaceMember.Status.INVITED
    )

    # when
    outside = user_client.post(POSTS, {"space_id": space.id, "body": "Hi"}, format="json")
    invited = user_client.post(POSTS, {"space_id": invited_to.id, "body": "Hi"}, format="json")

    # then
    for response in (outside, invited):
        assert response.status_code == 403
        assert response.json()["code"] == "not_space_member"
    assert not Post.objects.exists()


def test_a_member_changes_only_its_own_posts_and_moderators_any(member_client, school, space):
    # given
    someone = PostFactory(school=school, space=space)
    moderator = SpaceMemberFactory(school=school, space=space, role="moderator")
    moderator_client = _client_of(moderator.user.memberships.get())

    # when
    refused = member_client.patch(f"{POSTS}/{someone.id}", {"body": "Mine now"}, format="json")
    deleted = member_client.delete(f"{POSTS}/{someone.id}")
    moderated = moderator_client.patch(f"{POSTS}/{someone.id}", {"title": "Tidied"}, format="json")

    # then
    assert refused.status_code == deleted.status_code == 403
    assert refused.json()["code"] == "not_author"
    assert moderated.status_code == 200
    assert Post.objects.get(pk=someone.pk).title == "Tidied"


def test_hidden_post_is_404_to_members_and_shown_to_moderators(
    api_client, member_client, school, space
):
    # given
    author = SpaceMemberFactory(school=school, space=space).user
    post = PostFactory(school=school, space=space, author=author)
    moderator = SpaceMemberFactory(school=school, space=space, role="moderator")
    moderator_client = _client_of(moderator.user.memberships.get())

    # when
    hidden = moderator_client.post(f"{POSTS}/{post.id}/hide", {"reason": "Spam"}, format="json")
    by_member = member_client.get(f"{POSTS}/{post.id}")
    member_list = member_client.get(POSTS).json()
    by_moderator = moderator_client.get(f"{POSTS}/{post.id}")
    comments = member_client.get(f"{POSTS}/{post.id}/comments")

    # then
    assert hidden.status_code == 200
    assert hidden.json()["hidden_reason"] == "Spam"
    assert by_member.status_code == 404
    assert comments.status_code == 404
    assert member_list["count"] == 0
    assert by_moderator.status_code == 200
    notice = Notification.objects.get(user=author, kind="post.hidden")
    assert "Spam" in notice.text

    # and when restored
    restored = api_client.post(f"{POSTS}/{post.id}/restore")
    assert restored.status_code == 200
    assert member_client.get(f"{POSTS}/{post.id}").status_code == 200
    assert Notification.objects.filter(user=author, kind="post.restored").count() == 1


def test_plain_member_may_not_pin_or_hide(member_client, school, space):
    # given
    post = PostFactory(school=school, space=space)

    # when
    pin = member_client.post(f"{POSTS}/{post.id}/pin")
    hide = member_client.post(f"{POSTS}/{post.id}/hide", {"reason": "x"}, format="json")

    # then
    assert pin.status_code == hide.status_code == 403
    assert hide.json()["code"] == "not_space_moderator"
    assert not Post.objects.get(pk=post.pk).is_hidden


def test_hiding_needs_a_reason(api_client, school, space):
    # given
    post = PostFactory(school=school, space=space)

    # when
    response = api_client.post(f"{POSTS}/{post.id}/hide", {"reason": "  "}, format="json")

    # then
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_another_schools_post_is_404(other_api_client, school, space):
    # given
    post = PostFactory(school=school, space=space)

    # when
    read = other_api_client.get(f"{POSTS}/{post.id}")
    listed = other_api_client.get(POSTS).json()

    # then
    assert read.status_code == 404
    assert listed["count"] == 0


def test_a_space_with_posts_is_soft_deleted(school, space):
    # given
    PostFactory(school=school, space=space)
    empty = SpaceFactory(school=school)

    # when
    kept = space_delete(space=space)
    removed = space_delete(space=empty)

    # then
    assert kept is False
    assert Space.objects.get(pk=space.pk).deleted_at is not None
    assert removed is True
    assert not Space.objects.filter(pk=empty.pk).exists()


def test_posts_of_a_soft_deleted_space_vanish(api_client, school, space):
    # given
    post = PostFactory(school=school, space=space)
    space_delete(space=space)

    # when
    listed = api_client.get(POSTS).json()
    read = api_client.get(f"{POSTS}/{post.id}")

    # then
    assert listed["count"] == 0
    assert read.status_code == 404


def test_a_listed_post_reads_as_its_own_read(api_client, member_client, school, space, learner):
    # given: a post by someone else, hidden comments, several reactions, a pin; and one by
    # the learner, whose own id a learner's token does see
    other = MemberFactory(school=school)
    SpaceMemberFactory(school=school, space=space, user=other.user)
    theirs = PostFactory(school=school, space=space, author=other.user, tags="safety forklift")
    post_services.post_pin(post=theirs, pinned=True)
    CommentFactory(school=school, post=theirs)
    CommentFactory(school=school, post=theirs, is_hidden=True)
    for kind in ("like", "like", "curious"):
        ReactionFactory(school=school, post=theirs, kind=kind)
    mine = PostFactory(school=school, space=space, author=learner.user)
    anonymous = PostFactory(school=school, space=space, author=None)

    for client in (api_client, member_client):
        # when
        listed = {row["id"]: row for row in client.get(POSTS).json()["results"]}

        # then: every row is exactly what reading the post by id answers
        for post in (theirs, mine, anonymous):
            assert listed[post.id] == client.get(f"{POSTS}/{post.id}").json()

    as_learner = {row["id"]: row for row in member_client.get(POSTS).json()["results"]}
    assert as_learner[theirs.id]["author"]["id"] is None
    assert as_learner[mine.id]["author"]["id"] == learner.user.id
    assert as_learner[theirs.id]["reactions"] == {
        "like": 2,
        "love": 0,
        "celebrate": 0,
        "insightful": 0,
        "curious": 1,
    }
    assert as_learner[theirs.id]["comments_count"] == 1


def test_a_feed_compiled_once_answers_each_caller_with_what_it_may_read(
    api_client, other_api_client, school, space
):
    """A space's feed is compiled once per shape (``prepared_list_filters``) and run with
    each caller's values: every caller gets the page the full query path gives it."""
    # given: a public space with a hidden post, a private space, a member, a moderator
    private = SpaceFactory(school=school, visibility=Space.Visibility.PRIVATE)
    shown, hidden = PostFactory(school=school, space=space), PostFactory(school=school, space=space)
    hidden.is_hidden = True
    hidden.save()
    inner = PostFactory(school=school, space=private)
    outsider, insider, moderator = (MemberFactory(school=school) for _ in range(3))
    SpaceMemberFactory(school=school, space=private, user=insider.user)
    SpaceMemberFactory(
        school=school, space=space, user=moderator.user, role=SpaceMember.Role.MODERATOR
    )
    callers = {
        "staff": api_client,
        "other school": other_api_client,
        "outsider": _client_of(outsider),
        "insider": _client_of(insider),
        "moderator": _client_of(moderator),
    }
    expected = {
        ("staff", space.id): [hidden.id, shown.id],
        ("staff", private.id): [inner.id],
        ("other school", space.id): [],
        ("other school", private.id): [],
        ("outsider", space.id): [shown.id],
        ("outsider", private.id): [],
        ("insider", space.id): [shown.id],
        ("insider", private.id): [inner.id],
        ("moderator", space.id): [hidden.id, shown.id],
        ("moderator", private.id): [],
    }
    for (name, space_id), ids in expected.items():
        # when: the feed, then the same list through the queryset (a filter the prepared
        # statement does not take)
        feed = callers[name].get(POSTS, {"space_id": space_id})
        full = callers[name].get(
            POSTS, {"space_id": space_id, "created_after": "2000-01-01T00:00:00Z"}
        )

        # then
        assert feed.status_code == 200, (name, feed.content)
        assert [row["id"] for row in feed.json()["results"]] == ids, (name, space_id)
        assert feed.json() == full.json(), (name, space_id)
    # the feed went through the prepared statements, one per kind of caller
    page, _ = PostViewSet._prepared_statements()
    variants = {variant[:2] for variant in page._compiled[connections["default"]]}
    assert {("api_key", ("space_id",)), ("user", ("space_id",))} <= variants


def test_a_feed_page_past_the_last_is_404_and_the_last_page_counts_exactly(api_client, school):
    # given
    space = SpaceFactory(school=school)
    posts = [PostFactory(school=school, space=space) for _ in range(12)]

    # when
    last = api_client.get(POSTS, {"space_id": space.id, "page": "last", "page_size": 5})
    past = api_client.get(POSTS, {"space_id": space.id, "page": 4, "page_size": 5})

    # then
    assert last.status_code == 200
    assert last.json()["count"] == 12
    assert [row["id"] for row in last.json()["results"]] == [p.id for p in posts[:2][::-1]]
    assert past.status_code == 404


def test_a_feed_filter_is_cleaned_as_the_filter_set_cleans_it(api_client, school, space):
    # given
    post = PostFactory(school=school, space=space)

    # when
    padded = api_client.get(POSTS, {"space_id": f"  {space.id} "})
    nul = api_client.get(POSTS, {"space_id": "spc_\x00x"})

    # then: stripped like the filter strips it; a NUL character is the filter's 400
    assert [row["id"] for row in padded.json()["results"]] == [post.id]
    assert nul.status_code == 400
    assert "space_id" in nul.content.decode()


def test_a_view_preparing_a_filter_its_set_lacks_is_refused():
    with pytest.raises(ImproperlyConfigured, match="not a filter of its set"):

        class Feed(PostViewSet):
            prepared_list_filters = ("space_id", "title")


def test_a_prepared_list_that_reads_the_database_while_it_is_built_is_refused(api_client, school):
    # given a feed whose scope reads a row for the caller while the list is built: in the
    # stand-in that builds the kept statement, the caller is a slot marker, so what it read
    # would be kept for every caller
    class ReadingFeed(PostViewSet):
        def scope_queryset(self, queryset):
            Space.objects.filter(school_id=self.request.auth.school.pk).exists()
            return super().scope_queryset(queryset)

    page, _ = ReadingFeed._prepared_statements()

    # when / then
    with pytest.raises(ImproperlyConfigured, match="read the database while its statement"):
        page.rows(
            {"school": school.pk, "user": "", "filter_space_id": "spc_x"},
            variant=("api_key", ("space_id",), type(school), None),
        )
