"""Offers: what a published course, a published path, a bundle or a plan costs, and whether
it can be bought now.

An offer has exactly one target, and a target at most one offer. The targets are nullable
one-to-one columns (``OFFER_TARGETS``): the unique index of each column keeps one offer per
target, and one check constraint, generated from the tuple, keeps exactly one of them set,
so a new kind of target (plans) is one more column and one more name in the tuple. The
reverse relation of each target is ``offer``: the catalog reads an offer's summary through
it (``apps.catalog.selectors.publishing``) without importing commerce.
"""

from django.db import models

from apps.catalog.models import Bundle, PublishedCourse, PublishedPath
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel

# The columns an offer can sell, in the order the API names them (``<name>_id``).
OFFER_TARGETS: tuple[str, ...] = ("published_course", "published_path", "bundle", "plan")


def exactly_one(columns: tuple[str, ...]) -> models.Q:
    """True when exactly one of ``columns`` is set."""
    condition = models.Q()
    for column in columns:
        only = models.Q(**{f"{column}__isnull": False}) & models.Q(
            **{f"{other}__isnull": True for other in columns if other != column}
        )
        condition |= only
    return condition


class Offer(SchoolOwnedModel):
    """The price of one published course, published path, bundle or plan, in one currency.

    ``price_cents`` is in the currency's minor units (0: free). ``training_credit_value`` is
    how many whole training credits buy it (a training-credit code's ``credits_total`` is
    counted in the same credits); None: it cannot be bought with credits.
    """

    id = PrefixedIdField(prefix="ofr", primary_key=True)
    # CASCADE: an offer sells its target; taken off the domain, it has nothing left to sell.
    published_course = models.OneToOneField(
        PublishedCourse, null=True, blank=True, on_delete=models.CASCADE, related_name="offer"
    )
    published_path = models.OneToOneField(
        PublishedPath, null=True, blank=True, on_delete=models.CASCADE, related_name="offer"
    )
    bundle = models.OneToOneField(
        Bundle, null=True, blank=True, on_delete=models.CASCADE, related_name="offer"
    )
    plan = models.OneToOneField(
        "commerce.Plan", null=True, blank=True, on_delete=models.CASCADE, related_name="offer"
    )
    price_cents = models.PositiveBigIntegerField()
    currency_code = models.CharField(max_length=3)
    registration_open = models.BooleanField(default=True)
    sku = models.CharField(max_length=100, blank=True, default="")
    description = models.TextField(max_length=2000, blank=True, default="")
    training_credit_value = models.PositiveIntegerField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one(OFFER_TARGETS), name="commerce_offer_one_target"
            ),
            models.CheckConstraint(
                condition=models.Q(currency_code__regex=r"^[A-Z]{3}$"),
                name="commerce_offer_currency_code",
            ),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["school", "registration_open", "id"], name="commerce_offer_open"),
        ]

    def __str__(self) -> str:
        return f"{self.target} at {self.price_cents} {self.currency_code}"

    @property
    def target_name(self) -> str:
        """Which column holds the target (``published_course``, …)."""
        return next(name for name in OFFER_TARGETS if getattr(self, f"{name}_id") is not None)

    @property
    def target(self) -> models.Model:
        return getattr(self, self.target_name)

    @property
    def registration_url(self) -> str | None:
        """``https://{domain}/checkout/{id}`` on the target's domain; None for a bundle,
        which is published on no domain."""
        target = self.target
        domain = getattr(target, "domain", None)
        return None if domain is None else f"https://{domain.name}/checkout/{self.id}"
