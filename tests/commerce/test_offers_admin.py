"""Staff price their published courses in the admin, through the offer services."""

import pytest

from apps.commerce.models import Offer
from apps.core.models import Event
from tests.factories import OfferFactory, PublishedCourseFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/commerce/offer/add/"


def _form(**fields) -> dict:
    return {
        "price_cents": "4900",
        "currency_code": "USD",
        "registration_open": "on",
        "sku": "",
        "description": "",
        "training_credit_value": "",
        **fields,
    }


def test_adding_an_offer_in_the_admin_goes_through_the_service(staff_client, school):
    published = PublishedCourseFactory(school=school)

    response = staff_client.post(ADD, _form(published_course=published.pk))

    assert response.status_code == 302, response.content[:2000]
    offer = Offer.objects.get()
    assert (offer.school, offer.published_course, offer.price_cents) == (school, published, 4900)
    assert Event.objects.filter(school=school, type="offer.created").count() == 1


def test_admin_never_offers_another_schools_targets(staff_client, school, other_school):
    theirs = PublishedCourseFactory(school=other_school)

    page = staff_client.get(ADD)
    response = staff_client.post(ADD, _form(published_course=theirs.pk))

    assert theirs.pk not in page.content.decode()
    assert response.status_code == 200  # the form again, with the error
    assert not Offer.objects.exists()


def test_admin_refuses_an_unknown_currency_on_the_form(staff_client, school):
    published = PublishedCourseFactory(school=school)

    response = staff_client.post(ADD, _form(published_course=published.pk, currency_code="XYZ"))

    assert response.status_code == 200
    assert "ISO 4217" in response.content.decode()
    assert not Offer.objects.exists()


def test_changing_an_offer_in_the_admin_emits_offer_updated(staff_client, school):
    offer = OfferFactory(school=school)

    response = staff_client.post(
        f"/admin/commerce/offer/{offer.pk}/change/", _form(price_cents="1234")
    )

    assert response.status_code == 302, response.content[:2000]
    offer.refresh_from_db()
    assert offer.price_cents == 1234
    assert Event.objects.filter(school=school, type="offer.updated").count() == 1


def test_admin_list_shows_target_price_and_open(staff_client, school):
    offer = OfferFactory(school=school, price_cents=4900)

    page = staff_client.get("/admin/commerce/offer/").content.decode()

    assert offer.id in page
    assert "49.00 USD" in page
    assert str(offer.published_course) in page
