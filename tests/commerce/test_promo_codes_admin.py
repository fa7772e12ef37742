"""Staff manage promo code pools and codes in the admin, through the promo code services."""

import pytest

from apps.commerce.models import PromoCode, PromoCodePool
from apps.core.models import Event
from tests.factories import OfferFactory, PromoCodeFactory, PromoCodePoolFactory

pytestmark = pytest.mark.django_db

POOL_ADD = "/admin/commerce/promocodepool/add/"
CODE_ADD = "/admin/commerce/promocode/add/"


def _pool_form(**fields) -> dict:
    return {
        "name": "Spring",
        "active": "on",
        "discount_type": "PERCENT_OFF",
        "percent_off": "20",
        "price_cents": "",
        "currency_code": "",
        "starts_at_0": "2026-01-01",
        "starts_at_1": "00:00:00",
        "expires_at_0": "",
        "expires_at_1": "",
        **fields,
    }


def test_adding_a_pool_with_offers_goes_through_the_service(staff_client, school):
    offer = OfferFactory(school=school)

    response = staff_client.post(POOL_ADD, _pool_form(offers=[offer.pk]))

    assert response.status_code == 302, response.content[:3000]
    pool = PromoCodePool.objects.get()
    assert (pool.school, pool.percent_off, list(pool.offers.all())) == (school, 20, [offer])
    assert Event.objects.filter(school=school, type="promo_code_pool.created").count() == 1


def test_admin_refuses_a_discount_that_does_not_fit(staff_client):
    response = staff_client.post(POOL_ADD, _pool_form(percent_off="150"))

    assert response.status_code == 200
    assert not PromoCodePool.objects.exists()


def test_the_pool_page_links_its_codes_and_keeps_the_discount_read_only(staff_client, school):
    code = PromoCodeFactory(school=school)

    page = staff_client.get(f"/admin/commerce/promocodepool/{code.pool_id}/change/").content

    assert f"?pool__id__exact={code.pool_id}".encode() in page
    assert b"1 codes" in page
    assert b'name="percent_off"' not in page


def test_adding_a_code_in_the_admin_goes_through_the_service(staff_client, school):
    pool = PromoCodePoolFactory(school=school)

    response = staff_client.post(CODE_ADD, {"pool": pool.pk, "code": "ADM-1", "max_uses": "3"})

    assert response.status_code == 302, response.content[:3000]
    assert PromoCode.objects.get().code == "ADM-1"
    assert Event.objects.filter(school=school, type="promo_code.created").count() == 1


def test_deleting_a_pool_in_the_admin_deletes_its_codes(staff_client, school):
    code = PromoCodeFactory(school=school)

    response = staff_client.post(
        f"/admin/commerce/promocodepool/{code.pool_id}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not PromoCode.objects.exists()
    assert Event.objects.filter(school=school, type="promo_code_pool.deleted").count() == 1
