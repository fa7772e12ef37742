"""Writes of the products a user holds: enroll into and unenroll from a product
(LearnWorlds' ``POST/DELETE users/{id}/enrollment``), and the revocation refunds share.

A product is a published course, a published path, a bundle, a plan or a subscription
plan (``PRODUCT_TYPES``). Enrolling grants it through the service that owns it (course and
path enrollments, ``plan_enrollment_create``, ``subscription_create``; a bundle through
``bundle_courses_grant``, which fulfilled bundle purchases use too). Unenrolling takes it
back with ``access_revoke``, the revocation a refund makes (``REFUND_REVOKES`` in
``services/purchases.py`` is built on it), or ``subscription_cancel``.

Both lock the user's row first, so two enrollments of one person, also concurrent ones,
take turns: the second finds the product held and grants nothing.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from apps.catalog.models import Bundle
from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import BundleEnrollment, PlanEnrollment
from apps.commerce.selectors.products import Product, holdings
from apps.commerce.services import plans as plan_services
from apps.commerce.services import subscriptions as subscription_services
from apps.core.errors import Conflict, InvalidInput
from apps.enrollments.models import Enrollment, EnrollmentSource, PathEnrollment
from apps.enrollments.services import enrollments as enrollment_services
from apps.schools.models import Member, School, User

# --- granting ------------------------------------------------------------------------------


def bundle_courses_grant(
    *,
    school: School,
    user: User,
    bundle: Bundle,
    member: Member,
    enrolled_at: datetime,
    source: str,
    columns: dict[str, Any] | None = None,
    skip: Iterable[str] = (),
) -> list[Enrollment]:
    """Enroll ``user`` in each course of ``bundle`` but those in ``skip`` (a bundle is on no
    domain: enrollments without a publication), ``columns`` being the purchase block; the
    caller holds the lock that makes this once. Emits ``enrollment.created`` per course."""
    skip = set(skip)
    made = []
    for course in bundle.courses.order_by("id"):
        if course.pk in skip:
            continue
        enrollment = Enrollment(
            school=school,
            user=user,
            course=course,
            enrolled_at=enrolled_at,
            active=True,
            source=source,
            **(columns or {}),
        )
        enrollment.save(force_insert=True)
        enrollment_services.enrollment_granted(enrollment, domain=None, member=member)
        made.append(enrollment)
    return made


def bundle_enrollment_record(
    *, school: School, user: User, bundle: Bundle, enrollments: list[Enrollment], purchase_id: str
) -> BundleEnrollment | None:
    """Record that ``user`` holds ``bundle`` through ``enrollments``; None when they hold
    it live already (the first grant stays the record)."""
    row = BundleEnrollment(
        school=school,
        user=user,
        bundle=bundle,
        enrolled_at=timezone.now(),
        purchase_id=purchase_id,
        enrollment_ids=[enrollment.pk for enrollment in enrollments],
    )
    if not enrollment_services.insert_once(row, "commerce_bundleenr_live_once"):
        return None
    return row


def _grant(school: School, user: User, member: Member, product: Product) -> Model:
    row = product.row
    if product.type == "course":
        return enrollment_services.enrollment_create(
            published_course=row, user=user, member=member, source=EnrollmentSource.API
        )[0]
    if product.type == "path":
        return enrollment_services.path_enrollment_create(
            published_path=row, user=user, member=member, source=EnrollmentSource.API
        )[0]
    if product.type == "plan":
        return plan_services.plan_enrollment_create(
            plan=row, user=user, member=member, source=EnrollmentSource.API
        )[0]
    if product.type == "subscription":
        return subscription_services.subscription_create(
            school=school, user=user, plan=row, member=member
        )
    made = bundle_courses_grant(
        school=school,
        user=user,
        bundle=row,
        member=member,
        enrolled_at=timezone.now(),
        source=EnrollmentSource.API,
    )
    record = bundle_enrollment_record(
        school=school, user=user, bundle=row, enrollments=made, purchase_id=""
    )
    assert record is not None  # the user's row lock makes the bundle check and insert one
    return record


def _lock_user(school: School, user: User) -> Member:
    # The user's row is the turnstile of their enrollments; then the membership rules.
    User.objects.select_for_update().filter(pk=user.pk).first()
    return enrollment_services.member_of(school.pk, user)


@transaction.atomic
def product_enroll(*, school: School, user: User, product: Product) -> tuple[Model, bool]:
    """Give ``user`` the product; ``(the row that grants it, created)``. A product the user
    holds already is answered with that row and nothing is granted again. 400 for a user
    of another school (``does_not_exist``), the granting service's refusals otherwise."""
    if user.school_id != school.pk:
        raise InvalidInput("user_id does not exist.", code="does_not_exist", field="user_id")
    member = _lock_user(school, user)
    held = holdings(school=school, product=product).filter(user=user).order_by("id").first()
    if held is not None:
        return held, False
    return _grant(school, user, member, product), True


# --- revoking ------------------------------------------------------------------------------


def access_revoke(
    *,
    enrollments: QuerySet[Enrollment] | None = None,
    path_enrollments: QuerySet[PathEnrollment] | None = None,
    plan_enrollments: QuerySet[PlanEnrollment] | None = None,
) -> int:
    """Make the given enrollments inactive through their services (a plan's or path's
    courses follow it; ``*.updated`` events); how many rows were switched off."""
    revoked = 0
    for plan_enrollment in (plan_enrollments or PlanEnrollment.objects.none()).filter(active=True):
        plan_services.plan_enrollment_update(enrollment=plan_enrollment, active=False)
        revoked += 1
    for path_enrollment in (path_enrollments or PathEnrollment.objects.none()).filter(active=True):
        enrollment_services.path_enrollment_update(enrollment=path_enrollment, active=False)
        revoked += 1
    for enrollment in (enrollments or Enrollment.objects.none()).filter(active=True):
        enrollment_services.enrollment_update(enrollment=enrollment, active=False)
        revoked += 1
    return revoked


@transaction.atomic
def product_unenroll(*, school: School, user: User, product: Product) -> None:
    """Take the product away from ``user``, however they got it: the enrollments become
    inactive as a refund makes them (``access_revoke``), a subscription is cancelled now.
    409 ``product_not_held`` when the user does not hold it."""
    if user.school_id != school.pk:
        raise InvalidInput("user_id does not exist.", code="does_not_exist", field="user_id")
    _lock_user(school, user)
    held = holdings(school=school, product=product).filter(user=user)
    if not held.exists():
        raise Conflict(
            "The user does not hold this product.",
            code=CommerceErrorCode.PRODUCT_NOT_HELD,
            field="product_id",
        )
    if product.type == "course":
        access_revoke(enrollments=held)
    elif product.type == "path":
        access_revoke(path_enrollments=held)
    elif product.type == "plan":
        access_revoke(plan_enrollments=held)
    elif product.type == "subscription":
        for subscription in held.order_by("id"):
            subscription_services.subscription_cancel(subscription=subscription)
    else:
        for bundle_enrollment in held.select_for_update():
            granted = Q(pk__in=bundle_enrollment.enrollment_ids)
            if bundle_enrollment.purchase_id:
                granted |= Q(purchase_id=bundle_enrollment.purchase_id)
            access_revoke(enrollments=Enrollment.objects.filter(granted, school=school, user=user))
            bundle_enrollment.active = False
            bundle_enrollment.save(update_fields=["active", "updated_at"])
