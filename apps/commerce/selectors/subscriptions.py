"""Reads of subscription plans, user subscriptions and installments."""

from django.db.models import Prefetch, QuerySet

from apps.catalog.models import PublishedCourse
from apps.commerce.models import (
    LIVE_STATUSES,
    OPEN_INSTALLMENT_STATUSES,
    Installment,
    SubscriptionPlan,
    UserSubscription,
)


def subscription_plan_list(*, queryset: QuerySet[SubscriptionPlan]) -> QuerySet[SubscriptionPlan]:
    """Plans with the ids of their published courses (one more statement per page)."""
    return queryset.prefetch_related(
        Prefetch("published_courses", queryset=PublishedCourse.objects.only("id").order_by("id"))
    )


def user_subscription_list(*, queryset: QuerySet[UserSubscription]) -> QuerySet[UserSubscription]:
    """Subscriptions with their subscriber and plan, in one statement."""
    return queryset.select_related("user", "plan")


def installment_active_list(*, queryset: QuerySet[Installment]) -> QuerySet[Installment]:
    """Installments still to be paid (scheduled, pending or failed) of live subscriptions,
    with their subscription, subscriber and plan, in one statement."""
    return queryset.filter(
        status__in=OPEN_INSTALLMENT_STATUSES, subscription__status__in=LIVE_STATUSES
    ).select_related("subscription__user", "subscription__plan")
