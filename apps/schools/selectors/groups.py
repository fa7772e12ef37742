"""Reads of groups: groups with their counts, memberships and linked pools (lazy querysets)."""

from django.db.models import Count, Prefetch, QuerySet

from apps.schools.models import (
    Group,
    GroupAccessCodePool,
    GroupMembership,
    Member,
    School,
    SignupFieldOption,
)


def group_list(*, school: School, queryset: QuerySet | None = None) -> QuerySet[Group]:
    """Groups with ``user_count`` annotated and rule option ids loaded (constant queries)."""
    queryset = Group.objects.all() if queryset is None else queryset
    return (
        queryset.filter(school=school)
        .annotate(user_count=Count("memberships", distinct=True))
        .prefetch_related(Prefetch("rule_options", queryset=SignupFieldOption.objects.only("id")))
        .order_by("id")
    )


def group_get(*, school: School, group_id: str) -> Group:
    """One group with its annotations (raises ``Group.DoesNotExist``)."""
    return group_list(school=school).get(id=group_id)


def group_members(*, group: Group, queryset: QuerySet | None = None) -> QuerySet:
    """A group's memberships, oldest first, with the users loaded."""
    queryset = GroupMembership.objects.all() if queryset is None else queryset
    return queryset.filter(group=group).select_related("member__user").order_by("id")


def user_group_memberships(*, member: Member, queryset: QuerySet | None = None) -> QuerySet:
    """A member's group memberships with each group's ``user_count`` and rule options."""
    queryset = GroupMembership.objects.all() if queryset is None else queryset
    return (
        queryset.filter(member=member)
        .select_related("group")
        .annotate(group_user_count=Count("group__memberships", distinct=True))
        .prefetch_related(
            Prefetch("group__rule_options", queryset=SignupFieldOption.objects.only("id"))
        )
        .order_by("id")
    )


def group_pool_links(*, group: Group, queryset: QuerySet | None = None) -> QuerySet:
    """The access code pools linked to a group, with their code counts."""
    queryset = GroupAccessCodePool.objects.all() if queryset is None else queryset
    return (
        queryset.filter(group=group)
        .select_related("access_code_pool")
        .annotate(code_count=Count("access_code_pool__codes", distinct=True))
        .order_by("id")
    )
