"""Assignment submissions in the admin: the grading queue and grading through the service."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.catalog.models import LessonType
from apps.core.models import Event
from apps.enrollments.models import AssignmentSubmission, LessonProgress
from apps.enrollments.services.assignments import assignment_submit
from apps.enrollments.services.enrollments import enrollment_create
from tests.factories import (
    AssignmentSubmissionFactory,
    DomainFactory,
    LessonFactory,
    PublishedCourseFactory,
)

pytestmark = pytest.mark.django_db

URL = "/admin/enrollments/assignmentsubmission/"


@pytest.fixture(autouse=True)
def _hosted_files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def submission(school, learner):
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    lesson = LessonFactory(school=school, course=published.course, type=LessonType.ASSIGNMENT)
    enrollment_create(published_course=published, user=learner.user)
    upload = SimpleUploadedFile("plan.txt", b"Step one: look.", content_type="text/plain")
    submission, _ = assignment_submit(
        lesson=lesson, user=learner.user, text="See file.", file=upload
    )
    return submission


def test_the_queue_lists_waiting_submissions_first_oldest_first(staff_client, school):
    # given
    now = timezone.now()
    graded = AssignmentSubmissionFactory(
        school=school, state="GRADED", grade="PASSED", submitted_at=now - timedelta(days=3)
    )
    newer = AssignmentSubmissionFactory(school=school, submitted_at=now - timedelta(hours=1))
    older = AssignmentSubmissionFactory(school=school, submitted_at=now - timedelta(days=1))

    # when
    page = staff_client.get(URL).content.decode()

    # then
    positions = [page.index(row.id) for row in (older, newer, graded)]
    assert positions == sorted(positions)


def test_the_change_page_shows_the_text_and_the_file_link(staff_client, submission):
    page = staff_client.get(f"{URL}{submission.id}/change/").content.decode()

    assert "See file." in page
    assert "plan.txt" in page
    assert "/files/" in page


def test_staff_grade_a_submission_in_the_admin_through_the_service(staff_client, submission, staff):
    # when
    response = staff_client.post(
        f"{URL}{submission.id}/change/",
        {"grade": "PASSED", "score": "75", "feedback": "Clear plan."},
    )

    # then
    assert response.status_code == 302, response.content[:3000]
    submission.refresh_from_db()
    assert (submission.state, submission.grade, submission.score, submission.feedback) == (
        "GRADED",
        "PASSED",
        75,
        "Clear plan.",
    )
    assert submission.graded_by_id == staff.user_id
    assert Event.objects.filter(type="assignment.graded").count() == 1
    progress = LessonProgress.objects.get(user=submission.user, lesson=submission.lesson)
    assert progress.completed_at is not None


def test_a_graded_submission_cannot_be_graded_again_in_the_admin(staff_client, submission):
    # given
    staff_client.post(f"{URL}{submission.id}/change/", {"grade": "FAILED", "feedback": "No."})

    # when
    staff_client.post(f"{URL}{submission.id}/change/", {"grade": "PASSED", "feedback": "Yes."})

    # then
    submission.refresh_from_db()
    assert (submission.grade, submission.feedback) == ("FAILED", "No.")
    assert Event.objects.filter(type="assignment.graded").count() == 1


def test_a_grade_is_required_and_a_score_above_100_refused(staff_client, submission):
    missing = staff_client.post(f"{URL}{submission.id}/change/", {"feedback": "Hm."})
    too_high = staff_client.post(
        f"{URL}{submission.id}/change/", {"grade": "PASSED", "score": "101"}
    )

    assert missing.status_code == 200
    assert too_high.status_code == 200
    assert AssignmentSubmission.objects.get().state == "SUBMITTED"


def test_another_schools_submission_is_not_in_the_admin(staff_client, other_school):
    foreign = AssignmentSubmissionFactory(school=other_school)

    listed = staff_client.get(URL).content.decode()
    change = staff_client.get(f"{URL}{foreign.id}/change/")

    assert foreign.id not in listed
    assert change.status_code in (302, 404)
