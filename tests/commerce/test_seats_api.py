"""``seats``: a buyer's seats on an offer's published course or path, and who holds them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.commerce.api.seats import SeatOfferingViewSet
from apps.commerce.models import SeatAssignment
from apps.enrollments.models import Enrollment, PathEnrollment
from tests.factories import (
    BundleFactory,
    DomainFactory,
    MemberFactory,
    OfferFactory,
    PublishedPathFactory,
    SeatOfferingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/seats"


@pytest.fixture
def buyer(school):
    return MemberFactory(school=school).user


@pytest.fixture
def offering(school):
    return SeatOfferingFactory(
        school=school, seats=2, offer__published_course__domain=DomainFactory(school=school)
    )


def test_create_answers_the_offering(api_client, school, buyer):
    # given
    offer = OfferFactory(school=school)

    # when
    response = api_client.post(
        URL, {"user_id": buyer.id, "offer_id": offer.id, "seats": 5}, format="json"
    )

    # then
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"].startswith("sto_")
    assert data["user_id"] == buyer.id
    assert data["offer_id"] == offer.id
    assert data["published_course_id"] == offer.published_course_id
    assert data["published_path_id"] is None
    assert (data["seats"], data["seats_used"], data["seats_available"]) == (5, 0, 5)
    assert api_client.get(f"{URL}/{data['id']}").json() == data


def test_a_bundle_offer_has_no_seats(api_client, school, buyer):
    offer = OfferFactory(school=school, published_course=None, bundle=BundleFactory(school=school))

    response = api_client.post(
        URL, {"user_id": buyer.id, "offer_id": offer.id, "seats": 5}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "seat_target_unsupported"


@pytest.mark.parametrize("seats", [0, -1, "many", None])
def test_bad_seat_counts_are_400(api_client, school, buyer, seats):
    offer = OfferFactory(school=school)

    response = api_client.post(
        URL, {"user_id": buyer.id, "offer_id": offer.id, "seats": seats}, format="json"
    )

    assert response.status_code == 400
    assert "seats" in response.json()["errors"]


@pytest.mark.parametrize("field", ["user_id", "offer_id"])
def test_another_schools_user_or_offer_is_400(api_client, school, other_school, buyer, field):
    body = {"user_id": buyer.id, "offer_id": OfferFactory(school=school).id, "seats": 1}
    body[field] = (
        UserFactory(school=other_school)
        if field == "user_id"
        else OfferFactory(school=other_school)
    ).id

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_assigning_enrolls_and_the_same_user_again_is_the_same_seat(api_client, school, offering):
    # given
    person = MemberFactory(school=school).user
    url = f"{URL}/{offering.id}/users/{person.id}"

    # when
    first = api_client.post(url)
    again = api_client.post(url)

    # then
    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert again.json() == first.json()
    enrollment = Enrollment.objects.get(user=person)
    assert enrollment.published_course_id == offering.offer.published_course_id
    assert first.json()["enrollment_id"] == enrollment.id
    assert first.json()["seat_id"] == offering.id
    assert api_client.get(f"{URL}/{offering.id}").json()["seats_used"] == 1
    assert api_client.get(url).json() == first.json()


def test_the_seat_after_the_last_is_409(api_client, school, offering):
    people = [MemberFactory(school=school).user for _ in range(3)]

    responses = [api_client.post(f"{URL}/{offering.id}/users/{p.id}") for p in people]

    assert [r.status_code for r in responses] == [201, 201, 409]
    assert responses[2].json()["code"] == "seats_full"
    assert not Enrollment.objects.filter(user=people[2]).exists()
    assert SeatAssignment.objects.filter(seat_offering=offering).count() == 2


def test_a_path_offers_seat_enrolls_in_the_path(api_client, school, buyer):
    published = PublishedPathFactory(school=school, domain=DomainFactory(school=school))
    offer = OfferFactory(school=school, published_course=None, published_path=published)
    offering = SeatOfferingFactory(school=school, offer=offer, seats=1)
    person = MemberFactory(school=school).user

    response = api_client.post(f"{URL}/{offering.id}/users/{person.id}")

    assert response.status_code == 201, response.content
    enrollment = PathEnrollment.objects.get(user=person)
    assert response.json()["path_enrollment_id"] == enrollment.id
    assert enrollment.published_path == published


def test_assigning_another_schools_user_is_404(api_client, offering, other_school):
    theirs = MemberFactory(school=other_school).user

    response = api_client.post(f"{URL}/{offering.id}/users/{theirs.id}")

    assert response.status_code == 404
    assert not SeatAssignment.objects.exists()


def test_put_changes_seats_but_never_below_those_assigned(api_client, school, offering):
    for _ in range(2):
        api_client.post(f"{URL}/{offering.id}/users/{MemberFactory(school=school).user_id}")

    more = api_client.put(f"{URL}/{offering.id}", {"seats": 4}, format="json")
    fewer = api_client.put(f"{URL}/{offering.id}", {"seats": 1}, format="json")

    assert more.status_code == 200
    assert more.json()["seats"] == 4
    assert more.json()["seats_available"] == 2
    assert fewer.status_code == 409
    assert fewer.json()["code"] == "seats_below_used"
    assert api_client.get(f"{URL}/{offering.id}").json()["seats"] == 4


def test_list_is_newest_first_20_per_page(api_client, school):
    made = [SeatOfferingFactory(school=school) for _ in range(3)]

    response = api_client.get(URL)

    assert [row["id"] for row in response.json()["results"]] == [o.id for o in reversed(made)]
    assert SeatOfferingViewSet.page_size == 20


def test_the_seat_users_list_shows_who_holds_a_seat(api_client, school, offering):
    person = MemberFactory(school=school).user
    api_client.post(f"{URL}/{offering.id}/users/{person.id}")

    response = api_client.get(f"{URL}/{offering.id}/users")

    assert [row["user_id"] for row in response.json()["results"]] == [person.id]


def test_list_runs_constant_queries(api_client, school):
    for _ in range(4):
        SeatOfferingFactory(school=school)
    api_client.get(URL)
    with CaptureQueriesContext(connection) as one:
        api_client.get(URL, {"page_size": 1})

    with CaptureQueriesContext(connection) as four:
        response = api_client.get(URL, {"page_size": 4})

    assert len(response.json()["results"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_another_schools_offering_is_404(api_client, other_school):
    theirs = SeatOfferingFactory(school=other_school)
    person = MemberFactory(school=other_school).user

    assert api_client.get(f"{URL}/{theirs.id}").status_code == 404
    assert api_client.put(f"{URL}/{theirs.id}", {"seats": 9}, format="json").status_code == 404
    assert api_client.post(f"{URL}/{theirs.id}/users/{person.id}").status_code == 404
    assert api_client.get(URL).json()["results"] == []


def test_learner_tokens_are_refused(user_client, offering):
    assert user_client.get(URL).status_code == 403
    assert user_client.post(f"{URL}/{offering.id}/users/{offering.user_id}").status_code == 403
