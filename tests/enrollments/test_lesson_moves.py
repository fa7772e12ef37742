"""A lesson moved to another course takes its learners' progress along: course summaries
count it in the course it is in now, and never in both."""

import pytest
from django.utils import timezone

from apps.catalog.services import lessons as lesson_services
from apps.core.events import dispatch_event
from apps.core.models import Event
from apps.enrollments.models import LessonProgress
from apps.enrollments.selectors import progress as progress_selectors
from tests.factories import (
    CourseFactory,
    CourseProgressFactory,
    LessonFactory,
    LessonProgressFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db


def _counts(user, course) -> tuple[int, int, int]:
    """(total lessons, lessons completed, seconds spent) of the person's summary."""
    summary = progress_selectors.course_summaries(user_ids=[user.pk], course_ids=[course.pk])
    row = summary[(user.pk, course.pk)]
    return row["total_lessons"], row["lessons_completed"], row["time_spent_seconds"]


def _hand_over() -> None:
    for event in Event.objects.filter(type="lesson.updated", dispatched_at=None):
        dispatch_event(event.id)


def test_a_moved_lesson_counts_in_its_new_course_once_the_event_is_handed_over(school):
    # given: a learner who completed one lesson of two in course A, and started course B
    user = MemberFactory(school=school).user
    source, target = CourseFactory(school=school), CourseFactory(school=school)
    moved = LessonFactory(school=school, course=source)
    LessonFactory(school=school, course=source)
    LessonFactory(school=school, course=target)
    for course in (source, target):
        CourseProgressFactory(school=school, user=user, course=course)
    LessonProgressFactory(
        school=school, user=user, lesson=moved, completed_at=timezone.now(), time_spent_seconds=90
    )
    assert _counts(user, source) == (2, 1, 90)
    assert _counts(user, target) == (1, 0, 0)

    # when: the lesson moves to course B
    lesson_services.lesson_update(lesson=moved, course=target)

    # then: before the event is handed over, course A no longer counts it (never both)
    assert _counts(user, source) == (1, 0, 0)
    # and once it is (twice: events may be delivered again), course B does
    _hand_over()
    Event.objects.filter(type="lesson.updated").update(dispatched_at=None)
    _hand_over()
    assert LessonProgress.objects.get(lesson=moved).course_id == target.pk
    assert _counts(user, target) == (2, 1, 90)
    assert _counts(user, source) == (1, 0, 0)


def test_a_lesson_update_that_does_not_move_it_leaves_progress_alone(school):
    lesson = LessonFactory(school=school)
    progress = LessonProgressFactory(school=school, lesson=lesson)
    before = LessonProgress.objects.get(pk=progress.pk).updated_at

    lesson_services.lesson_update(lesson=lesson, title="Renamed")
    _hand_over()

    assert LessonProgress.objects.get(pk=progress.pk).updated_at == before
