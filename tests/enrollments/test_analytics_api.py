"""Course and learning-unit analytics, computed by the database."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.enrollments.models import CourseProgress, LessonProgress
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    MemberFactory,
    PublishedCourseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(school):
    """Three people: Ann completed (scores 80 % and 100 %), Bob started, Cid's enrollment
    expired; Ann holds two enrollments (counted once)."""
    published = PublishedCourseFactory(school=school)
    course = published.course
    LessonFactory(school=school, course=course, type="SECTION", title="Week 1")
    first = LessonFactory(school=school, course=course, title="One")
    second = LessonFactory(school=school, course=course, title="Two")
    now = timezone.now()
    ann, bob, cid = (MemberFactory(school=school).user for _ in range(3))
    EnrollmentFactory(school=school, published_course=published, user=ann)
    EnrollmentFactory(school=school, published_course=published, user=ann)
    EnrollmentFactory(school=school, published_course=published, user=bob)
    EnrollmentFactory(
        school=school, published_course=published, user=cid, expires_at=now - timedelta(days=1)
    )
    CourseProgress.objects.create(
        school=school, user=ann, course=course, started_at=now, completed_at=now
    )
    CourseProgress.objects.create(school=school, user=bob, course=course, started_at=now)
    for user, lesson, done, score, time in (
        (ann, first, True, (8, 10), 600),
        (ann, second, True, (5, 5), 300),
        (bob, first, False, None, 90),
    ):
        LessonProgress.objects.create(
            school=school,
            user=user,
            course=course,
            lesson=lesson,
            started_at=now,
            completed_at=now if done else None,
            success_status="PASSED" if done else None,
            score=score[0] if score else None,
            max_score=score[1] if score else None,
            time_spent_seconds=time,
        )
    course.first, course.second = first, second
    return course


def test_course_analytics(api_client, course):
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(f"/api/v1/courses/{course.id}/analytics")

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "course_id": course.id,
        "enrolled": 3,
        "active": 2,
        "started": 2,
        "completed": 1,
        "completion_rate": 0.3333,
        "average_score": 90.0,
        "average_time_seconds": 330,  # 990 s over three people
        "lessons": 2,
    }
    # The counts in one statement, the lesson results in one pass.
    aggregates = [q for q in queries.captured_queries if "enrollments_" in q["sql"]]
    assert len(aggregates) == 2


def test_unit_analytics(api_client, course):
    response = api_client.get(f"/api/v1/courses/{course.id}/units/{course.first.id}/analytics")

    assert response.status_code == 200
    data = response.json()
    assert data["learners"] == 2
    assert data["completed"] == 1
    assert data["completion_rate"] == 0.5
    assert data["passed"] == 1
    assert data["average_score"] == 80.0
    assert data["average_time_seconds"] == 345


def test_a_course_without_learners_has_null_rates(api_client, school):
    course = CourseFactory(school=school)

    data = api_client.get(f"/api/v1/courses/{course.id}/analytics").json()

    assert data["enrolled"] == 0
    assert data["completion_rate"] is None
    assert data["average_score"] is None
    assert data["average_time_seconds"] is None


def test_a_unit_of_another_course_is_404(api_client, school, course):
    other = LessonFactory(school=school)

    response = api_client.get(f"/api/v1/courses/{course.id}/units/{other.id}/analytics")

    assert response.status_code == 404


def test_learner_tokens_do_not_read_analytics(user_client, course):
    assert user_client.get(f"/api/v1/courses/{course.id}/analytics").status_code == 403


def test_the_admin_course_page_shows_analytics_as_escaped_svg(staff_client, school, course):
    LessonFactory(school=school, course=course, title="<script>alert(1)</script>")

    response = staff_client.get(f"/admin/catalog/course/{course.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "New enrollments per week" in page
    assert page.count("<svg") >= 2
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_courses_progress_downloads_as_csv_with_formulas_quoted(staff_client, school, course):
    LessonProgress.objects.filter(lesson=course.first).update(custom_data="x")
    ann = LessonProgress.objects.filter(lesson=course.first).first().user
    ann.first_name = "=HYPERLINK(1)"
    ann.save()

    response = staff_client.get(f"/admin/catalog/course/{course.pk}/progress.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("user_id,email,first_name")
    assert len(lines) == 1 + 3  # three lesson progress rows
    assert "'=HYPERLINK(1)" in "\n".join(lines)
    assert ",=HYPERLINK" not in "\n".join(lines)


def test_another_schools_staff_cannot_download_a_courses_progress(client, other_school, course):
    from tests.factories import DEFAULT_PASSWORD, UserFactory

    outsider = MemberFactory(
        school=other_school, role="admin", user=UserFactory(school=other_school, is_staff=True)
    )
    assert client.login(email=outsider.user.email, password=DEFAULT_PASSWORD)
    assert client.get("/admin/").status_code == 200  # staff of their own school

    response = client.get(f"/admin/catalog/course/{course.pk}/progress.csv")

    assert response.status_code == 404
    assert not response.get("Content-Disposition")


def test_a_learners_progress_page_lists_each_lesson(staff_client, course):
    progress = CourseProgress.objects.filter(course=course).first()

    response = staff_client.get(f"/admin/enrollments/courseprogress/{progress.pk}/change/")

    assert response.status_code == 200
    assert "One" in response.content.decode()
