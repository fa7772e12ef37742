"""Staff manage training credit codes in the admin, through the credit services."""

import pytest

from apps.commerce.models import TrainingCreditCode
from tests.factories import GroupFactory, OfferFactory, TrainingCreditCodeFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/commerce/trainingcreditcode/add/"


def _form(**fields) -> dict:
    return {
        "training_credit_code": "ACME",
        "credits_total": "10",
        "expires_at_0": "",
        "expires_at_1": "",
        "tracking_identifier": "",
        "available_to_all_students": "on",
        "available_for_all_offers": "on",
        **fields,
    }


def test_adding_a_code_in_the_admin_goes_through_the_service(staff_client, school):
    response = staff_client.post(ADD, _form())

    assert response.status_code == 302, response.content[:2000]
    code = TrainingCreditCode.objects.get()
    assert (code.school, code.credits_total, code.credits_remaining) == (school, 10, 10)


def test_admin_refuses_a_restricted_code_without_groups(staff_client, school):
    form = _form()
    del form["available_to_all_students"]

    response = staff_client.post(ADD, form)

    assert response.status_code == 200
    assert "student_groups" in response.content.decode()
    assert not TrainingCreditCode.objects.exists()


def test_admin_never_offers_another_schools_groups_or_offers(staff_client, school, other_school):
    group, offer = GroupFactory(school=other_school), OfferFactory(school=other_school)

    page = staff_client.get(ADD).content.decode()
    response = staff_client.post(ADD, _form(student_groups=[group.pk], offers=[offer.pk]))

    assert group.pk not in page
    assert offer.pk not in page
    assert response.status_code == 200
    assert not TrainingCreditCode.objects.exists()


def test_changing_a_code_keeps_spent_credits_and_sets_the_audience(staff_client, school):
    code = TrainingCreditCodeFactory(school=school, credits_total=10, credits_remaining=7)
    group = GroupFactory(school=school)
    form = _form(credits_total="20", student_groups=[group.pk])
    del form["available_to_all_students"]

    response = staff_client.post(f"/admin/commerce/trainingcreditcode/{code.pk}/change/", form)

    assert response.status_code == 302, response.content[:2000]
    code.refresh_from_db()
    assert (code.credits_total, code.credits_remaining) == (20, 17)
    assert list(code.student_groups.all()) == [group]
