"""Products of users: ``users/{id}/products``, ``users/by-product`` and
``POST/DELETE users/{id}/enrollment`` into a course, path, bundle, plan or subscription."""

import json

import pytest

from apps.commerce.models import BundleEnrollment, PlanEnrollment, UserSubscription
from apps.commerce.services.purchases import purchase_create, purchase_fulfill, purchase_update
from apps.enrollments.models import Enrollment, PathEnrollment
from tests.factories import (
    BundleFactory,
    CourseFactory,
    MemberFactory,
    OfferFactory,
    PlanCourseFactory,
    PlanFactory,
    PublishedCourseFactory,
    PublishedPathFactory,
    SubscriptionPlanFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(school):
    return MemberFactory(school=school).user


@pytest.fixture
def products(school):
    """One product of each type, each giving at least one course."""
    published = PublishedCourseFactory(school=school)
    plan = PlanFactory(school=school, domain=published.domain)
    PlanCourseFactory(school=school, plan=plan, course=CourseFactory(school=school))
    bundle = BundleFactory(school=school)
    bundle.courses.add(CourseFactory(school=school), CourseFactory(school=school))
    return {
        "course": published,
        "path": PublishedPathFactory(school=school),
        "bundle": bundle,
        "plan": plan,
        "subscription": SubscriptionPlanFactory(
            school=school, published_courses=[PublishedCourseFactory(school=school)]
        ),
    }


def _enroll(client, user_id, product_type, product_id, method="post"):
    body = {"product_type": product_type, "product_id": product_id}
    return client.generic(
        method.upper(),
        f"/api/v1/users/{user_id}/enrollment",
        data=json.dumps(body),
        content_type="application/json",
    )


TYPES = ["course", "path", "bundle", "plan", "subscription"]


@pytest.mark.parametrize("kind", TYPES)
def test_enroll_grants_the_product_once(api_client, person, products, kind):
    # given
    product = products[kind]

    # when
    first = _enroll(api_client, person.id, kind, product.id)
    second = _enroll(api_client, person.id, kind, product.id)

    # then
    assert first.status_code == 201, first.content
    assert second.status_code == 200, second.content
    assert first.json() == second.json()
    assert first.json()["id"] == product.id
    assert first.json()["type"] == kind
    listed = api_client.get(f"/api/v1/users/{person.id}/products").json()
    # a course a subscription or plan gives is listed as a course too: the user has it
    assert [(p["type"], p["id"]) for p in listed["results"]].count((kind, product.id)) == 1


def test_enroll_grants_through_the_owning_services(api_client, person, products):
    # when
    for kind in TYPES:
        assert _enroll(api_client, person.id, kind, products[kind].id).status_code == 201

    # then
    assert Enrollment.objects.filter(user=person, published_course=products["course"]).count()
    assert PathEnrollment.objects.filter(user=person, published_path=products["path"]).count()
    assert BundleEnrollment.objects.get(user=person, bundle=products["bundle"]).active
    assert set(
        Enrollment.objects.filter(
            user=person, course__in=products["bundle"].courses.all()
        ).values_list("course_id", flat=True)
    ) == set(products["bundle"].courses.values_list("id", flat=True))
    assert PlanEnrollment.objects.filter(user=person, plan=products["plan"]).count() == 1
    assert UserSubscription.objects.get(user=person, plan=products["subscription"])
    listed = api_client.get(f"/api/v1/users/{person.id}/products").json()
    assert {p["type"] for p in listed["results"]} == set(TYPES)


@pytest.mark.parametrize("kind", TYPES)
def test_unenroll_takes_the_product_back(api_client, person, products, kind):
    # given
    product = products[kind]
    _enroll(api_client, person.id, kind, product.id)

    # when
    response = _enroll(api_client, person.id, kind, product.id, method="delete")

    # then
    assert response.status_code == 204, response.content
    listed = api_client.get(f"/api/v1/users/{person.id}/products").json()
    assert listed["results"] == []
    users = api_client.get(
        "/api/v1/users/by-product", {"product_type": kind, "product_id": product.id}
    ).json()
    assert users["results"] == []
    if kind != "subscription":  # a cancelled subscription expires its courses now
        assert not Enrollment.objects.filter(user=person, active=True).exists()


def test_unenroll_takes_the_product_from_query_parameters(api_client, person, products):
    product = products["plan"]
    _enroll(api_client, person.id, "plan", product.id)

    response = api_client.delete(
        f"/api/v1/users/{person.id}/enrollment?product_type=plan&product_id={product.id}"
    )

    assert response.status_code == 204, response.content
    assert not PlanEnrollment.objects.filter(user=person, active=True).exists()


@pytest.mark.parametrize("kind", TYPES)
def test_unenroll_of_a_product_not_held_is_409(api_client, person, products, kind):
    response = _enroll(api_client, person.id, kind, products[kind].id, method="delete")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "product_not_held"


def test_unenroll_takes_back_a_bought_bundle_as_a_refund_would(api_client, school, person):
    # given: the person bought a bundle
    bundle = BundleFactory(school=school)
    bundle.courses.add(CourseFactory(school=school))
    offer = OfferFactory(school=school, published_course=None, bundle=bundle)
    purchase = purchase_create(school=school, offer=offer, user=person)
    purchase_fulfill(purchase=purchase, state="SUCCESS")
    listed = api_client.get(f"/api/v1/users/{person.id}/products").json()["results"]
    assert [(p["type"], p["id"]) for p in listed] == [("bundle", bundle.id)]

    # when
    response = _enroll(api_client, person.id, "bundle", bundle.id, method="delete")

    # then
    assert response.status_code == 204
    assert not Enrollment.objects.filter(user=person, active=True).exists()
    assert api_client.get(f"/api/v1/users/{person.id}/products").json()["results"] == []


def test_a_refunded_bundle_is_no_longer_held(api_client, school, person):
    bundle = BundleFactory(school=school)
    bundle.courses.add(CourseFactory(school=school))
    offer = OfferFactory(school=school, published_course=None, bundle=bundle)
    purchase = purchase_create(school=school, offer=offer, user=person)
    purchase_fulfill(purchase=purchase, state="SUCCESS")

    purchase_update(purchase=purchase, state="REFUNDED")

    assert api_client.get(f"/api/v1/users/{person.id}/products").json()["results"] == []
    assert not BundleEnrollment.objects.filter(user=person, active=True).exists()


def test_users_by_product_lists_who_holds_it(api_client, school, person, products):
    # given
    other = MemberFactory(school=school).user
    MemberFactory(school=school)
    for user in (person, other):
        _enroll(api_client, user.id, "plan", products["plan"].id)

    # when
    response = api_client.get(
        "/api/v1/users/by-product", {"product_type": "plan", "product_id": products["plan"].id}
    )

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert [user["id"] for user in body["results"]] == [person.id, other.id]
    assert set(body["results"][0]) == {"id", "email", "first_name", "last_name", "created_at"}


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"product_type": "course"}, "product_id", "required"),
        ({"product_id": "pcr_x"}, "product_type", "required"),
        ({"product_type": "ebook", "product_id": "pcr_x"}, "product_type", "invalid_choice"),
        ({"product_type": "course", "product_id": "pcr_nope"}, "product_id", "does_not_exist"),
        ({"product_type": "", "product_id": "pcr_x"}, "product_type", None),
    ],
)
def test_users_by_product_refuses_bad_parameters(api_client, params, field, code):
    response = api_client.get("/api/v1/users/by-product", params)

    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"] or body.get("field") == field or field in str(body)
    if code == "does_not_exist":
        assert body["code"] == code


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"product_type": "ebook", "product_id": "x"}, 400, "invalid_choice"),
        ({"product_type": "course", "product_id": "pcr_nope"}, 400, "does_not_exist"),
        ({"product_type": "course"}, 400, "invalid"),
        ({"product_id": "pcr_x"}, 400, "invalid"),
    ],
)
def test_enroll_refuses_bad_bodies(api_client, person, body, status, code):
    response = api_client.post(f"/api/v1/users/{person.id}/enrollment", body, format="json")

    assert response.status_code == status, response.content
    assert response.json()["code"] == code


@pytest.mark.parametrize("kind", TYPES)
def test_another_schools_product_does_not_exist(api_client, person, other_school, kind):
    # given
    theirs = {
        "course": PublishedCourseFactory,
        "path": PublishedPathFactory,
        "bundle": BundleFactory,
        "plan": PlanFactory,
        "subscription": SubscriptionPlanFactory,
    }[kind](school=other_school)

    # when
    responses = [
        _enroll(api_client, person.id, kind, theirs.id),
        _enroll(api_client, person.id, kind, theirs.id, method="delete"),
        api_client.get("/api/v1/users/by-product", {"product_type": kind, "product_id": theirs.id}),
    ]

    # then
    for response in responses:
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "does_not_exist"
        assert theirs.id not in response.json()["detail"]


def test_another_schools_user_is_404(api_client, other_school, products):
    theirs = MemberFactory(school=other_school).user

    responses = [
        _enroll(api_client, theirs.id, "course", products["course"].id),
        _enroll(api_client, theirs.id, "course", products["course"].id, method="delete"),
        api_client.get(f"/api/v1/users/{theirs.id}/products"),
    ]

    for response in responses:
        assert response.status_code == 404, response.content
        assert response.json()["code"] == "not_found"
    assert not Enrollment.objects.filter(user=theirs).exists()


def test_a_learner_token_is_refused(user_client, learner, products):
    # given: a learner's own user token, on their own user
    course = products["course"]
    calls = [
        ("get", f"/api/v1/users/{learner.user_id}/products"),
        ("get", f"/api/v1/users/by-product?product_type=course&product_id={course.id}"),
        ("post", f"/api/v1/users/{learner.user_id}/enrollment"),
        ("delete", f"/api/v1/users/{learner.user_id}/enrollment"),
    ]

    # when
    responses = [
        user_client.generic(
            method.upper(),
            url,
            data=json.dumps({"product_type": "course", "product_id": course.id}),
            content_type="application/json",
        )
        for method, url in calls
    ]

    # then
    for response in responses:
        assert response.status_code == 403, response.content
    assert not Enrollment.objects.filter(user_id=learner.user_id).exists()
