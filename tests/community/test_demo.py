import io

import pytest
from django.core.management import call_command

from apps.community.models import Cohort, Collection, Comment, Post, Space, SpaceMember
from apps.enrollments.models import Enrollment
from apps.schools.management.commands import seed_demo
from apps.schools.models import School, User

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_a_collection_two_spaces_members_and_posts_once(tmp_path, monkeypatch):
    # given
    monkeypatch.setattr(seed_demo, "KEY_FILE", tmp_path / ".demo-credentials")

    # when run twice
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    # then
    school = School.objects.get(slug="demo")
    assert Collection.objects.filter(school=school).count() == 1
    spaces = list(Space.objects.filter(school=school, cohort__isnull=True).order_by("id"))
    assert [space.visibility for space in spaces] == ["public", "private"]
    assert spaces[1].course is not None
    assert SpaceMember.objects.filter(space=spaces[0], status="active").count() >= 2
    assert SpaceMember.objects.filter(space=spaces[1], status="invited").exists()

    posts = list(Post.objects.filter(space=spaces[0]).order_by("id"))
    assert len(posts) == 2
    assert posts[0].is_pinned
    assert Comment.objects.filter(post=posts[1], parent__isnull=False).count() == 1


def test_seed_demo_adds_a_cohort_with_the_demo_learner_once(tmp_path, monkeypatch):
    # given
    monkeypatch.setattr(seed_demo, "KEY_FILE", tmp_path / ".demo-credentials")

    # when run twice
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    # then: the learner is in the cohort, enrolled in its course and in its space
    school = School.objects.get(slug="demo")
    cohort = Cohort.objects.get(school=school)
    learner = User.objects.get(school=school, email_key=seed_demo.LEARNER_EMAIL)
    assert list(cohort.members.values_list("user_id", flat=True)) == [learner.pk]
    assert Enrollment.objects.filter(course=cohort.course, user=learner, active=True).exists()
    assert SpaceMember.objects.filter(space=cohort.space, user=learner, status="active").exists()
