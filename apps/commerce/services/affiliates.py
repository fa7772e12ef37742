"""Writes of affiliates, leads and commissions.

Purchases call ``affiliate_commission_record`` once a purchase is paid: when the buyer is
an affiliate's lead, the affiliate earns ``commission_percent`` of what was paid (integer
minor units, half to even through ``apps.core.money.percent_of``), payable after the
affiliate's ``hold_days``. The commission is unique per purchase (a database constraint),
so a purchase recorded twice, also concurrently, earns once. A referral is recorded with
``lead_record`` (first referral of an e-mail in a school wins).
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.commerce.models import Affiliate, AffiliateCommission, Lead
from apps.core.errors import InvalidInput, violates
from apps.core.money import is_known_currency, percent_of
from apps.schools.models import School, User


def _insert_once(row: Affiliate | Lead | AffiliateCommission, constraint: str) -> bool:
    """Insert ``row`` in a savepoint; False when ``constraint`` says its twin exists."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError as exc:
        if violates(exc, constraint):
            return False
        raise
    return True


@transaction.atomic
def affiliate_create(
    *, school: School, user: User, commission_percent: int = 20, hold_days: int = 30
) -> tuple[Affiliate, bool]:
    """Make ``user`` an affiliate; ``(affiliate, created)``: a user who is one already is
    answered unchanged."""
    if user.school_id != school.pk:
        raise InvalidInput("user_id does not exist.", code="does_not_exist", field="user_id")
    if not 0 <= commission_percent <= 100:
        raise InvalidInput("commission_percent: from 0 to 100.", field="commission_percent")
    affiliate = Affiliate(
        school=school, user=user, commission_percent=commission_percent, hold_days=hold_days
    )
    if not _insert_once(affiliate, f"{Affiliate._meta.db_table}.user_id"):
        return Affiliate.objects.get(user=user), False
    return affiliate, True


@transaction.atomic
def affiliate_update(
    *, affiliate: Affiliate, commission_percent: int | None = None, hold_days: int | None = None
) -> Affiliate:
    """Change the rate and hold of future commissions (those earned keep theirs); 400 out
    of range."""
    if commission_percent is not None:
        if not 0 <= commission_percent <= 100:
            raise InvalidInput("commission_percent: from 0 to 100.", field="commission_percent")
        affiliate.commission_percent = commission_percent
    if hold_days is not None:
        if not 0 <= hold_days <= 365:
            raise InvalidInput("hold_days: from 0 to 365.", field="hold_days")
        affiliate.hold_days = hold_days
    affiliate.save(update_fields=["commission_percent", "hold_days", "updated_at"])
    return affiliate


@transaction.atomic
def lead_record(*, affiliate: Affiliate, email: str, user: User | None = None) -> tuple[Lead, bool]:
    """Record that ``affiliate`` referred ``email`` (and its account, when known);
    ``(lead, created)``. An e-mail already referred stays its first affiliate's lead (its
    account filled in when it was missing)."""
    if user is not None and user.school_id != affiliate.school_id:
        raise InvalidInput("user_id does not exist.", code="does_not_exist", field="user_id")
    lead = Lead(school_id=affiliate.school_id, affiliate=affiliate, email=email, user=user)
    if _insert_once(lead, "commerce_lead_email_ci"):
        return lead, True
    lead = Lead.objects.select_for_update().get(school_id=affiliate.school_id, email__iexact=email)
    if user is not None and lead.user_id is None:
        lead.user = user
        lead.save(update_fields=["user", "updated_at"])
    return lead, False


def _lead_of(customer: User) -> Lead | None:
    return (
        Lead.objects.select_related("affiliate")
        .filter(school_id=customer.school_id)
        .filter(Q(user=customer) | Q(email__iexact=customer.email))
        .order_by("id")
        .first()
    )


@transaction.atomic
def affiliate_commission_record(
    *,
    customer: User,
    purchase_id: str,
    paid_cents: int,
    currency_code: str,
    earned_at: datetime | None = None,
) -> AffiliateCommission | None:
    """The commission a paid purchase earns the affiliate who referred ``customer``; None
    when nobody did (or the affiliate bought for themself). The same ``purchase_id`` again
    answers the commission it earned the first time."""
    if not is_known_currency(currency_code):
        raise InvalidInput("currency_code: not an ISO 4217 code.", field="currency_code")
    existing = AffiliateCommission.objects.filter(
        school_id=customer.school_id, purchase_id=purchase_id
    ).first()
    if existing is not None:
        return existing
    lead = _lead_of(customer)
    if lead is None or lead.affiliate.user_id == customer.pk:
        return None
    if lead.user_id is None:
        lead.user = customer
        lead.save(update_fields=["user", "updated_at"])
    affiliate = lead.affiliate
    earned_at = earned_at or timezone.now()
    commission = AffiliateCommission(
        school_id=customer.school_id,
        affiliate=affiliate,
        customer=customer,
        purchase_id=purchase_id,
        sale_cents=paid_cents,
        commission_cents=percent_of(paid_cents, affiliate.commission_percent),
        currency_code=currency_code,
        earned_at=earned_at,
        payable_at=earned_at + timedelta(days=affiliate.hold_days),
    )
    if not _insert_once(commission, "commerce_commission_once"):
        return AffiliateCommission.objects.get(
            school_id=customer.school_id, purchase_id=purchase_id
        )
    return commission


@transaction.atomic
def affiliate_commissions_pay(*, affiliate: Affiliate, now: datetime | None = None) -> int:
    """Mark the affiliate's due commissions paid (the school paid them out, clawbacks
    netted); how many. Reversed commissions are never paid."""
    now = now or timezone.now()
    return AffiliateCommission.objects.filter(
        affiliate=affiliate, paid_at__isnull=True, reversed_at__isnull=True, payable_at__lte=now
    ).update(paid_at=now, updated_at=now)


@transaction.atomic
def affiliate_commission_reverse(
    *, school: School, purchase_id: str, now: datetime | None = None
) -> AffiliateCommission | None:
    """Undo the commission a refunded purchase earned: not paid yet, it is reversed (never
    paid: ``reversed_at``); paid out already, a clawback is recorded, a negative
    commission due at once, which the next payout nets. Once per purchase; None when the
    purchase earned nothing."""
    now = now or timezone.now()
    commission = (
        AffiliateCommission.objects.select_for_update()
        .filter(school=school, purchase_id=purchase_id)
        .first()
    )
    if commission is None or commission.reversed_at is not None:
        return commission
    if commission.paid_at is None:
        commission.reversed_at = now
        commission.save(update_fields=["reversed_at", "updated_at"])
        return commission
    clawback = AffiliateCommission.objects.filter(reversal_of=commission).first()
    if clawback is not None:
        return clawback
    return AffiliateCommission.objects.create(
        school=school,
        affiliate_id=commission.affiliate_id,
        customer_id=commission.customer_id,
        purchase_id=f"{purchase_id}:refund",
        sale_cents=-commission.sale_cents,
        commission_cents=-commission.commission_cents,
        currency_code=commission.currency_code,
        earned_at=now,
        payable_at=now,
        reversal_of=commission,
    )
