"""The migration that makes group, group category and segment names unique regardless of case
keeps every row that differed only by case, renaming the later ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.ids import new_id
from tests.migrations import at_migration, migrate

BEFORE = [("schools", "0011_member_school_id_index")]
AFTER = [("schools", "0012_case_insensitive_names")]


@pytest.fixture
def old_apps(transactional_db):
    yield from at_migration(BEFORE)


def _school(apps, slug: str):
    School = apps.get_model("schools", "School")
    return School.objects.create(id=new_id("sch"), name=slug.title(), slug=slug)


@pytest.mark.parametrize(
    ("model", "prefix"), [("Group", "grp"), ("GroupCategory", "gct"), ("Segment", "seg")]
)
def test_case_duplicates_are_renamed_oldest_first_and_per_school(old_apps, model, prefix):
    # given: "Team" written three ways in one school (oldest first), a "Team (2)" already
    # taken there, and "team" in another school
    Model = old_apps.get_model("schools", model)
    alpha, beta = _school(old_apps, "alpha"), _school(old_apps, "beta")
    start = timezone.now() - timedelta(days=1)
    rows = {}
    for n, name in enumerate(["team", "Team (2)", "Team", "TEAM"]):
        row = Model.objects.create(id=new_id(prefix), school=alpha, name=name)
        Model.objects.filter(pk=row.pk).update(created_at=start + timedelta(minutes=n))
        rows[name] = row.pk
    elsewhere = Model.objects.create(id=new_id(prefix), school=beta, name="team").pk

    # when
    apps = migrate(AFTER)

    # then: every row is kept under a name no other row of its school has in any case
    Model = apps.get_model("schools", model)
    names = {pk: Model.objects.get(pk=pk).name for pk in rows.values()}
    assert names == {
        rows["team"]: "team",
        rows["Team (2)"]: "Team (2)",
        rows["Team"]: "Team (3)",
        rows["TEAM"]: "TEAM (4)",
    }
    assert Model.objects.get(pk=elsewhere).name == "team"
