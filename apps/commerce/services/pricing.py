"""Pricing a purchase on the server: the offer's price, then each step of ``PRICING_STEPS``.

A step is a function ``(price_cents so far, context) -> (new price_cents, Applied | None)``:
it reads what it needs from the ``PricingContext`` (the offer, the buyer, the codes given),
returns the price it leaves, and says what it applied (None: it changed nothing). Steps
run in order inside the transaction that creates the purchase, so a step that spends
something (a promo code use, training credits) may lock and spend it there: the spending
and the purchase commit or roll back together. Amounts are integer minor units; percents
go through ``apps.core.money.percent_off`` (one rounding rule), never floats.

The order is Skilljar's: the user's group discount, then a promo code, then training
credits (which pay what is left in full).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max

from apps.commerce.models import Offer
from apps.commerce.services import credits as credit_services
from apps.commerce.services import promo_codes as promo_services
from apps.core.errors import InvalidInput
from apps.core.money import percent_off
from apps.schools.models import GroupMembership, Member, School, User


@dataclass(frozen=True)
class PricingContext:
    """What a pricing step may read: who buys what, and the codes they gave."""

    school: School
    offer: Offer
    user: User
    member: Member
    promo_code: str = ""
    training_credit_code: str = ""


@dataclass(frozen=True)
class Applied:
    """What one step did: its name, the price before and after, details for the record,
    and the purchase columns it fills (``promo_code_percent_off``, …)."""

    step: str
    before_cents: int
    after_cents: int
    detail: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The JSON kept in ``Purchase.pricing``."""
        return {
            "step": self.step,
            "before_cents": self.before_cents,
            "after_cents": self.after_cents,
            **self.detail,
        }


Step = Callable[[int, PricingContext], tuple[int, Applied | None]]


@dataclass(frozen=True)
class Quote:
    """The outcome of pricing: the offer's price, the price to pay, and what applied."""

    offer_price_cents: int
    price_cents: int
    applied: tuple[Applied, ...]

    def columns(self) -> dict[str, Any]:
        """The purchase columns the steps filled, later steps winning."""
        merged: dict[str, Any] = {}
        for applied in self.applied:
            merged.update(applied.columns)
        return merged


def group_discount(price_cents: int, context: PricingContext) -> tuple[int, Applied | None]:
    """The best ``discount_percent`` among the buyer's groups in the school (Skilljar: a
    group's discount applies to everything its members buy; with several, the buyer gets
    the largest, never the sum)."""
    best = GroupMembership.objects.filter(school=context.school, member=context.member).aggregate(
        best=Max("group__discount_percent")
    )["best"]
    if not best or price_cents == 0:
        return price_cents, None
    after = percent_off(price_cents, best)
    return after, Applied(
        step="group_discount",
        before_cents=price_cents,
        after_cents=after,
        detail={"discount_percent": best},
        columns={"group_discount_percent": best},
    )


def promo_code(price_cents: int, context: PricingContext) -> tuple[int, Applied | None]:
    """A promo code of one of the offer's pools takes its discount off the price so far; its
    use is counted here (``promo_codes.promo_code_redeem``: one conditional UPDATE, so
    ``max_uses`` and ``single_use_per_user`` hold under concurrent purchases). 400 naming
    ``promo_code`` with the reason's code (``code_expired``, ``code_exhausted``, …)."""
    if not context.promo_code:
        return price_cents, None
    try:
        after, redemption = promo_services.promo_code_redeem(
            context.promo_code, context.offer, context.user, price_cents
        )
    except promo_services.PromoCodeRefused as refused:
        raise InvalidInput(
            f"promo_code: {refused.detail}", code=refused.code, field="promo_code"
        ) from refused
    pool = redemption.pool
    return after, Applied(
        step="promo_code",
        before_cents=price_cents,
        after_cents=after,
        detail={"promo_code_redemption_id": redemption.pk, "discount_type": pool.discount_type},
        columns={
            "code_used": redemption.code.code,
            "promo_code_price_cents": pool.price_cents,
            "promo_code_percent_off": pool.percent_off,
            "promo_code_quantity": 1,
        },
    )


def training_credit(price_cents: int, context: PricingContext) -> tuple[int, Applied | None]:
    """A training-credit code pays the whole price with the offer's
    ``training_credit_value`` credits, spent here (``credits.training_credits_spend``: one
    conditional UPDATE, so concurrent purchases never overdraw a code); 400 / 409 from the
    spend when the code is unknown, expired, not for this offer or person, or short."""
    if not context.training_credit_code:
        return price_cents, None
    code = credit_services.training_credit_code_find(
        school=context.school, training_credit_code=context.training_credit_code
    )
    spend = credit_services.training_credits_spend(
        code=code, offer=context.offer, user=context.user
    )
    return 0, Applied(
        step="training_credit",
        before_cents=price_cents,
        after_cents=0,
        detail={"training_credit_spend_id": spend.pk, "credits": spend.credits},
        columns={
            "training_credit_code": code.training_credit_code,
            "training_credits_used": spend.credits,
        },
    )


# The steps in the order they apply; ``PRICING_STEP_NAMES`` says which entry is which, so
# another area replaces its entry: ``PRICING_STEPS[PRICING_STEP_NAMES.index("promo_code")]``.
PRICING_STEP_NAMES: tuple[str, ...] = ("group_discount", "promo_code", "training_credit")
PRICING_STEPS: list[Step] = [group_discount, promo_code, training_credit]


def price_quote(context: PricingContext, steps: list[Step] | None = None) -> Quote:
    """Run ``steps`` (default ``PRICING_STEPS``) over the offer's price; refusals raise the
    step's error. A step may never raise the price or make it negative (ValueError)."""
    price = context.offer.price_cents
    applied: list[Applied] = []
    for step in PRICING_STEPS if steps is None else steps:
        after, what = step(price, context)
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= price:
            raise ValueError(f"pricing step {step.__name__} returned {after!r} from {price}")
        if what is not None:
            applied.append(what)
        price = after
    return Quote(
        offer_price_cents=context.offer.price_cents, price_cents=price, applied=tuple(applied)
    )
