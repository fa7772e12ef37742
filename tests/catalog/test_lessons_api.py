import threading

import pytest
from django.db import connection

from apps.catalog.models import ContentItem, Lesson
from apps.core.models import Event
from tests.conftest import make_client
from tests.factories import (
    AssetFactory,
    ContentItemFactory,
    CourseFactory,
    LessonFactory,
    QuizFactory,
    WebPackageFactory,
)

pytestmark = pytest.mark.django_db

SEED_LESSON_FIELDS = [
    "id",
    "content_asset_id",
    "content_html",
    "content_quiz_id",
    "content_web_package_id",
    "course_id",
    "description_html",
    "display_fullscreen",
    "optional",
    "order",
    "search_keywords",
    "time_seconds",
    "title",
    "tooltip_html",
    "type",
]


def _orders(course) -> list[tuple[str, int]]:
    return list(
        Lesson.objects.filter(course=course).order_by("order").values_list("title", "order")
    )


def test_create_lesson_answers_every_seed_field(api_client, school):
    # given
    course = CourseFactory(school=school)

    # when
    response = api_client.post(
        "/api/v1/lessons",
        {"type": "HTML", "order": 1, "title": "Example Lesson", "course_id": course.id},
        format="json",
    )

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(SEED_LESSON_FIELDS) <= set(body)
    assert body["id"].startswith("les_")
    assert (body["course_id"], body["order"], body["type"]) == (course.id, 1, "HTML")
    assert body["content_asset_id"] is None
    assert body["time_seconds"] is None
    assert Event.objects.filter(school=school, type="lesson.created").count() == 1


def test_inserting_a_lesson_moves_the_later_ones_down(api_client, school):
    # given
    course = CourseFactory(school=school)
    for title in ("a", "b", "c"):
        LessonFactory(school=school, course=course, title=title)

    # when
    response = api_client.post(
        "/api/v1/lessons",
        {"type": "HTML", "order": 2, "title": "new", "course_id": course.id},
        format="json",
    )

    # then
    assert response.status_code == 201
    assert _orders(course) == [("a", 1), ("new", 2), ("b", 3), ("c", 4)]


@pytest.mark.parametrize("order", [0, 5, 99])
def test_a_position_outside_the_course_is_400_naming_order(api_client, school, order):
    course = CourseFactory(school=school)
    for title in ("a", "b", "c"):
        LessonFactory(school=school, course=course, title=title)

    response = api_client.post(
        "/api/v1/lessons",
        {"type": "HTML", "order": order, "title": "x", "course_id": course.id},
        format="json",
    )

    assert response.status_code == 400
    assert "order" in response.json()["errors"]
    assert _orders(course) == [("a", 1), ("b", 2), ("c", 3)]


@pytest.mark.parametrize(
    ("order", "expected"),
    [(1, ["d", "a", "b", "c"]), (3, ["a", "b", "d", "c"]), (4, ["a", "b", "c", "d"])],
)
def test_moving_a_lesson_keeps_orders_unique_and_gap_free(api_client, school, order, expected):
    # given
    course = CourseFactory(school=school)
    lessons = {title: LessonFactory(school=school, course=course, title=title) for title in "abcd"}
    api_client.patch(f"/api/v1/lessons/{lessons['d'].id}", {"order": 1}, format="json")

    # when
    response = api_client.patch(
        f"/api/v1/lessons/{lessons['d'].id}", {"order": order}, format="json"
    )

    # then
    assert response.status_code == 200, response.content
    assert _orders(course) == [(title, n) for n, title in enumerate(expected, start=1)]


def test_moving_a_lesson_to_another_course_closes_the_gap_it_leaves(api_client, school):
    # given
    source, target = CourseFactory(school=school), CourseFactory(school=school)
    moving = [LessonFactory(school=school, course=source, title=t) for t in "abc"][0]
    LessonFactory(school=school, course=target, title="x")

    # when
    response = api_client.patch(
        f"/api/v1/lessons/{moving.id}", {"course_id": target.id, "order": 1}, format="json"
    )

    # then
    assert response.status_code == 200, response.content
    assert _orders(source) == [("b", 1), ("c", 2)]
    assert _orders(target) == [("a", 1), ("x", 2)]


def test_content_of_another_school_does_not_exist(api_client, school, other_school):
    course = CourseFactory(school=school)
    references = {
        "content_quiz_id": ("QUIZ", QuizFactory(school=other_school)),
        "content_asset_id": ("ASSET", AssetFactory(school=other_school)),
        "content_web_package_id": ("WEB_PACKAGE", WebPackageFactory(school=other_school)),
    }

    for field, (lesson_type, foreign) in references.items():
        response = api_client.post(
            "/api/v1/lessons",
            {
                "type": lesson_type,
                "order": 1,
                "title": "x",
                "course_id": course.id,
                field: foreign.id,
            },
            format="json",
        )

        assert response.status_code == 400
        assert field in response.json()["errors"]
    assert not Lesson.objects.exists()


def test_content_that_does_not_fit_the_lesson_type_is_400(api_client, school):
    course = CourseFactory(school=school)

    response = api_client.post(
        "/api/v1/lessons",
        {
            "type": "HTML",
            "order": 1,
            "title": "x",
            "course_id": course.id,
            "content_quiz_id": QuizFactory(school=school).id,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "content_does_not_match_type"
    assert "content_quiz_id" in response.json()["errors"]


def test_quiz_lesson_points_at_its_quiz(api_client, school):
    course, quiz = CourseFactory(school=school), QuizFactory(school=school)

    response = api_client.post(
        "/api/v1/lessons",
        {
            "type": "quiz",
            "order": 1,
            "title": "x",
            "course_id": course.id,
            "content_quiz_id": quiz.id,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["type"], response.json()["content_quiz_id"]) == ("QUIZ", quiz.id)


def test_lesson_html_is_sanitised(api_client, school):
    course = CourseFactory(school=school)

    response = api_client.post(
        "/api/v1/lessons",
        {
            "type": "HTML",
            "order": 1,
            "title": "x",
            "course_id": course.id,
            "content_html": '<img src="x" onerror="steal()"><script>1</script>',
            "tooltip_html": '<a href="javascript:steal()">tip</a>',
        },
        format="json",
    )

    body = response.json()
    assert "onerror" not in body["content_html"]
    assert "script" not in body["content_html"]
    assert "javascript:" not in body["tooltip_html"]


def test_a_drip_schedule_is_days_or_a_date_not_both(api_client, school):
    course = CourseFactory(school=school)
    base = {"type": "HTML", "order": 1, "title": "x", "course_id": course.id}

    both = api_client.post(
        "/api/v1/lessons",
        {**base, "drip_days_after_enrollment": 3, "drip_release_at": "2027-01-01T00:00:00Z"},
        format="json",
    )
    days = api_client.post(
        "/api/v1/lessons", {**base, "drip_days_after_enrollment": 3}, format="json"
    )

    assert both.status_code == 400
    assert both.json()["code"] == "drip_schedule_conflict"
    assert days.status_code == 201
    assert days.json()["drip_days_after_enrollment"] == 3


def test_an_assignment_lesson_has_a_due_date_and_may_allow_late_submissions(api_client, school):
    # given
    course = CourseFactory(school=school)
    base = {"order": 1, "title": "Essay", "course_id": course.id}

    # when
    created = api_client.post(
        "/api/v1/lessons",
        {**base, "type": "ASSIGNMENT", "due_at": "2027-03-01T12:00:00Z"},
        format="json",
    )
    changed = api_client.patch(
        f"/api/v1/lessons/{created.json()['id']}", {"allow_late_submissions": True}, format="json"
    )

    # then
    assert created.status_code == 201, created.content
    assert created.json()["due_at"] == "2027-03-01T12:00:00.000000Z"
    assert created.json()["allow_late_submissions"] is False
    assert changed.status_code == 200
    assert changed.json()["allow_late_submissions"] is True
    assert changed.json()["due_at"] == "2027-03-01T12:00:00.000000Z"


@pytest.mark.parametrize(
    ("field", "value"), [("due_at", "2027-03-01T12:00:00Z"), ("allow_late_submissions", True)]
)
def test_a_due_date_on_a_lesson_that_is_not_an_assignment_is_400(api_client, school, field, value):
    # given
    course = CourseFactory(school=school)

    # when
    response = api_client.post(
        "/api/v1/lessons",
        {"type": "HTML", "order": 1, "title": "x", "course_id": course.id, field: value},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "due_date_assignment_only"
    assert field in response.json()["errors"]


def test_lessons_list_filters_by_course_in_order(api_client, school):
    course, other = CourseFactory(school=school), CourseFactory(school=school)
    for title in "ab":
        LessonFactory(school=school, course=course, title=title)
    LessonFactory(school=school, course=other)

    response = api_client.get(f"/api/v1/lessons?course_id={course.id}")

    assert [row["title"] for row in response.json()["results"]] == ["a", "b"]


def test_sections_and_contents_tree(api_client, school):
    # given
    course = CourseFactory(school=school)
    LessonFactory(school=school, course=course, title="Welcome")
    section = api_client.post(
        f"/api/v1/courses/{course.id}/sections",
        {"title": "Week 1", "drip_days_after_enrollment": 7},
        format="json",
    )
    LessonFactory(school=school, course=course, title="Monday")
    api_client.post(f"/api/v1/courses/{course.id}/sections", {"title": "Week 2"}, format="json")
    LessonFactory(school=school, course=course, title="Tuesday")

    # when
    response = api_client.get(f"/api/v1/courses/{course.id}/contents")

    # then
    assert section.status_code == 201, section.content
    assert section.json()["type"] == "SECTION"
    tree = response.json()
    assert tree["course_id"] == course.id
    assert [(s["title"], s["drip_days_after_enrollment"]) for s in tree["sections"]] == [
        ("", None),
        ("Week 1", 7),
        ("Week 2", None),
    ]
    assert [[lesson["title"] for lesson in s["lessons"]] for s in tree["sections"]] == [
        ["Welcome"],
        ["Monday"],
        ["Tuesday"],
    ]
    assert tree["sections"][0]["id"] is None


def test_contents_tree_costs_the_same_queries_at_any_size(
    api_client, school, django_assert_max_num_queries
):
    course = CourseFactory(school=school)
    with django_assert_max_num_queries(5):
        api_client.get(f"/api/v1/courses/{course.id}/contents")
    for week in range(50):
        LessonFactory(school=school, course=course, type="SECTION", title=f"Week {week}")
        for day in range(20):
            LessonFactory(school=school, course=course, title=f"Day {day}")

    with django_assert_max_num_queries(5):
        response = api_client.get(f"/api/v1/courses/{course.id}/contents")

    assert len(response.json()["sections"]) == 50
    assert sum(len(s["lessons"]) for s in response.json()["sections"]) == 1000


def test_content_items_are_ordered_within_their_lesson(api_client, school):
    # given
    lesson = LessonFactory(school=school)
    ContentItemFactory(school=school, lesson=lesson, header="first")

    # when
    created = api_client.post(
        f"/api/v1/lessons/{lesson.id}/content-items",
        {"header": "intro", "order": 1, "type": "HTML", "content_html": "<p>x</p>"},
        format="json",
    )
    moved = api_client.patch(
        f"/api/v1/lessons/{lesson.id}/content-items/{created.json()['id']}",
        {"order": 2},
        format="json",
    )

    # then
    assert created.status_code == 201, created.content
    assert moved.status_code == 200, moved.content
    listed = api_client.get(f"/api/v1/lessons/{lesson.id}/content-items").json()["results"]
    assert [(row["header"], row["order"]) for row in listed] == [("first", 1), ("intro", 2)]


def test_content_item_under_another_lesson_id_in_the_body_is_400(api_client, school):
    lesson, other = LessonFactory(school=school), LessonFactory(school=school)

    response = api_client.post(
        f"/api/v1/lessons/{lesson.id}/content-items",
        {"header": "x", "order": 1, "type": "HTML", "lesson_id": other.id},
        format="json",
    )

    assert response.status_code == 400
    assert "lesson_id" in response.json()["errors"]
    assert not ContentItem.objects.exists()


def test_content_items_of_another_schools_lesson_are_404(api_client, other_school):
    lesson = LessonFactory(school=other_school)
    item = ContentItemFactory(school=other_school, lesson=lesson)

    assert api_client.get(f"/api/v1/lessons/{lesson.id}/content-items").status_code == 404
    assert (
        api_client.patch(
            f"/api/v1/lessons/{lesson.id}/content-items/{item.id}", {"header": "x"}
        ).status_code
        == 404
    )


# --- concurrency (PostgreSQL: row locks and unique-index checks as in production) -----------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_and_moves_keep_positions_unique_and_gap_free(api_key, school):
    # given a course of six lessons, and twelve requests released at once: inserts at the
    # top and moves of existing lessons to random places
    secret = api_key[1]
    course = CourseFactory(school=school)
    lessons = [LessonFactory(school=school, course=course, title=f"L{n}") for n in range(6)]
    workers = 12
    barrier = threading.Barrier(workers)
    statuses: list[int] = []

    def send(n: int) -> None:
        client = make_client(secret)
        try:
            barrier.wait(timeout=10)
            if n % 2:
                response = client.post(
                    "/api/v1/lessons",
                    {"type": "HTML", "order": 1, "title": f"new {n}", "course_id": course.id},
                    format="json",
                )
            else:
                lesson = lessons[n % len(lessons)]
                response = client.patch(
                    f"/api/v1/lessons/{lesson.id}", {"order": 1 + n % 5}, format="json"
                )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(workers)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then every request succeeded and the positions are exactly 1..n
    assert sorted(statuses) == [200] * 6 + [201] * 6
    orders = list(Lesson.objects.filter(course=course).values_list("order", flat=True))
    assert sorted(orders) == list(range(1, 13))


def test_contents_lessons_are_exactly_what_the_lessons_api_shows(api_client, school):
    # given lessons with every kind of value: references, nulls, a release time, HTML
    course = CourseFactory(school=school)
    quiz = QuizFactory(school=school)
    LessonFactory(school=school, course=course, title="Intro", time_seconds=90)
    LessonFactory(
        school=school,
        course=course,
        type="SECTION",
        title="Week 1",
        drip_release_at="2027-01-01T09:30:00.123456Z",
    )
    LessonFactory(
        school=school,
        course=course,
        type="QUIZ",
        content_quiz=quiz,
        optional=True,
        content_html="<p>é</p>",
    )

    # when
    tree = api_client.get(f"/api/v1/courses/{course.id}/contents").json()

    # then each lesson is the lessons API's answer for it, field for field
    listed = [lesson for section in tree["sections"] for lesson in section["lessons"]]
    assert len(listed) == 2
    for lesson in listed:
        assert lesson == api_client.get(f"/api/v1/lessons/{lesson['id']}").json()
    heading = api_client.get(f"/api/v1/lessons/{tree['sections'][1]['id']}").json()
    assert tree["sections"][1]["drip_release_at"] == heading["drip_release_at"]
