"""``training-credit-codes``: codes holding credits learners spend on offers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.commerce.api.credits import TrainingCreditCodeViewSet
from apps.commerce.models import TrainingCreditCode
from tests.factories import GroupFactory, OfferFactory, TrainingCreditCodeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/training-credit-codes"


def test_create_answers_every_seed_field(api_client, school):
    # given
    group = GroupFactory(school=school)
    offer = OfferFactory(school=school, training_credit_value=2)
    body = {
        "training_credit_code": "ACME-2026",
        "credits_total": 20,
        "expiration_date": "2027-01-01T00:00:00Z",
        "expire_content": True,
        "tracking_identifier": "PO-4411",
        "available_to_all_students": False,
        "student_groups": [group.id],
        "available_for_all_offers": False,
        "offers": [offer.id],
    }

    # when
    response = api_client.post(URL, body, format="json")

    # then
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"].startswith("tcc_")
    assert data["training_credit_code"] == "ACME-2026"
    assert data["credits_total"] == 20
    assert data["credits_remaining"] == 20
    assert data["expiration_date"] == "2027-01-01T00:00:00.000000Z"
    assert data["expire_content"] is True
    assert data["tracking_identifier"] == "PO-4411"
    assert data["available_to_all_students"] is False
    assert data["student_groups"] == [group.id]
    assert data["available_for_all_offers"] is False
    assert data["offers"] == [offer.id]
    assert api_client.get(f"{URL}/{data['id']}").json() == data


@pytest.mark.parametrize(
    ("missing", "flag"),
    [("student_groups", "available_to_all_students"), ("offers", "available_for_all_offers")],
)
def test_create_without_an_audience_is_400_naming_the_field(api_client, school, missing, flag):
    body = {
        "training_credit_code": "NOPE",
        "credits_total": 5,
        "available_to_all_students": True,
        "available_for_all_offers": True,
        flag: False,
    }

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == f"{missing}_required"
    assert missing in response.json()["errors"]
    assert not TrainingCreditCode.objects.exists()


@pytest.mark.parametrize("field", ["student_groups", "offers"])
def test_another_schools_group_or_offer_is_400_naming_it(api_client, other_school, field):
    theirs = (GroupFactory if field == "student_groups" else OfferFactory)(school=other_school)
    body = {
        "training_credit_code": "X",
        "credits_total": 5,
        "available_to_all_students": True,
        "available_for_all_offers": True,
        field: [theirs.id],
    }

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert theirs.id in str(response.json()["errors"][field])


def test_the_same_name_in_any_case_is_409(api_client, school):
    TrainingCreditCodeFactory(school=school, training_credit_code="Acme")
    body = {
        "training_credit_code": "ACME",
        "credits_total": 5,
        "available_to_all_students": True,
        "available_for_all_offers": True,
    }

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "training_credit_code_exists"


def test_another_school_may_use_the_same_name(api_client, other_school):
    TrainingCreditCodeFactory(school=other_school, training_credit_code="ACME")
    body = {
        "training_credit_code": "ACME",
        "credits_total": 5,
        "available_to_all_students": True,
        "available_for_all_offers": True,
    }

    assert api_client.post(URL, body, format="json").status_code == 201


def test_patch_adds_first_then_removes(api_client, school):
    # given: a code for group A; the patch adds B and C and removes C
    a, b, c = (GroupFactory(school=school) for _ in range(3))
    code = TrainingCreditCodeFactory(school=school, available_to_all_students=False)
    code.student_groups.set([a])

    # when
    response = api_client.patch(
        f"{URL}/{code.id}",
        {"student_groups": {"add": [b.id, c.id], "remove": [c.id, a.id]}},
        format="json",
    )

    # then: C added then removed, A removed, B stays
    assert response.status_code == 200, response.content
    assert response.json()["student_groups"] == [b.id]


def test_patch_offers_add_and_remove(api_client, school):
    one, two = OfferFactory(school=school), OfferFactory(school=school)
    code = TrainingCreditCodeFactory(school=school, available_for_all_offers=False)
    code.offers.set([one])

    response = api_client.patch(
        f"{URL}/{code.id}", {"offers": {"add": [two.id], "remove": [one.id]}}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["offers"] == [two.id]


def test_patch_removing_the_last_group_of_a_restricted_code_is_400(api_client, school):
    group = GroupFactory(school=school)
    code = TrainingCreditCodeFactory(school=school, available_to_all_students=False)
    code.student_groups.set([group])

    response = api_client.patch(
        f"{URL}/{code.id}", {"student_groups": {"remove": [group.id]}}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "student_groups_required"
    assert list(code.student_groups.all()) == [group]


def test_patch_turning_off_all_offers_needs_offers(api_client, school):
    code = TrainingCreditCodeFactory(school=school)

    response = api_client.patch(
        f"{URL}/{code.id}", {"available_for_all_offers": False}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "offers_required"
    assert "offers" in response.json()["errors"]


def test_patch_with_another_schools_group_is_400_naming_it(api_client, school, other_school):
    code = TrainingCreditCodeFactory(school=school)
    theirs = GroupFactory(school=other_school)

    response = api_client.patch(
        f"{URL}/{code.id}", {"student_groups": {"add": [theirs.id]}}, format="json"
    )

    assert response.status_code == 400
    assert "student_groups" in str(response.json()["errors"])
    assert not code.student_groups.exists()


def test_patch_credits_total_keeps_spent_credits_spent(api_client, school):
    # given: 4 of 10 credits spent
    code = TrainingCreditCodeFactory(school=school, credits_total=10, credits_remaining=6)

    # when
    raised = api_client.patch(f"{URL}/{code.id}", {"credits_total": 15}, format="json")
    below = api_client.patch(f"{URL}/{code.id}", {"credits_total": 3}, format="json")

    # then
    assert raised.status_code == 200
    assert (raised.json()["credits_total"], raised.json()["credits_remaining"]) == (15, 11)
    assert below.status_code == 409
    assert below.json()["code"] == "credits_below_spent"


def test_the_name_cannot_be_changed(api_client, school):
    code = TrainingCreditCodeFactory(school=school, training_credit_code="KEEP")

    response = api_client.patch(
        f"{URL}/{code.id}",
        {"training_credit_code": "KEEP", "tracking_identifier": "T"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["training_credit_code"] == "KEEP"
    assert response.json()["tracking_identifier"] == "T"


def test_list_filters_by_tracking_identifier_and_code_name(api_client, school):
    mine = TrainingCreditCodeFactory(
        school=school, training_credit_code="ACME", tracking_identifier="PO-1"
    )
    TrainingCreditCodeFactory(school=school, tracking_identifier="PO-2")

    by_tracking = api_client.get(URL, {"tracking_identifier": "PO-1"}).json()
    by_name = api_client.get(URL, {"training_credit_code": "acme"}).json()

    assert [row["id"] for row in by_tracking["results"]] == [mine.id]
    assert [row["id"] for row in by_name["results"]] == [mine.id]


def test_pages_hold_1000_codes_as_the_seed_says():
    assert TrainingCreditCodeViewSet.page_size == TrainingCreditCodeViewSet.max_page_size == 1000


def test_list_runs_constant_queries(api_client, school):
    for _ in range(4):
        code = TrainingCreditCodeFactory(school=school)
        code.student_groups.set([GroupFactory(school=school)])
        code.offers.set([OfferFactory(school=school)])
    api_client.get(URL)
    with CaptureQueriesContext(connection) as one:
        api_client.get(URL, {"page_size": 1})

    with CaptureQueriesContext(connection) as four:
        response = api_client.get(URL, {"page_size": 4})

    assert len(response.json()["results"]) == 4
    assert all(len(row["student_groups"]) == 1 for row in response.json()["results"])
    assert len(four.captured_queries) == len(one.captured_queries)


def test_another_schools_code_is_404(api_client, other_school):
    theirs = TrainingCreditCodeFactory(school=other_school)

    assert api_client.get(f"{URL}/{theirs.id}").status_code == 404
    patch = api_client.patch(f"{URL}/{theirs.id}", {"credits_total": 1}, format="json")
    assert patch.status_code == 404
    assert api_client.get(URL).json()["results"] == []


def test_scopes_read_and_write_commerce(scoped_client, school):
    code = TrainingCreditCodeFactory(school=school)
    reader = scoped_client("read:commerce")

    assert reader.get(f"{URL}/{code.id}").status_code == 200
    assert reader.patch(f"{URL}/{code.id}", {"credits_total": 1}, format="json").status_code == 403


def test_learner_tokens_are_refused(user_client):
    assert user_client.get(URL).status_code == 403
