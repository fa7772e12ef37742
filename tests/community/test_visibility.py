"""What a learner may see and do, over EVERY community route (found by the URL resolver).

Four callers address the same rows: a learner of the school who is in no space (on a secret
space and on a private one), an active member of both, and another school's all-scopes key.
Each (route, method) has its expected status per caller in ``EXPECTED``; a community route
missing from the table fails ``test_every_community_route_is_walked``, so a new route
(posts, comments …) is walked from the commit that adds it.
"""

import json
from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone
from rest_framework.test import APIClient

from apps.community.models import (
    Cohort,
    CohortMember,
    Comment,
    Post,
    PostReport,
    Reaction,
    Space,
    SpaceMember,
)
from apps.schools.services.schools import api_key_create
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client
from tests.core import api_routes
from tests.factories import (
    CohortFactory,
    CohortMemberFactory,
    CollectionFactory,
    CommentFactory,
    EnrollmentFactory,
    MemberFactory,
    NotificationFactory,
    PostFactory,
    PostReportFactory,
    PublishedCourseFactory,
    ReactionFactory,
    SpaceFactory,
    SpaceMemberFactory,
)

pytestmark = pytest.mark.django_db

ROUTES = [
    route
    for route in api_routes.viewset_routes()
    if route.viewset.__module__.startswith("apps.community.")
]

# Callers: ``stranger`` (a learner in no space) on the secret space, ``outsider`` (the same
# learner) on the private space, ``member`` (active in both) on the secret space, and
# ``other`` (another school's key) on the secret space.
CALLERS = ("stranger", "outsider", "member", "other")


def expect(stranger: int, outsider: int, member: int, other: int) -> dict[str, int]:
    return dict(zip(CALLERS, (stranger, outsider, member, other), strict=True))


EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("community-collection-list", "get"): expect(200, 200, 200, 200),
    ("community-collection-list", "post"): expect(403, 403, 403, 400),
    ("community-collection-detail", "get"): expect(200, 200, 200, 404),
    ("community-collection-detail", "put"): expect(403, 403, 403, 404),
    ("community-collection-detail", "patch"): expect(403, 403, 403, 404),
    ("community-space-list", "get"): expect(200, 200, 200, 200),
    ("community-space-list", "post"): expect(403, 403, 403, 400),
    ("community-space-detail", "get"): expect(404, 200, 200, 404),
    # Staff writes: a user token is refused for lack of the write scope, before any lookup
    # (the same answer for a space that exists and one that does not).
    ("community-space-detail", "put"): expect(403, 403, 403, 404),
    ("community-space-detail", "patch"): expect(403, 403, 403, 404),
    ("community-space-detail", "delete"): expect(403, 403, 403, 404),
    ("community-space-join", "post"): expect(404, 403, 200, 404),
    ("community-space-accept", "post"): expect(404, 409, 409, 404),
    ("community-space-decline", "post"): expect(404, 409, 409, 404),
    ("community-space-user-list", "get"): expect(404, 403, 200, 404),
    ("community-space-user-list", "post"): expect(403, 403, 403, 404),
    ("community-space-user-detail", "get"): expect(404, 403, 200, 404),
    ("community-space-user-detail", "put"): expect(403, 403, 403, 404),
    ("community-space-user-detail", "patch"): expect(403, 403, 403, 404),
    # A user token may remove only itself (leave): the member leaves, the outsider may not
    # remove the member.
    ("community-space-user-detail", "delete"): expect(404, 403, 204, 404),
    ("notification-list", "get"): expect(200, 200, 200, 200),
    ("notification-read", "post"): expect(404, 404, 200, 404),
    ("notification-read-all", "post"): expect(200, 200, 200, 200),
    # Cohorts: a learner's token reads only the cohorts it is a member of (the member is in
    # the cohort, the stranger and outsider are not), and never writes.
    ("cohort-list", "get"): expect(200, 200, 200, 200),
    ("cohort-list", "post"): expect(403, 403, 403, 400),
    ("cohort-detail", "get"): expect(404, 404, 200, 404),
    ("cohort-detail", "put"): expect(403, 403, 403, 404),
    ("cohort-detail", "patch"): expect(403, 403, 403, 404),
    ("cohort-member-list", "get"): expect(404, 404, 200, 404),
    ("cohort-member-list", "post"): expect(403, 403, 403, 404),
    ("cohort-member-detail", "delete"): expect(403, 403, 403, 404),
    # Posts: the list shows readable spaces' posts; a create with no body is 400 first.
    ("community-post-list", "get"): expect(200, 200, 200, 200),
    ("community-post-list", "post"): expect(400, 400, 400, 400),
    # A secret space's post is 404 to a non-member, a private one's 403; the member wrote it.
    ("community-post-detail", "get"): expect(404, 403, 200, 404),
    ("community-post-detail", "put"): expect(404, 403, 200, 404),
    ("community-post-detail", "patch"): expect(404, 403, 200, 404),
    ("community-post-detail", "delete"): expect(404, 403, 204, 404),
    # Moderation: a plain member is not a moderator.
    ("community-post-pin", "post"): expect(404, 403, 403, 404),
    ("community-post-unpin", "post"): expect(404, 403, 403, 404),
    ("community-post-hide", "post"): expect(404, 403, 403, 404),
    ("community-post-restore", "post"): expect(404, 403, 403, 404),
    # The member already reported it: one report per person and post.
    ("community-post-report", "post"): expect(404, 403, 200, 404),
    # The member already reacted with the kind addressed: PUT again is the same row.
    ("community-post-reaction-list", "get"): expect(404, 403, 200, 404),
    ("community-post-reaction-detail", "put"): expect(404, 403, 200, 404),
    ("community-post-reaction-detail", "delete"): expect(404, 403, 204, 404),
    ("community-post-comment-list", "get"): expect(404, 403, 200, 404),
    ("community-post-comment-list", "post"): expect(404, 403, 400, 404),
    ("community-post-comment-detail", "get"): expect(404, 403, 200, 404),
    ("community-post-comment-detail", "put"): expect(404, 403, 200, 404),
    ("community-post-comment-detail", "patch"): expect(404, 403, 200, 404),
    ("community-post-comment-detail", "delete"): expect(404, 403, 204, 404),
    ("community-post-comment-hide", "post"): expect(404, 403, 403, 404),
    ("community-post-comment-restore", "post"): expect(404, 403, 403, 404),
    # The queue is for moderators and staff: empty to others, and its rows 404.
    ("community-report-list", "get"): expect(200, 200, 200, 200),
    ("community-report-detail", "get"): expect(404, 404, 404, 404),
    ("community-report-dismiss", "post"): expect(404, 404, 404, 404),
    ("community-report-hide", "post"): expect(404, 404, 404, 404),
}

CASES = [
    pytest.param(route, method, caller, id=f"{route.name}-{method.upper()}-{caller}")
    for route in ROUTES
    for method in route.methods()
    for caller in CALLERS
]


@pytest.fixture
def world(school, other_school, learner) -> dict:
    """A secret and a private space with one active member, a collection, the member's
    notification, and a client per caller."""
    member = MemberFactory(school=school)
    collection = CollectionFactory(school=school, title="Warehouse crews")
    secret = SpaceFactory(
        school=school,
        title="Night shift leads",
        visibility=Space.Visibility.SECRET,
        collection=collection,
    )
    private = SpaceFactory(school=school, title="Day shift", visibility=Space.Visibility.PRIVATE)
    in_secret = SpaceMemberFactory(school=school, space=secret, user=member.user)
    in_private = SpaceMemberFactory(school=school, space=private, user=member.user)
    notification = NotificationFactory(school=school, user=member.user, object_id=secret.id)
    posts = {
        name: PostFactory(school=school, space=space, author=member.user)
        for name, space in (("secret", secret), ("private", private))
    }
    comments = {
        name: CommentFactory(school=school, post=post, author=member.user)
        for name, post in posts.items()
    }
    reactions = {
        name: ReactionFactory(school=school, post=post, user=member.user, kind=Reaction.Kind.LIKE)
        for name, post in posts.items()
    }
    reports = {
        name: PostReportFactory(school=school, post=post, reporter=member.user)
        for name, post in posts.items()
    }
    other_key = api_key_create(school=other_school, name="other", scopes=["*"])[1]
    in_cohort = CohortMemberFactory(school=school, user=member.user)
    return {
        "cohort_member": in_cohort,
        "secret": secret,
        "private": private,
        "collection": collection,
        "rows": {"secret": in_secret, "private": in_private},
        "notification": notification,
        "posts": posts,
        "comments": comments,
        "reports": reports,
        "reactions": reactions,
        "clients": {
            "stranger": make_client(tokens_issue(member=learner).access_token),
            "outsider": make_client(tokens_issue(member=learner).access_token),
            "member": make_client(tokens_issue(member=member).access_token),
            "other": make_client(other_key),
        },
    }


def _target(route: api_routes.ViewSetRoute, caller: str, world: dict) -> models.Model | None:
    """The row a caller's request addresses on ``route``."""
    if not route.kwargs:
        return None
    space = "private" if caller == "outsider" else "secret"
    model = route.model
    if model is CohortMember:
        return world["cohort_member"]
    if model is Cohort:
        return world["cohort_member"].cohort
    if model is SpaceMember:
        return world["rows"][space]
    if model is Space:
        return world[space]
    if model is world["collection"].__class__:
        return world["collection"]
    for kind, rows in (
        ("posts", Post),
        ("comments", Comment),
        ("reports", PostReport),
        ("reactions", Reaction),
    ):
        if model is rows:
            return world[kind][space]
    return world["notification"]


def _call(client: APIClient, method: str, url: str):
    if method == "get":
        return client.get(url)
    return client.generic(method.upper(), url, data=json.dumps({}), content_type="application/json")


def test_every_community_route_is_walked():
    # given
    routed = {(route.name, method) for route in ROUTES for method in route.methods()}

    # then: the table names every community route and method, and nothing else
    assert ROUTES
    assert routed == set(EXPECTED)


@pytest.mark.parametrize(("route", "method", "caller"), CASES)
def test_community_route_answers_each_caller_as_visibility_allows(route, method, caller, world):
    # given
    url = route.url_for(_target(route, caller, world))
    secret = world["secret"]

    # when
    response = _call(world["clients"][caller], method, url)

    # then
    assert response.status_code == EXPECTED[(route.name, method)][caller], response.content
    if caller in ("stranger", "other"):
        # Nothing names the secret space to someone who may not know it exists.
        content = response.content.decode()
        assert secret.id not in content
        assert secret.title not in content
    if response.status_code >= 400:
        assert set(response.json()) >= {"detail", "code", "errors", "request_id"}
    assert Space.objects.filter(pk=secret.pk, deleted_at__isnull=True).exists()


def test_space_list_shows_a_learner_only_the_spaces_it_may_see(world, school, learner):
    # given
    public = SpaceFactory(school=school, title="Everyone")
    invited_to = SpaceFactory(school=school, visibility=Space.Visibility.SECRET)
    SpaceMemberFactory(
        school=school, space=invited_to, user=learner.user, status=SpaceMember.Status.INVITED
    )

    # when
    stranger = world["clients"]["stranger"].get("/api/v1/community/spaces").json()
    member = world["clients"]["member"].get("/api/v1/community/spaces").json()

    # then: private spaces (a cohort's too) are listed to everyone of the school
    cohort_space = world["cohort_member"].cohort.space
    assert [row["id"] for row in stranger["results"]] == [
        world["private"].id,
        cohort_space.id,
        public.id,
        invited_to.id,
    ]
    assert {world["secret"].id, world["private"].id, cohort_space.id, public.id} == {
        row["id"] for row in member["results"]
    }


def test_secret_space_of_a_course_is_visible_to_its_enrolled_learners(world, school, learner):
    # given
    published = PublishedCourseFactory(school=school)
    course = published.course
    space = SpaceFactory(school=school, visibility=Space.Visibility.SECRET, course=course)
    client = world["clients"]["stranger"]
    before = client.get(f"/api/v1/community/spaces/{space.id}")
    EnrollmentFactory(school=school, user=learner.user, published_course=published)

    # when
    after = client.get(f"/api/v1/community/spaces/{space.id}")
    joined = client.post(f"/api/v1/community/spaces/{space.id}/join")

    # then
    assert before.status_code == 404
    assert after.status_code == 200
    assert joined.status_code == 201
    assert joined.json()["status"] == "active"


def test_an_expired_enrollment_neither_reveals_nor_opens_a_course_space(world, school, learner):
    # given: the learner's only enrollment in the space's course has expired
    published = PublishedCourseFactory(school=school)
    space = SpaceFactory(school=school, visibility=Space.Visibility.SECRET, course=published.course)
    EnrollmentFactory(
        school=school,
        user=learner.user,
        published_course=published,
        expires_at=timezone.now() - timedelta(days=1),
    )
    client = world["clients"]["stranger"]

    # when
    read = client.get(f"/api/v1/community/spaces/{space.id}")
    joined = client.post(f"/api/v1/community/spaces/{space.id}/join")

    # then
    assert read.status_code == 404
    assert joined.status_code == 404
    assert not SpaceMember.objects.filter(space=space, user=learner.user).exists()


def test_a_cohorts_space_is_not_joined_through_its_course(world, school, learner):
    # given: the learner is enrolled in the cohort's course but not in the cohort
    cohort = CohortFactory(school=school)
    published = PublishedCourseFactory(school=school, course=cohort.course)
    EnrollmentFactory(school=school, user=learner.user, published_course=published)

    # when
    joined = world["clients"]["stranger"].post(f"/api/v1/community/spaces/{cohort.space_id}/join")

    # then: the cohort decides who is in its space
    assert joined.status_code == 403
    assert joined.json()["code"] == "space_join_refused"
    assert not SpaceMember.objects.filter(space=cohort.space, user=learner.user).exists()


def test_notifications_of_others_are_not_listed_to_a_user_token(world):
    # when
    stranger = world["clients"]["stranger"].get("/api/v1/me/notifications").json()
    member = world["clients"]["member"].get("/api/v1/me/notifications").json()

    # then
    assert stranger["count"] == 0
    assert [row["id"] for row in member["results"]] == [world["notification"].id]
