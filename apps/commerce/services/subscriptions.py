"""Writes of subscriptions: plans, subscribing, renewals, recorded payments, cancellation.

Life cycle (docs/commerce.md, "Subscriptions"): subscribing starts the trial (``trialing``)
or the first period (``active``), which whoever subscribes the person has sold, and schedules
the next period's ``Installment``. At a period's end the renewal sweep asks the
subscription's payment processor (``apps.commerce.processors``) for that installment:
``paid`` starts the next period (``subscription.renewed``); ``pending`` or ``failed`` makes
the subscription ``past_due`` (``subscription.past_due``) and it keeps its access until the
grace period (``LYCEUM_SUBSCRIPTION_GRACE_DAYS`` after the period's end) is over; a payment
recorded before then renews it from the unpaid period; after it the sweep cancels it and
expires the enrollments it granted (``subscription.cancelled``).

Every change of a subscription runs on its row, locked (``select_for_update``); the sweep
skips rows another sweep holds and re-checks that the row is still due once locked, so two
sweeps at once, or one run twice, change each subscription once.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from apps.catalog.models import PublishedCourse
from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import (
    Installment,
    InstallmentStatus,
    SubscriptionGrant,
    SubscriptionPlan,
    SubscriptionStatus,
    UserSubscription,
)
from apps.commerce.processors import (
    DEFAULT_PROCESSOR,
    ChargeRequest,
    ChargeStatus,
    get_processor,
)
from apps.commerce.services.offers import _check_price
from apps.core.errors import ApiError, Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit
from apps.core.money import money
from apps.core.times import format_datetime
from apps.enrollments.models import Enrollment, EnrollmentSource
from apps.enrollments.services.enrollments import enrollment_create, enrollment_update, member_of
from apps.schools.models import Member, School, User

logger = logging.getLogger(__name__)

PLAN_FIELDS = (
    "title",
    "description",
    "interval",
    "interval_count",
    "price_cents",
    "currency_code",
    "trial_days",
    "active",
)
MAX_INTERVAL_COUNT = 36
MAX_TRIAL_DAYS = 730


def grace_period() -> timedelta:
    """How long a past-due subscription keeps access after its period ended."""
    return timedelta(days=settings.LYCEUM_SUBSCRIPTION_GRACE_DAYS)


# --- payloads ------------------------------------------------------------------------------


def plan_payload(plan: SubscriptionPlan, published_course_ids: list[str]) -> dict[str, Any]:
    """A plan as the API and the events show it."""
    return {
        "id": plan.id,
        "title": plan.title,
        "description": plan.description,
        "interval": plan.interval,
        "interval_count": plan.interval_count,
        "price": money(plan.price_cents, plan.currency_code),
        "price_cents": plan.price_cents,
        "currency_code": plan.currency_code,
        "trial_days": plan.trial_days,
        "active": plan.active,
        "published_course_ids": published_course_ids,
    }


def installment_payload(installment: Installment) -> dict[str, Any]:
    """The event data of one installment."""
    return {
        "id": installment.id,
        "sequence": installment.sequence,
        "period_start": format_datetime(installment.period_start),
        "period_end": format_datetime(installment.period_end),
        "due_at": format_datetime(installment.due_at),
        "amount": money(installment.amount_cents, installment.currency_code),
        "amount_cents": installment.amount_cents,
        "currency_code": installment.currency_code,
        "status": installment.status,
        "payment_processor": installment.payment_processor,
        "processor_order_id": installment.processor_order_id,
        "paid_at": format_datetime(installment.paid_at),
    }


def subscription_payload(
    subscription: UserSubscription, installment: Installment | None = None
) -> dict[str, Any]:
    """The event data of a subscription, with the installment the event is about (or null)."""
    user = subscription.user
    return {
        "id": subscription.id,
        "user": {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "plan": {"id": subscription.plan_id, "title": subscription.plan.title},
        "status": subscription.status,
        "current_period_start": format_datetime(subscription.current_period_start),
        "current_period_end": format_datetime(subscription.current_period_end),
        "trial_end": format_datetime(subscription.trial_end),
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "cancelled_at": format_datetime(subscription.cancelled_at),
        "payment_processor": subscription.payment_processor,
        "installment": None if installment is None else installment_payload(installment),
    }


# --- plans ---------------------------------------------------------------------------------


def _check_plan(fields: dict[str, Any]) -> None:
    _check_price(fields["price_cents"], fields["currency_code"])
    if fields["interval"] not in ("month", "year"):
        raise InvalidInput(
            "interval: month or year.", code=CommerceErrorCode.INVALID_INTERVAL, field="interval"
        )
    if not 1 <= fields["interval_count"] <= MAX_INTERVAL_COUNT:
        raise InvalidInput(
            f"interval_count: from 1 to {MAX_INTERVAL_COUNT}.",
            code=CommerceErrorCode.INVALID_INTERVAL,
            field="interval_count",
        )
    if not 0 <= fields["trial_days"] <= MAX_TRIAL_DAYS:
        raise InvalidInput(
            f"trial_days: from 0 to {MAX_TRIAL_DAYS}.",
            code=CommerceErrorCode.INVALID_INTERVAL,
            field="trial_days",
        )


def _set_courses(plan: SubscriptionPlan, published_courses: list[PublishedCourse]) -> None:
    foreign = [p for p in published_courses if p.school_id != plan.school_id]
    if foreign:
        raise InvalidInput(
            "published_courses: not this school's.",
            code="does_not_exist",
            field="published_courses",
        )
    plan.published_courses.set(published_courses)


def _plan_ids(plan: SubscriptionPlan) -> list[str]:
    return sorted(plan.published_courses.values_list("id", flat=True))


@transaction.atomic
def subscription_plan_create(
    *,
    school: School,
    title: str,
    interval: str,
    price_cents: int,
    currency_code: str,
    interval_count: int = 1,
    trial_days: int = 0,
    description: str = "",
    active: bool = True,
    published_courses: list[PublishedCourse] | None = None,
) -> SubscriptionPlan:
    """A plan billed every ``interval_count`` ``interval``s, giving ``published_courses``;
    400 on a bad price, currency, interval or trial, or another school's course."""
    fields = {
        "title": title,
        "description": description or "",
        "interval": interval,
        "interval_count": interval_count,
        "price_cents": price_cents,
        "currency_code": currency_code,
        "trial_days": trial_days,
        "active": active,
    }
    _check_plan(fields)
    plan = SubscriptionPlan.objects.create(school=school, **fields)
    _set_courses(plan, list(published_courses or []))
    return plan


@transaction.atomic
def subscription_plan_update(
    *,
    plan: SubscriptionPlan,
    published_courses: list[PublishedCourse] | None = None,
    **fields: Any,
) -> SubscriptionPlan:
    """Change the given fields; a new price applies from the next installment scheduled
    (installments already scheduled keep theirs). New courses are granted to live
    subscribers at their next renewal."""
    plan = SubscriptionPlan.objects.select_for_update().get(pk=plan.pk)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"subscription_plan_update() got unexpected fields {sorted(unknown)}")
    if fields.get("description", "") is None:
        fields["description"] = ""
    _check_plan({name: fields.get(name, getattr(plan, name)) for name in PLAN_FIELDS})
    changed = [name for name, value in fields.items() if getattr(plan, name) != value]
    for name in changed:
        setattr(plan, name, fields[name])
    if changed:
        plan.save(update_fields=[*changed, "updated_at"])
    if published_courses is not None:
        _set_courses(plan, list(published_courses))
    return plan


# --- access --------------------------------------------------------------------------------


def _grant(subscription: UserSubscription, *, strict: bool) -> int:
    """Enroll the subscriber in each course of the plan this subscription has not granted
    yet (the caller holds the subscription's row lock); how many were granted.

    ``strict``: a refusal (registration closed, user suspended) is raised; otherwise (at a
    renewal) that course is skipped and tried again at the next renewal."""
    done = set(subscription.grants.values_list("published_course_id", flat=True))
    courses = subscription.plan.published_courses.select_related("domain__school", "course")
    granted = 0
    for published in courses.order_by("id"):
        if published.id in done:
            continue
        try:
            with transaction.atomic():
                enrollment, _ = enrollment_create(
                    published_course=published,
                    user=subscription.user,
                    source=EnrollmentSource.PURCHASE,
                )
                SubscriptionGrant.objects.create(
                    school_id=subscription.school_id,
                    subscription=subscription,
                    published_course=published,
                    enrollment=enrollment,
                )
        except ApiError as exc:
            if strict:
                raise
            logger.warning(
                "subscription %s: %s not granted (%s)", subscription.id, published.id, exc.code
            )
            continue
        granted += 1
    return granted


def _revoke(subscription: UserSubscription, at: datetime) -> None:
    """Expire, at ``at``, the enrollments this subscription granted; none other."""
    enrollment_ids = subscription.grants.values_list("enrollment_id", flat=True)
    for enrollment in Enrollment.objects.filter(id__in=enrollment_ids).order_by("id"):
        if not enrollment.active or (enrollment.expires_at and enrollment.expires_at <= at):
            continue
        if at > enrollment.enrolled_at:
            enrollment_update(enrollment=enrollment, expires_at=at)
        else:
            enrollment_update(enrollment=enrollment, active=False)


# --- subscribing ---------------------------------------------------------------------------


def _schedule(subscription: UserSubscription, sequence: int) -> Installment:
    """The installment paying for paid period ``sequence``, made once at the plan's price."""
    plan = subscription.plan
    start = plan.period_start(subscription.billing_anchor, sequence)
    installment, _ = Installment.objects.get_or_create(
        subscription=subscription,
        sequence=sequence,
        defaults={
            "school_id": subscription.school_id,
            "period_start": start,
            "period_end": plan.period_start(subscription.billing_anchor, sequence + 1),
            "due_at": start,
            "amount_cents": plan.price_cents,
            "currency_code": plan.currency_code,
            "payment_processor": subscription.payment_processor,
        },
    )
    return installment


def _subscription_exists() -> Conflict:
    return Conflict(
        "The user already has a live subscription to this plan.",
        code=CommerceErrorCode.SUBSCRIPTION_EXISTS,
        field="plan_id",
    )


@transaction.atomic
def subscription_create(
    *,
    school: School,
    user: User,
    plan: SubscriptionPlan,
    payment_processor: str = DEFAULT_PROCESSOR,
    member: Member | None = None,
) -> UserSubscription:
    """Subscribe ``user`` to ``plan`` from now: its trial, or its first period (sold by the
    caller); grants the plan's courses and schedules the next installment.

    400 when the plan or user is not the school's or the processor is unknown; 409
    ``plan_inactive``, ``subscription_exists`` (also for the loser of two concurrent
    subscribes), or an enrollment's refusal (``registration_closed``, ``user_suspended``).
    Emits ``subscription.created``."""
    if plan.school_id != school.pk:
        raise InvalidInput("plan_id does not exist.", code="does_not_exist", field="plan_id")
    if not plan.active:
        raise Conflict(
            "This plan is closed to new subscribers.",
            code=CommerceErrorCode.PLAN_INACTIVE,
            field="plan_id",
        )
    get_processor(payment_processor)
    member_of(school.pk, user, member)
    now = timezone.now()
    trial_end = now + timedelta(days=plan.trial_days) if plan.trial_days else None
    anchor = trial_end or now
    subscription = UserSubscription(
        school=school,
        user=user,
        plan=plan,
        status=SubscriptionStatus.TRIALING if trial_end else SubscriptionStatus.ACTIVE,
        current_period_start=now,
        current_period_end=trial_end or plan.period_start(anchor, 1),
        trial_end=trial_end,
        billing_anchor=anchor,
        payment_processor=payment_processor,
    )
    with conflict_on_duplicate("com_usub_live_once", _subscription_exists()):
        subscription.save(force_insert=True)
    # The trial is no paid period: the first installment pays period 0, from the trial's end.
    _schedule(subscription, 0 if trial_end else 1)
    _grant(subscription, strict=True)
    emit(school, "subscription.created", subscription_payload(subscription))
    return subscription


# --- renewals ------------------------------------------------------------------------------


def _due(now: datetime) -> models.Q:
    """Subscriptions the sweep must act on at ``now``."""
    renew = models.Q(
        status__in=(SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE),
        current_period_end__lte=now,
    )
    expire = models.Q(
        status=SubscriptionStatus.PAST_DUE, current_period_end__lte=now - grace_period()
    )
    return renew | expire


def _locked(queryset: models.QuerySet, **options: Any) -> UserSubscription | None:
    return (
        queryset.select_for_update(of=("self",), **options)
        .select_related("school", "user", "plan")
        .first()
    )


def _start_period(subscription: UserSubscription, installment: Installment) -> None:
    """The paid ``installment``'s period becomes the current one, and the next is scheduled."""
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.current_period_start = installment.period_start
    subscription.current_period_end = installment.period_end
    subscription.save(
        update_fields=["status", "current_period_start", "current_period_end", "updated_at"]
    )
    _schedule(subscription, installment.sequence + 1)
    _grant(subscription, strict=False)
    emit(
        subscription.school, "subscription.renewed", subscription_payload(subscription, installment)
    )


def _charge(subscription: UserSubscription, installment: Installment, now: datetime) -> str:
    """Ask the processor for ``installment``; the subscription renews or falls past due."""
    if installment.amount_cents == 0:
        # Nothing to take: a free period is paid without asking anyone.
        installment.status, installment.paid_at = InstallmentStatus.PAID, now
        installment.save(update_fields=["status", "paid_at", "updated_at"])
        _start_period(subscription, installment)
        return "renewed"
    processor = get_processor(installment.payment_processor)
    result = processor.charge(
        ChargeRequest(
            school_id=subscription.school_id,
            reference=installment.id,
            customer_id=subscription.user_id,
            amount_cents=installment.amount_cents,
            currency_code=installment.currency_code,
            description=f"{subscription.plan.title}, period {installment.sequence + 1}",
        )
    )
    installment.status = {
        ChargeStatus.PAID: InstallmentStatus.PAID,
        ChargeStatus.PENDING: InstallmentStatus.PENDING,
        ChargeStatus.FAILED: InstallmentStatus.FAILED,
    }[ChargeStatus(result.status)]
    installment.processor_order_id = result.order_id[:200]
    installment.processor_response = result.response
    installment.attempted_at = now
    installment.paid_at = now if installment.status == InstallmentStatus.PAID else None
    installment.save(
        update_fields=[
            "status",
            "processor_order_id",
            "processor_response",
            "attempted_at",
            "paid_at",
            "updated_at",
        ]
    )
    if installment.status == InstallmentStatus.PAID:
        _start_period(subscription, installment)
        return "renewed"
    subscription.status = SubscriptionStatus.PAST_DUE
    subscription.save(update_fields=["status", "updated_at"])
    emit(
        subscription.school,
        "subscription.past_due",
        subscription_payload(subscription, installment),
    )
    return "past_due"


def _cancel(subscription: UserSubscription, now: datetime) -> None:
    """Cancel now: open installments are void and the granted enrollments expire."""
    subscription.status = SubscriptionStatus.CANCELLED
    subscription.cancelled_at = now
    subscription.save(update_fields=["status", "cancelled_at", "updated_at"])
    subscription.installments.filter(
        status__in=(
            InstallmentStatus.SCHEDULED,
            InstallmentStatus.PENDING,
            InstallmentStatus.FAILED,
        )
    ).update(status=InstallmentStatus.VOID, updated_at=now)
    _revoke(subscription, now)
    emit(subscription.school, "subscription.cancelled", subscription_payload(subscription))


def subscription_renew(*, subscription_id: str, now: datetime | None = None) -> str:
    """Act on one subscription if it is due at ``now``: ``renewed``, ``past_due``,
    ``cancelled``, or ``skipped`` (not due, or another sweep holds it)."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = _locked(
            UserSubscription.objects.filter(_due(now), pk=subscription_id), skip_locked=True
        )
        if subscription is None:
            return "skipped"
        if subscription.status == SubscriptionStatus.PAST_DUE or subscription.cancel_at_period_end:
            _cancel(subscription, now)
            return "cancelled"
        sequence = (
            subscription.installments.filter(period_start=subscription.current_period_end)
            .values_list("sequence", flat=True)
            .first()
        )
        if sequence is None:
            # Scheduled when the period started; a plan edited in the admin could not remove
            # it, but a row restored from a backup might lack it.
            sequence = 0 if subscription.trial_end == subscription.current_period_end else 1
        installment = _schedule(subscription, sequence)
        return _charge(subscription, installment, now)


def subscriptions_renew_due(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The renewal sweep: act on up to ``limit`` due subscriptions (each in its own
    transaction, oldest period end first); the count of each outcome (``error``: it raised,
    was rolled back and is logged)."""
    now = now or timezone.now()
    ids = list(
        UserSubscription.objects.filter(_due(now))
        .order_by("current_period_end", "id")
        .values_list("id", flat=True)[:limit]
    )
    outcomes: dict[str, int] = {}
    for subscription_id in ids:
        try:
            outcome = subscription_renew(subscription_id=subscription_id, now=now)
        except Exception:
            # One subscription's failure (a processor down) rolls back only its own
            # transaction; it is due again at the next run, and the others go on.
            logger.exception("renewal of subscription %s failed", subscription_id)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


# --- payments and cancellation -------------------------------------------------------------


def _lock(subscription: UserSubscription) -> UserSubscription:
    return _locked(UserSubscription.objects.filter(pk=subscription.pk))


@transaction.atomic
def subscription_payment_record(
    *,
    subscription: UserSubscription,
    processor_order_id: str = "",
    processor_response: dict[str, Any] | None = None,
) -> Installment:
    """Record the unpaid installment of a past-due subscription as paid (the ``manual``
    processor's settlement): the subscription renews from that period
    (``subscription.renewed``). 409 ``no_payment_due`` when nothing is unpaid,
    ``subscription_cancelled`` when it is cancelled."""
    subscription = _lock(subscription)
    if subscription.status == SubscriptionStatus.CANCELLED:
        raise Conflict(
            "The subscription is cancelled; subscribe the user again instead.",
            code=CommerceErrorCode.SUBSCRIPTION_CANCELLED,
        )
    installment = (
        subscription.installments.filter(
            status__in=(InstallmentStatus.PENDING, InstallmentStatus.FAILED)
        )
        .order_by("sequence")
        .first()
    )
    if installment is None:
        raise Conflict(
            "No installment of this subscription is waiting for payment.",
            code=CommerceErrorCode.NO_PAYMENT_DUE,
        )
    now = timezone.now()
    installment.status, installment.paid_at = InstallmentStatus.PAID, now
    installment.processor_order_id = processor_order_id or installment.processor_order_id
    if processor_response is not None:
        installment.processor_response = processor_response
    installment.save(
        update_fields=[
            "status",
            "paid_at",
            "processor_order_id",
            "processor_response",
            "updated_at",
        ]
    )
    _start_period(subscription, installment)
    return installment


@transaction.atomic
def subscription_cancel(
    *, subscription: UserSubscription, at_period_end: bool = False
) -> UserSubscription:
    """Cancel now (access ends now, ``subscription.cancelled``), or at the end of the
    current period (``cancel_at_period_end``; the renewal sweep cancels it then, without
    charging). 409 ``subscription_cancelled`` when it already is."""
    subscription = _lock(subscription)
    if subscription.status == SubscriptionStatus.CANCELLED:
        raise Conflict(
            "The subscription is already cancelled.",
            code=CommerceErrorCode.SUBSCRIPTION_CANCELLED,
        )
    if at_period_end and subscription.status != SubscriptionStatus.PAST_DUE:
        if not subscription.cancel_at_period_end:
            subscription.cancel_at_period_end = True
            subscription.save(update_fields=["cancel_at_period_end", "updated_at"])
        return subscription
    _cancel(subscription, timezone.now())
    return subscription
