"""``domains/{domain_name}/plan``, ``…/plan/{plan_id}/plan-enrollments`` and
``users/{user_id}/plan-enrollments``: Skilljar's plans, their offer, and enrolling in one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.commerce.api.plans import PlanEnrollmentViewSet, PlanViewSet, UserPlanEnrollmentViewSet
from apps.commerce.models import PlanCourseGrant, PlanEnrollment
from apps.commerce.services.plans import plan_create
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from tests.factories import (
    CourseFactory,
    DomainFactory,
    MemberFactory,
    OfferFactory,
    PlanEnrollmentFactory,
    PlanFactory,
    PublishedCourseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain(school):
    return DomainFactory(school=school, name="learn.example.com")


@pytest.fixture
def plan(school, domain):
    published = PublishedCourseFactory(school=school, domain=domain)
    unpublished = CourseFactory(school=school)
    return plan_create(
        domain=domain,
        title="Example Plan Title",
        slug="example-plan-title",
        courses=[published.course, unpublished],
    )


@pytest.fixture
def member(school):
    return MemberFactory(school=school)


def _plans(domain) -> str:
    return f"/api/v1/domains/{domain.name}/plan"


def _enrollments(plan) -> str:
    return f"/api/v1/domains/{plan.domain.name}/plan/{plan.id}/plan-enrollments"


# --- plans -----------------------------------------------------------------------------------


def test_list_answers_the_seed_row_with_the_offer(api_client, school, domain, plan):
    # given: a plan with an offer, and one without
    offer = OfferFactory(school=school, published_course=None, plan=plan, price_cents=2000)
    bare = PlanFactory(school=school, domain=domain)

    # when
    response = api_client.get(_plans(domain))

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    first, second = body["results"]
    assert first["id"] == plan.id
    assert first["plan"] == {"id": plan.id, "title": "Example Plan Title"}
    assert first["plan_url"] == "https://learn.example.com/plan/example-plan-title"
    assert first["offer"] == {
        "id": offer.id,
        "registration_open": True,
        "registration_url": f"https://learn.example.com/checkout/{offer.id}",
        "price": {"amount": "20.00", "currency_code": "USD"},
    }
    assert (second["id"], second["offer"]) == (bare.id, None)


def test_read_one_plan(api_client, domain, plan):
    response = api_client.get(f"{_plans(domain)}/{plan.id}")

    assert response.status_code == 200
    assert response.json()["plan"]["id"] == plan.id


def test_plans_are_100_per_page_and_enrollments_1000():
    assert PlanViewSet.page_size == PlanViewSet.max_page_size == 100
    assert PlanEnrollmentViewSet.page_size == PlanEnrollmentViewSet.max_page_size == 1000
    assert UserPlanEnrollmentViewSet.page_size == 1000


def test_a_plan_is_found_only_on_its_own_domain(api_client, school, plan):
    elsewhere = DomainFactory(school=school)

    assert api_client.get(f"{_plans(elsewhere)}/{plan.id}").status_code == 404
    assert api_client.get(f"/api/v1/domains/{elsewhere.name}/plan/{plan.id}/plan-enrollments")
    assert api_client.get(_plans(elsewhere)).json()["results"] == []


def test_another_schools_plan_and_domain_are_404(api_client, other_school):
    theirs = PlanFactory(school=other_school)

    assert api_client.get(_plans(theirs.domain)).status_code == 404
    assert api_client.get(f"{_plans(theirs.domain)}/{theirs.id}").status_code == 404
    assert api_client.get(_enrollments(theirs)).status_code == 404
    enroll = api_client.post(_enrollments(theirs), {"user": {"id": "usr_x"}}, format="json")
    assert enroll.status_code == 404


def test_plan_list_runs_constant_queries(api_client, school, domain):
    for _ in range(3):
        OfferFactory(
            school=school, published_course=None, plan=PlanFactory(school=school, domain=domain)
        )
    PlanFactory(school=school, domain=domain)
    api_client.get(_plans(domain))
    with CaptureQueriesContext(connection) as one:
        api_client.get(_plans(domain), {"page_size": 1})

    with CaptureQueriesContext(connection) as four:
        response = api_client.get(_plans(domain), {"page_size": 4})

    assert len(response.json()["results"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_learner_tokens_are_refused(user_client, learner, plan):
    assert user_client.get(_plans(plan.domain)).status_code == 403
    assert user_client.get(_enrollments(plan)).status_code == 403
    own = user_client.get(f"/api/v1/users/{learner.user_id}/plan-enrollments")
    assert own.status_code == 403
    enroll = user_client.post(_enrollments(plan), {"user": {"id": learner.user_id}}, format="json")
    assert enroll.status_code == 403
    assert not PlanEnrollment.objects.exists()


def test_scopes_read_and_write_commerce(scoped_client, plan, member):
    reader = scoped_client("read:commerce")
    enrollments_only = scoped_client("read:enrollments", "write:enrollments")

    assert reader.get(_enrollments(plan)).status_code == 200
    body = {"user": {"id": member.user_id}}
    assert reader.post(_enrollments(plan), body, format="json").status_code == 403
    assert enrollments_only.get(_plans(plan.domain)).status_code == 403


# --- plan enrollments ------------------------------------------------------------------------


def test_enroll_answers_the_seed_shape_and_grants_each_course(api_client, school, plan, member):
    # given: the seed's POST body
    body = {
        "user": {"id": member.user_id},
        "enrolled_at": "2018-03-12T10:12:45Z",
        "expires_at": "2030-05-12T10:12:45Z",
        "active": True,
        "purchase": {
            "purchase_state": "SUCCESS",
            "purchase_price": {"amount": "5.00", "currency_code": "USD"},
            "purchased_at": "2018-02-12T10:12:45Z",
            "tax_price_cents": 100,
        },
    }

    # when
    response = api_client.post(_enrollments(plan), body, format="json")

    # then: the seed's fields, the purchase block included
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"].startswith("ple_")
    assert data["user"] == {
        "id": member.user_id,
        "email": member.user.email,
        "first_name": member.user.first_name,
        "last_name": member.user.last_name,
    }
    assert data["enrolled_at"] == "2018-03-12T10:12:45.000000Z"
    assert data["expires_at"] == "2030-05-12T10:12:45.000000Z"
    assert data["active"] is True
    assert data["plan"] == {"id": plan.id, "title": plan.title}
    assert data["purchase"] == {
        "order_id": "",
        "offer_price": None,
        "purchase_price": {"amount": "5.00", "currency_code": "USD"},
        "quantity": 1,
        "purchase_state": "SUCCESS",
        "payment_processor": "",
        "purchase_id": "",
        "purchased_at": "2018-02-12T10:12:45.000000Z",
        "tax_price_cents": 100,
    }
    # and each course of the plan, in plan order, with the plan enrollment's dates; the
    # published one through its publication on the plan's domain
    granted = Enrollment.objects.filter(user=member.user).order_by("course__plan_courses__order")
    in_order = plan.plan_courses.order_by("order").values_list("course_id", flat=True)
    assert [e.course_id for e in granted] == list(in_order)
    published = granted[0]
    assert published.published_course.domain_id == plan.domain_id
    assert granted[1].published_course is None
    assert {(e.enrolled_at.isoformat(), e.active) for e in granted} == {
        ("2018-03-12T10:12:45+00:00", True)
    }
    assert PlanCourseGrant.objects.filter(plan_enrollment_id=data["id"]).count() == 2
    types = list(Event.objects.filter(school=school).values_list("type", flat=True))
    assert types.count("plan.enrollment.created") == 1
    assert types.count("enrollment.created") == 2


def test_same_user_and_enrolled_at_answer_the_existing_enrollment(api_client, plan, member):
    # given
    body = {"user": {"id": member.user_id}, "enrolled_at": "2024-01-01T00:00:00Z"}
    first = api_client.post(_enrollments(plan), body, format="json")

    # when: replayed, the same instant written another way, and another instant
    again = api_client.post(_enrollments(plan), body, format="json")
    offset = {**body, "enrolled_at": "2024-01-01T01:00:00+01:00"}
    same_instant = api_client.post(_enrollments(plan), offset, format="json")
    later = {**body, "enrolled_at": "2024-02-01T00:00:00Z"}
    other = api_client.post(_enrollments(plan), later, format="json")

    # then: one enrollment for the pair, its courses granted once; a new one for the other
    assert first.status_code == 201
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert (same_instant.status_code, same_instant.json()["id"]) == (200, first.json()["id"])
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert PlanEnrollment.objects.filter(user=member.user).count() == 2
    assert Enrollment.objects.filter(user=member.user).count() == 4


def test_enroll_refuses_another_schools_user_and_bad_dates(api_client, plan, other_school):
    stranger = MemberFactory(school=other_school)
    member = MemberFactory(school=plan.school)

    foreign = api_client.post(_enrollments(plan), {"user": {"id": stranger.user_id}}, format="json")
    backwards = api_client.post(
        _enrollments(plan),
        {
            "user": {"id": member.user_id},
            "enrolled_at": "2024-01-02T00:00:00Z",
            "expires_at": "2024-01-01T00:00:00Z",
        },
        format="json",
    )

    assert foreign.status_code == 400
    assert "user.id" in foreign.json()["errors"]
    assert backwards.status_code == 400
    assert backwards.json()["code"] == "expires_before_enrolled"
    assert not PlanEnrollment.objects.exists()
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_is_partial_and_the_granted_courses_follow(api_client, plan, member, method):
    # given
    created = api_client.post(_enrollments(plan), {"user": {"id": member.user_id}}, format="json")
    url = f"{_enrollments(plan)}/{created.json()['id']}"

    # when: deactivated, then given an expiry
    off = getattr(api_client, method)(url, {"active": False}, format="json")
    expiring = getattr(api_client, method)(
        url, {"expires_at": "2031-01-01T00:00:00Z"}, format="json"
    )

    # then: the plan enrollment and every course enrollment it granted changed
    assert off.status_code == 200, off.content
    assert off.json()["active"] is False
    assert expiring.json()["expires_at"] == "2031-01-01T00:00:00.000000Z"
    assert expiring.json()["active"] is False
    granted = Enrollment.objects.filter(user=member.user)
    assert granted.count() == 2
    assert {(e.active, e.expires_at.isoformat()) for e in granted} == {
        (False, "2031-01-01T00:00:00+00:00")
    }
    types = list(Event.objects.values_list("type", flat=True))
    assert types.count("plan.enrollment.updated") == 2
    assert types.count("enrollment.updated") == 4


def test_update_refuses_an_expiry_before_enrolment(api_client, plan, member):
    body = {"user": {"id": member.user_id}, "enrolled_at": "2024-01-02T00:00:00Z"}
    created = api_client.post(_enrollments(plan), body, format="json").json()

    response = api_client.patch(
        f"{_enrollments(plan)}/{created['id']}",
        {"expires_at": "2024-01-01T00:00:00Z"},
        format="json",
    )

    assert response.status_code == 400
    assert PlanEnrollment.objects.get().expires_at is None
    assert {e.expires_at for e in Enrollment.objects.all()} == {None}


def test_read_one_plan_enrollment_and_not_through_another_plan(api_client, school, plan):
    enrollment = PlanEnrollmentFactory(school=school, plan=plan)
    other_plan = PlanFactory(school=school, domain=plan.domain)

    mine = api_client.get(f"{_enrollments(plan)}/{enrollment.id}")
    through_other = api_client.get(f"{_enrollments(other_plan)}/{enrollment.id}")

    assert mine.status_code == 200
    assert mine.json()["id"] == enrollment.id
    assert mine.json()["purchase"] is None
    assert through_other.status_code == 404


def test_enrollment_lists_run_constant_queries(api_client, school, plan):
    member = MemberFactory(school=school)
    for _ in range(4):
        PlanEnrollmentFactory(school=school, plan=plan, user=member.user)
    urls = [_enrollments(plan), f"/api/v1/users/{member.user_id}/plan-enrollments"]
    for url in urls:
        api_client.get(url)
        with CaptureQueriesContext(connection) as one:
            api_client.get(url, {"page_size": 1})

        with CaptureQueriesContext(connection) as four:
            response = api_client.get(url, {"page_size": 4})

        assert len(response.json()["results"]) == 4
        assert len(four.captured_queries) == len(one.captured_queries), url


def test_users_plan_enrollments_lists_theirs_in_every_plan(api_client, school, plan, member):
    # given: two plans, and someone else's enrollment
    second = PlanFactory(school=school, domain=plan.domain)
    mine = [
        PlanEnrollmentFactory(school=school, plan=plan, user=member.user),
        PlanEnrollmentFactory(school=school, plan=second, user=member.user),
    ]
    PlanEnrollmentFactory(school=school, plan=plan)

    # when
    response = api_client.get(f"/api/v1/users/{member.user_id}/plan-enrollments")

    # then
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [e.id for e in mine]
    assert [row["plan"]["id"] for row in rows] == [plan.id, second.id]


def test_another_schools_user_has_no_plan_enrollments_here(api_client, other_school):
    stranger = MemberFactory(school=other_school)
    PlanEnrollmentFactory(school=other_school, user=stranger.user)

    response = api_client.get(f"/api/v1/users/{stranger.user_id}/plan-enrollments")

    assert response.status_code == 404


# --- plan as an offer target -----------------------------------------------------------------


def test_offers_api_prices_a_plan_and_filters_by_it(api_client, school, plan):
    # when
    created = api_client.post(
        "/api/v1/offers",
        {"plan_id": plan.id, "price_cents": 2000, "currency_code": "USD"},
        format="json",
    )
    listed = api_client.get("/api/v1/offers", {"plan_id": plan.id})

    # then
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["plan_id"] == plan.id
    assert data["published_course_id"] is None
    assert data["registration_url"] == f"https://{plan.domain.name}/checkout/{data['id']}"
    assert [row["id"] for row in listed.json()["results"]] == [data["id"]]
    again = api_client.post(
        "/api/v1/offers",
        {"plan_id": plan.id, "price_cents": 1, "currency_code": "USD"},
        format="json",
    )
    assert (again.status_code, again.json()["code"]) == (409, "offer_exists")


def test_offers_api_refuses_another_schools_plan(api_client, other_school):
    theirs = PlanFactory(school=other_school)

    response = api_client.post(
        "/api/v1/offers",
        {"plan_id": theirs.id, "price_cents": 2000, "currency_code": "USD"},
        format="json",
    )

    assert response.status_code == 400
    assert "plan_id" in response.json()["errors"]
