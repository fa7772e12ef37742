import io

import pytest
from django.core.management import call_command

from apps.community.models import Collection, Space, SpaceMember
from apps.schools.management.commands import seed_demo
from apps.schools.models import School

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_a_collection_and_two_spaces_with_members_once(tmp_path, monkeypatch):
    # given
    monkeypatch.setattr(seed_demo, "KEY_FILE", tmp_path / ".demo-credentials")

    # when run twice
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    # then
    school = School.objects.get(slug="demo")
    assert Collection.objects.filter(school=school).count() == 1
    spaces = list(Space.objects.filter(school=school).order_by("id"))
    assert [space.visibility for space in spaces] == ["public", "private"]
    assert spaces[1].course is not None
    assert SpaceMember.objects.filter(space=spaces[0], status="active").count() >= 2
    assert SpaceMember.objects.filter(space=spaces[1], status="invited").exists()
