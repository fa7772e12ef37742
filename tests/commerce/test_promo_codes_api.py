"""``promo-code-pools`` (with their ``offers``) and ``promo-codes``: a discount shared by a
pool's codes, its usage and validation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.commerce.models import PromoCode, PromoCodePool, PromoCodeRedemption
from apps.commerce.services.promo_codes import promo_code_redeem
from apps.core.models import Event
from tests.factories import OfferFactory, PromoCodeFactory, PromoCodePoolFactory

pytestmark = pytest.mark.django_db

POOLS = "/api/v1/promo-code-pools"
CODES = "/api/v1/promo-codes"
START = "2026-03-16T16:45:55.946094Z"


# --- pools -----------------------------------------------------------------------------------


def test_create_a_percent_off_pool_from_the_seed_body(api_client, school):
    # given: the seed's example
    body = {
        "name": "promo-code-pool-name-1",
        "active": True,
        "discount_type": "PERCENT_OFF",
        "percent_off": 100,
        "single_use_per_user": False,
        "starts_at": START,
        "expires_at": "2026-10-16T16:45:55.946094Z",
    }

    # when
    response = api_client.post(POOLS, body, format="json")

    # then
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"].startswith("pcp_")
    assert data["discount_type"] == "PERCENT_OFF"
    assert data["percent_off"] == 100
    assert data["price_cents"] is None
    assert data["currency_code"] is None
    assert data["starts_at"] == START
    assert Event.objects.filter(school=school, type="promo_code_pool.created").count() == 1


def test_create_a_price_override_pool_needs_its_currency(api_client):
    # given
    body = {
        "name": "Five dollars",
        "discount_type": "PRICE_OVERRIDE",
        "price_cents": 500,
        "starts_at": START,
    }

    # when
    refused = api_client.post(POOLS, body, format="json")
    created = api_client.post(POOLS, {**body, "currency_code": "USD"}, format="json")

    # then
    assert refused.status_code == 400
    assert refused.json()["code"] == "promo_discount_invalid"
    assert "currency_code" in refused.json()["errors"]
    assert created.status_code == 201, created.content
    assert created.json()["price_cents"] == 500
    assert created.json()["currency_code"] == "USD"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"discount_type": "PERCENT_OFF", "percent_off": 0}, "percent_off"),
        ({"discount_type": "PERCENT_OFF", "percent_off": 101}, "percent_off"),
        ({"discount_type": "PERCENT_OFF"}, "percent_off"),
        ({"discount_type": "HALF_OFF", "percent_off": 50}, "discount_type"),
        ({"discount_type": "PERCENT_OFF", "percent_off": 10, "starts_at": None}, "starts_at"),
    ],
)
def test_create_refuses_a_bad_discount(api_client, body, field):
    # when
    response = api_client.post(POOLS, {"name": "x", "starts_at": START, **body}, format="json")

    # then
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_create_refuses_a_window_that_ends_before_it_starts(api_client):
    body = {"name": "x", "discount_type": "PERCENT_OFF", "percent_off": 5, "starts_at": START}

    response = api_client.post(POOLS, {**body, "expires_at": START}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "promo_window_invalid"


@pytest.mark.parametrize(
    "change",
    [
        {"percent_off": 30},
        {"discount_type": "PRICE_OVERRIDE"},
        {"price_cents": 100},
    ],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_the_discount_is_fixed_once_the_pool_exists(api_client, school, change, method):
    # given
    pool = PromoCodePoolFactory(school=school, percent_off=20)

    # when
    response = getattr(api_client, method)(f"{POOLS}/{pool.id}", change, format="json")

    # then
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "promo_discount_fixed"
    pool.refresh_from_db()
    assert (pool.discount_type, pool.percent_off, pool.price_cents) == ("PERCENT_OFF", 20, None)


def test_update_changes_the_name_and_window_and_accepts_the_pool_sent_back(api_client, school):
    # given
    pool = PromoCodePoolFactory(school=school)
    read = api_client.get(f"{POOLS}/{pool.id}").json()
    body = {k: v for k, v in read.items() if k not in ("id", "created_at", "updated_at")}

    # when
    response = api_client.put(
        f"{POOLS}/{pool.id}", {**body, "name": "Renamed", "active": False}, format="json"
    )

    # then
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"
    assert response.json()["active"] is False
    assert Event.objects.filter(school=school, type="promo_code_pool.updated").count() == 1


def test_list_filters_by_offer_and_name(api_client, school):
    # given
    offer = OfferFactory(school=school)
    with_offer = PromoCodePoolFactory(school=school, name="Spring", offers=[offer])
    PromoCodePoolFactory(school=school, name="Autumn")

    # when
    by_offer = api_client.get(POOLS, {"offer_id": offer.id}).json()
    by_name = api_client.get(POOLS, {"name": "Autumn"}).json()

    # then
    assert [row["id"] for row in by_offer["results"]] == [with_offer.id]
    assert [row["name"] for row in by_name["results"]] == ["Autumn"]


def test_list_runs_a_constant_number_of_queries(api_client, school, django_assert_num_queries):
    PromoCodePoolFactory.create_batch(2, school=school)
    api_client.get(POOLS)  # warm the credential cache
    with django_assert_num_queries(3) as small:
        api_client.get(POOLS)
    PromoCodePoolFactory.create_batch(5, school=school)
    with django_assert_num_queries(len(small.captured_queries)):
        assert api_client.get(POOLS).json()["count"] == 7


def test_delete_removes_the_pool_its_codes_and_their_uses(api_client, school):
    # given: a code that was used
    offer = OfferFactory(school=school)
    code = PromoCodeFactory(school=school, pool__offers=[offer])
    promo_code_redeem(code, offer, None, offer.price_cents)

    # when
    response = api_client.delete(f"{POOLS}/{code.pool_id}")

    # then
    assert response.status_code == 204
    assert not PromoCodePool.objects.filter(pk=code.pool_id).exists()
    assert not PromoCode.objects.filter(pk=code.pk).exists()
    assert not PromoCodeRedemption.objects.exists()
    assert Event.objects.filter(school=school, type="promo_code_pool.deleted").count() == 1


def test_another_schools_pool_is_404(api_client, other_school):
    pool = PromoCodePoolFactory(school=other_school)

    assert api_client.get(f"{POOLS}/{pool.id}").status_code == 404
    assert api_client.delete(f"{POOLS}/{pool.id}").status_code == 404
    assert api_client.get(f"{POOLS}/{pool.id}/offers").status_code == 404
    assert PromoCodePool.objects.filter(pk=pool.pk).exists()


# --- a pool's offers -------------------------------------------------------------------------


def test_attach_one_offer_or_an_array_and_list_them(api_client, school):
    # given
    pool = PromoCodePoolFactory(school=school)
    first, second, third = OfferFactory.create_batch(3, school=school)

    # when
    one = api_client.post(f"{POOLS}/{pool.id}/offers", {"id": first.id}, format="json")
    many = api_client.post(
        f"{POOLS}/{pool.id}/offers", [{"id": second.id}, {"id": third.id}], format="json"
    )
    listed = api_client.get(f"{POOLS}/{pool.id}/offers")

    # then
    assert one.status_code == 201, one.content
    assert one.json()["id"] == first.id
    assert many.status_code == 201, many.content
    assert [row["id"] for row in many.json()] == [second.id, third.id]
    assert [row["id"] for row in listed.json()["results"]] == sorted(
        [first.id, second.id, third.id]
    )


def test_attach_refuses_more_than_500_offers_in_one_call(api_client, school):
    pool = PromoCodePoolFactory(school=school)
    offer = OfferFactory(school=school)

    response = api_client.post(f"{POOLS}/{pool.id}/offers", [{"id": offer.id}] * 501, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "promo_pool_offers_too_many"
    assert pool.offers.count() == 0


def test_attach_another_schools_offer_is_400_naming_it_and_writes_nothing(
    api_client, school, other_school
):
    # given
    pool = PromoCodePoolFactory(school=school)
    mine = OfferFactory(school=school)
    theirs = OfferFactory(school=other_school)

    # when
    response = api_client.post(
        f"{POOLS}/{pool.id}/offers", [{"id": mine.id}, {"id": theirs.id}], format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "does_not_exist"
    assert theirs.id in response.json()["detail"]
    assert pool.offers.count() == 0


# --- codes -----------------------------------------------------------------------------------


def test_create_a_code_from_the_seed_body(api_client, school):
    # given
    pool = PromoCodePoolFactory(school=school)
    body = {
        "code": "6hhzj2ea-v5j3ak3d",
        "max_uses": 30,
        "active": True,
        "promo_code_pool_id": pool.id,
    }

    # when
    response = api_client.post(CODES, body, format="json")

    # then
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"].startswith("pco_")
    assert data["promo_code_pool_id"] == pool.id
    assert (data["code"], data["max_uses"], data["uses"], data["active"]) == (
        "6hhzj2ea-v5j3ak3d",
        30,
        0,
        True,
    )
    assert Event.objects.filter(school=school, type="promo_code.created").count() == 1


def test_codes_are_unique_per_school_and_case_sensitive(api_client, school, other_school):
    # given
    pool = PromoCodePoolFactory(school=school)
    PromoCodeFactory(school=other_school, code="SPRING")
    body = {"code": "SPRING", "max_uses": 1, "promo_code_pool_id": pool.id}

    # when
    first = api_client.post(CODES, body, format="json")
    again = api_client.post(CODES, body, format="json")
    lower = api_client.post(CODES, {**body, "code": "spring"}, format="json")

    # then
    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json()["code"] == "promo_code_exists"
    assert lower.status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [({"max_uses": 0}, "max_uses"), ({"code": "has space"}, "code"), ({"max_uses": None}, None)],
)
def test_create_refuses_bad_codes(api_client, school, change, field):
    pool = PromoCodePoolFactory(school=school)
    body = {"code": "OK", "max_uses": 3, "promo_code_pool_id": pool.id, **change}

    response = api_client.post(CODES, body, format="json")

    assert response.status_code == 400
    if field:
        assert field in response.json()["errors"]


def test_create_requires_max_uses_and_the_schools_pool(api_client, school, other_school):
    theirs = PromoCodePoolFactory(school=other_school)

    missing = api_client.post(CODES, {"code": "A", "promo_code_pool_id": theirs.id}, format="json")
    foreign = api_client.post(
        CODES, {"code": "A", "max_uses": 1, "promo_code_pool_id": theirs.id}, format="json"
    )

    assert "max_uses" in missing.json()["errors"]
    assert foreign.status_code == 400
    assert "promo_code_pool_id" in foreign.json()["errors"]


def test_list_filters_by_pool_exact_code_and_active(api_client, school):
    # given
    pool = PromoCodePoolFactory(school=school)
    upper = PromoCodeFactory(school=school, pool=pool, code="ABC")
    lower = PromoCodeFactory(school=school, code="abc", active=False)

    # when
    by_pool = api_client.get(CODES, {"promo_code_pool_id": pool.id}).json()["results"]
    by_code = api_client.get(CODES, {"code": "abc"}).json()["results"]
    inactive = api_client.get(CODES, {"active": "false"}).json()["results"]

    # then
    assert [row["id"] for row in by_pool] == [upper.id]
    assert [row["id"] for row in by_code] == [lower.id]
    assert [row["id"] for row in inactive] == [lower.id]


def test_update_a_code(api_client, school):
    code = PromoCodeFactory(school=school, max_uses=3)

    response = api_client.patch(
        f"{CODES}/{code.id}", {"max_uses": 7, "active": False}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["max_uses"], response.json()["active"]) == (7, False)
    assert Event.objects.filter(school=school, type="promo_code.updated").count() == 1


def test_usage_by_id_or_by_code(api_client, school, learner):
    # given: two uses, one by a learner
    offer = OfferFactory(school=school, price_cents=1000)
    code = PromoCodeFactory(school=school, code="USE-ME", max_uses=5, pool__offers=[offer])
    promo_code_redeem(code, offer, learner.user, 1000, reference="pur_1")
    promo_code_redeem(code, offer, None, 1000, reference="pur_2")

    # when
    by_id = api_client.get(f"{CODES}/{code.id}/usage")
    by_code = api_client.get(f"{CODES}/USE-ME/usage")
    missing = api_client.get(f"{CODES}/use-me/usage")

    # then
    assert by_id.status_code == 200, by_id.content
    assert by_id.json() == by_code.json()
    data = by_id.json()
    assert (data["uses"], data["max_uses"], data["remaining"]) == (2, 5, 3)
    assert data["purchases"] == ["pur_1", "pur_2"]
    assert data["users"] == [{"id": learner.user.id, "uses": 1}]
    assert missing.status_code == 404


# --- validate --------------------------------------------------------------------------------


@pytest.fixture
def offer(school):
    return OfferFactory(school=school, price_cents=999, currency_code="USD")


def _validate(api_client, **body):
    return api_client.post(f"{CODES}/validate", body, format="json")


def test_validate_gives_the_price_rounded_half_to_even(api_client, school, offer):
    # given: 50% off 9.99 is 4.995 off, rounded to 5.00 off (half to even)
    PromoCodeFactory(school=school, code="HALF", pool__percent_off=50, pool__offers=[offer])

    # when
    response = _validate(api_client, code="HALF", offer_id=offer.id)

    # then
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["valid"] is True
    assert data["reason"] is None
    assert data["price_cents"] == 499
    assert data["price"] == {"amount": "4.99", "currency_code": "USD"}
    assert data["original_price_cents"] == 999
    assert data["discount_cents"] == 500


def _pool_kwargs(**kwargs):
    return {f"pool__{name}": value for name, value in kwargs.items()}


@pytest.mark.parametrize(
    ("code_kwargs", "reason"),
    [
        ({"active": False}, "code_inactive"),
        (_pool_kwargs(active=False), "code_inactive"),
        ({"uses": 3, "max_uses": 3}, "code_exhausted"),
        (_pool_kwargs(expires_at=timezone.now() - timedelta(seconds=1)), "code_expired"),
        (_pool_kwargs(starts_at=timezone.now() + timedelta(days=1)), "code_not_started"),
    ],
)
def test_validate_says_why_a_code_does_not_apply(api_client, school, offer, code_kwargs, reason):
    # given
    kwargs = {"pool__offers": [offer], **code_kwargs}
    if "pool__expires_at" in kwargs:
        kwargs["pool__starts_at"] = timezone.now() - timedelta(days=2)
    PromoCodeFactory(school=school, code="NOPE", **kwargs)

    # when
    data = _validate(api_client, code="NOPE", offer_id=offer.id).json()

    # then
    assert (data["valid"], data["reason"], data["price_cents"]) == (False, reason, None)


def test_validate_refuses_another_offer_an_unknown_code_and_another_currency(
    api_client, school, offer
):
    # given
    PromoCodeFactory(school=school, code="OTHER")
    PromoCodeFactory(
        school=school,
        code="EURO",
        pool__discount_type="PRICE_OVERRIDE",
        pool__percent_off=None,
        pool__price_cents=100,
        pool__currency_code="EUR",
        pool__offers=[offer],
    )

    # then
    assert _validate(api_client, code="OTHER", offer_id=offer.id).json()["reason"] == (
        "code_not_for_offer"
    )
    assert _validate(api_client, code="MISSING", offer_id=offer.id).json()["reason"] == (
        "code_not_found"
    )
    assert _validate(api_client, code="EURO", offer_id=offer.id).json()["reason"] == (
        "code_currency_mismatch"
    )


def test_validate_with_a_user_who_used_a_single_use_pool(api_client, school, offer, learner):
    # given
    code = PromoCodeFactory(
        school=school, code="ONCE", pool__single_use_per_user=True, pool__offers=[offer]
    )
    promo_code_redeem(code, offer, learner.user, offer.price_cents)

    # when
    data = _validate(api_client, code="ONCE", offer_id=offer.id, user_id=learner.user.id).json()
    anonymous = _validate(api_client, code="ONCE", offer_id=offer.id).json()

    # then
    assert data["reason"] == "code_already_used"
    assert anonymous["valid"] is True


def test_validate_a_price_override(api_client, school, offer):
    PromoCodeFactory(
        school=school,
        code="FIVE",
        pool__discount_type="PRICE_OVERRIDE",
        pool__percent_off=None,
        pool__price_cents=500,
        pool__currency_code="USD",
        pool__offers=[offer],
    )

    data = _validate(api_client, code="FIVE", offer_id=offer.id).json()

    assert (data["valid"], data["price_cents"], data["discount_cents"]) == (True, 500, 499)


def test_validate_another_schools_offer_is_400(api_client, other_school):
    theirs = OfferFactory(school=other_school)

    response = _validate(api_client, code="X", offer_id=theirs.id)

    assert response.status_code == 400
    assert "offer_id" in response.json()["errors"]


def test_validate_is_limited_per_credential(api_client, school, offer, settings):
    # given
    settings.LYCEUM_RATE_LIMITS = {**settings.LYCEUM_RATE_LIMITS, "promo_code_validate": 3}

    # when
    codes = [_validate(api_client, code="X", offer_id=offer.id).status_code for _ in range(4)]

    # then: the fourth is refused; other endpoints still answer
    assert codes == [200, 200, 200, 429]
    assert api_client.get(CODES).status_code == 200
