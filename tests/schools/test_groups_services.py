import pytest

from apps.core.errors import InvalidInput
from apps.core.models import Event
from apps.schools.models import Group
from apps.schools.services.groups import group_create, group_update, groups_by_name
from apps.schools.services.roles import member_set_user_role
from tests.factories import GroupCategoryFactory, GroupFactory, MemberFactory, UserRoleFactory


@pytest.mark.django_db
def test_group_create_with_other_school_category_does_not_exist(school, other_school):
    # given
    theirs = GroupCategoryFactory(school=other_school)

    # when
    with pytest.raises(InvalidInput) as raised:
        group_create(school=school, name="Cohort", category=theirs)

    # then
    assert raised.value.code == "group_category_not_found"
    assert "does not exist" in str(raised.value.detail)
    assert raised.value.field == "group_category_id"
    assert not Group.objects.exists()


@pytest.mark.django_db
def test_group_update_to_other_school_category_does_not_exist(school, other_school):
    # given
    group = GroupFactory(school=school)
    theirs = GroupCategoryFactory(school=other_school)

    # when
    with pytest.raises(InvalidInput) as raised:
        group_update(group=group, category=theirs)

    # then
    assert raised.value.field == "group_category_id"
    group.refresh_from_db()
    assert group.category_id is None


@pytest.mark.django_db
def test_member_set_user_role_of_other_school_does_not_exist(school, other_school):
    # given
    member = MemberFactory(school=school)
    theirs = UserRoleFactory(school=other_school, role="admin")

    # when
    with pytest.raises(InvalidInput) as raised:
        member_set_user_role(member=member, user_role=theirs)

    # then
    assert raised.value.code == "user_role_not_found"
    assert raised.value.field == "role_id"
    member.refresh_from_db()
    assert (member.role, member.user_role_id) == ("learner", None)


def test_groups_by_name_matches_any_letter_case(school, other_school):
    # given
    sales = group_create(school=school, name="Sales")
    group_create(school=other_school, name="Support")

    # when
    found, unknown = groups_by_name(school=school, names=["sales", "SALES", "Support"])

    # then
    assert found == {"sales": sales}
    assert unknown == ["Support"]


def test_groups_by_name_creates_one_group_per_name_whatever_its_spellings(school):
    # given
    events_before = Event.objects.filter(type="group.created").count()

    # when
    found, unknown = groups_by_name(
        school=school, names=["Sales", "sales", "Field Team", "SALES"], create=True
    )

    # then one group under the first spelling, announced once
    assert unknown == []
    assert sorted(Group.objects.filter(school=school).values_list("name", flat=True)) == [
        "Field Team",
        "Sales",
    ]
    assert set(found) == {"sales", "field team"}
    assert Event.objects.filter(type="group.created").count() == events_before + 2
