"""Paths (Coursepath's programs): an ordered list of courses, and bundles (LearnWorlds): a
sellable set of courses."""

from django.db import models
from django.db.models.functions import Lower

from apps.catalog.models.courses import Course, Label
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel


class Path(SchoolOwnedModel):
    """A learning path: courses taken in the order of its items."""

    id = PrefixedIdField(prefix="pth", primary_key=True)
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=100)
    short_description = models.TextField(max_length=1000, blank=True, default="")
    long_description_html = models.TextField(blank=True, default="")
    search_keywords = models.TextField(blank=True, default="")
    labels = models.ManyToManyField(Label, blank=True, related_name="paths")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("school", Lower("slug"), name="catalog_path_slug_ci"),
        ]

    def __str__(self) -> str:
        return self.title


class PathItem(SchoolOwnedModel):
    """A course at position ``order`` (1, 2, … without gaps) of a path; once per path."""

    id = PrefixedIdField(prefix="pti", primary_key=True)
    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="items")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="path_items")
    slug = models.SlugField(max_length=100)
    order = models.PositiveIntegerField()

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["path_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["path", "order"], name="catalog_pathitem_order"),
            models.UniqueConstraint(fields=["path", "course"], name="catalog_pathitem_course"),
        ]

    def __str__(self) -> str:
        return self.slug


class Bundle(SchoolOwnedModel):
    """A set of courses sold together at one price (none: not for sale yet)."""

    id = PrefixedIdField(prefix="bnd", primary_key=True)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    courses = models.ManyToManyField(Course, blank=True, related_name="bundles")
    # Integer minor units of ``currency_code`` (apps.core.money); none: not for sale.
    price_cents = models.BigIntegerField(null=True, blank=True)
    currency_code = models.CharField(max_length=3, blank=True, default="")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_cents__isnull=True, currency_code="")
                | (models.Q(price_cents__gte=0) & ~models.Q(currency_code="")),
                name="catalog_bundle_price_currency",
            ),
        ]

    def __str__(self) -> str:
        return self.title
