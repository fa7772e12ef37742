"""Writes of promo code pools and promo codes, and the redemption of a code.

A pool's discount (``discount_type``, ``percent_off``, ``price_cents``, ``currency_code``)
is fixed once the pool exists (400 ``promo_discount_fixed``): uses already priced with it
must stay explainable. Deleting a pool deletes its codes and their uses (the seed's rule).

``promo_code_redeem`` is the one way a code is used (purchase pricing calls it inside its
own transaction): it prices the offer with the code and counts the use with ONE
conditional UPDATE (``uses = uses + 1 WHERE uses < max_uses``), so N concurrent uses of a
code with ``max_uses`` M < N succeed exactly M times; a pool's ``single_use_per_user`` is
the database's partial unique index on the uses, so a person's second use, also a racing
one, is refused (``code_already_used``).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import (
    DiscountType,
    Offer,
    PromoCode,
    PromoCodePool,
    PromoCodeRedemption,
    Purchase,
)
from apps.commerce.models.promo_codes import CODE_PATTERN
from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate, violates
from apps.core.events import emit
from apps.core.money import MAX_MINOR_UNITS, is_known_currency, money, percent_of
from apps.core.times import format_datetime
from apps.schools.models import School

# The most offers one call may attach to a pool (the seed's limit per transaction).
POOL_OFFERS_PER_CALL = 500
POOL_FIELDS = ("name", "active", "starts_at", "expires_at", "expire_content", "single_use_per_user")
DISCOUNT_FIELDS = ("discount_type", "percent_off", "price_cents", "currency_code")
CODE_FIELDS = ("code", "max_uses", "active")
MAX_USES_LIMIT = 2_000_000_000


def promo_code_pool_payload(pool: PromoCodePool) -> dict[str, Any]:
    """The event data of a pool: its discount, window and flags."""
    return {
        "id": pool.id,
        "name": pool.name,
        "active": pool.active,
        "discount_type": pool.discount_type,
        "percent_off": pool.percent_off,
        "price_cents": pool.price_cents,
        "currency_code": pool.currency_code or None,
        "starts_at": format_datetime(pool.starts_at),
        "expires_at": format_datetime(pool.expires_at),
        "expire_content": pool.expire_content,
        "single_use_per_user": pool.single_use_per_user,
    }


def promo_code_payload(code: PromoCode) -> dict[str, Any]:
    """The event data of a code: its text, pool, limit and count of uses."""
    return {
        "id": code.id,
        "promo_code_pool_id": code.pool_id,
        "code": code.code,
        "max_uses": code.max_uses,
        "uses": code.uses,
        "active": code.active,
    }


def _check_discount(
    discount_type: Any, percent_off: Any, price_cents: Any, currency_code: Any
) -> None:
    # The API's serializer says the same first; the admin and callers in code reach here.
    def refuse(message: str, field: str) -> InvalidInput:
        return InvalidInput(message, code=CommerceErrorCode.PROMO_DISCOUNT_INVALID, field=field)

    if discount_type == DiscountType.PERCENT_OFF:
        if isinstance(percent_off, bool) or not isinstance(percent_off, int):
            raise refuse("percent_off: a whole number from 1 to 100.", "percent_off")
        if not 1 <= percent_off <= 100:
            raise refuse("percent_off: a whole number from 1 to 100.", "percent_off")
        if price_cents is not None:
            raise refuse("price_cents is for PRICE_OVERRIDE pools only.", "price_cents")
    elif discount_type == DiscountType.PRICE_OVERRIDE:
        if isinstance(price_cents, bool) or not isinstance(price_cents, int):
            raise refuse("price_cents: the new price in minor units.", "price_cents")
        if not 0 <= price_cents <= MAX_MINOR_UNITS:
            raise refuse(f"price_cents: from 0 to {MAX_MINOR_UNITS}.", "price_cents")
        if not is_known_currency(currency_code):
            raise refuse("currency_code: the new price's ISO 4217 currency.", "currency_code")
        if percent_off is not None:
            raise refuse("percent_off is for PERCENT_OFF pools only.", "percent_off")
    else:
        raise refuse("discount_type: PERCENT_OFF or PRICE_OVERRIDE.", "discount_type")


def _check_window(starts_at: datetime | None, expires_at: datetime | None) -> None:
    if starts_at is None:
        raise InvalidInput(
            "starts_at is required.", code=CommerceErrorCode.PROMO_WINDOW_INVALID, field="starts_at"
        )
    if expires_at is not None and expires_at <= starts_at:
        raise InvalidInput(
            "expires_at must be after starts_at.",
            code=CommerceErrorCode.PROMO_WINDOW_INVALID,
            field="expires_at",
        )


@transaction.atomic
def promo_code_pool_create(
    *,
    school: School,
    name: str,
    discount_type: str,
    starts_at: datetime,
    percent_off: int | None = None,
    price_cents: int | None = None,
    currency_code: str = "",
    expires_at: datetime | None = None,
    active: bool = True,
    expire_content: bool = False,
    single_use_per_user: bool = False,
) -> PromoCodePool:
    """A pool with a fixed discount; 400 ``promo_discount_invalid`` for a discount that does
    not fit its type, 400 ``promo_window_invalid`` when it would expire before it starts."""
    _check_discount(discount_type, percent_off, price_cents, currency_code)
    _check_window(starts_at, expires_at)
    pool = PromoCodePool.objects.create(
        school=school,
        name=name,
        discount_type=discount_type,
        percent_off=percent_off,
        price_cents=price_cents,
        currency_code=currency_code or "",
        starts_at=starts_at,
        expires_at=expires_at,
        active=active,
        expire_content=expire_content,
        single_use_per_user=single_use_per_user,
    )
    emit(school, "promo_code_pool.created", promo_code_pool_payload(pool))
    return pool


@transaction.atomic
def promo_code_pool_update(*, pool: PromoCodePool, **fields: Any) -> PromoCodePool:
    """Change the name, window and flags (PUT and PATCH alike); a discount field naming
    another value than the pool's is 400 ``promo_discount_fixed`` (the same value again is
    accepted, so a pool sent back as it was read is)."""
    pool = PromoCodePool.objects.select_for_update().select_related("school").get(pk=pool.pk)
    for name in DISCOUNT_FIELDS:
        if name in fields:
            value = fields.pop(name)
            current = getattr(pool, name)
            if name == "currency_code":
                value, current = value or "", current or ""
            if value != current:
                raise InvalidInput(
                    f"{name}: a pool's discount is fixed once it exists; create a new pool.",
                    code=CommerceErrorCode.PROMO_DISCOUNT_FIXED,
                    field=name,
                )
    unknown = set(fields) - set(POOL_FIELDS)
    if unknown:
        raise TypeError(f"promo_code_pool_update() got unexpected fields {sorted(unknown)}")
    _check_window(
        fields.get("starts_at", pool.starts_at), fields.get("expires_at", pool.expires_at)
    )
    changed = [name for name, value in fields.items() if getattr(pool, name) != value]
    for name in changed:
        setattr(pool, name, fields[name])
    if changed:
        pool.save(update_fields=[*changed, "updated_at"])
        emit(pool.school, "promo_code_pool.updated", promo_code_pool_payload(pool))
    return pool


@transaction.atomic
def promo_code_pool_delete(*, pool: PromoCodePool) -> None:
    """Delete the pool, its codes and their uses (``promo_code_pool.deleted``); past
    purchases keep their price but no longer name a code (``code_used`` null, as the seed
    says)."""
    payload = promo_code_pool_payload(pool)
    school = pool.school
    Purchase.objects.filter(
        school=school, code_used__in=PromoCode.objects.filter(pool=pool).values("code")
    ).update(code_used=None, updated_at=timezone.now())
    PromoCodeRedemption.objects.filter(pool=pool).delete()
    PromoCode.objects.filter(pool=pool).delete()
    pool.delete()
    emit(school, "promo_code_pool.deleted", payload)


@transaction.atomic
def promo_code_pool_offers_add(*, pool: PromoCodePool, offers: list[Offer]) -> list[Offer]:
    """Attach up to ``POOL_OFFERS_PER_CALL`` of the school's offers (already attached ones
    are kept as they are); all or nothing."""
    if len(offers) > POOL_OFFERS_PER_CALL:
        raise InvalidInput(
            f"At most {POOL_OFFERS_PER_CALL} offers per call.",
            code=CommerceErrorCode.PROMO_POOL_OFFERS_TOO_MANY,
        )
    for offer in offers:
        if offer.school_id != pool.school_id:
            raise InvalidInput(
                f"Offer {offer.pk} does not exist.", code="does_not_exist", field="id"
            )
    pool.offers.add(*offers)
    if offers:
        PromoCodePool.objects.filter(pk=pool.pk).update(updated_at=timezone.now())
    return offers


@transaction.atomic
def promo_code_pool_offers_set(*, pool: PromoCodePool, offers: list[Offer]) -> None:
    """Make ``offers`` (the school's) exactly the pool's offers (the admin's form)."""
    for offer in offers:
        if offer.school_id != pool.school_id:
            raise InvalidInput(
                f"Offer {offer.pk} does not exist.", code="does_not_exist", field="id"
            )
    pool.offers.set(offers)


def _check_code_fields(fields: dict[str, Any]) -> None:
    code = fields.get("code")
    if code is not None:
        if not isinstance(code, str) or not re.match(CODE_PATTERN, code):
            raise InvalidInput(
                "code: 1 to 100 letters, digits, '-', '_' or '.', starting with a letter or digit.",
                code=CommerceErrorCode.PROMO_CODE_INVALID,
                field="code",
            )
    max_uses = fields.get("max_uses")
    if max_uses is not None and (
        isinstance(max_uses, bool)
        or not isinstance(max_uses, int)
        or not 1 <= max_uses <= MAX_USES_LIMIT
    ):
        raise InvalidInput(
            f"max_uses: from 1 to {MAX_USES_LIMIT}.",
            code=CommerceErrorCode.PROMO_CODE_INVALID,
            field="max_uses",
        )


def _code_exists(code: str) -> Conflict:
    return Conflict(
        f"The school already has a promo code {code!r}.",
        code=CommerceErrorCode.PROMO_CODE_EXISTS,
        field="code",
    )


@transaction.atomic
def promo_code_create(
    *, school: School, pool: PromoCodePool, code: str, max_uses: int, active: bool = True
) -> PromoCode:
    """A code in one of the school's pools; 409 ``promo_code_exists`` when the school has
    that code already (case-sensitive), also for the loser of a race."""
    if pool.school_id != school.pk:
        raise InvalidInput(
            "promo_code_pool_id does not exist.", code="does_not_exist", field="promo_code_pool_id"
        )
    _check_code_fields({"code": code, "max_uses": max_uses})
    promo_code = PromoCode(school=school, pool=pool, code=code, max_uses=max_uses, active=active)
    with conflict_on_duplicate("commerce_promocode_unique", _code_exists(code)):
        promo_code.save(force_insert=True)
    emit(school, "promo_code.created", promo_code_payload(promo_code))
    return promo_code


@transaction.atomic
def promo_code_update(*, promo_code: PromoCode, **fields: Any) -> PromoCode:
    """Change ``code``, ``max_uses`` or ``active`` (a limit below the uses so far closes
    the code); 409 ``promo_code_exists`` when the new text is taken."""
    promo_code = (
        PromoCode.objects.select_for_update(of=("self",))
        .select_related("school")
        .get(pk=promo_code.pk)
    )
    unknown = set(fields) - set(CODE_FIELDS)
    if unknown:
        raise TypeError(f"promo_code_update() got unexpected fields {sorted(unknown)}")
    _check_code_fields(fields)
    changed = [name for name, value in fields.items() if getattr(promo_code, name) != value]
    for name in changed:
        setattr(promo_code, name, fields[name])
    if changed:
        with conflict_on_duplicate("commerce_promocode_unique", _code_exists(promo_code.code)):
            promo_code.save(update_fields=[*changed, "updated_at"])
        emit(promo_code.school, "promo_code.updated", promo_code_payload(promo_code))
    return promo_code


@dataclass(frozen=True)
class PromoPrice:
    """What a code does to an offer's price: the new price, or why it does not apply."""

    price_cents_before: int
    price_cents: int | None
    currency_code: str
    reason: str | None = None
    detail: str = ""

    @property
    def applies(self) -> bool:
        return self.reason is None


class PromoCodeRefused(InvalidInput):
    """400: the code does not apply; ``code`` says why (``code_expired``, …)."""


def promo_code_price(
    *,
    promo_code: PromoCode,
    offer: Offer,
    price_cents: int | None = None,
    user: Any = None,
    at: datetime | None = None,
) -> PromoPrice:
    """The price ``promo_code`` gives ``offer`` (``price_cents``: the price before the code,
    the offer's own by default) for ``user`` at ``at``, or the reason it would not.

    Reads only: ``promo_code_redeem`` repeats the count and the once-per-person rule in the
    database, where they hold under concurrency.
    """
    pool = promo_code.pool
    at = at or timezone.now()
    before = offer.price_cents if price_cents is None else price_cents

    def refused(reason: str, detail: str) -> PromoPrice:
        return PromoPrice(before, None, offer.currency_code, reason, detail)

    if not promo_code.active or not pool.active:
        return refused(CommerceErrorCode.CODE_INACTIVE, "This code is not active.")
    if at < pool.starts_at:
        return refused(CommerceErrorCode.CODE_NOT_STARTED, "This code is not valid yet.")
    if pool.expires_at is not None and at >= pool.expires_at:
        return refused(CommerceErrorCode.CODE_EXPIRED, "This code has expired.")
    if promo_code.uses >= promo_code.max_uses:
        return refused(CommerceErrorCode.CODE_EXHAUSTED, "This code has been used up.")
    if not pool.offers.filter(pk=offer.pk).exists():
        return refused(CommerceErrorCode.CODE_NOT_FOR_OFFER, "This code is not for this offer.")
    if (
        pool.single_use_per_user
        and user is not None
        and PromoCodeRedemption.objects.filter(pool=pool, user=user, single_use=True).exists()
    ):
        return refused(CommerceErrorCode.CODE_ALREADY_USED, "This person has used this code.")
    if pool.discount_type == DiscountType.PERCENT_OFF:
        after = before - percent_of(before, pool.percent_off)
    else:
        if pool.currency_code != offer.currency_code:
            return refused(
                CommerceErrorCode.CODE_CURRENCY_MISMATCH,
                f"This code sets a price in {pool.currency_code}; the offer is in "
                f"{offer.currency_code}.",
            )
        # A new price never raises what the offer costs.
        after = min(before, pool.price_cents)
    return PromoPrice(before, after, offer.currency_code)


def promo_price_payload(result: PromoPrice) -> dict[str, Any]:
    """The wire and event form of a ``PromoPrice``."""
    return {
        "valid": result.applies,
        "reason": result.reason,
        "detail": result.detail,
        "original_price": money(result.price_cents_before, result.currency_code),
        "original_price_cents": result.price_cents_before,
        "price": money(result.price_cents, result.currency_code),
        "price_cents": result.price_cents,
        "discount_cents": (
            None if result.price_cents is None else result.price_cents_before - result.price_cents
        ),
        "currency_code": result.currency_code,
    }


def promo_code_redeem(
    code: PromoCode | str,
    offer: Offer,
    user: Any,
    price_cents: int,
    *,
    reference: str = "",
) -> tuple[int, PromoCodeRedemption]:
    """Use ``code`` once on ``offer`` for ``user`` at ``price_cents`` (the price before the
    code): returns (the new price, the use recorded). Raises ``PromoCodeRefused`` with the
    reason's code when the code does not apply, is used up or was used by this person in a
    single-use pool; nothing is counted then. Runs in the caller's transaction if any.
    """
    with transaction.atomic():
        if isinstance(code, str):
            promo_code = (
                PromoCode.objects.select_related("pool").filter(
                    school_id=offer.school_id, code=code
                )
            ).first()
            if promo_code is None:
                raise PromoCodeRefused(
                    "No such promo code.", code=CommerceErrorCode.CODE_NOT_FOUND, field="code"
                )
        else:
            promo_code = code
        if promo_code.school_id != offer.school_id:
            raise PromoCodeRefused(
                "No such promo code.", code=CommerceErrorCode.CODE_NOT_FOUND, field="code"
            )
        result = promo_code_price(
            promo_code=promo_code, offer=offer, price_cents=price_cents, user=user
        )
        if not result.applies:
            raise PromoCodeRefused(result.detail, code=result.reason, field="code")
        # The count is the database's: one statement reads and raises it, so concurrent
        # uses queue on the row and the (max_uses + 1)th finds no row to update.
        counted = PromoCode.objects.filter(
            pk=promo_code.pk, active=True, uses__lt=F("max_uses")
        ).update(uses=F("uses") + 1, updated_at=timezone.now())
        if not counted:
            raise PromoCodeRefused(
                "This code has been used up.", code=CommerceErrorCode.CODE_EXHAUSTED, field="code"
            )
        single_use = promo_code.pool.single_use_per_user and user is not None
        try:
            with transaction.atomic():
                redemption = PromoCodeRedemption.objects.create(
                    school_id=promo_code.school_id,
                    code=promo_code,
                    pool_id=promo_code.pool_id,
                    offer=offer,
                    user=user,
                    single_use=single_use,
                    price_cents_before=result.price_cents_before,
                    price_cents_after=result.price_cents,
                    currency_code=result.currency_code,
                    reference=reference,
                )
        except IntegrityError as exc:
            if not violates(exc, "commerce_promouse_single"):
                raise
            # Raising out of the block undoes the count above: the use did not happen.
            raise PromoCodeRefused(
                "This person has used this code.",
                code=CommerceErrorCode.CODE_ALREADY_USED,
                field="code",
            ) from None
        promo_code.uses += 1
    return result.price_cents, redemption
