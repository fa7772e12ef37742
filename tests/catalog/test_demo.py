import io

import pytest
from django.core.management import call_command

from apps.catalog.models import Course, Lesson, LessonType, Path, Question
from apps.schools.management.commands import seed_demo
from apps.schools.models import School
from tests.conftest import make_client

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_the_demo_school_a_living_catalog_once(tmp_path, monkeypatch):
    # given
    monkeypatch.setattr(seed_demo, "KEY_FILE", tmp_path / ".demo-credentials")

    # when run twice
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    # then one set of courses, with sections and lessons of many types, and a quiz
    school = School.objects.get(slug="demo")
    assert Course.objects.filter(school=school).count() == 2
    types = set(Lesson.objects.filter(school=school).values_list("type", flat=True))
    assert {LessonType.SECTION, LessonType.VIDEO, LessonType.HTML, LessonType.QUIZ} <= types
    assert Question.objects.filter(school=school).count() == 4
    secret = (tmp_path / ".demo-credentials").read_text().strip()
    safety = Course.objects.get(school=school, slug="workplace-safety")
    tree = make_client(secret).get(f"/api/v1/courses/{safety.id}/contents").json()
    published = make_client(secret).get("/api/v1/domains/demo.lyceum.local/published-courses")
    assert published.json()["count"] == 2
    assert Path.objects.filter(school=school).count() == 1
    assert [section["title"] for section in tree["sections"]] == [
        "",
        "Week 1: hazards",
        "Week 2: first aid",
    ]
