"""Reads of the schools app."""

from django.db.models import Prefetch, QuerySet

from apps.schools.models import Member, School, Tag


def member_list(*, queryset: QuerySet[Member] | None = None) -> QuerySet[Member]:
    """Members with their user and sorted tags (as ``tag_list``) loaded: constant queries
    per page."""
    queryset = Member.objects.all() if queryset is None else queryset
    return queryset.select_related("user").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="tag_list")
    )


def member_get(*, school, user_id: str) -> Member | None:
    return member_list(queryset=Member.objects.filter(school=school, user_id=user_id)).first()


def staff_school_for(user) -> School | None:
    """The school whose admin ``user`` is: its account's school, while the account holds
    the active admin role there."""
    if user.school_id is None:
        return None
    member = (
        Member.objects.select_related("school")
        .filter(
            user=user,
            school_id=user.school_id,
            role=Member.Role.ADMIN,
            status=Member.Status.ACTIVE,
            school__is_active=True,
        )
        .first()
    )
    return member.school if member else None
