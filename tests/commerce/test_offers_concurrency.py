"""Two offers POSTed together on one target make one offer (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from apps.commerce.models import Offer
from apps.core.models import Event
from tests.conftest import make_client
from tests.factories import DomainFactory, PublishedCourseFactory

COPIES = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_on_one_target_make_one_offer(api_key):
    # given: one publication, four requests released together
    school = api_key[0].school
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    body = {"published_course_id": published.id, "price_cents": 100, "currency_code": "USD"}
    barrier = threading.Barrier(COPIES)
    responses = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            responses.append(make_client(api_key[1]).post("/api/v1/offers", body, format="json"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(COPIES)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: one 201, the others 409 offer_exists; one row, one event
    codes = sorted(response.status_code for response in responses)
    assert codes == [201] + [409] * (COPIES - 1), [r.content for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"offer_exists"}
    assert Offer.objects.filter(published_course=published).count() == 1
    assert Event.objects.filter(school=school, type="offer.created").count() == 1
