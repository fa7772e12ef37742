"""Coursepath's course and program members: members lists, coursemember results, removal
with learning results, program members and invites."""

import pytest
from django.core import mail
from django.utils import timezone

from apps.core.models import Event
from apps.enrollments.models import (
    CourseProgress,
    Enrollment,
    EnrollmentSource,
    LessonProgress,
    PathEnrollment,
    ProgressToken,
)
from apps.schools.models import DomainUser, Invite, Member, User
from apps.schools.selectors.invites import invite_token
from tests.factories import (
    CourseFactory,
    DomainFactory,
    LessonFactory,
    MemberFactory,
    PathFactory,
    PathItemFactory,
    PublishedCourseFactory,
    PublishedPathFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(school):
    course = CourseFactory(school=school, title="Forklift Safety")
    LessonFactory(school=school, course=course, type="SECTION")
    LessonFactory(school=school, course=course, type="HTML")
    LessonFactory(school=school, course=course, type="VIDEO")
    return course


def _members(course) -> str:
    return f"/api/v1/courses/{course.id}/members"


def _coursemember(course, user_id: str) -> str:
    return f"/api/v1/courses/{course.id}/members/{user_id}/coursemember"


def test_post_members_creates_the_person_with_a_derived_name_and_enrolls_them(
    api_client, school, course
):
    # when
    response = api_client.post(_members(course), {"email": "jane.doe@example.com"}, format="json")

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "jane.doe@example.com"
    assert (body["first_name"], body["last_name"]) == ("Jane", "Doe")
    assert {"role", "status", "company", "tags", "metadata"} <= set(body)
    enrollment = Enrollment.objects.get(user_id=body["id"], course=course)
    assert enrollment.source == EnrollmentSource.MEMBERS
    assert enrollment.published_course is None
    assert LessonProgress.objects.filter(user_id=body["id"], course=course).count() == 2
    assert Event.objects.filter(type="enrollment.created").count() == 1


def test_post_members_for_an_enrolled_person_answers_200_and_keeps_them(
    api_client, learner, course
):
    # given
    body = {"email": "LEARNER@alpha.test", "first_name": "Other", "company": "Acme"}
    assert api_client.post(_members(course), body, format="json").status_code == 201

    # when
    response = api_client.post(_members(course), body, format="json")

    # then: the existing person, unchanged, enrolled once
    assert response.status_code == 200
    assert response.json()["id"] == learner.user_id
    assert response.json()["first_name"] == "Lee"
    assert Enrollment.objects.filter(course=course, user=learner.user).count() == 1


def test_post_members_refuses_a_bad_email_and_writes_nothing(api_client, course):
    # when
    response = api_client.post(_members(course), {"email": "not-an-address"}, format="json")

    # then
    assert response.status_code == 400
    assert "email" in response.json()["errors"]
    assert not Enrollment.objects.exists()


def test_post_members_needs_write_users_as_well(scoped_client, course):
    # given
    client = scoped_client("read:enrollments", "write:enrollments")

    # when
    response = client.post(_members(course), {"email": "new@example.com"}, format="json")

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"
    assert not User.objects.filter(email="new@example.com").exists()


def test_members_list_shows_enrolled_people_once_in_the_users_shape(
    api_client, school, course, learner
):
    # given: the learner holds two enrollments, another person none
    published = PublishedCourseFactory(school=school, course=course)
    Enrollment.objects.create(
        school=school,
        user=learner.user,
        course=course,
        published_course=published,
        enrolled_at=timezone.now(),
    )
    api_client.post(_coursemember(course, learner.user_id))
    MemberFactory(school=school)

    # when
    response = api_client.get(_members(course))

    # then
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [learner.user_id]
    assert response.json()["results"][0]["email"] == "learner@alpha.test"


def test_members_list_of_another_schools_course_is_404(api_client, other_school):
    # given
    theirs = CourseFactory(school=other_school)

    # when
    response = api_client.get(_members(theirs))

    # then
    assert response.status_code == 404


def test_coursemember_post_enrolls_idempotently_and_get_answers_the_result(
    api_client, course, learner
):
    # when
    first = api_client.post(_coursemember(course, learner.user_id))
    again = api_client.post(_coursemember(course, learner.user_id))

    # then
    assert (first.status_code, again.status_code) == (201, 200)
    body = api_client.get(_coursemember(course, learner.user_id)).json()
    assert body["course"] == {"id": course.id, "title": "Forklift Safety"}
    assert body["user"]["id"] == learner.user_id
    assert body["active"] is True
    assert body["score"] is None
    assert body["success"] is None
    assert body["completed_at"] is None
    assert (body["lessons_completed"], body["lessons_total"]) == (0, 2)


def test_coursemember_score_and_success_are_aggregated_over_lesson_progress(
    api_client, course, learner
):
    # given: 7 of 10 points and 3 of 5 points, both lessons completed, the course completed
    api_client.post(_coursemember(course, learner.user_id))
    now = timezone.now()
    first, second = LessonProgress.objects.filter(user=learner.user).order_by("lesson__order")
    LessonProgress.objects.filter(pk=first.pk).update(score=7, max_score=10, completed_at=now)
    LessonProgress.objects.filter(pk=second.pk).update(score=3, max_score=5, completed_at=now)
    CourseProgress.objects.filter(user=learner.user, course=course).update(completed_at=now)

    # when
    body = api_client.get(_coursemember(course, learner.user_id)).json()

    # then
    assert body["score"] == 66  # 10 of 15 points, rounded down
    assert body["success"] is True
    assert body["lessons_completed"] == 2

    # and a failed lesson makes a completed course unsuccessful
    LessonProgress.objects.filter(pk=second.pk).update(success_status="FAILED")
    assert api_client.get(_coursemember(course, learner.user_id)).json()["success"] is False


def test_coursemember_get_of_a_person_not_in_the_course_is_404(api_client, course, learner):
    # when
    response = api_client.get(_coursemember(course, learner.user_id))

    # then
    assert response.status_code == 404


def test_coursemember_delete_removes_enrollments_and_learning_results(
    api_client, school, course, learner
):
    # given: enrolled here and in another course
    other = CourseFactory(school=school)
    LessonFactory(school=school, course=other, type="HTML")
    api_client.post(_coursemember(course, learner.user_id))
    api_client.post(_coursemember(other, learner.user_id))

    # when
    response = api_client.delete(_coursemember(course, learner.user_id))

    # then
    assert response.status_code == 204
    assert not Enrollment.objects.filter(course=course).exists()
    assert not LessonProgress.objects.filter(course=course).exists()
    assert not CourseProgress.objects.filter(course=course).exists()
    assert ProgressToken.objects.count() == 1  # the other course's
    assert Enrollment.objects.filter(course=other).count() == 1
    event = Event.objects.get(type="enrollment.removed")
    assert event.payload["course"]["id"] == course.id
    assert event.payload["user"]["id"] == learner.user_id
    assert api_client.get(_coursemember(course, learner.user_id)).status_code == 404
    assert api_client.delete(_coursemember(course, learner.user_id)).status_code == 404


def test_coursemember_of_another_schools_person_is_404(api_client, course, other_school):
    # given
    theirs = MemberFactory(school=other_school)

    # when
    response = api_client.post(_coursemember(course, theirs.user_id))

    # then
    assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_learner_token_reads_only_its_own_rows(user_client, api_client, school, course, learner):
    # given
    other = MemberFactory(school=school)
    api_client.post(_coursemember(course, learner.user_id))
    api_client.post(_coursemember(course, other.user_id))

    # when
    listed = user_client.get(_members(course))
    own = user_client.get(_coursemember(course, learner.user_id))
    theirs = user_client.get(_coursemember(course, other.user_id))

    # then
    assert [row["id"] for row in listed.json()["results"]] == [learner.user_id]
    assert own.status_code == 200
    assert theirs.status_code == 404
    assert user_client.delete(_coursemember(course, learner.user_id)).status_code == 403


# --- programs -------------------------------------------------------------------------------


@pytest.fixture
def program(school, course):
    path = PathFactory(school=school, title="Warehouse Onboarding")
    PathItemFactory(school=school, path=path, course=course)
    second = CourseFactory(school=school)
    LessonFactory(school=school, course=second, type="HTML")
    PathItemFactory(school=school, path=path, course=second)
    return path


def _programmember(path, user_id: str) -> str:
    return f"/api/v1/programs/{path.id}/members/{user_id}/programmember"


def test_programmember_post_enrolls_in_the_path_and_its_courses_without_publication(
    api_client, program, learner
):
    # when
    first = api_client.post(_programmember(program, learner.user_id))
    again = api_client.post(_programmember(program, learner.user_id))

    # then
    assert (first.status_code, again.status_code) == (201, 200)
    path_enrollment = PathEnrollment.objects.get(user=learner.user)
    assert path_enrollment.published_path is None
    assert path_enrollment.source == EnrollmentSource.MEMBERS
    granted = Enrollment.objects.filter(path_enrollment=path_enrollment)
    assert granted.count() == 2
    assert set(granted.values_list("source", flat=True)) == {EnrollmentSource.PATH}
    body = first.json()
    assert body["program"] == {"id": program.id, "title": "Warehouse Onboarding"}
    assert (body["courses_completed"], body["courses_total"]) == (0, 2)
    assert body["active"] is True


def test_program_members_list_and_post_members(api_client, program, learner):
    # given
    api_client.post(_programmember(program, learner.user_id))

    # when
    created = api_client.post(
        f"/api/v1/programs/{program.id}/members", {"email": "sam@example.com"}, format="json"
    )
    listed = api_client.get(f"/api/v1/programs/{program.id}/members")

    # then
    assert created.status_code == 201
    assert created.json()["first_name"] == "Sam"
    assert [row["email"] for row in listed.json()["results"]] == [
        "learner@alpha.test",
        "sam@example.com",
    ]


def test_programmember_delete_removes_path_and_granted_enrollments(api_client, program, learner):
    # given
    api_client.post(_programmember(program, learner.user_id))

    # when
    response = api_client.delete(_programmember(program, learner.user_id))

    # then
    assert response.status_code == 204
    assert not PathEnrollment.objects.exists()
    assert not Enrollment.objects.exists()
    assert LessonProgress.objects.filter(user=learner.user).count() == 3  # progress stays
    assert Event.objects.filter(type="path.enrollment.removed").count() == 1
    assert api_client.get(_programmember(program, learner.user_id)).status_code == 404


def test_members_courses_lists_the_courses_in_the_catalog_shape(
    api_client, program, learner, user_client, school
):
    # given
    api_client.post(_programmember(program, learner.user_id))
    CourseFactory(school=school)  # not enrolled
    other = MemberFactory(school=school)

    # when
    response = api_client.get(f"/api/v1/members/{learner.user_id}/courses")

    # then
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 2
    assert {"id", "title", "slug", "total_lessons", "labels"} <= set(rows[0])
    assert user_client.get(f"/api/v1/members/{other.user_id}/courses").status_code == 404


# --- invites ------------------------------------------------------------------------------


def test_course_invite_sends_the_schools_invitation_with_overrides(
    api_client, school, course, learner, django_capture_on_commit_callbacks
):
    # given: the course is published on a domain
    domain = DomainFactory(school=school, name="learn.alpha.test")
    PublishedCourseFactory(school=school, course=course, domain=domain)
    api_client.post(_coursemember(course, learner.user_id))
    body = {"mail": {"subject": "Start Forklift Safety", "body": "See you there.", "action": "Go"}}

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/courses/{course.id}/members/{learner.user_id}/invite", body, format="json"
        )

    # then
    assert response.status_code == 201, response.json()
    invite = Invite.objects.get()
    assert invite.domain == domain
    assert DomainUser.objects.filter(domain=domain, user=learner.user).exists()
    message = mail.outbox[0]
    assert message.subject == "Start Forklift Safety"
    assert "See you there." in message.body
    # the signed link (its timestamp part may be a second apart from one signed now)
    assert f"/invites/{invite_token(invite).rsplit(':', 2)[0]}:" in message.body


def test_invite_refusals(api_client, school, course, program, learner):
    # given: not a member of the course; then a member of an unpublished course and program
    url = f"/api/v1/courses/{course.id}/members/{learner.user_id}/invite"
    assert api_client.post(url, {}, format="json").status_code == 404
    api_client.post(_coursemember(course, learner.user_id))
    api_client.post(_programmember(program, learner.user_id))

    # when
    course_invite = api_client.post(url, {}, format="json")
    program_invite = api_client.post(
        f"/api/v1/programs/{program.id}/members/{learner.user_id}/invite", {}, format="json"
    )

    # then
    assert course_invite.status_code == program_invite.status_code == 409
    assert course_invite.json()["code"] == "not_published_for_invite"
    assert not Invite.objects.exists()


def test_program_invite_leads_to_the_paths_domain(
    api_client, school, program, learner, django_capture_on_commit_callbacks
):
    # given
    published = PublishedPathFactory(school=school, path=program)
    api_client.post(_programmember(program, learner.user_id))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/programs/{program.id}/members/{learner.user_id}/invite", {}, format="json"
        )

    # then
    assert response.status_code == 201
    assert Invite.objects.get().domain == published.domain
    assert len(mail.outbox) == 1


def test_member_of_a_suspended_person_is_refused(api_client, school, course):
    # given
    member = MemberFactory(school=school, status=Member.Status.SUSPENDED)

    # when
    response = api_client.post(_coursemember(course, member.user_id))

    # then
    assert response.status_code == 409
    assert not Enrollment.objects.exists()


def test_the_coursemember_result_shows_the_valid_certificate(api_client, school):
    from apps.enrollments.services.certificates import certificate_issue, certificate_template_save

    course = CourseFactory(school=school)
    member = MemberFactory(school=school)
    url = f"/api/v1/courses/{course.id}/members/{member.user_id}/coursemember"
    assert api_client.post(url).status_code == 201
    assert api_client.get(url).json()["certificate"] is None
    certificate_template_save(course=course, title="Certificate", body="{user_name}")
    issued, _ = certificate_issue(user=member.user, course=course)

    data = api_client.get(url).json()

    assert data["certificate"]["id"] == issued.id
    assert data["certificate"]["status"] == "valid"
