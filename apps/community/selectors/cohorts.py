"""Reads of cohorts and their members."""

from django.db.models import Count, QuerySet

from apps.community.models import Cohort, CohortMember, Space


def cohort_list(*, queryset: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Cohorts oldest first, with their number of members (one statement per page)."""
    return queryset.annotate(member_count=Count("members", distinct=True)).order_by("id")


def cohort_member_list(
    *, cohort: Cohort, queryset: QuerySet[CohortMember]
) -> QuerySet[CohortMember]:
    """A cohort's members, oldest first, with their accounts."""
    return queryset.filter(cohort=cohort).select_related("user").order_by("id")


def space_holds_cohort(space: Space) -> bool:
    """Whether ``space`` is a cohort's own space (deleting it then keeps it, restorable)."""
    return Cohort.objects.filter(space=space).exists()
