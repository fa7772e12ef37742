"""The catalog admin: staff write through the services (events, positions, answer rules),
see only their school, and a refusal is shown on the form."""

import pytest

from apps.catalog.models import Asset, Course, ImportState, Lesson, Question
from apps.core.models import Event
from tests.conftest import admin_inline_data
from tests.factories import CourseFactory, LessonFactory, QuizFactory

pytestmark = pytest.mark.django_db

COURSE_FORM = {
    "title": "Forklift Safety",
    "slug": "forklift",
    "short_description": "Drive it safely.",
    "long_description_html": "<p>Hi<script>x</script></p>",
    "enforce_sequential_navigation": "on",
    "labels_text": "Safety, Warehouse",
    "category": "",
    "level": "",
    "thumbnail_url": "",
    "duration_hours": "",
    **admin_inline_data("lessons", []),
}


def test_staff_create_a_course_through_the_service(staff_client, school):
    # when
    response = staff_client.post("/admin/catalog/course/add/", COURSE_FORM)

    # then
    assert response.status_code == 302, response.content[:2000]
    course = Course.objects.get(school=school)
    assert course.long_description_html == "<p>Hi</p>"  # sanitised by the service
    assert sorted(course.labels.values_list("name", flat=True)) == ["Safety", "Warehouse"]
    assert Event.objects.filter(school=school, type="course.created").count() == 1


def test_a_taken_slug_is_shown_on_the_form_and_nothing_is_saved(staff_client, school):
    CourseFactory(school=school, slug="forklift")

    response = staff_client.post("/admin/catalog/course/add/", COURSE_FORM)

    assert response.status_code == 200
    assert b"already exists" in response.content
    assert Course.objects.filter(school=school).count() == 1


def test_move_actions_keep_positions_gap_free(staff_client, school):
    # given
    course = CourseFactory(school=school)
    a, b, c = (LessonFactory(school=school, course=course, title=t) for t in "abc")

    # when c moves up twice and a moves down
    for _ in range(2):
        staff_client.post(
            "/admin/catalog/lesson/", {"action": "move_up", "_selected_action": [c.pk]}
        )
    staff_client.post("/admin/catalog/lesson/", {"action": "move_down", "_selected_action": [c.pk]})

    # then
    titles = list(
        Lesson.objects.filter(course=course).order_by("order").values_list("title", "order")
    )
    assert titles == [("a", 1), ("c", 2), ("b", 3)]


def test_deleting_a_lesson_closes_the_gap(staff_client, school):
    course = CourseFactory(school=school)
    a, b, c = (LessonFactory(school=school, course=course, title=t) for t in "abc")

    response = staff_client.post(f"/admin/catalog/lesson/{b.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert list(Lesson.objects.filter(course=course).values_list("title", "order")) == [
        ("a", 1),
        ("c", 2),
    ]


def test_retry_action_starts_a_failed_import_again(staff_client, school):
    asset = Asset.objects.create(
        school=school,
        name="v",
        content_url="https://files.example.com/v.mp4",
        state=ImportState.FAILED,
        failure_reason="The server answered 404, not 200.",
    )

    staff_client.post(
        "/admin/catalog/asset/", {"action": "retry_import", "_selected_action": [asset.pk]}
    )

    asset.refresh_from_db()
    assert (asset.state, asset.failure_reason) == (ImportState.PROCESSING, "")


def test_a_question_breaking_its_answer_rule_is_refused_on_the_form(staff_client, school):
    quiz = QuizFactory(school=school)
    form = {
        "quiz": quiz.pk,
        "question_bank": "",
        "type": "MULTIPLE_CHOICE",
        "html": "Pick one",
        "correct_answer_feedback_html": "",
        "incorrect_answer_feedback_html": "",
        **admin_inline_data(
            "answers",
            [{"answer_text": "a", "correct": "on"}, {"answer_text": "b", "correct": "on"}],
        ),
    }

    response = staff_client.post("/admin/catalog/question/add/", form)

    assert response.status_code == 200
    assert b"exactly one correct answer" in response.content
    assert not Question.objects.exists()


def test_staff_do_not_see_another_schools_courses(staff_client, other_school):
    course = CourseFactory(school=other_school)

    assert staff_client.get(f"/admin/catalog/course/{course.pk}/change/").status_code in (302, 404)
    assert course.title.encode() not in staff_client.get("/admin/catalog/course/").content
