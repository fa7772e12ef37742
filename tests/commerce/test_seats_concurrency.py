"""Eight people assigned at once to five seats: exactly five get one (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from apps.commerce.models import SeatAssignment, SeatOffering
from apps.enrollments.models import Enrollment
from tests.conftest import make_client
from tests.factories import DomainFactory, MemberFactory, SeatOfferingFactory

PEOPLE = 8
SEATS = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_fill_exactly_the_seats(api_key):
    # given: five seats on a course, eight people assigned in eight requests released together
    school = api_key[0].school
    offering = SeatOfferingFactory(
        school=school, seats=SEATS, offer__published_course__domain=DomainFactory(school=school)
    )
    people = [MemberFactory(school=school).user for _ in range(PEOPLE)]
    barrier = threading.Barrier(PEOPLE)
    responses = []

    def assign(user) -> None:
        try:
            barrier.wait(timeout=10)
            url = f"/api/v1/seats/{offering.id}/users/{user.id}"
            responses.append(make_client(api_key[1]).post(url))
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(user,)) for user in people]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: five 201, three 409 seats_full; five seats used, five enrollments
    codes = sorted(response.status_code for response in responses)
    assert codes == [201] * SEATS + [409] * (PEOPLE - SEATS), [r.content for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"seats_full"}
    assert SeatOffering.objects.get(pk=offering.pk).seats_used == SEATS
    assert SeatAssignment.objects.filter(seat_offering=offering).count() == SEATS
    assert Enrollment.objects.filter(published_course=offering.offer.published_course).count() == (
        SEATS
    )
