"""``seed_demo --courses M --enrollments K`` loads enrollments with their progress, once."""

import io

import pytest
from django.core.management import call_command

from apps.enrollments.models import CourseProgress, Enrollment, LessonProgress, ProgressToken
from apps.enrollments.selectors.analytics import course_analytics
from apps.schools.management.commands import seed_demo

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_enrollments_and_progress_idempotently(tmp_path, monkeypatch):
    monkeypatch.setattr(seed_demo, "KEY_FILE", tmp_path / ".demo-credentials")
    out = io.StringIO()

    call_command(
        "seed_demo", "--users", "6", "--courses", "2", "--enrollments", "10", stdout=out, stderr=out
    )
    call_command(
        "seed_demo", "--users", "6", "--courses", "2", "--enrollments", "10", stdout=out, stderr=out
    )

    # The bulk-loaded courses only (the demo's own learner is enrolled in a demo course too).
    imported = Enrollment.objects.filter(source="import")
    courses = imported.values("course_id")
    assert imported.count() == 10
    assert CourseProgress.objects.filter(course_id__in=courses).count() == 10
    assert LessonProgress.objects.filter(course_id__in=courses).count() == 10 * 20
    assert ProgressToken.objects.filter(lesson_progress__course_id__in=courses).count() == 10 * 20
    # Each person is enrolled in a course once, and the figures add up.
    pairs = imported.values_list("user_id", "course_id")
    assert len(set(pairs)) == 10
    course = imported.first().course
    figures = course_analytics(course=course)
    assert figures["enrolled"] == 5
    assert figures["lessons"] == 20
