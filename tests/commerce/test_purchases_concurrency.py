"""Fulfilling one purchase from several requests at once grants it once (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from apps.commerce.models import Payment, Purchase
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.conftest import make_client
from tests.factories import MemberFactory, OfferFactory

COPIES = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_fulfilments_grant_exactly_once(api_key):
    # given: a pending purchase, four fulfilments released together
    school = api_key[0].school
    offer = OfferFactory(school=school)
    member = MemberFactory(school=school)
    created = make_client(api_key[1]).post(
        "/api/v1/purchases", {"offer_id": offer.id, "user_id": member.user_id}, format="json"
    )
    purchase_id = created.json()["id"]
    barrier = threading.Barrier(COPIES)
    responses = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            responses.append(
                make_client(api_key[1]).post(
                    f"/api/v1/purchases/{purchase_id}/fulfill", {"state": "SUCCESS"}, format="json"
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(COPIES)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: every answer is the fulfilled purchase; one enrollment, payment and event each
    assert [r.status_code for r in responses] == [200] * COPIES, [r.content for r in responses]
    assert {r.json()["state"] for r in responses} == {"SUCCESS"}
    assert Purchase.objects.get(pk=purchase_id).state == "SUCCESS"
    assert Enrollment.objects.filter(user_id=member.user_id).count() == 1
    assert Payment.objects.filter(purchase_id=purchase_id).count() == 1
    assert Event.objects.filter(school=school, type="purchase.fulfilled").count() == 1
    assert Event.objects.filter(school=school, type="enrollment.created").count() == 1
