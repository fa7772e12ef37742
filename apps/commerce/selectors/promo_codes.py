"""Reads of promo code pools, promo codes and their uses."""

from django.db.models import Count, Q, QuerySet

from apps.commerce.models import Offer, PromoCode, PromoCodePool, PromoCodeRedemption


def promo_code_pool_list(*, queryset: QuerySet[PromoCodePool]) -> QuerySet[PromoCodePool]:
    """Pools as they are (no joins needed: the offers are their own sub-resource)."""
    return queryset


def promo_code_pool_offer_list(*, pool: PromoCodePool) -> QuerySet[Offer]:
    """The offers a pool applies to, with what the offer serializer reads, oldest first."""
    return (
        pool.offers.all()
        .select_related("published_course__domain", "published_path__domain", "bundle")
        .order_by("id")
    )


def promo_code_list(*, queryset: QuerySet[PromoCode]) -> QuerySet[PromoCode]:
    """Codes; the pool is named by id only, so nothing to join."""
    return queryset


def promo_code_find(*, queryset: QuerySet[PromoCode], id_or_code: str) -> PromoCode | None:
    """The code whose id, else whose text (case-sensitive), is ``id_or_code``."""
    found = list(queryset.filter(Q(pk=id_or_code) | Q(code=id_or_code))[:2])
    by_id = [code for code in found if code.pk == id_or_code]
    return (by_id or found or [None])[0]


def promo_code_usage(*, promo_code: PromoCode) -> dict:
    """How a code was used: its count, the references (purchases) and the people, with how
    many uses each."""
    uses = PromoCodeRedemption.objects.filter(code=promo_code)
    people = (
        uses.filter(user__isnull=False)
        .values("user_id")
        .annotate(uses=Count("id"))
        .order_by("user_id")
    )
    references = (
        uses.exclude(reference="")
        .values_list("reference", flat=True)
        .order_by("reference")
        .distinct()
    )
    return {
        "id": promo_code.id,
        "code": promo_code.code,
        "promo_code_pool_id": promo_code.pool_id,
        "uses": promo_code.uses,
        "max_uses": promo_code.max_uses,
        "remaining": max(0, promo_code.max_uses - promo_code.uses),
        "purchases": list(references),
        "users": [{"id": row["user_id"], "uses": row["uses"]} for row in people],
    }
