"""Admin of purchases: filters, fulfil and refund through the services, the CSV export."""

import csv
import io

import pytest

from apps.commerce.models import Purchase
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.factories import PurchaseFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/commerce/purchase/"


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_fulfil_and_refund_actions_go_through_the_services(staff_client, school):
    # given
    purchase = PurchaseFactory(school=school)

    # when
    fulfilled = staff_client.post(
        CHANGELIST, {"action": "fulfil_selected", "_selected_action": [purchase.id]}
    )
    refunded = staff_client.post(
        CHANGELIST, {"action": "refund_selected", "_selected_action": [purchase.id]}
    )

    # then: the grant, the events, the access taken back
    assert fulfilled.status_code == 302
    assert refunded.status_code == 302
    purchase.refresh_from_db()
    assert purchase.state == "REFUNDED"
    assert purchase.refund_cents == purchase.price_cents
    assert Enrollment.objects.get(purchase_id=purchase.id).active is False
    types = set(Event.objects.filter(school=school).values_list("type", flat=True))
    assert {"purchase.fulfilled", "purchase.refunded", "payment.completed"} <= types


def test_refund_of_a_pending_purchase_is_an_error_message_not_a_change(staff_client, school):
    # given
    purchase = PurchaseFactory(school=school)

    # when
    response = staff_client.post(
        CHANGELIST,
        {"action": "refund_selected", "_selected_action": [purchase.id]},
        follow=True,
    )

    # then
    assert response.status_code == 200
    assert "Only a fulfilled" in response.content.decode()
    assert Purchase.objects.get(pk=purchase.pk).state == "PENDING"


def test_export_streams_the_filtered_list(staff_client, school, other_school):
    # given: two pending, one failed, one of another school
    pending = [PurchaseFactory(school=school) for _ in range(2)]
    PurchaseFactory(school=school, state="FAILED")
    PurchaseFactory(school=other_school)

    # when
    response = staff_client.get(f"{CHANGELIST}export.csv", {"state__exact": "PENDING"})

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = _csv(response)
    assert header[:3] == ["id", "order_id", "state"]
    assert sorted(row[0] for row in rows) == sorted(p.id for p in pending)
    assert rows[0][header.index("price")] == "100.00"


def test_changelist_filters_by_date_offer_and_state(staff_client, school):
    # given
    purchase = PurchaseFactory(school=school)

    # when
    page = staff_client.get(CHANGELIST, {"offer__id__exact": purchase.offer_id})

    # then
    assert page.status_code == 200
    assert purchase.id in page.content.decode()
