"""Staff enroll people and change enrollments in the admin, through the same services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import Event
from apps.enrollments.models import CourseProgress, Enrollment
from tests.factories import EnrollmentFactory, MemberFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db


def test_adding_an_enrollment_in_the_admin_enrolls_through_the_service(staff_client, school):
    # given
    published = PublishedCourseFactory(school=school)
    member = MemberFactory(school=school)

    # when
    response = staff_client.post(
        "/admin/enrollments/enrollment/add/",
        {"published_course": published.pk, "user": member.user_id, "active": "on"},
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    enrollment = Enrollment.objects.get()
    assert enrollment.source == "admin"
    assert enrollment.course == published.course
    assert Event.objects.filter(school=school, type="enrollment.created").count() == 1


def test_the_admin_cannot_enroll_another_schools_person(staff_client, school, other_school):
    response = staff_client.post(
        "/admin/enrollments/enrollment/add/",
        {
            "published_course": PublishedCourseFactory(school=school).pk,
            "user": MemberFactory(school=other_school).user_id,
            "active": "on",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert not Enrollment.objects.exists()


def test_changing_an_enrollment_changes_only_active_and_expiry(staff_client, school):
    enrollment = EnrollmentFactory(school=school)
    expires = (timezone.now() + timedelta(days=10)).replace(microsecond=0)

    response = staff_client.post(
        f"/admin/enrollments/enrollment/{enrollment.pk}/change/",
        {
            "expires_at_0": expires.strftime("%Y-%m-%d"),
            "expires_at_1": expires.strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302, response.content[:2000]
    enrollment.refresh_from_db()
    assert enrollment.active is False
    assert enrollment.expires_at is not None
    assert Event.objects.filter(school=school, type="enrollment.updated").count() == 1


def test_filters_find_expiring_and_completed_enrollments(staff_client, school):
    soon = EnrollmentFactory(school=school, expires_at=timezone.now() + timedelta(days=3))
    never = EnrollmentFactory(school=school)
    CourseProgress.objects.create(
        school=school, user=never.user, course=never.course, completed_at=timezone.now()
    )

    expiring = staff_client.get("/admin/enrollments/enrollment/?expiry=soon")
    completed = staff_client.get("/admin/enrollments/enrollment/?completed=yes")

    assert list(expiring.context["cl"].queryset) == [soon]
    assert list(completed.context["cl"].queryset) == [never]
