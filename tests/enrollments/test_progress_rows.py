"""``progress_rows_ensure``: the rows every enrolled person has, made where missing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import LessonType
from apps.enrollments.models import CourseProgress, LessonProgress, ProgressToken
from apps.enrollments.services.progress import progress_rows_ensure
from tests.factories import CourseFactory, LessonFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _rows(user, course) -> tuple[int, list[str], int]:
    """(course progress rows, lessons with a progress row, tokens) of the person."""
    lessons = LessonProgress.objects.filter(user=user, course=course)
    return (
        CourseProgress.objects.filter(user=user, course=course).count(),
        sorted(lessons.values_list("lesson_id", flat=True)),
        ProgressToken.objects.filter(lesson_progress__in=lessons).count(),
    )


def test_every_lesson_but_section_headings_gets_a_row_and_a_token(school):
    # given: a course with two lessons and a section heading
    user = MemberFactory(school=school).user
    course = CourseFactory(school=school)
    first, second = (
        LessonFactory(school=school, course=course),
        LessonFactory(school=school, course=course),
    )
    LessonFactory(school=school, course=course, type=LessonType.SECTION)
    # when
    progress_rows_ensure(user=user, course=course)
    # then
    assert _rows(user, course) == (1, sorted([first.pk, second.pk]), 2)


def test_only_what_is_missing_is_made(school):
    # given: a learner with their rows, then a lesson added and the course row gone
    user = MemberFactory(school=school).user
    course = CourseFactory(school=school)
    first = LessonFactory(school=school, course=course)
    progress_rows_ensure(user=user, course=course)
    kept = LessonProgress.objects.get(user=user, lesson=first)
    added = LessonFactory(school=school, course=course)
    CourseProgress.objects.filter(user=user, course=course).delete()
    # when
    progress_rows_ensure(user=user, course=course)
    # then: both rows come back, the first lesson's row untouched
    assert _rows(user, course) == (1, sorted([first.pk, added.pk]), 2)
    assert LessonProgress.objects.get(user=user, lesson=first).pk == kept.pk


def test_other_learners_and_other_courses_do_not_count(school):
    # given: another learner with rows in this course, and this learner in another course
    user, other = MemberFactory(school=school).user, MemberFactory(school=school).user
    course, elsewhere = CourseFactory(school=school), CourseFactory(school=school)
    lesson = LessonFactory(school=school, course=course)
    LessonFactory(school=school, course=elsewhere)
    progress_rows_ensure(user=other, course=course)
    progress_rows_ensure(user=user, course=elsewhere)
    # when
    progress_rows_ensure(user=user, course=course)
    # then
    assert _rows(user, course) == (1, [lesson.pk], 1)
    assert _rows(other, course) == (1, [lesson.pk], 1)


def test_a_course_without_lessons_still_gets_its_course_row(school):
    user = MemberFactory(school=school).user
    course = CourseFactory(school=school)
    progress_rows_ensure(user=user, course=course)
    assert _rows(user, course) == (1, [], 0)


def test_nothing_missing_costs_one_statement(school):
    # given: a learner who has every row
    user = MemberFactory(school=school).user
    course = CourseFactory(school=school)
    LessonFactory(school=school, course=course)
    progress_rows_ensure(user=user, course=course)
    # when
    with CaptureQueriesContext(connection) as queries:
        progress_rows_ensure(user=user, course=course)
    # then
    assert len(queries) == 1
    assert _rows(user, course) == (1, [course.lessons.get().pk], 1)
