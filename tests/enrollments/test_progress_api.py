"""Progress and completion: lesson progress, progress tokens, a user's courses and lessons,
drip and sequential gates, course and path completion, LearnWorlds' progress endpoints and
LearnFlow's summary."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.models import Event
from apps.enrollments.models import CourseProgress, LessonProgress, PathEnrollment
from apps.enrollments.services.enrollments import enrollment_create, path_enrollment_create
from tests.conftest import make_client
from tests.factories import (
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
def domain(school):
    return DomainFactory(school=school, name="learn.example.com")


def _course(school, domain, *kinds: str, **course_fields):
    """A published course whose lessons have the given types ("HTML", "SECTION", …)."""
    published = PublishedCourseFactory(school=school, domain=domain)
    for name, value in course_fields.items():
        setattr(published.course, name, value)
    published.course.save()
    lessons = [
        LessonFactory(school=school, course=published.course, type=kind, title=f"L{n}")
        for n, kind in enumerate(kinds)
    ]
    return published, lessons


def _enroll(published, member, **fields):
    return enrollment_create(published_course=published, user=member.user, **fields)[0]


def _progress(member, lesson) -> LessonProgress:
    return LessonProgress.objects.get(user=member.user, lesson=lesson)


def _put(client, progress, body):
    return client.patch(f"/api/v1/lesson-progress/{progress.id}", body, format="json")


def _events(school, name: str) -> list[dict]:
    return [e.payload for e in Event.objects.filter(school=school, type=name).order_by("id")]


NOW = "2026-01-10T10:00:00Z"


def test_finishing_every_required_lesson_completes_the_course_once(
    api_client, school, domain, learner
):
    # given a course of two lessons and an optional one
    published, (first, second, extra) = _course(school, domain, "HTML", "HTML", "HTML")
    extra.optional = True
    extra.save()
    _enroll(published, learner)

    # when both required lessons are finished
    one = _put(
        api_client, _progress(learner, first), {"finished_at": NOW, "score": 8, "max_score": 10}
    )
    two = _put(api_client, _progress(learner, second), {"finished_at": NOW})

    # then both are complete, and the course once
    assert one.status_code == two.status_code == 200, one.json()
    assert one.json()["completed_at"] == "2026-01-10T10:00:00.000000Z"
    assert one.json()["score"] == 8
    assert one.json()["progress_token_id"].startswith("ptk_")
    course_progress = CourseProgress.objects.get(user=learner.user, course=published.course)
    assert course_progress.completed_at is not None
    completed = _events(school, "enrollment.completed")
    assert len(completed) == 1
    assert completed[0]["id"] == course_progress.id
    assert completed[0]["course"] == {"id": published.course.id, "title": published.course.title}
    assert completed[0]["user"]["id"] == learner.user_id
    assert len(completed[0]["enrollment_ids"]) == 1
    assert [p["lesson"]["id"] for p in _events(school, "lesson.completed")] == [
        first.id,
        second.id,
    ]
    assert len(_events(school, "enrollment.progress_updated")) == 2

    # and un-completing then completing a lesson again does not complete the course twice
    assert _put(api_client, _progress(learner, second), {"completed_at": None}).status_code == 200
    assert _progress(learner, second).completed_at is None
    assert _put(api_client, _progress(learner, second), {"completed_at": NOW}).status_code == 200
    assert len(_events(school, "enrollment.completed")) == 1


def test_an_optional_section_does_not_hold_back_completion(api_client, school, domain, learner):
    # given a required lesson, then an optional section with a lesson
    published, (lesson, heading, inside) = _course(school, domain, "HTML", "SECTION", "HTML")
    heading.optional = True
    heading.save()
    _enroll(published, learner)

    # when the required lesson is finished
    response = _put(api_client, _progress(learner, lesson), {"finished_at": NOW})

    # then the course is complete
    assert response.status_code == 200
    assert CourseProgress.objects.get(user=learner.user).completed_at is not None


def test_a_lesson_requiring_validation_completes_on_a_passed_validation(
    api_client, school, domain, learner
):
    # given
    published, (lesson,) = _course(school, domain, "HTML")
    lesson.requires_validation = True
    lesson.save()
    _enroll(published, learner)
    progress = _progress(learner, lesson)

    # when the learner finishes the content
    finished = _put(api_client, progress, {"finished_at": NOW, "validation_data": {"a": 1}})

    # then it is not complete until a reviewer passes it
    assert finished.status_code == 200
    assert finished.json()["completed_at"] is None
    assert finished.json()["validation_data"] == {"a": 1}
    passed = _put(api_client, progress, {"validation_status": "PASSED"})
    assert passed.json()["completed_at"] is not None
    assert passed.json()["validation_status"] == "PASSED"


def test_validation_is_ignored_on_a_lesson_that_does_not_require_it(
    api_client, school, domain, learner
):
    published, (lesson,) = _course(school, domain, "HTML")
    _enroll(published, learner)

    response = _put(
        api_client,
        _progress(learner, lesson),
        {"validation_status": "FAILED", "validation_data": {}},
    )

    assert response.status_code == 200
    assert response.json()["validation_status"] is None
    assert response.json()["validation_data"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"score": 11, "max_score": 10}, "score"),
        ({"score": -1}, "score"),
        ({"success_status": "MAYBE"}, "success_status"),
        ({"time_spent_seconds_increment": -5}, "time_spent_seconds_increment"),
        ({"finished_at": "yesterday"}, "finished_at"),
    ],
)
def test_bad_progress_is_refused_and_nothing_is_written(
    api_client, school, domain, learner, body, field
):
    # given
    published, (lesson,) = _course(school, domain, "HTML")
    _enroll(published, learner)
    progress = _progress(learner, lesson)
    before = LessonProgress.objects.filter(pk=progress.pk).values().get()

    # when
    response = _put(api_client, progress, body)

    # then
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert LessonProgress.objects.filter(pk=progress.pk).values().get() == before


def test_a_score_above_an_earlier_max_score_is_refused(api_client, school, domain, learner):
    published, (lesson,) = _course(school, domain, "HTML")
    _enroll(published, learner)
    progress = _progress(learner, lesson)
    assert _put(api_client, progress, {"max_score": 5}).status_code == 200

    response = _put(api_client, progress, {"score": 6})

    assert response.status_code == 400
    assert response.json()["code"] == "score_above_max_score"
    assert _progress(learner, lesson).score is None


def test_time_spent_adds_up_and_the_last_access_is_recorded(api_client, school, domain, learner):
    published, (lesson,) = _course(school, domain, "HTML")
    _enroll(published, learner)
    progress = _progress(learner, lesson)

    _put(api_client, progress, {"time_spent_seconds_increment": 90})
    response = _put(api_client, progress, {"time_spent_seconds_increment": 45})

    assert response.json()["time_spent_seconds"] == 135
    assert response.json()["last_accessed_at"] is not None
    summary = api_client.get(
        f"/api/v1/users/{learner.user_id}/courses/{published.course_id}/progress"
    ).json()
    assert summary["time_spent_minutes"] == 2
    assert summary["time_spent_seconds"] == 135
    assert summary["status"] == "in_progress"
    assert summary["current_lesson"] == 1


def test_a_lesson_not_released_cannot_be_completed_but_an_admin_mark_can(
    api_client, school, domain, learner
):
    # given a lesson released three days after enrollment, and a section released later
    published, (lesson, heading, inside) = _course(school, domain, "HTML", "SECTION", "HTML")
    lesson.drip_days_after_enrollment = 3
    lesson.save()
    heading.drip_release_at = timezone.now() + timedelta(days=30)
    heading.save()
    _enroll(published, learner)

    # when the learner reports them complete
    early = _put(api_client, _progress(learner, lesson), {"completed_at": NOW})
    in_section = _put(api_client, _progress(learner, inside), {"finished_at": NOW})

    # then both are refused with the release time, and nothing is complete
    assert early.status_code == in_section.status_code == 409
    assert early.json()["code"] == in_section.json()["code"] == "lesson_not_released"
    assert "released at" in early.json()["detail"]
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()

    # and the lessons list shows when each opens
    lessons = api_client.get(
        f"/api/v1/users/{learner.user_id}/published-courses/{published.id}/lessons"
    ).json()["results"]
    assert [item["section_id"] for item in lessons] == [None, heading.id]
    assert all(item["released_at"] for item in lessons)

    # and the administrative mark overrides the schedule
    marked = api_client.post(
        f"/api/v1/users/{learner.user_id}/courses/{published.course_id}/complete",
        {"lesson_id": inside.id},
        format="json",
    )
    assert marked.status_code == 200, marked.json()
    assert _progress(learner, inside).completed_at is not None


def test_a_released_lesson_can_be_completed(api_client, school, domain, learner):
    published, (lesson,) = _course(school, domain, "HTML")
    lesson.drip_days_after_enrollment = 3
    lesson.save()
    _enroll(published, learner, enrolled_at=timezone.now() - timedelta(days=4))

    response = _put(api_client, _progress(learner, lesson), {"completed_at": NOW})

    assert response.status_code == 200


def test_sequential_navigation_refuses_completing_ahead(api_client, school, domain, learner):
    # given a course taken in order: a required lesson, an optional one, then a third
    published, (first, optional, third) = _course(
        school, domain, "HTML", "HTML", "HTML", enforce_sequential_navigation=True
    )
    optional.optional = True
    optional.save()
    _enroll(published, learner)

    # when the third lesson is completed before the first
    ahead = _put(api_client, _progress(learner, third), {"finished_at": NOW})

    # then it is refused, naming the lesson to do first; in order it works (the optional one
    # is not needed)
    assert ahead.status_code == 409
    assert ahead.json()["code"] == "previous_lessons_incomplete"
    assert first.id in ahead.json()["detail"]
    assert _put(api_client, _progress(learner, first), {"finished_at": NOW}).status_code == 200
    assert _put(api_client, _progress(learner, third), {"finished_at": NOW}).status_code == 200


def test_completing_needs_a_current_enrollment(api_client, school, domain, learner):
    published, (lesson,) = _course(school, domain, "HTML")
    enrollment = _enroll(published, learner, enrolled_at=timezone.now() - timedelta(days=10))
    enrollment.expires_at = timezone.now() - timedelta(days=1)
    enrollment.save()

    response = _put(api_client, _progress(learner, lesson), {"finished_at": NOW})

    assert response.status_code == 409
    assert response.json()["code"] == "course_access_required"
    assert _progress(learner, lesson).finished_at is None


def test_a_progress_token_reports_a_result(api_client, school, domain, learner):
    published, (lesson,) = _course(school, domain, "HTML")
    _enroll(published, learner)
    token = _progress(learner, lesson).token

    response = api_client.put(
        f"/api/v1/progresstokens/{token.id}",
        {"completed_at": NOW, "success_status": "PASSED", "score": 3, "max_score": 4},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["id"] == token.id
    assert response.json()["lesson_progress"]["success_status"] == "PASSED"
    assert response.json()["lesson_progress"]["score"] == 3
    assert CourseProgress.objects.get(user=learner.user).completed_at is not None


def test_a_users_published_courses_show_their_progress_and_take_course_progress(
    api_client, school, domain, learner
):
    # given two courses, one enrolled in twice (a renewal), with one of two lessons done
    published, (first, _second) = _course(school, domain, "HTML", "HTML")
    other, _ = _course(school, domain, "HTML")
    _enroll(published, learner, enrolled_at=timezone.now() - timedelta(days=400))
    _enroll(published, learner, completion_redirect="https://example.com/done")
    _enroll(other, learner)
    _put(api_client, _progress(learner, first), {"finished_at": NOW})
    url = f"/api/v1/users/{learner.user_id}/published-courses"

    # when
    listed = api_client.get(url)

    # then one item per published course, with the summary
    assert listed.status_code == 200
    items = {item["id"]: item for item in listed.json()["results"]}
    assert set(items) == {published.id, other.id}
    progress = items[published.id]["course_progress"]
    assert progress["lessons_completed"] == 1
    assert progress["total_lessons"] == 2
    assert progress["percent_complete"] == 50.0
    assert progress["completion_redirect"] == "https://example.com/done"
    assert progress["completed_at"] is None

    # and staff complete the course through course_progress
    response = api_client.put(
        f"{url}/{published.id}",
        {"course_progress": {"completed_at": NOW, "success_status": "PASSED"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["course_progress"]["completed_at"] == "2026-01-10T10:00:00.000000Z"
    assert response.json()["course_progress"]["success_status"] == "PASSED"
    completed = _events(school, "enrollment.completed")
    assert len(completed) == 1
    assert completed[0]["success_status"] == "PASSED"
    assert len(completed[0]["enrollment_ids"]) == 2


def test_a_users_published_courses_with_progress_run_constant_queries(
    api_client, school, domain, learner, django_assert_num_queries
):
    # given four courses in sections, each with progress (a lesson done, a redirect, a renewal)
    for n in range(4):
        published, (_heading, first, _second) = _course(school, domain, "SECTION", "HTML", "HTML")
        _enroll(published, learner, enrolled_at=timezone.now() - timedelta(days=10 + n))
        _enroll(published, learner, completion_redirect=f"https://example.com/{n}")
        _put(api_client, _progress(learner, first), {"finished_at": NOW})
    url = f"/api/v1/users/{learner.user_id}/published-courses"
    api_client.get(url, {"page_size": 1})
    with CaptureQueriesContext(connection) as one:
        small = api_client.get(url, {"page_size": 1})

    # when
    with django_assert_num_queries(len(one.captured_queries)):
        large = api_client.get(url, {"page_size": 4})

    # then every item carries its summary, read without a query per course
    assert len(small.json()["results"]) == 1
    assert len(large.json()["results"]) == 4
    for item in large.json()["results"]:
        assert item["course_progress"]["lessons_completed"] == 1
        assert item["course_progress"]["current_lesson"] == 1
        assert item["course_progress"]["completion_redirect"].startswith("https://example.com/")


def test_a_users_lessons_carry_progress_ids_and_take_completion(
    api_client, school, domain, learner
):
    # given an enrolled learner, and a lesson added to the course afterwards
    published, (heading, lesson) = _course(school, domain, "SECTION", "HTML")
    _enroll(published, learner)
    added = LessonFactory(school=school, course=published.course, title="Added")
    url = f"/api/v1/users/{learner.user_id}/published-courses/{published.id}/lessons"

    # when
    listed = api_client.get(url)

    # then each lesson has its progress id and token, the new one included
    assert listed.status_code == 200
    results = listed.json()["results"]
    assert [item["id"] for item in results] == [lesson.id, added.id]
    assert results[1]["lesson_progress"]["id"] == _progress(learner, added).id
    assert results[1]["lesson_progress"]["progress_token_id"].startswith("ptk_")

    # and a lesson is completed through lesson_progress
    response = api_client.patch(
        f"{url}/{lesson.id}", {"lesson_progress": {"completed_at": NOW}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["lesson_progress"]["completed_at"] == "2026-01-10T10:00:00.000000Z"


def test_a_lesson_of_another_course_is_404_under_a_published_course(
    api_client, school, domain, learner
):
    published, _ = _course(school, domain, "HTML")
    other, (elsewhere,) = _course(school, domain, "HTML")
    _enroll(published, learner)
    _enroll(other, learner)

    response = api_client.patch(
        f"/api/v1/users/{learner.user_id}/published-courses/{published.id}/lessons/{elsewhere.id}",
        {"lesson_progress": {"completed_at": NOW}},
        format="json",
    )

    assert response.status_code == 404
    assert _progress(learner, elsewhere).completed_at is None


def test_completing_every_course_of_a_path_completes_the_path(api_client, school, domain, learner):
    # given a path of two courses the learner is enrolled in through the path
    path = PathFactory(school=school)
    first, (a,) = _course(school, domain, "HTML")
    second, (b,) = _course(school, domain, "HTML")
    PathItemFactory(school=school, path=path, course=first.course)
    PathItemFactory(school=school, path=path, course=second.course)
    published_path = PublishedPathFactory(school=school, domain=domain, path=path)
    path_enrollment_create(published_path=published_path, user=learner.user)
    url = f"/api/v1/users/{learner.user_id}/published-path-enrollments"

    # when the first course is complete, the path is half done
    _put(api_client, _progress(learner, a), {"finished_at": NOW})
    half = api_client.get(url).json()["results"][0]["path_progress"]
    _put(api_client, _progress(learner, b), {"finished_at": NOW})

    # then
    assert half == {
        "completed_at": None,
        "courses_completed": 1,
        "total_courses": 2,
        "percent_complete": 50.0,
    }
    done = api_client.get(url).json()["results"][0]
    assert done["path"] == {"id": path.id, "title": path.title}
    assert done["path_progress"]["completed_at"] is not None
    assert PathEnrollment.objects.get(user=learner.user).completed_at is not None
    assert len(_events(school, "path.completed")) == 1


def test_learnworlds_lists_and_reset(api_client, school, domain, learner):
    # given
    published, (first, second) = _course(school, domain, "HTML", "HTML")
    _enroll(published, learner)
    base = f"/api/v1/users/{learner.user_id}/courses"

    # when the course is marked complete, then one activity and the course are reset
    complete = api_client.post(f"{base}/{published.course_id}/complete", {}, format="json")
    courses = api_client.get(base).json()
    users = api_client.get(f"/api/v1/courses/{published.course_id}/users").json()
    reset_one = api_client.post(
        f"{base}/{published.course_id}/reset", {"lesson_id": first.id}, format="json"
    )
    after_one = CourseProgress.objects.get(user=learner.user).completed_at
    reset = api_client.post(f"{base}/{published.course_id}/reset", {}, format="json")

    # then
    assert complete.status_code == 200, complete.json()
    assert complete.json()["status"] == "completed"
    assert complete.json()["percent_complete"] == 100.0
    assert courses["results"][0]["course"]["id"] == published.course_id
    assert courses["results"][0]["progress"]["status"] == "completed"
    assert users["results"][0]["user"]["id"] == learner.user_id
    assert reset_one.json()["lessons_completed"] == 1
    assert after_one is not None
    assert reset.json()["status"] == "not_started"
    assert reset.json()["lessons_completed"] == 0
    assert len(_events(school, "lesson.completed")) == 2
    progress_list = api_client.get(f"/api/v1/users/{learner.user_id}/progress").json()
    assert [row["course_id"] for row in progress_list["results"]] == [published.course_id]


def test_reset_refuses_a_lesson_of_another_course(api_client, school, domain, learner):
    published, _ = _course(school, domain, "HTML")
    _other, (elsewhere,) = _course(school, domain, "HTML")
    _enroll(published, learner)

    response = api_client.post(
        f"/api/v1/users/{learner.user_id}/courses/{published.course_id}/reset",
        {"lesson_id": elsewhere.id},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "lesson_not_in_course"


def test_a_learner_reads_its_own_progress_only_and_writes_none(
    user_client, api_client, school, domain, learner
):
    # given the learner and another person in the same course
    published, (lesson,) = _course(school, domain, "HTML")
    _enroll(published, learner)
    other = MemberFactory(school=school)
    _enroll(published, other)
    mine = _progress(learner, lesson)
    theirs = _progress(other, lesson)

    # then the learner reads its own rows and none of the other person's
    assert user_client.get(f"/api/v1/lesson-progress/{mine.id}").status_code == 200
    assert user_client.get(f"/api/v1/lesson-progress/{theirs.id}").status_code == 404
    own = user_client.get(f"/api/v1/users/{learner.user_id}/published-courses")
    assert own.status_code == 200
    assert len(own.json()["results"]) == 1
    for url in (
        f"/api/v1/users/{other.user_id}/published-courses",
        f"/api/v1/users/{other.user_id}/progress",
        f"/api/v1/users/{other.user_id}/published-courses/{published.id}/lessons",
        f"/api/v1/users/{other.user_id}/courses/{published.course_id}/progress",
    ):
        assert user_client.get(url).status_code == 404, url
    course_users = user_client.get(f"/api/v1/courses/{published.course_id}/users").json()
    assert [row["user"]["id"] for row in course_users["results"]] == [learner.user_id]
    # and cannot write progress (an API key reports what learners did)
    assert _put(user_client, mine, {"finished_at": NOW}).status_code == 403


def test_another_schools_progress_is_404(other_api_client, school, domain, learner):
    published, (lesson,) = _course(school, domain, "HTML")
    _enroll(published, learner)
    progress = _progress(learner, lesson)

    assert _put(other_api_client, progress, {"finished_at": NOW}).status_code == 404
    assert (
        other_api_client.get(f"/api/v1/users/{learner.user_id}/published-courses").status_code
        == 404
    )
    assert _progress(learner, lesson).finished_at is None


def test_the_summary_is_computed_in_sql_whatever_the_number_of_lessons(
    api_client, school, domain, learner
):
    # given a course of two lessons, then the same course grown to forty
    published, lessons = _course(school, domain, "HTML", "HTML")
    _enroll(published, learner)
    _put(api_client, _progress(learner, lessons[0]), {"finished_at": NOW})
    url = f"/api/v1/users/{learner.user_id}/courses/{published.course_id}/progress"
    api_client.get(url)
    with CaptureQueriesContext(connection) as small:
        api_client.get(url)
    for n in range(38):
        LessonFactory(school=school, course=published.course, title=f"More {n}")
    api_client.get(f"/api/v1/users/{learner.user_id}/published-courses/{published.id}/lessons")

    # when
    with CaptureQueriesContext(connection) as large:
        response = api_client.get(url)

    # then the same statements answer, and the figures are right
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.json()["total_lessons"] == 40
    assert response.json()["lessons_completed"] == 1
    assert response.json()["percent_complete"] == 2.5


# --- concurrency (PostgreSQL: row locks as in production) -----------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_completions_of_the_last_lessons_complete_the_course_once(
    api_key, school, learner
):
    # given a course of six lessons, four of them complete, and the last two completed at
    # once, several times each
    domain = DomainFactory(school=school)
    published, lessons = _course(school, domain, *["HTML"] * 6)
    _enroll(published, learner)
    for lesson in lessons[:4]:
        progress = _progress(learner, lesson)
        progress.completed_at = timezone.now()
        progress.save()
    targets = [_progress(learner, lesson).id for lesson in lessons[4:]] * 4
    barrier = threading.Barrier(len(targets))
    statuses: list[int] = []

    def send(progress_id: str) -> None:
        client = make_client(api_key[1])
        try:
            barrier.wait(timeout=10)
            response = client.patch(
                f"/api/v1/lesson-progress/{progress_id}", {"finished_at": NOW}, format="json"
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(target,)) for target in targets]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then every request succeeded and the course completed exactly once
    assert statuses == [200] * len(targets)
    assert CourseProgress.objects.get(user=learner.user).completed_at is not None
    assert Event.objects.filter(school=school, type="enrollment.completed").count() == 1
    assert Event.objects.filter(school=school, type="lesson.completed").count() == 2
