"""Writes of purchases: create (priced on the server), update, fulfil, refund.

Fulfilment happens EXACTLY ONCE: every state change locks the purchase row
(``select_for_update``) and decides from the state it finds, so of two fulfilments of one
purchase, also concurrent ones, the first grants and the second finds ``SUCCESS`` and
answers the purchase unchanged. The grants themselves are idempotent too (enrollments keyed
on the purchase's ``purchased_at``), so a grant repeated by hand finds what exists.

What a fulfilled purchase grants is ``FULFILMENT_GRANTS``: the offer's target name →
a grant function; plans (and any new target) are one more entry. A refund takes the access
away again (``REFUND_REVOKES``): the enrollments the purchase granted become inactive,
and their ``purchase`` block says ``REFUNDED``.

States (the enrollment ``purchase`` block's): ``PENDING``, ``CREATED`` and ``FLAGGED`` may
go anywhere but ``REFUNDED``; ``FAILED`` may be retried; ``SUCCESS`` may only become
``REFUNDED``; ``REFUNDED`` and ``CANCELLED`` are final (``PURCHASE_TRANSITIONS``).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import (
    OFFER_TARGETS,
    BundleEnrollment,
    Offer,
    Payment,
    PlanEnrollment,
    Purchase,
    TrainingCreditSpend,
)
from apps.commerce.services import plans as plan_services
from apps.commerce.services import products as product_services
from apps.commerce.services.affiliates import (
    affiliate_commission_record,
    affiliate_commission_reverse,
)
from apps.commerce.services.credits import training_credit_grant_record
from apps.commerce.services.payments import payment_payload
from apps.commerce.services.pricing import PricingContext, price_quote
from apps.core.errors import Conflict, InvalidInput
from apps.core.events import emit
from apps.core.ids import new_ulid
from apps.core.money import money
from apps.core.times import format_datetime
from apps.enrollments.models import Enrollment, EnrollmentSource, PathEnrollment
from apps.enrollments.models.purchase import PurchaseState
from apps.enrollments.services import enrollments as enrollment_services
from apps.schools.models import Member, School, User

S = PurchaseState
OPEN_STATES = frozenset({S.CREATED, S.PENDING, S.FLAGGED})
PURCHASE_TRANSITIONS: dict[str, frozenset[str]] = {
    **{
        state: frozenset({S.PENDING, S.SUCCESS, S.FAILED, S.CANCELLED, S.FLAGGED})
        for state in OPEN_STATES
    },
    S.FAILED: frozenset({S.PENDING, S.SUCCESS, S.FAILED, S.CANCELLED}),
    S.SUCCESS: frozenset({S.SUCCESS, S.REFUNDED}),
    S.REFUNDED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset({S.CANCELLED}),
}
# Price and tax may change until the purchase is paid.
PRICE_EDITABLE_STATES = frozenset({*OPEN_STATES, S.FAILED})
UPDATE_FIELDS = ("state", "refunded_at", "refund_cents", "price_cents", "tax_price_cents")

# Who selected what to render a purchase without a query per row.
PURCHASE_RELATED = ("school", "user", "offer")


def _user_ref(user: User) -> dict[str, str]:
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }


def purchase_payload(purchase: Purchase) -> dict[str, Any]:
    """A purchase as the API and its events show it (Skilljar's fields, minor units)."""
    offer = purchase.offer
    currency = purchase.currency_code
    return {
        "id": purchase.id,
        "user": _user_ref(purchase.user),
        "state": purchase.state,
        "status_msg": purchase.status_msg,
        "purchased_at": format_datetime(purchase.purchased_at),
        "fulfilled_at": format_datetime(purchase.fulfilled_at),
        "refunded_at": format_datetime(purchase.refunded_at),
        "refund_cents": purchase.refund_cents,
        "payment_processor": purchase.payment_processor,
        "order_id": purchase.order_id,
        "price_cents": purchase.price_cents,
        "price": money(purchase.price_cents, currency),
        "quantity": purchase.quantity,
        "offer_id": purchase.offer_id,
        "offer_sku": offer.sku,
        "offer_description": offer.description,
        "offer_price_cents": purchase.offer_price_cents,
        "group_discount_percent": purchase.group_discount_percent,
        "code_used": purchase.code_used,
        "promo_code_price_cents": purchase.promo_code_price_cents,
        "promo_code_percent_off": purchase.promo_code_percent_off,
        "promo_code_quantity": purchase.promo_code_quantity,
        "training_credits_used": purchase.training_credits_used,
        "tax_price_cents": purchase.tax_price_cents,
        "payment_processor_order_id": purchase.payment_processor_order_id,
        "payment_processor_response_data": purchase.payment_processor_response_data,
        "currency_code": currency,
        "pricing": purchase.pricing,
    }


def _locked(purchase: Purchase) -> Purchase:
    # ``of=("self",)``: lock the purchase alone, not the offer or the user it joins.
    return (
        Purchase.objects.select_for_update(of=("self",))
        .select_related(*PURCHASE_RELATED)
        .get(pk=purchase.pk)
    )


@transaction.atomic
def purchase_create(
    *,
    school: School,
    offer: Offer,
    user: User,
    promo_code: str = "",
    training_credit_code: str = "",
) -> Purchase:
    """A ``PENDING`` purchase of ``offer`` by ``user``, priced by ``PRICING_STEPS``; 400 when
    the offer or user is another school's, a code is refused or the user is not a member,
    409 ``offer_closed`` when the offer's registration is closed. Emits ``purchase.created``."""
    if offer.school_id != school.pk:
        raise InvalidInput("offer_id does not exist.", code="does_not_exist", field="offer_id")
    if user.school_id != school.pk:
        raise InvalidInput("user_id does not exist.", code="does_not_exist", field="user_id")
    if not offer.registration_open:
        raise Conflict(
            "This offer's registration is closed.",
            code=CommerceErrorCode.OFFER_CLOSED,
            field="offer_id",
        )
    member = enrollment_services.member_of(school.pk, user)
    context = PricingContext(
        school=school,
        offer=offer,
        user=user,
        member=member,
        promo_code=promo_code or "",
        training_credit_code=training_credit_code or "",
    )
    quote = price_quote(context)
    purchase = Purchase(
        school=school,
        offer=offer,
        user=user,
        state=S.PENDING,
        currency_code=offer.currency_code,
        offer_price_cents=quote.offer_price_cents,
        price_cents=quote.price_cents,
        pricing=[applied.record() for applied in quote.applied],
        order_id=f"ORD-{new_ulid().upper()}",
        purchased_at=timezone.now(),
        **quote.columns(),
    )
    purchase.save(force_insert=True)
    emit(school, "purchase.created", purchase_payload(purchase))
    return purchase


# --- fulfilment ------------------------------------------------------------------------------


def enrollment_purchase(purchase: Purchase) -> enrollment_services.Purchase:
    """The ``purchase`` block an enrollment granted by ``purchase`` carries."""
    return enrollment_services.Purchase(
        purchase_state=S.SUCCESS,
        currency_code=purchase.currency_code,
        offer_price_cents=purchase.offer_price_cents,
        price_cents=purchase.price_cents,
        tax_price_cents=purchase.tax_price_cents,
        quantity=purchase.quantity,
        order_id=purchase.order_id,
        purchase_id=purchase.id,
        payment_processor=purchase.payment_processor,
        purchased_at=purchase.purchased_at,
    )


def _grant_published_course(purchase: Purchase, member: Member) -> None:
    # enrolled_at = purchased_at: the enrollment's idempotency key is fixed per purchase.
    enrollment_services.enrollment_create(
        published_course=purchase.offer.published_course,
        user=purchase.user,
        enrolled_at=purchase.purchased_at,
        purchase=enrollment_purchase(purchase),
        source=EnrollmentSource.PURCHASE,
        member=member,
    )


def _grant_published_path(purchase: Purchase, member: Member) -> None:
    enrollment_services.path_enrollment_create(
        published_path=purchase.offer.published_path,
        user=purchase.user,
        enrolled_at=purchase.purchased_at,
        purchase=enrollment_purchase(purchase),
        source=EnrollmentSource.PURCHASE,
        member=member,
    )


def _grant_bundle(purchase: Purchase, member: Member) -> None:
    # A bundle is published on no domain: its courses are granted without a publication,
    # once per (purchase, course); the caller holds the purchase's lock.
    granted = set(
        Enrollment.objects.filter(purchase_id=purchase.id, user=purchase.user).values_list(
            "course_id", flat=True
        )
    )
    bundle = purchase.offer.bundle
    made = product_services.bundle_courses_grant(
        school=purchase.school,
        user=purchase.user,
        bundle=bundle,
        member=member,
        enrolled_at=purchase.purchased_at,
        source=EnrollmentSource.PURCHASE,
        columns=enrollment_purchase(purchase).columns(),
        skip=granted,
    )
    if made:
        product_services.bundle_enrollment_record(
            school=purchase.school,
            user=purchase.user,
            bundle=bundle,
            enrollments=made,
            purchase_id=purchase.id,
        )


def _grant_plan(purchase: Purchase, member: Member) -> None:
    # The plan enrollment grants the plan's courses (``plan_services.plan_grant``), once.
    plan_services.plan_enrollment_create(
        plan=purchase.offer.plan,
        user=purchase.user,
        enrolled_at=purchase.purchased_at,
        purchase=enrollment_purchase(purchase),
        source=EnrollmentSource.PURCHASE,
        member=member,
    )


Grant = Callable[[Purchase, Member], None]
# The offer's target name (``OFFER_TARGETS``) → what a fulfilled purchase of it grants.
FULFILMENT_GRANTS: dict[str, Grant] = {
    "published_course": _grant_published_course,
    "published_path": _grant_published_path,
    "bundle": _grant_bundle,
    "plan": _grant_plan,
}


def _revoke_enrollments(purchase: Purchase) -> None:
    # Course and path enrollments the purchase granted (a path's courses follow the path).
    granted = {"school": purchase.school, "purchase_id": purchase.id}
    product_services.access_revoke(
        path_enrollments=PathEnrollment.objects.filter(**granted),
        enrollments=Enrollment.objects.filter(**granted),
    )
    for model in (PathEnrollment, Enrollment):
        model.objects.filter(**granted).update(purchase_state=S.REFUNDED, updated_at=timezone.now())


def _revoke_bundle(purchase: Purchase) -> None:
    # The courses, and the record that the buyer holds the bundle.
    _revoke_enrollments(purchase)
    BundleEnrollment.objects.filter(
        school=purchase.school, purchase_id=purchase.id, active=True
    ).update(active=False, updated_at=timezone.now())


def _revoke_plan(purchase: Purchase) -> None:
    # The plan enrollment ends; the course enrollments it granted follow it.
    granted = {"school": purchase.school, "purchase_id": purchase.id}
    product_services.access_revoke(plan_enrollments=PlanEnrollment.objects.filter(**granted))
    PlanEnrollment.objects.filter(**granted).update(
        purchase_state=S.REFUNDED, updated_at=timezone.now()
    )
    _revoke_enrollments(purchase)


Revoke = Callable[[Purchase], None]
# The offer's target name → how a refund takes back what the purchase granted.
REFUND_REVOKES: dict[str, Revoke] = {
    "published_course": _revoke_enrollments,
    "published_path": _revoke_enrollments,
    "bundle": _revoke_bundle,
    "plan": _revoke_plan,
}
assert set(FULFILMENT_GRANTS) == set(REFUND_REVOKES) == set(OFFER_TARGETS)


def _payment_record(purchase: Purchase) -> Payment | None:
    """The payment of a fulfilled purchase with something to pay (None when free)."""
    amount = purchase.price_cents + purchase.tax_price_cents
    if amount == 0:
        return None
    payment, _ = Payment.objects.get_or_create(
        purchase=purchase,
        defaults={
            "school": purchase.school,
            "user": purchase.user,
            "amount_cents": amount,
            "tax_cents": purchase.tax_price_cents,
            "currency_code": purchase.currency_code,
            "payment_processor": purchase.payment_processor,
            "payment_processor_order_id": purchase.payment_processor_order_id,
            "paid_at": purchase.fulfilled_at,
        },
    )
    return payment


def _succeed(purchase: Purchase) -> None:
    """Grant what the offer gives, mark the purchase ``SUCCESS``, record the payment and
    emit ``purchase.fulfilled`` (+ ``payment.completed``). The caller holds the lock."""
    member = enrollment_services.member_of(purchase.school_id, purchase.user)
    grant = FULFILMENT_GRANTS.get(purchase.offer.target_name)
    if grant is None:
        raise InvalidInput(
            f"Purchases of a {purchase.offer.target_name} cannot be fulfilled yet.",
            code=CommerceErrorCode.FULFILMENT_NOT_SUPPORTED,
        )
    # The purchase is SUCCESS before the grants run, so the blocks they copy say so.
    purchase.state = S.SUCCESS
    purchase.fulfilled_at = timezone.now()
    grant(purchase, member)
    _credits_granted(purchase)
    purchase.save()
    emit(purchase.school, "purchase.fulfilled", purchase_payload(purchase))
    payment = _payment_record(purchase)
    if payment is not None:
        emit(purchase.school, "payment.completed", payment_payload(payment))
        affiliate_commission_record(
            customer=purchase.user,
            purchase_id=purchase.id,
            paid_cents=purchase.price_cents,
            currency_code=purchase.currency_code,
        )


def _credits_granted(purchase: Purchase) -> None:
    """Tell the training-credit spend of the purchase which access it bought, so a code's
    ``expire_content`` can take it back (the path enrollment, else the first course
    enrollment the purchase granted)."""
    spend_ids = [
        step["training_credit_spend_id"]
        for step in purchase.pricing or []
        if step.get("training_credit_spend_id")
    ]
    for spend in TrainingCreditSpend.objects.filter(pk__in=spend_ids):
        training_credit_grant_record(
            spend=spend,
            path_enrollment=PathEnrollment.objects.filter(purchase_id=purchase.id).first(),
            enrollment=Enrollment.objects.filter(purchase_id=purchase.id).order_by("id").first(),
        )


def _refund(purchase: Purchase, *, refunded_at: datetime | None, refund_cents: int | None) -> None:
    total = purchase.price_cents + purchase.tax_price_cents
    refund = total if refund_cents is None else refund_cents
    if refund > total:
        raise InvalidInput(
            f"refund_cents: at most what was paid ({total}).",
            code=CommerceErrorCode.REFUND_TOO_LARGE,
            field="refund_cents",
        )
    purchase.state = S.REFUNDED
    purchase.refund_cents = refund
    purchase.refunded_at = refunded_at or timezone.now()
    revoke = REFUND_REVOKES.get(purchase.offer.target_name)
    if revoke is not None:
        revoke(purchase)
    # The affiliate who referred the buyer does not keep a commission on money paid back.
    affiliate_commission_reverse(school=purchase.school, purchase_id=purchase.id)
    purchase.save()
    emit(purchase.school, "purchase.refunded", purchase_payload(purchase))


def _refuse_transition(purchase: Purchase, state: str) -> None:
    if state in PURCHASE_TRANSITIONS[purchase.state]:
        return
    if purchase.state == S.REFUNDED:
        raise Conflict(
            "This purchase was refunded; it cannot change state again.",
            code=CommerceErrorCode.PURCHASE_REFUNDED,
            field="state",
        )
    if purchase.state == S.SUCCESS:
        raise Conflict(
            f"This purchase was fulfilled; it can only be refunded, not made {state}.",
            code=CommerceErrorCode.PURCHASE_ALREADY_FULFILLED,
            field="state",
        )
    if state == S.REFUNDED:
        raise Conflict(
            "Only a fulfilled (SUCCESS) purchase can be refunded.",
            code=CommerceErrorCode.PURCHASE_NOT_FULFILLED,
            field="state",
        )
    raise Conflict(
        f"A {purchase.state} purchase cannot become {state}.",
        code=CommerceErrorCode.PURCHASE_STATE_INVALID,
        field="state",
    )


@transaction.atomic
def purchase_fulfill(
    *,
    purchase: Purchase,
    state: str,
    error_msg: str = "",
    payment_processor_order_id: str = "",
    payment_processor_response_data: str = "",
    payment_processor: str = "",
) -> Purchase:
    """Record the payment's outcome. ``SUCCESS`` grants what the offer gives, once: a purchase
    already ``SUCCESS`` is answered unchanged. 409 ``purchase_refunded`` on a refunded
    purchase, ``purchase_already_fulfilled`` for FAILED/CANCELLED after SUCCESS."""
    if state not in (S.SUCCESS, S.FAILED, S.CANCELLED):
        raise InvalidInput(
            "state: SUCCESS, FAILED or CANCELLED.",
            code=CommerceErrorCode.PURCHASE_STATE_INVALID,
            field="state",
        )
    purchase = _locked(purchase)
    if purchase.state == state and state in (S.SUCCESS, S.CANCELLED):
        return purchase  # already done: a repeated or concurrent fulfilment
    _refuse_transition(purchase, state)
    purchase.status_msg = error_msg or ""
    if payment_processor:
        purchase.payment_processor = payment_processor
    if payment_processor_order_id:
        purchase.payment_processor_order_id = payment_processor_order_id
    if payment_processor_response_data:
        purchase.payment_processor_response_data = payment_processor_response_data
    if state == S.SUCCESS:
        _succeed(purchase)
    else:
        purchase.state = state
        purchase.save()
    return purchase


@transaction.atomic
def purchase_update(*, purchase: Purchase, **fields: Any) -> Purchase:
    """Change ``state``, ``refunded_at``, ``refund_cents``, ``price_cents``,
    ``tax_price_cents`` (PUT and PATCH alike). ``SUCCESS`` fulfils (as ``purchase_fulfill``),
    ``REFUNDED`` refunds a fulfilled purchase (``purchase.refunded``); 409 on a transition
    ``PURCHASE_TRANSITIONS`` refuses; price and tax change only before payment."""
    unknown = set(fields) - set(UPDATE_FIELDS)
    if unknown:
        raise TypeError(f"purchase_update() got unexpected fields {sorted(unknown)}")
    purchase = _locked(purchase)
    state = fields.pop("state", purchase.state)
    _refuse_transition(purchase, state)
    for name in ("price_cents", "tax_price_cents"):
        if name in fields and fields[name] != getattr(purchase, name):
            if purchase.state not in PRICE_EDITABLE_STATES or state == S.SUCCESS:
                raise Conflict(
                    f"{name}: a {purchase.state} purchase keeps its price.",
                    code=CommerceErrorCode.PURCHASE_STATE_INVALID,
                    field=name,
                )
            setattr(purchase, name, fields[name])
    refund = {name: fields[name] for name in ("refunded_at", "refund_cents") if name in fields}
    if refund and S.REFUNDED not in (state, purchase.state):
        raise Conflict(
            "refunded_at and refund_cents are set by a refund (state REFUNDED).",
            code=CommerceErrorCode.PURCHASE_NOT_FULFILLED,
            field=next(iter(refund)),
        )
    if state == S.SUCCESS and purchase.state != S.SUCCESS:
        _succeed(purchase)
    elif state == S.REFUNDED and purchase.state == S.SUCCESS:
        _refund(purchase, **{"refunded_at": None, "refund_cents": None, **refund})
    elif state == S.REFUNDED:
        # Correcting a refund already made: its amount and time only.
        if "refund_cents" in refund:
            total = purchase.price_cents + purchase.tax_price_cents
            if refund["refund_cents"] > total:
                raise InvalidInput(
                    f"refund_cents: at most what was paid ({total}).",
                    code=CommerceErrorCode.REFUND_TOO_LARGE,
                    field="refund_cents",
                )
            purchase.refund_cents = refund["refund_cents"]
        if refund.get("refunded_at") is not None:
            purchase.refunded_at = refund["refunded_at"]
        purchase.save()
    else:
        purchase.state = state
        purchase.save()
    return purchase
