"""Promo codes: pools that fix a discount, the codes that carry it, and each use of a code.

A pool (``PromoCodePool``) holds the discount (a percentage off, or a new price in one
currency), the window it is valid in and the offers it applies to; the discount is fixed
once the pool exists, as purchases priced with it must stay explainable. A code
(``PromoCode``) belongs to one pool, is unique per school (case-sensitive) and counts its
``uses`` against ``max_uses``; every use is a ``PromoCodeRedemption`` row. The count is
raised by one conditional UPDATE (``uses < max_uses``), so concurrent redemptions never
overshoot, and a pool with ``single_use_per_user`` is held to one use per person by a
partial unique index on the redemptions.
"""

from django.conf import settings
from django.db import models

from apps.commerce.models.offers import Offer
from apps.core.ids import PrefixedIdField
from apps.core.models import Job, SchoolOwnedModel, school_indexes

# Where a promo code's text comes from: letters, digits and ``-_.`` (the seed's codes look
# like ``6hhzj2ea-v5j3ak3d``), so a code is also a path segment of ``/usage``.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


class DiscountType(models.TextChoices):
    PERCENT_OFF = "PERCENT_OFF", "Percent off"
    PRICE_OVERRIDE = "PRICE_OVERRIDE", "Price override"


class PromoCodePool(SchoolOwnedModel):
    """A discount and its window, shared by the pool's codes, on the pool's offers.

    PERCENT_OFF takes ``percent_off`` (1–100) off the offer's price; PRICE_OVERRIDE makes
    the price ``price_cents`` in ``currency_code`` (the new price, never more than the
    offer's own). ``expire_content``: access bought with a code ends when the pool expires.
    """

    id = PrefixedIdField(prefix="pcp", primary_key=True)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    discount_type = models.CharField(max_length=20, choices=DiscountType.choices)
    percent_off = models.PositiveSmallIntegerField(null=True, blank=True)
    price_cents = models.PositiveBigIntegerField(null=True, blank=True)
    currency_code = models.CharField(max_length=3, blank=True, default="")
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    expire_content = models.BooleanField(default=False)
    single_use_per_user = models.BooleanField(default=False)
    offers = models.ManyToManyField(Offer, blank=True, related_name="promo_code_pools")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        discount_type=DiscountType.PERCENT_OFF,
                        percent_off__gte=1,
                        percent_off__lte=100,
                        price_cents__isnull=True,
                    )
                    | models.Q(
                        discount_type=DiscountType.PRICE_OVERRIDE,
                        percent_off__isnull=True,
                        price_cents__isnull=False,
                        currency_code__regex=r"^[A-Z]{3}$",
                    )
                ),
                name="commerce_promopool_discount",
            ),
        ]
        indexes = [
            *school_indexes("commerce_pcpool"),
            models.Index(fields=["school", "name"], name="commerce_pcpool_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PromoCode(SchoolOwnedModel):
    """One code of a pool: usable ``max_uses`` times while active and the pool is valid.

    ``job`` is the bulk generation that made it (None for a code made one by one): a
    restarted job counts what it already inserted through it.
    """

    id = PrefixedIdField(prefix="pco", primary_key=True)
    # CASCADE: deleting a pool deletes its codes (the seed's rule).
    pool = models.ForeignKey(PromoCodePool, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=100)
    max_uses = models.PositiveIntegerField()
    uses = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            # Case-sensitive, as the seed's ``code`` filter: ``ABC`` and ``abc`` are two codes.
            models.UniqueConstraint(fields=["school", "code"], name="commerce_promocode_unique"),
        ]
        indexes = [
            *school_indexes("commerce_pcode"),
            models.Index(fields=["pool", "id"], name="commerce_pcode_pool"),
            models.Index(fields=["job"], name="commerce_pcode_job"),
        ]

    def __str__(self) -> str:
        return self.code


class PromoCodeRedemption(SchoolOwnedModel):
    """One use of a code: who used it on which offer, and the price before and after.

    ``single_use`` copies the pool's ``single_use_per_user`` at the time of use; the partial
    unique index on (pool, user) where it is set keeps a person to one use of such a pool,
    also when two uses race. ``reference`` is the caller's record of the use (a purchase id).
    """

    id = PrefixedIdField(prefix="pcu", primary_key=True)
    code = models.ForeignKey(PromoCode, on_delete=models.CASCADE, related_name="redemptions")
    pool = models.ForeignKey(PromoCodePool, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    single_use = models.BooleanField(default=False)
    price_cents_before = models.PositiveBigIntegerField()
    price_cents_after = models.PositiveBigIntegerField()
    currency_code = models.CharField(max_length=3)
    reference = models.CharField(max_length=100, blank=True, default="")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "user"],
                condition=models.Q(single_use=True, user__isnull=False),
                name="commerce_promouse_single",
            ),
        ]
        indexes = [
            *school_indexes("commerce_pcuse"),
            models.Index(fields=["code", "id"], name="commerce_pcuse_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code_id} by {self.user_id}"
