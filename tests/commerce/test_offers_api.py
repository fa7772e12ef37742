"""``offers``: the price of a published course, a published path or a bundle."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.commerce.api.offers import OfferViewSet
from apps.commerce.models import Offer
from apps.core.models import Event
from tests.factories import (
    BundleFactory,
    DomainFactory,
    OfferFactory,
    PublishedCourseFactory,
    PublishedPathFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/offers"


@pytest.fixture
def published(school):
    return PublishedCourseFactory(school=school, domain=DomainFactory(school=school))


def test_create_on_a_published_course_answers_the_seed_price_and_checkout_url(
    api_client, school, published
):
    # given
    body = {
        "published_course_id": published.id,
        "price": {"amount": "100.00", "currency_code": "USD"},
        "sku": "FORK-101",
        "description": "Lifetime access",
        "training_credit_value": 2,
    }

    # when
    response = api_client.post(URL, body, format="json")

    # then
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"].startswith("ofr_")
    assert data["published_course_id"] == published.id
    assert data["published_path_id"] is None
    assert data["bundle_id"] is None
    assert data["price"] == {"amount": "100.00", "currency_code": "USD"}
    assert data["price_cents"] == 10000
    assert data["currency_code"] == "USD"
    assert data["registration_open"] is True
    assert data["registration_url"] == f"https://{published.domain.name}/checkout/{data['id']}"
    assert data["training_credit_value"] == 2
    assert Offer.objects.get().price_cents == 10000
    assert Event.objects.filter(school=school, type="offer.created").count() == 1


def test_create_with_flat_price_cents_and_currency(api_client, published):
    response = api_client.post(
        URL,
        {"published_course_id": published.id, "price_cents": 500, "currency_code": "JPY"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["price"] == {"amount": "500", "currency_code": "JPY"}


def test_create_on_a_published_path_and_on_a_bundle(api_client, school):
    # given
    path = PublishedPathFactory(school=school, domain=DomainFactory(school=school))
    bundle = BundleFactory(school=school)
    price = {"amount": "0.00", "currency_code": "EUR"}

    # when
    on_path = api_client.post(URL, {"published_path_id": path.id, "price": price}, format="json")
    on_bundle = api_client.post(URL, {"bundle_id": bundle.id, "price": price}, format="json")

    # then: a bundle has no domain, so no checkout page
    assert on_path.status_code == on_bundle.status_code == 201
    path_offer = on_path.json()
    assert path_offer["registration_url"] == (
        f"https://{path.domain.name}/checkout/{path_offer['id']}"
    )
    assert on_bundle.json()["registration_url"] is None
    assert on_bundle.json()["price"] == {"amount": "0.00", "currency_code": "EUR"}


@pytest.mark.parametrize(
    ("price", "field"),
    [
        ({"price_cents": -1, "currency_code": "USD"}, "price_cents"),
        ({"price_cents": 10.5, "currency_code": "USD"}, "price_cents"),
        ({"price_cents": 100.0, "currency_code": "USD"}, "price_cents"),
        ({"price_cents": "100", "currency_code": "USD"}, "price_cents"),
        ({"price_cents": True, "currency_code": "USD"}, "price_cents"),
        ({"price_cents": 10**16, "currency_code": "USD"}, "price_cents"),
        ({"price_cents": 100, "currency_code": "XYZ"}, "currency_code"),
        ({"price_cents": 100, "currency_code": "usd"}, "currency_code"),
        ({"price_cents": 100}, "currency_code"),
        ({"currency_code": "USD"}, "price_cents"),
        ({"price": {"amount": "-1.00", "currency_code": "USD"}}, "price.amount"),
        ({"price": {"amount": "1.001", "currency_code": "USD"}}, "price.amount"),
        ({"price": {"amount": "1.5", "currency_code": "JPY"}}, "price.amount"),
        ({"price": {"amount": 100.0, "currency_code": "USD"}}, "price.amount"),
        ({"price": {"amount": "1.00", "currency_code": "ABC"}}, "price.currency_code"),
        (
            {"price": {"amount": "1.00", "currency_code": "USD"}, "price_cents": 101},
            "price",
        ),
        (
            {"price": {"amount": "1.00", "currency_code": "USD"}, "currency_code": "EUR"},
            "price",
        ),
    ],
)
def test_bad_money_is_400_naming_the_field_and_writes_nothing(api_client, published, price, field):
    response = api_client.post(URL, {"published_course_id": published.id, **price}, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"], body
    assert body["request_id"]
    assert not Offer.objects.exists()


def test_three_decimals_are_exact_for_a_three_decimal_currency(api_client, published):
    body = {
        "published_course_id": published.id,
        "price": {"amount": "1.005", "currency_code": "KWD"},
    }

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["price_cents"] == 1005


def test_create_needs_exactly_one_target(api_client, school, published):
    bundle = BundleFactory(school=school)
    price = {"price_cents": 100, "currency_code": "USD"}

    none = api_client.post(URL, price, format="json")
    two = api_client.post(
        URL, {"published_course_id": published.id, "bundle_id": bundle.id, **price}, format="json"
    )

    assert none.status_code == two.status_code == 400
    assert none.json()["code"] == two.json()["code"] == "offer_target_required"
    assert not Offer.objects.exists()


def test_another_schools_target_does_not_exist(api_client, other_school):
    theirs = PublishedCourseFactory(school=other_school)

    response = api_client.post(
        URL,
        {"published_course_id": theirs.id, "price_cents": 100, "currency_code": "USD"},
        format="json",
    )

    assert response.status_code == 400
    assert "published_course_id" in response.json()["errors"]
    assert "does_not_exist" in response.content.decode()
    assert not Offer.objects.exists()


def test_a_second_offer_on_a_target_is_409(api_client, school, published):
    OfferFactory(school=school, published_course=published)

    response = api_client.post(
        URL,
        {"published_course_id": published.id, "price_cents": 100, "currency_code": "USD"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "offer_exists"
    assert Offer.objects.count() == 1


@pytest.mark.parametrize("method", ["put", "patch"])
def test_put_and_patch_are_partial_updates(api_client, school, published, method):
    # given
    offer = OfferFactory(school=school, published_course=published, sku="KEEP")

    # when
    response = getattr(api_client, method)(
        f"{URL}/{offer.id}",
        {"price": {"amount": "12.34", "currency_code": "GBP"}, "registration_open": False},
        format="json",
    )

    # then
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["price"] == {"amount": "12.34", "currency_code": "GBP"}
    assert data["registration_open"] is False
    assert data["sku"] == "KEEP"
    assert Event.objects.filter(school=school, type="offer.updated").count() == 1


def test_update_cannot_move_an_offer_to_another_target(api_client, school, published):
    offer = OfferFactory(school=school, published_course=published)
    other = PublishedCourseFactory(school=school, domain=published.domain)

    moved = api_client.patch(f"{URL}/{offer.id}", {"published_course_id": other.id}, format="json")
    same = api_client.patch(
        f"{URL}/{offer.id}", {"published_course_id": published.id}, format="json"
    )

    assert moved.status_code == 400
    assert moved.json()["code"] == "offer_target_fixed"
    assert "published_course_id" in moved.json()["errors"]
    assert same.status_code == 200
    offer.refresh_from_db()
    assert offer.published_course_id == published.id


def test_update_with_bad_price_is_400_and_changes_nothing(api_client, school, published):
    offer = OfferFactory(school=school, published_course=published, price_cents=700)

    response = api_client.patch(f"{URL}/{offer.id}", {"price_cents": -5}, format="json")

    assert response.status_code == 400
    assert "price_cents" in response.json()["errors"]
    offer.refresh_from_db()
    assert offer.price_cents == 700
    assert not Event.objects.filter(type="offer.updated").exists()


def test_list_is_oldest_first_filtered_and_1000_per_page(api_client, school):
    # given
    domain = DomainFactory(school=school)
    first = OfferFactory(school=school, published_course__domain=domain)
    closed = OfferFactory(school=school, published_course__domain=domain, registration_open=False)
    bundle = OfferFactory(school=school, published_course=None, bundle=BundleFactory(school=school))

    # when
    everything = api_client.get(URL, {"page_size": 5000}).json()
    by_course = api_client.get(URL, {"published_course_id": first.published_course_id}).json()
    by_bundle = api_client.get(URL, {"bundle_id": bundle.bundle_id}).json()
    only_closed = api_client.get(URL, {"registration_open": "false"}).json()
    bad = api_client.get(URL, {"registration_open": "maybe"})

    # then
    assert [row["id"] for row in everything["results"]] == [first.id, closed.id, bundle.id]
    assert [row["id"] for row in by_course["results"]] == [first.id]
    assert [row["id"] for row in by_bundle["results"]] == [bundle.id]
    assert [row["id"] for row in only_closed["results"]] == [closed.id]
    assert bad.status_code == 400


def test_pages_hold_1000_offers_as_the_seed_says():
    assert OfferViewSet.page_size == OfferViewSet.max_page_size == 1000


def test_list_runs_constant_queries(api_client, school):
    domain = DomainFactory(school=school)
    for _ in range(3):
        OfferFactory(school=school, published_course__domain=domain)
    OfferFactory(school=school, published_course=None, bundle=BundleFactory(school=school))
    api_client.get(URL)
    with CaptureQueriesContext(connection) as one:
        api_client.get(URL, {"page_size": 1})

    with CaptureQueriesContext(connection) as four:
        response = api_client.get(URL, {"page_size": 4})

    assert len(response.json()["results"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_another_schools_offer_is_404(api_client, other_school):
    theirs = OfferFactory(school=other_school)

    assert api_client.get(f"{URL}/{theirs.id}").status_code == 404
    assert api_client.patch(f"{URL}/{theirs.id}", {"sku": "X"}, format="json").status_code == 404
    assert api_client.get(URL).json()["results"] == []


def test_scopes_read_and_write_commerce(scoped_client, school, published):
    offer = OfferFactory(school=school, published_course=published)
    reader = scoped_client("read:commerce")
    courses_only = scoped_client("read:courses", "write:courses")

    assert reader.get(f"{URL}/{offer.id}").status_code == 200
    assert reader.patch(f"{URL}/{offer.id}", {"sku": "X"}, format="json").status_code == 403
    assert courses_only.get(URL).status_code == 403


def test_user_tokens_cannot_read_offers(user_client):
    assert user_client.get(URL).status_code == 403


def test_both_price_forms_are_taken_when_they_agree(api_client, published):
    body = {
        "published_course_id": published.id,
        "published_path_id": None,
        "bundle_id": None,
        "price": {"amount": "1.00", "currency_code": "USD"},
        "price_cents": 100,
        "currency_code": "USD",
    }

    response = api_client.post(URL, body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["price_cents"] == 100
