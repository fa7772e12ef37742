"""A name another row of the school has (in any letter case) is refused by the service's
database constraint, and the admin shows that refusal on the field: one rule, no copy of it
in the form."""

import pytest

from apps.schools.models import Group, GroupCategory, Segment, UserRole
from tests.conftest import admin_inline_data
from tests.factories import (
    GroupCategoryFactory,
    GroupFactory,
    SegmentFactory,
    UserRoleFactory,
)

pytestmark = pytest.mark.django_db

# (admin page, model, factory, the unique field, other fields of a valid form, the refusal)
CASES = {
    "groupcategory": (GroupCategory, GroupCategoryFactory, "name", {}, "A group category named"),
    "group": (
        Group,
        GroupFactory,
        "name",
        {
            "discount_percent": "0",
            **admin_inline_data("memberships", []),
            **admin_inline_data("pool_links", []),
        },
        "A group named",
    ),
    "userrole": (UserRole, UserRoleFactory, "title", {"role": "instructor"}, "A role titled"),
    "segment": (
        Segment,
        SegmentFactory,
        "name",
        {"description": "", "filters": '{"roles": ["learner"]}'},
        "A segment named",
    ),
}


def _field_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, response.content[:1000]
    return [str(error) for error in response.context["adminform"].form.errors.get(field, [])]


@pytest.mark.parametrize("page", sorted(CASES))
def test_adding_a_taken_name_in_another_case_shows_the_services_refusal(staff_client, school, page):
    # given
    model, factory, field, fields, refusal = CASES[page]
    factory(school=school, **{field: "Night Shift"})
    count = model.objects.filter(school=school).count()

    # when
    response = staff_client.post(f"/admin/schools/{page}/add/", {field: "night shift", **fields})

    # then: the one refusal, the service's, on the field
    assert _field_errors(response, field) == [f"{refusal} 'night shift' already exists."]
    assert model.objects.filter(school=school).count() == count


@pytest.mark.parametrize("page", sorted(CASES))
def test_renaming_to_a_taken_name_shows_the_services_refusal(staff_client, school, page):
    # given
    model, factory, field, fields, refusal = CASES[page]
    factory(school=school, **{field: "Night Shift"})
    row = factory(school=school, **{field: "Day Shift"})

    # when
    response = staff_client.post(
        f"/admin/schools/{page}/{row.pk}/change/", {field: "NIGHT SHIFT", **fields}
    )

    # then
    assert _field_errors(response, field) == [f"{refusal} 'NIGHT SHIFT' already exists."]
    row.refresh_from_db()
    assert getattr(row, field) == "Day Shift"


@pytest.mark.parametrize("page", sorted(CASES))
def test_a_name_taken_in_another_school_is_free(staff_client, school, other_school, page):
    # given
    model, factory, field, fields, _ = CASES[page]
    factory(school=other_school, **{field: "Night Shift"})

    # when
    response = staff_client.post(f"/admin/schools/{page}/add/", {field: "Night Shift", **fields})

    # then
    assert response.status_code == 302, response.content[:2000]
    assert model.objects.filter(school=school, **{field: "Night Shift"}).exists()


@pytest.mark.parametrize("page", sorted(CASES))
def test_an_operator_adding_a_taken_name_sees_the_services_refusal(operator_client, school, page):
    # given
    model, factory, field, fields, refusal = CASES[page]
    factory(school=school, **{field: "Night Shift"})
    count = model.objects.filter(school=school).count()

    # when
    response = operator_client.post(
        f"/admin/schools/{page}/add/", {"school": school.pk, field: "night shift", **fields}
    )

    # then
    assert _field_errors(response, field) == [f"{refusal} 'night shift' already exists."]
    assert model.objects.filter(school=school).count() == count
