"""Writes of offers (on published courses, published paths, bundles and plans): create and
update (``offer.created``, ``offer.updated``).

One offer per target is the database's rule (a unique index per target column): a second
offer on a target, also one racing the first, is 409 ``offer_exists``. The target is fixed
once the offer exists (400 ``offer_target_fixed``): purchases will point at the offer, and
moving it would re-price what they bought.
"""

from typing import Any

from django.db import models, transaction

from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import OFFER_TARGETS, Offer
from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit
from apps.core.money import MAX_MINOR_UNITS, is_known_currency, money
from apps.schools.models import School

OFFER_FIELDS = (
    "price_cents",
    "currency_code",
    "registration_open",
    "sku",
    "description",
    "training_credit_value",
)


def offer_payload(offer: Offer) -> dict[str, Any]:
    """The event data of an offer: what it sells, for how much, and where to buy it."""
    return {
        "id": offer.id,
        **{f"{name}_id": getattr(offer, f"{name}_id") for name in OFFER_TARGETS},
        "registration_open": offer.registration_open,
        "registration_url": offer.registration_url,
        "price": money(offer.price_cents, offer.currency_code),
        "price_cents": offer.price_cents,
        "currency_code": offer.currency_code,
        "sku": offer.sku,
        "description": offer.description,
        "training_credit_value": offer.training_credit_value,
    }


def _check_price(price_cents: Any, currency_code: Any) -> None:
    # The API's fields refuse these first; the admin and callers in code reach here.
    if isinstance(price_cents, bool) or not isinstance(price_cents, int):
        raise InvalidInput(
            "price_cents: a whole number of minor units.",
            code=CommerceErrorCode.INVALID_PRICE,
            field="price_cents",
        )
    if not 0 <= price_cents <= MAX_MINOR_UNITS:
        raise InvalidInput(
            f"price_cents: from 0 to {MAX_MINOR_UNITS}.",
            code=CommerceErrorCode.INVALID_PRICE,
            field="price_cents",
        )
    if not is_known_currency(currency_code):
        raise InvalidInput(
            f"currency_code: {currency_code!r} is not an ISO 4217 currency code.",
            code=CommerceErrorCode.INVALID_CURRENCY,
            field="currency_code",
        )


def _offer_exists(name: str) -> Conflict:
    return Conflict(
        f"This {name.replace('_', ' ')} already has an offer; change that one instead.",
        code=CommerceErrorCode.OFFER_EXISTS,
        field=f"{name}_id",
    )


@transaction.atomic
def offer_create(
    *,
    school: School,
    price_cents: int,
    currency_code: str,
    published_course: models.Model | None = None,
    published_path: models.Model | None = None,
    bundle: models.Model | None = None,
    plan: models.Model | None = None,
    registration_open: bool = True,
    sku: str = "",
    description: str = "",
    training_credit_value: int | None = None,
) -> Offer:
    """Put a price on exactly one of the school's targets; 400 when none or several are
    given or one is another school's, 409 ``offer_exists`` when the target has an offer."""
    given = (published_course, published_path, bundle, plan)  # in the order of OFFER_TARGETS
    targets = {name: target for name, target in zip(OFFER_TARGETS, given, strict=True) if target}
    if len(targets) != 1:
        names = ", ".join(f"{name}_id" for name in OFFER_TARGETS)
        raise InvalidInput(
            f"Give exactly one of {names}.",
            code=CommerceErrorCode.OFFER_TARGET_REQUIRED,
            field=f"{next(iter(targets), OFFER_TARGETS[0])}_id",
        )
    ((name, target),) = targets.items()
    if target.school_id != school.pk:
        raise InvalidInput(f"{name}_id does not exist.", code="does_not_exist", field=f"{name}_id")
    _check_price(price_cents, currency_code)
    offer = Offer(
        school=school,
        price_cents=price_cents,
        currency_code=currency_code,
        registration_open=registration_open,
        sku=sku or "",
        description=description or "",
        training_credit_value=training_credit_value,
        **{name: target},
    )
    with conflict_on_duplicate(f"{Offer._meta.db_table}.{name}_id", _offer_exists(name)):
        offer.save(force_insert=True)
    emit(school, "offer.created", offer_payload(offer))
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, **fields: Any) -> Offer:
    """Change the given fields (PUT and PATCH alike); naming the offer's own target again is
    allowed, naming another is 400 ``offer_target_fixed``."""
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related(
            "school", "published_course__domain", "published_path__domain", "bundle", "plan__domain"
        )
        .get(pk=offer.pk)
    )
    for name in OFFER_TARGETS:
        if name in fields:
            target = fields.pop(name)
            if getattr(target, "pk", None) != getattr(offer, f"{name}_id"):
                raise InvalidInput(
                    f"{name}_id: an offer keeps its target; create a new offer instead.",
                    code=CommerceErrorCode.OFFER_TARGET_FIXED,
                    field=f"{name}_id",
                )
    unknown = set(fields) - set(OFFER_FIELDS)
    if unknown:
        raise TypeError(f"offer_update() got unexpected fields {sorted(unknown)}")
    if fields.get("sku", "") is None:
        fields["sku"] = ""
    if fields.get("description", "") is None:
        fields["description"] = ""
    _check_price(
        fields.get("price_cents", offer.price_cents),
        fields.get("currency_code", offer.currency_code),
    )
    changed = [name for name, value in fields.items() if getattr(offer, name) != value]
    for name in changed:
        setattr(offer, name, fields[name])
    if changed:
        offer.save(update_fields=[*changed, "updated_at"])
        emit(offer.school, "offer.updated", offer_payload(offer))
    return offer
