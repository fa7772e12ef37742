"""Staff run the community in the admin: spaces with members inline (through the services),
deleted spaces restored by an action, notifications read-only."""

import pytest

from apps.community.models import (
    Cohort,
    CohortMember,
    Notification,
    Post,
    PostReport,
    Space,
    SpaceMember,
)
from apps.community.services import cohorts as cohort_services
from apps.community.services import spaces as space_services
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.conftest import admin_inline_data
from tests.factories import (
    CohortFactory,
    CommentFactory,
    CourseFactory,
    MemberFactory,
    NotificationFactory,
    PostFactory,
    PostReportFactory,
    SpaceFactory,
)

pytestmark = pytest.mark.django_db

INLINE = "members"


def _space_form(**fields) -> dict:
    return {
        "title": "Forklift drivers",
        "description": "<p>Hello</p>",
        "collection": "",
        "visibility": "public",
        "course": "",
        **fields,
    }


def test_space_added_with_a_member_inline_goes_through_the_services(staff_client, school):
    # given
    person = MemberFactory(school=school)
    data = {
        **_space_form(),
        **admin_inline_data(INLINE, [{"user": person.user_id, "role": "moderator"}]),
    }

    # when
    response = staff_client.post("/admin/community/space/add/", data)

    # then
    assert response.status_code == 302, response.content[:3000]
    membership = SpaceMember.objects.get()
    assert (membership.user, membership.role, membership.status) == (
        person.user,
        "moderator",
        "active",
    )
    assert Event.objects.filter(school=school, type="community.member.added").count() == 1


def test_space_admin_never_offers_another_schools_people(staff_client, school, other_school):
    # given
    theirs = MemberFactory(school=other_school)
    space = SpaceFactory(school=school)

    # when
    page = staff_client.get(f"/admin/community/space/{space.pk}/change/")
    response = staff_client.post(
        f"/admin/community/space/{space.pk}/change/",
        {
            **_space_form(),
            **admin_inline_data(INLINE, [{"user": theirs.user_id, "role": "member"}]),
        },
    )

    # then
    assert page.status_code == 200
    assert theirs.user_id not in page.content.decode()
    assert theirs.user.email not in page.content.decode()
    assert response.status_code == 200  # the form again, with the error
    assert not SpaceMember.objects.exists()


def test_deleted_spaces_are_filterable_and_restored_by_the_action(
    staff_client, school, monkeypatch
):
    # given
    space = SpaceFactory(school=school, title="Archived crew")
    monkeypatch.setattr(space_services, "_content_checks", [lambda s: True])
    space_services.space_delete(space=space)

    # when
    listed = staff_client.get("/admin/community/space/", {"deleted": "yes"})
    response = staff_client.post(
        "/admin/community/space/", {"action": "restore", "_selected_action": [space.pk]}
    )

    # then
    assert "Archived crew" in listed.content.decode()
    assert response.status_code == 302
    assert Space.objects.get(pk=space.pk).deleted_at is None


def test_notifications_are_read_only_in_the_admin(staff_client, school):
    # given
    notification = NotificationFactory(school=school)

    # when
    page = staff_client.get(f"/admin/community/notification/{notification.pk}/change/")
    add = staff_client.get("/admin/community/notification/add/")

    # then
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()
    assert add.status_code == 403
    assert Notification.objects.count() == 1


def _cohort_form(**fields) -> dict:
    return {"name": "Spring drivers", "start_date": "2026-03-02", **fields}


def test_cohort_added_with_a_member_inline_enrolls_them_and_fills_its_space(staff_client, school):
    # given
    course = CourseFactory(school=school)
    person = MemberFactory(school=school)
    data = {
        **_cohort_form(course=course.pk),
        **admin_inline_data(INLINE, [{"user": person.user_id}]),
    }

    # when
    response = staff_client.post("/admin/community/cohort/add/", data)

    # then
    assert response.status_code == 302, response.content[:3000]
    cohort = Cohort.objects.get()
    assert (cohort.space.visibility, cohort.space.course_id) == ("private", course.pk)
    assert list(cohort.members.values_list("user_id", flat=True)) == [person.user_id]
    enrollment = Enrollment.objects.get(course=course, user=person.user)
    assert enrollment.source == "cohort"
    assert SpaceMember.objects.filter(space=cohort.space, user=person.user).exists()
    assert Event.objects.filter(school=school, type="cohort.member.added").count() == 1


def test_cohort_member_removed_in_the_admin_leaves_the_space(staff_client, school):
    # given
    cohort = CohortFactory(school=school)
    person = MemberFactory(school=school)
    cohort_services.cohort_members_add(cohort=cohort, users=[person.user])
    row = CohortMember.objects.get()
    data = {
        **_cohort_form(name=cohort.name),
        **admin_inline_data(INLINE, [{"id": row.pk, "cohort": cohort.pk, "DELETE": "on"}], 1),
    }

    # when
    response = staff_client.post(f"/admin/community/cohort/{cohort.pk}/change/", data)

    # then
    assert response.status_code == 302, response.content[:3000]
    assert not CohortMember.objects.exists()
    assert not SpaceMember.objects.filter(space=cohort.space).exists()


def test_cohort_admin_never_offers_another_schools_people_or_courses(
    staff_client, school, other_school
):
    # given
    theirs = MemberFactory(school=other_school)
    their_course = CourseFactory(school=other_school, title="Beta only course")

    # when
    page = staff_client.get("/admin/community/cohort/add/")
    response = staff_client.post(
        "/admin/community/cohort/add/",
        {
            **_cohort_form(course=their_course.pk),
            **admin_inline_data(INLINE, [{"user": theirs.user_id}]),
        },
    )

    # then
    content = page.content.decode()
    assert theirs.user_id not in content
    assert theirs.user.email not in content
    assert "Beta only course" not in content
    assert response.status_code == 200  # the form again, with the error
    assert not Cohort.objects.exists()
    assert not Enrollment.objects.exists()


def test_post_page_shows_its_comments_inline_read_only(staff_client, school):
    # given
    comment = CommentFactory(school=school, body="<p>Forks and chains</p>")

    # when
    page = staff_client.get(f"/admin/community/post/{comment.post_id}/change/")

    # then
    assert page.status_code == 200
    assert "Forks and chains" in page.content.decode()
    assert 'name="comments-0-body"' not in page.content.decode()


def test_moderation_queue_hides_reported_posts_through_the_service(staff_client, school):
    # given
    report = PostReportFactory(school=school, reason="Spam")
    other = PostReportFactory(school=school)

    # when
    queue = staff_client.get("/admin/community/postreport/", {"status__exact": "open"})
    hidden = staff_client.post(
        "/admin/community/postreport/", {"action": "hide_posts", "_selected_action": [report.pk]}
    )
    dismissed = staff_client.post(
        "/admin/community/postreport/", {"action": "dismiss", "_selected_action": [other.pk]}
    )

    # then
    assert queue.status_code == 200
    assert hidden.status_code == dismissed.status_code == 302
    post = Post.objects.get(pk=report.post_id)
    assert (post.is_hidden, post.hidden_reason) == (True, "Spam")
    assert PostReport.objects.get(pk=other.pk).status == "dismissed"
    assert Notification.objects.filter(user=report.reporter, kind="post.report.resolved").exists()
    assert Notification.objects.filter(user=post.author, kind="post.hidden").exists()


def test_hidden_posts_are_restored_by_the_admin_action(staff_client, school):
    # given
    post = PostFactory(school=school)
    staff_client.post("/admin/community/post/", {"action": "hide", "_selected_action": [post.pk]})

    # when
    response = staff_client.post(
        "/admin/community/post/", {"action": "restore", "_selected_action": [post.pk]}
    )

    # then
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).is_hidden is False
    assert Notification.objects.filter(user=post.author, kind="post.restored").count() == 1
