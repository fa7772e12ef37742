"""Reads of affiliates, their leads, customers and commissions."""

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from apps.commerce.models import Affiliate, AffiliateCommission, Lead

# The states of a commission a payout list shows.
PAYOUT_STATES = ("completed", "due", "upcoming")


def affiliate_list(*, queryset: QuerySet[Affiliate]) -> QuerySet[Affiliate]:
    """Affiliates with their user, newest first."""
    return queryset.select_related("user").order_by("-id")


def lead_list(*, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
    """Leads with their affiliate, newest first."""
    return queryset.select_related("affiliate").order_by("-id")


def affiliate_customers(*, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
    """The leads who bought: a commission was earned on them."""
    bought = AffiliateCommission.objects.filter(
        affiliate=OuterRef("affiliate"), customer=OuterRef("user")
    )
    return lead_list(queryset=queryset.filter(Exists(bought)))


def commission_list(
    *,
    queryset: QuerySet[AffiliateCommission],
    state: str | None = None,
    now: datetime | None = None,
) -> QuerySet[AffiliateCommission]:
    """Commissions, newest first; ``state`` narrows to completed (paid), due (payable and
    unpaid) or upcoming (still held)."""
    now = now or timezone.now()
    if state == "completed":
        queryset = queryset.filter(paid_at__isnull=False)
    elif state == "due":
        queryset = queryset.filter(paid_at__isnull=True, payable_at__lte=now)
    elif state == "upcoming":
        queryset = queryset.filter(paid_at__isnull=True, payable_at__gt=now)
    return queryset.select_related("affiliate").order_by("-id")
