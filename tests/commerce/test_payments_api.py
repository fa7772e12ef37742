"""``payments``: the payment of a fulfilled purchase, its invoice number and invoice link."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from apps.commerce.invoice_links import SALT
from apps.commerce.models import InvoiceCounter, Payment
from tests.factories import MemberFactory, OfferFactory, PaymentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments"


def _paid(api_client, school, price_cents=10000):
    offer = OfferFactory(school=school, price_cents=price_cents)
    member = MemberFactory(school=school)
    member.user.first_name = "<b>Ann</b>"
    member.user.save(update_fields=["first_name"])
    purchase = api_client.post(
        "/api/v1/purchases", {"offer_id": offer.id, "user_id": member.user_id}, format="json"
    ).json()
    api_client.post(
        f"/api/v1/purchases/{purchase['id']}/fulfill",
        {"state": "SUCCESS", "payment_processor": "STRIPE", "payment_processor_order_id": "ch_9"},
        format="json",
    )
    return Payment.objects.get(purchase_id=purchase["id"])


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_paid_purchase_has_one_payment_in_the_api(api_client, school):
    # given
    payment = _paid(api_client, school)

    # when
    listed = api_client.get(URL)
    one = api_client.get(f"{URL}/{payment.id}")

    # then
    assert listed.json()["count"] == 1
    body = one.json()
    assert body["id"].startswith("pay_")
    assert body["amount"] == {"amount": "100.00", "currency_code": "USD"}
    assert body["amount_cents"] == 10000
    assert body["payment_processor"] == "STRIPE"
    assert body["payment_processor_order_id"] == "ch_9"
    assert body["product"]["type"] == "published_course"
    assert body["product"]["id"] == payment.purchase.offer.published_course_id
    assert body["refunded"] is False
    assert body["invoice_number"] is None


def test_a_free_purchase_has_no_payment(api_client, school):
    # when
    _paid_free = OfferFactory(school=school, price_cents=0)
    member = MemberFactory(school=school)
    purchase = api_client.post(
        "/api/v1/purchases", {"offer_id": _paid_free.id, "user_id": member.user_id}, format="json"
    ).json()
    api_client.post(
        f"/api/v1/purchases/{purchase['id']}/fulfill", {"state": "SUCCESS"}, format="json"
    )

    # then
    assert not Payment.objects.exists()


def test_invoice_numbers_run_per_school_and_are_given_once(
    api_client, other_api_client, school, other_school
):
    # given: two payments here, one in the other school
    first, second = _paid(api_client, school), _paid(api_client, school)
    theirs = PaymentFactory(school=other_school)

    # when
    a = api_client.get(f"{URL}/{second.id}/invoice-link").json()
    b = api_client.get(f"{URL}/{first.id}/invoice-link").json()
    a_again = api_client.get(f"{URL}/{second.id}/invoice-link").json()
    foreign = api_client.get(f"{URL}/{theirs.id}/invoice-link")
    other = other_api_client.get(f"{URL}/{theirs.id}/invoice-link").json()

    # then
    assert (a["invoice_number"], b["invoice_number"]) == (1, 2)
    assert a_again["invoice_number"] == 1
    assert foreign.status_code == 404
    assert other["invoice_number"] == 1
    assert InvoiceCounter.objects.get(school=school).last_number == 2
    assert a["expires_at"].endswith("Z")


def test_invoice_link_serves_escaped_html_and_a_pdf(api_client, school):
    # given
    payment = _paid(api_client, school)
    link = api_client.get(f"{URL}/{payment.id}/invoice-link").json()
    browser = Client()

    # when
    html = browser.get(_path(link["url"]))
    pdf = browser.get(_path(link["url"]) + ".pdf")
    pdf_by_query = browser.get(_path(link["url"]), {"format": "pdf"})

    # then
    assert html.status_code == 200
    page = html.content.decode()
    assert "Invoice 1" in page
    assert "100.00 USD" in page
    assert "&lt;b&gt;Ann&lt;/b&gt;" in page
    assert "<b>Ann</b>" not in page
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf_by_query.content.startswith(b"%PDF")


def test_tampered_and_expired_links_are_refused(api_client, school, settings):
    # given
    payment = _paid(api_client, school)
    url = _path(api_client.get(f"{URL}/{payment.id}/invoice-link").json()["url"])
    browser = Client()
    forged = signing.TimestampSigner(salt="another").sign_object({"p": payment.id})
    old = signing.TimestampSigner(salt=SALT)
    old.timestamp = lambda: signing.b62_encode(  # type: ignore[method-assign]
        int((timezone.now() - timedelta(hours=2)).timestamp())
    )
    expired = old.sign_object({"p": payment.id})

    # when
    tampered = browser.get(url[:-2] + ("AA" if not url.endswith("AA") else "BB"))
    wrong_salt = browser.get(f"/commerce/invoices/{forged}")
    too_old = browser.get(f"/commerce/invoices/{expired}")

    # then
    assert tampered.status_code == 403
    assert tampered.json()["code"] == "link_invalid"
    assert wrong_salt.status_code == 403
    assert too_old.status_code == 410
    assert too_old.json()["code"] == "link_expired"


def test_an_unknown_invoice_format_is_a_400(api_client, school):
    # given
    payment = _paid(api_client, school)
    url = _path(api_client.get(f"{URL}/{payment.id}/invoice-link").json()["url"])

    # when
    response = Client().get(url, {"format": "docx"})

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
