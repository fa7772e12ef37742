"""Reads of affiliates, their leads, customers and commissions."""

from datetime import datetime

from django.db.models import Case, CharField, Exists, OuterRef, QuerySet, Value, When
from django.utils import timezone

from apps.commerce.models import Affiliate, AffiliateCommission, Lead

# The states of a commission a payout list shows, and "reversed" (refunded before it was
# paid: never paid).
PAYOUT_STATES = ("completed", "due", "upcoming")
COMMISSION_STATES = (*PAYOUT_STATES, "reversed")


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
    *, queryset: QuerySet[AffiliateCommission], now: datetime | None = None
) -> QuerySet[AffiliateCommission]:
    """Commissions, newest first, each annotated with its ``payout_state`` at ``now``:
    completed (paid), due (payable and unpaid), upcoming (still held) or reversed (its
    purchase was refunded before it was paid)."""
    now = now or timezone.now()
    state = Case(
        When(reversed_at__isnull=False, then=Value("reversed")),
        When(paid_at__isnull=False, then=Value("completed")),
        When(payable_at__lte=now, then=Value("due")),
        default=Value("upcoming"),
        output_field=CharField(),
    )
    return queryset.annotate(payout_state=state).order_by("-id")
