"""Assignment submissions: handing in text and checked files, the rules that refuse a
submission, grading by staff, and what each credential sees."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from apps.catalog.models import LessonType
from apps.core.models import Event
from apps.enrollments.models import (
    AssignmentSubmission,
    CourseProgress,
    LessonProgress,
    SubmissionState,
)
from apps.enrollments.services.enrollments import enrollment_create
from apps.schools.services.people import user_create
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client
from tests.factories import (
    AssignmentSubmissionFactory,
    DomainFactory,
    LessonFactory,
    PublishedCourseFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _hosted_files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def published(school):
    return PublishedCourseFactory(school=school, domain=DomainFactory(school=school))


@pytest.fixture
def assignment(school, published):
    return LessonFactory(
        school=school,
        course=published.course,
        type=LessonType.ASSIGNMENT,
        content_html="<p>Write a safety plan.</p>",
    )


@pytest.fixture
def enrolled(published, learner, assignment):
    enrollment_create(published_course=published, user=learner.user)
    return learner


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _submit(client, lesson, **data):
    if "file" in data:
        return client.post(f"/api/v1/lessons/{lesson.id}/submissions", data, format="multipart")
    return client.post(f"/api/v1/lessons/{lesson.id}/submissions", data, format="json")


def test_a_learner_hands_in_text_and_a_pdf_with_their_own_token(
    user_client, enrolled, assignment, client
):
    # when
    response = _submit(user_client, assignment, text="My plan.", file=_upload("plan.pdf", PDF))

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("asb_")
    assert (body["lesson_id"], body["course_id"]) == (assignment.id, assignment.course_id)
    assert body["user"]["id"] == enrolled.user.id
    assert (body["text"], body["state"], body["grade"], body["late"]) == (
        "My plan.",
        "SUBMITTED",
        None,
        False,
    )
    assert body["file"]["name"] == "plan.pdf"
    assert body["file"]["content_type"] == "application/pdf"
    assert body["file"]["size_bytes"] == len(PDF)
    download = client.get(body["file"]["download_url"].split("testserver", 1)[-1])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    event = Event.objects.get(type="assignment.submitted")
    assert event.payload["id"] == body["id"]
    assert event.payload["file_name"] == "plan.pdf"


def test_a_text_only_submission_may_be_json(user_client, enrolled, assignment):
    response = _submit(user_client, assignment, text="Just text.")

    assert response.status_code == 201, response.content
    assert response.json()["file"] is None


def test_an_image_is_judged_by_its_bytes_not_its_name(user_client, enrolled, assignment):
    response = _submit(
        user_client, assignment, file=_upload("photo.pdf", _png(), "application/pdf")
    )

    assert response.status_code == 201, response.content
    assert response.json()["file"]["content_type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"),
        ("plan.pdf", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256))),
        ("broken.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00"),
    ],
)
def test_a_file_of_a_refused_type_is_400_naming_file(
    user_client, enrolled, assignment, name, content
):
    response = _submit(user_client, assignment, file=_upload(name, content))

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "file_type_refused"
    assert "file" in response.json()["errors"]
    assert not AssignmentSubmission.objects.exists()


def test_a_file_over_the_size_cap_is_400_naming_file(user_client, enrolled, assignment, settings):
    # given a cap of 1000 bytes
    settings.LYCEUM_ASSIGNMENT_MAX_FILE_BYTES = 1000

    # when
    response = _submit(user_client, assignment, file=_upload("big.txt", b"a" * 1001, "text/plain"))

    # then
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "file_too_large"
    assert "file" in response.json()["errors"]


def test_a_file_larger_than_the_json_limit_is_taken_on_the_upload_route(
    user_client, enrolled, assignment
):
    # given a 3 MiB PDF: over the 1 MiB limit of every other route, under the 25 MiB cap
    content = PDF + b"0" * (3 * 1024 * 1024)

    # when
    response = _submit(user_client, assignment, file=_upload("scan.pdf", content))

    # then
    assert response.status_code == 201, response.content
    assert response.json()["file"]["size_bytes"] == len(content)


def test_a_body_over_the_upload_route_limit_is_413(user_client, enrolled, assignment, client):
    # given a body declared larger than the cap plus the 1 MiB of other fields
    too_big = str(25 * 1024 * 1024 + 1024 * 1024 + 1)

    # when
    response = user_client.generic(
        "POST",
        f"/api/v1/lessons/{assignment.id}/submissions",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=too_big,
    )

    # then
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_an_empty_submission_is_400(user_client, enrolled, assignment):
    nothing = _submit(user_client, assignment, text="  ")
    empty_file = _submit(user_client, assignment, file=_upload("a.txt", b"", "text/plain"))

    assert nothing.status_code == 400
    assert nothing.json()["code"] == "submission_empty"
    assert empty_file.status_code == 400
    assert empty_file.json()["code"] == "submission_empty"
    assert "file" in empty_file.json()["errors"]


def test_handing_in_again_before_grading_replaces_the_submission(
    user_client, enrolled, assignment, client
):
    # given
    first = _submit(user_client, assignment, text="Draft.", file=_upload("v1.pdf", PDF)).json()

    # when
    second = _submit(user_client, assignment, text="Final.", file=_upload("v2.txt", b"hi"))

    # then
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first["id"]
    assert second.json()["text"] == "Final."
    assert second.json()["file"]["name"] == "v2.txt"
    assert AssignmentSubmission.objects.count() == 1
    old_link = client.get(first["file"]["download_url"].split("testserver", 1)[-1])
    assert old_link.status_code == 404
    assert Event.objects.filter(type="assignment.submitted").count() == 2


def test_an_api_key_hands_in_for_a_named_person(api_client, enrolled, assignment):
    missing = _submit(api_client, assignment, text="x")
    named = api_client.post(
        f"/api/v1/lessons/{assignment.id}/submissions",
        {"text": "For Lee.", "user_id": enrolled.user.id},
        format="json",
    )

    assert missing.status_code == 400
    assert missing.json()["code"] == "user_required"
    assert named.status_code == 201, named.content
    assert named.json()["user"]["id"] == enrolled.user.id


def test_a_learner_cannot_hand_in_for_someone_else(user_client, enrolled, assignment, school):
    other, _ = user_create(school=school, email="other@alpha.test", first_name="O")

    response = user_client.post(
        f"/api/v1/lessons/{assignment.id}/submissions",
        {"text": "Not mine.", "user_id": other.user.id},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_own_submission"
    assert not AssignmentSubmission.objects.exists()


def test_another_schools_lesson_and_a_lesson_that_is_not_an_assignment_are_404(
    user_client, enrolled, other_school, published, school
):
    foreign = LessonFactory(school=other_school, type=LessonType.ASSIGNMENT)
    html = LessonFactory(school=school, course=published.course, type=LessonType.HTML)

    assert _submit(user_client, foreign, text="x").status_code == 404
    assert _submit(user_client, html, text="x").status_code == 404


def test_a_person_without_course_access_is_403(user_client, learner, assignment):
    response = _submit(user_client, assignment, text="x")

    assert response.status_code == 403
    assert response.json()["code"] == "course_access_required"


def test_an_unreleased_lesson_refuses_submissions(user_client, enrolled, assignment):
    assignment.drip_release_at = timezone.now() + timedelta(days=3)
    assignment.save()

    response = _submit(user_client, assignment, text="Too early.")

    assert response.status_code == 409
    assert response.json()["code"] == "lesson_not_released"


def test_after_the_due_date_a_submission_is_409_unless_late_ones_are_allowed(
    user_client, enrolled, assignment
):
    # given
    assignment.due_at = timezone.now() - timedelta(hours=1)
    assignment.save()

    # when
    refused = _submit(user_client, assignment, text="Late.")
    assignment.allow_late_submissions = True
    assignment.save()
    accepted = _submit(user_client, assignment, text="Late.")

    # then
    assert refused.status_code == 409
    assert refused.json()["code"] == "assignment_past_due"
    assert accepted.status_code == 201
    assert accepted.json()["late"] is True


def _grade(client, submission_id, **body):
    return client.patch(f"/api/v1/assignment-submissions/{submission_id}", body, format="json")


def test_a_passed_grade_completes_the_lesson_and_the_course(
    api_client, user_client, enrolled, assignment
):
    # given the assignment is the course's only lesson
    submission = _submit(user_client, assignment, text="Plan.").json()

    # when
    response = _grade(api_client, submission["id"], grade="PASSED", score=90, feedback="Good.")

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["grade"], body["score"], body["feedback"]) == (
        "GRADED",
        "PASSED",
        90,
        "Good.",
    )
    assert body["graded_at"]
    progress = LessonProgress.objects.get(user=enrolled.user, lesson=assignment)
    assert progress.completed_at is not None
    assert (progress.success_status, progress.score, progress.max_score) == ("PASSED", 90, 100)
    assert CourseProgress.objects.get(user=enrolled.user).completed_at is not None
    types = list(Event.objects.values_list("type", flat=True))
    assert "assignment.graded" in types
    assert "lesson.completed" in types
    assert "enrollment.completed" in types


def test_grading_twice_is_409(api_client, user_client, enrolled, assignment):
    submission = _submit(user_client, assignment, text="Plan.").json()
    _grade(api_client, submission["id"], grade="FAILED")

    again = _grade(api_client, submission["id"], grade="PASSED")

    assert again.status_code == 409
    assert again.json()["code"] == "submission_already_graded"
    assert AssignmentSubmission.objects.get().grade == "FAILED"


def test_after_a_failed_grade_the_learner_hands_in_anew_and_after_a_pass_not(
    api_client, user_client, enrolled, assignment
):
    # given
    first = _submit(user_client, assignment, text="Try 1.").json()
    _grade(api_client, first["id"], grade="FAILED", feedback="Cite the rules.")
    failed = LessonProgress.objects.get(user=enrolled.user, lesson=assignment)

    # when
    second = _submit(user_client, assignment, text="Try 2.")
    _grade(api_client, second.json()["id"], grade="PASSED")
    third = _submit(user_client, assignment, text="Try 3.")

    # then
    assert (failed.success_status, failed.completed_at) == ("FAILED", None)
    assert second.status_code == 201
    assert second.json()["id"] != first["id"]
    assert third.status_code == 409
    assert third.json()["code"] == "assignment_already_passed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"grade": "MAYBE"}, "grade"),
        ({"grade": "PASSED", "score": 101}, "score"),
        ({"feedback": "Good."}, "grade"),
    ],
)
def test_a_bad_grade_is_400_naming_the_field(api_client, school, body, field):
    submission = AssignmentSubmissionFactory(school=school)

    response = _grade(api_client, submission.id, **body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    if "feedback" in body:
        assert response.json()["code"] == "grade_required"


def test_sending_back_what_a_read_gave_changes_nothing(
    api_client, user_client, enrolled, assignment
):
    # given a waiting submission, and a graded one
    waiting = _submit(user_client, assignment, text="Plan.").json()
    other = AssignmentSubmissionFactory(school=enrolled.school)
    graded = _grade(api_client, other.id, grade="FAILED", feedback="No.").json()

    # when
    same_waiting = _grade(api_client, waiting["id"], **waiting)
    same_graded = _grade(api_client, graded["id"], **graded)

    # then
    assert same_waiting.status_code == 200, same_waiting.content
    assert same_waiting.json()["state"] == "SUBMITTED"
    assert same_graded.status_code == 200, same_graded.content
    assert same_graded.json()["updated_at"] == graded["updated_at"]
    assert Event.objects.filter(type="assignment.graded").count() == 1


def test_a_learner_token_cannot_grade(user_client, enrolled, assignment):
    submission = _submit(user_client, assignment, text="Plan.").json()

    response = _grade(user_client, submission["id"], grade="PASSED")

    assert response.status_code == 403
    assert AssignmentSubmission.objects.get().state == SubmissionState.SUBMITTED


def test_a_learner_lists_and_reads_only_their_own_submissions(
    user_client, enrolled, assignment, school
):
    mine = _submit(user_client, assignment, text="Mine.").json()
    theirs = AssignmentSubmissionFactory(school=school, lesson=assignment)

    listed = user_client.get("/api/v1/assignment-submissions").json()
    nested = user_client.get(f"/api/v1/lessons/{assignment.id}/submissions").json()
    other = user_client.get(f"/api/v1/assignment-submissions/{theirs.id}")

    assert [row["id"] for row in listed["results"]] == [mine["id"]]
    assert [row["id"] for row in nested["results"]] == [mine["id"]]
    assert other.status_code == 404


def test_submissions_filter_by_state_lesson_and_person(api_client, school, assignment):
    waiting = AssignmentSubmissionFactory(school=school, lesson=assignment)
    graded = AssignmentSubmissionFactory(
        school=school, lesson=assignment, state="GRADED", grade="PASSED"
    )
    elsewhere = AssignmentSubmissionFactory(school=school)

    queue = api_client.get("/api/v1/assignment-submissions", {"state": "SUBMITTED"}).json()
    by_lesson = api_client.get("/api/v1/assignment-submissions", {"lesson_id": assignment.id})
    by_user = api_client.get("/api/v1/assignment-submissions", {"user_id": graded.user_id})

    assert [row["id"] for row in queue["results"]] == [waiting.id, elsewhere.id]
    assert {row["id"] for row in by_lesson.json()["results"]} == {waiting.id, graded.id}
    assert [row["id"] for row in by_user.json()["results"]] == [graded.id]


def test_an_idempotent_upload_larger_than_the_json_limit_replays(user_client, enrolled, assignment):
    # given
    content = PDF + b"0" * (2 * 1024 * 1024)
    headers = {"HTTP_IDEMPOTENCY_KEY": "upload-1"}

    # when
    first = user_client.post(
        f"/api/v1/lessons/{assignment.id}/submissions",
        {"file": _upload("scan.pdf", content)},
        format="multipart",
        **headers,
    )
    again = user_client.post(
        f"/api/v1/lessons/{assignment.id}/submissions",
        {"file": _upload("scan.pdf", content)},
        format="multipart",
        **headers,
    )

    # then
    assert first.status_code == 201, first.content
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert AssignmentSubmission.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_hand_ins_at_once_leave_one_waiting_submission(school, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    lesson = LessonFactory(school=school, course=published.course, type=LessonType.ASSIGNMENT)
    member, _ = user_create(school=school, email="racer@alpha.test", first_name="Ra")
    enrollment_create(published_course=published, user=member.user)
    token = tokens_issue(member=member).access_token
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def submit() -> None:
        client = make_client(token)
        barrier.wait()
        try:
            response = client.post(
                f"/api/v1/lessons/{lesson.id}/submissions", {"text": "Mine."}, format="json"
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # One made the submission; the other waited for the lock, then replaced it.
    assert sorted(statuses) == [200, 201]
    assert AssignmentSubmission.objects.filter(lesson=lesson).count() == 1
