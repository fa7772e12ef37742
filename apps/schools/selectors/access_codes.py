"""Reads of access code pools and codes (lazy querysets, joins loaded)."""

from django.db.models import Count, Prefetch, QuerySet

from apps.schools.models import (
    AccessCode,
    AccessCodePool,
    AccessCodeRedemption,
    Domain,
    User,
)


def pool_list(*, domain: Domain, queryset: QuerySet | None = None) -> QuerySet[AccessCodePool]:
    """The domain's pools with ``code_count`` annotated."""
    queryset = AccessCodePool.objects.all() if queryset is None else queryset
    return (
        queryset.filter(domain=domain)
        .annotate(code_count=Count("codes", distinct=True))
        .order_by("id")
    )


def code_list(
    *, pool: AccessCodePool, queryset: QuerySet | None = None, with_redeemers: bool = False
) -> QuerySet[AccessCode]:
    """A pool's codes; ``with_redeemers`` loads who redeemed each (constant queries)."""
    queryset = AccessCode.objects.all() if queryset is None else queryset
    queryset = queryset.filter(access_code_pool=pool).order_by("id")
    if with_redeemers:
        queryset = queryset.prefetch_related(
            Prefetch(
                "redemptions",
                queryset=AccessCodeRedemption.objects.select_related("member__user").order_by("id"),
            )
        )
    return queryset


def redeemers(access_code: AccessCode) -> list[User]:
    """The people who used a code, oldest first (loaded by ``code_list(with_redeemers=True)``)."""
    return [redemption.member.user for redemption in access_code.redemptions.all()]
