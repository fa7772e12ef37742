"""Staff manage seat offerings (and assign people to seats), affiliates and leads in the
admin, through the seat and affiliate services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.commerce.models import Affiliate, SeatAssignment, SeatOffering
from apps.commerce.services.seats import seat_assign
from apps.enrollments.models import Enrollment
from tests.factories import (
    AffiliateCommissionFactory,
    AffiliateFactory,
    DomainFactory,
    LeadFactory,
    MemberFactory,
    OfferFactory,
    SeatOfferingFactory,
)

pytestmark = pytest.mark.django_db

SEATS = "/admin/commerce/seatoffering/"
AFFILIATES = "/admin/commerce/affiliate/"
INLINE = "assignments"


def _inline(rows: list[dict], initial: int = 0) -> dict:
    form = {
        f"{INLINE}-TOTAL_FORMS": str(initial + len(rows)),
        f"{INLINE}-INITIAL_FORMS": str(initial),
        f"{INLINE}-MIN_NUM_FORMS": "0",
        f"{INLINE}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows, start=initial):
        form.update({f"{INLINE}-{index}-{key}": value for key, value in row.items()})
    return form


def test_adding_an_offering_goes_through_the_service(staff_client, school):
    buyer = MemberFactory(school=school).user
    offer = OfferFactory(school=school)

    response = staff_client.post(
        f"{SEATS}add/",
        {"user": buyer.pk, "offer": offer.pk, "seats": "3", **_inline([])},
    )

    assert response.status_code == 302, response.content[:3000]
    offering = SeatOffering.objects.get()
    assert (offering.school, offering.user, offering.seats) == (school, buyer, 3)


def test_assigning_a_person_in_the_inline_enrolls_them_once(staff_client, school):
    # given
    offering = SeatOfferingFactory(
        school=school, seats=2, offer__published_course__domain=DomainFactory(school=school)
    )
    person = MemberFactory(school=school).user

    # when
    response = staff_client.post(
        f"{SEATS}{offering.pk}/change/",
        {"seats": "2", **_inline([{"user": person.pk, "seat_offering": offering.pk}])},
    )

    # then
    assert response.status_code == 302, response.content[:3000]
    assert SeatAssignment.objects.filter(seat_offering=offering, user=person).count() == 1
    assert SeatOffering.objects.get(pk=offering.pk).seats_used == 1
    assert Enrollment.objects.filter(
        user=person, published_course=offering.offer.published_course
    ).exists()


def test_the_seat_inline_never_offers_another_schools_people(staff_client, school, other_school):
    # given
    offering = SeatOfferingFactory(
        school=school, seats=2, offer__published_course__domain=DomainFactory(school=school)
    )
    theirs = MemberFactory(school=other_school).user

    # when
    page = staff_client.get(f"{SEATS}{offering.pk}/change/").content.decode()
    response = staff_client.post(
        f"{SEATS}{offering.pk}/change/",
        {"seats": "2", **_inline([{"user": theirs.pk, "seat_offering": offering.pk}])},
    )

    # then
    assert theirs.pk not in page
    assert theirs.email not in page
    assert response.status_code == 200
    assert not SeatAssignment.objects.filter(user=theirs).exists()


def test_fewer_seats_than_assigned_is_refused(staff_client, school):
    # given: both seats assigned
    offering = SeatOfferingFactory(
        school=school, seats=2, offer__published_course__domain=DomainFactory(school=school)
    )
    for _ in range(2):
        seat_assign(offering=offering, user=MemberFactory(school=school).user)
    assigned = list(SeatAssignment.objects.filter(seat_offering=offering).order_by("id"))

    # when
    response = staff_client.post(
        f"{SEATS}{offering.pk}/change/",
        {
            "seats": "1",
            **_inline([], initial=2),
            **{f"{INLINE}-{i}-id": a.pk for i, a in enumerate(assigned)},
            **{f"{INLINE}-{i}-seat_offering": offering.pk for i in range(2)},
        },
    )

    # then
    assert response.status_code == 200
    assert "seats" in response.content.decode()
    assert SeatOffering.objects.get(pk=offering.pk).seats == 2


def _affiliate_inline() -> dict:
    return {
        "commissions-TOTAL_FORMS": "0",
        "commissions-INITIAL_FORMS": "0",
        "commissions-MIN_NUM_FORMS": "0",
        "commissions-MAX_NUM_FORMS": "0",
    }


def test_making_an_affiliate_in_the_admin_goes_through_the_service(staff_client, school):
    user = MemberFactory(school=school).user

    response = staff_client.post(
        f"{AFFILIATES}add/",
        {"user": user.pk, "commission_percent": "25", "hold_days": "10", **_affiliate_inline()},
    )

    assert response.status_code == 302, response.content[:3000]
    affiliate = Affiliate.objects.get()
    assert (affiliate.school, affiliate.user, affiliate.commission_percent) == (school, user, 25)


def test_an_affiliate_shows_commissions_read_only_and_pays_due_ones(staff_client, school):
    # given
    affiliate = AffiliateFactory(school=school)
    due = AffiliateCommissionFactory(
        school=school,
        affiliate=affiliate,
        earned_at=timezone.now() - timedelta(days=40),
        commission_cents=1234,
    )

    # when
    page = staff_client.get(f"{AFFILIATES}{affiliate.pk}/change/").content.decode()
    response = staff_client.post(
        AFFILIATES, {"action": "pay_due", "_selected_action": [affiliate.pk]}
    )

    # then
    assert "12.34 USD" in page
    assert 'name="commissions-0-commission_cents"' not in page
    assert response.status_code == 302
    due.refresh_from_db()
    assert due.paid_at is not None


def test_leads_are_read_only(staff_client, school):
    lead = LeadFactory(school=school)

    listing = staff_client.get("/admin/commerce/lead/")
    add = staff_client.get("/admin/commerce/lead/add/")
    change = staff_client.post(f"/admin/commerce/lead/{lead.pk}/change/", {"email": "x@y.z"})

    assert listing.status_code == 200
    assert lead.email in listing.content.decode()
    assert add.status_code == 403
    lead.refresh_from_db()
    assert lead.email != "x@y.z"
    assert change.status_code in (302, 403)
