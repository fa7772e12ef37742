"""Admin of payments: the school's payments only, read-only, invoices numbered by action."""

import pytest

from apps.commerce.models import Payment
from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/commerce/payment/"


def test_the_list_shows_the_schools_payments_with_their_invoice_links(
    staff_client, school, other_school
):
    # given: an invoiced payment, one without a number yet, and another school's
    invoiced = PaymentFactory(school=school, invoice_number=7)
    pending = PaymentFactory(school=school)
    foreign = PaymentFactory(school=other_school)

    # when
    page = staff_client.get(CHANGELIST).content.decode()

    # then
    assert invoiced.id in page
    assert pending.id in page
    assert foreign.id not in page
    # only the numbered payment has its signed HTML and PDF links
    assert page.count("?format=pdf") == 1
    assert staff_client.get(f"{CHANGELIST}{foreign.id}/change/").status_code in (302, 404)


def test_the_invoice_action_numbers_payments_in_order_without_gaps(staff_client, school):
    # given
    first, second = PaymentFactory(school=school), PaymentFactory(school=school)

    # when: numbered once, then again with both (the numbers stay)
    staff_client.post(CHANGELIST, {"action": "number_invoices", "_selected_action": [first.id]})
    staff_client.post(
        CHANGELIST, {"action": "number_invoices", "_selected_action": [first.id, second.id]}
    )

    # then
    numbers = dict(Payment.objects.values_list("id", "invoice_number"))
    assert numbers == {first.id: 1, second.id: 2}


def test_payments_are_not_added_changed_or_deleted_by_hand(staff_client, school):
    payment = PaymentFactory(school=school)

    assert staff_client.get(f"{CHANGELIST}add/").status_code == 403
    response = staff_client.post(
        f"{CHANGELIST}{payment.id}/change/", {"amount_cents": 1}, follow=True
    )
    assert response.status_code in (200, 403)
    assert Payment.objects.get(pk=payment.pk).amount_cents == payment.amount_cents
    assert staff_client.post(f"{CHANGELIST}{payment.id}/delete/").status_code == 403
    assert Payment.objects.filter(pk=payment.pk).exists()
