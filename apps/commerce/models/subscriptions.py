"""Subscriptions: plans a school sells by the month or year, the learners subscribed to them,
and each subscription's installments (its scheduled payments).

A ``SubscriptionPlan`` gives access to a set of the school's published courses for as long as
a subscription to it is trialing, active or past due (within the grace period). A
``UserSubscription`` is one person's subscription to one plan: a person has at most one live
(trialing, active or past-due) subscription per plan, which a partial unique index keeps, so
subscribing twice, also concurrently, makes one. ``SubscriptionGrant`` records each course
enrollment a subscription made, once per (subscription, published course): cancelling expires
those enrollments and never one the learner got another way. ``Installment`` is one period's
payment: the next one is scheduled when a period starts and charged at the period's end.
"""

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models

from apps.catalog.models import PublishedCourse
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, school_indexes


class PlanInterval(models.TextChoices):
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class SubscriptionPlan(SchoolOwnedModel):
    """A price per ``interval_count`` months or years, in one currency, with optional free
    trial days, for access to ``published_courses``."""

    id = PrefixedIdField(prefix="spl", primary_key=True)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True, default="")
    interval = models.CharField(max_length=5, choices=PlanInterval.choices)
    interval_count = models.PositiveSmallIntegerField(default=1)
    price_cents = models.PositiveBigIntegerField()
    currency_code = models.CharField(max_length=3)
    trial_days = models.PositiveSmallIntegerField(default=0)
    # Whether people can subscribe now; existing subscriptions renew either way.
    active = models.BooleanField(default=True)
    published_courses = models.ManyToManyField(
        PublishedCourse, blank=True, related_name="subscription_plans"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(currency_code__regex=r"^[A-Z]{3}$"),
                name="commerce_plan_currency_code",
            ),
            models.CheckConstraint(
                condition=models.Q(interval_count__gte=1, interval_count__lte=36),
                name="commerce_plan_interval_count",
            ),
        ]
        indexes = [
            *school_indexes("com_splan"),
            models.Index(fields=["school", "active", "id"], name="com_splan_active"),
        ]

    def __str__(self) -> str:
        return self.title

    def period_start(self, anchor: datetime, sequence: int) -> datetime:
        """The start of paid period number ``sequence`` (0: the first) of a subscription
        billed from ``anchor``. Counted from the anchor, not from the last period, so a
        subscription started on the 31st renews on the 31st, or the month's last day."""
        months = self.interval_count * (12 if self.interval == PlanInterval.YEAR else 1)
        return anchor + relativedelta(months=months * sequence)


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    CANCELLED = "cancelled", "Cancelled"


# The statuses that give access (past due: during the grace period, until cancelled).
LIVE_STATUSES = (
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
)


class UserSubscription(SchoolOwnedModel):
    """One person's subscription to one plan, and the period it is in."""

    id = PrefixedIdField(prefix="sub", primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    # PROTECT: a plan with subscribers is closed with ``active``, never deleted.
    plan = models.ForeignKey(
        SubscriptionPlan, on_delete=models.PROTECT, related_name="subscriptions"
    )
    status = models.CharField(max_length=10, choices=SubscriptionStatus.choices)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    trial_end = models.DateTimeField(null=True, blank=True)
    # Where paid periods are counted from: the end of the trial, or the start.
    billing_anchor = models.DateTimeField()
    cancel_at_period_end = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    payment_processor = models.CharField(max_length=50, default="manual")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "plan"],
                condition=models.Q(status__in=LIVE_STATUSES),
                name="com_usub_live_once",
            ),
        ]
        indexes = [
            *school_indexes("com_usub"),
            models.Index(fields=["school", "status", "id"], name="com_usub_status"),
            models.Index(fields=["school", "user", "id"], name="com_usub_user"),
            models.Index(fields=["school", "plan", "id"], name="com_usub_plan"),
            # The renewal sweep: live subscriptions by the end of their period.
            models.Index(
                fields=["current_period_end"],
                condition=models.Q(status__in=LIVE_STATUSES),
                name="com_usub_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.plan_id} ({self.status})"


class SubscriptionGrant(SchoolOwnedModel):
    """A course enrollment a subscription made (once per published course of its plan)."""

    id = PrefixedIdField(prefix="sgr", primary_key=True)
    subscription = models.ForeignKey(
        UserSubscription, on_delete=models.CASCADE, related_name="grants"
    )
    published_course = models.ForeignKey(
        PublishedCourse, on_delete=models.CASCADE, related_name="+"
    )
    enrollment = models.ForeignKey(
        "enrollments.Enrollment", on_delete=models.CASCADE, related_name="+"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "published_course"], name="com_sgrant_once"
            ),
        ]
        indexes = [*school_indexes("com_sgrant")]


class InstallmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    VOID = "void", "Void"


# Installments still to be paid: the ``installments/active`` list.
OPEN_INSTALLMENT_STATUSES = (
    InstallmentStatus.SCHEDULED,
    InstallmentStatus.PENDING,
    InstallmentStatus.FAILED,
)


class Installment(SchoolOwnedModel):
    """One period's payment of a subscription: due at ``due_at`` (the start of the period it
    pays for), then charged through the subscription's processor."""

    id = PrefixedIdField(prefix="ins", primary_key=True)
    subscription = models.ForeignKey(
        UserSubscription, on_delete=models.CASCADE, related_name="installments"
    )
    # Which paid period it pays for, counted from the subscription's billing anchor (0: first).
    sequence = models.PositiveIntegerField()
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    due_at = models.DateTimeField()
    amount_cents = models.PositiveBigIntegerField()
    currency_code = models.CharField(max_length=3)
    status = models.CharField(
        max_length=10, choices=InstallmentStatus.choices, default=InstallmentStatus.SCHEDULED
    )
    payment_processor = models.CharField(max_length=50)
    processor_order_id = models.CharField(max_length=200, blank=True, default="")
    processor_response = models.JSONField(default=dict, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            # One payment per period: a renewal run twice finds the row it made.
            models.UniqueConstraint(
                fields=["subscription", "sequence"], name="com_inst_once_per_period"
            ),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["school", "status", "id"], name="com_inst_status"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.period_start:%Y-%m-%d} ({self.status})"
