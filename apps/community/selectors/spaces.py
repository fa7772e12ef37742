"""Reads of collections, spaces and members, with what their pages show joined in."""

from django.db.models import Count, Q, QuerySet

from apps.community.models import Collection, Space, SpaceMember
from apps.core.email_identity import email_key
from apps.schools.models import School, User


def collection_list(*, queryset: QuerySet[Collection]) -> QuerySet[Collection]:
    """Collections oldest first, with the number of live spaces each groups."""
    return queryset.annotate(
        space_count=Count("spaces", filter=Q(spaces__deleted_at__isnull=True), distinct=True)
    ).order_by("id")


def space_list(*, queryset: QuerySet[Space]) -> QuerySet[Space]:
    """Spaces oldest first, with their count of active members (one statement per page)."""
    return queryset.annotate(
        member_count=Count(
            "members", filter=Q(members__status=SpaceMember.Status.ACTIVE), distinct=True
        )
    ).order_by("id")


def space_member_list(*, space: Space, queryset: QuerySet[SpaceMember]) -> QuerySet[SpaceMember]:
    """A space's members and invitees, oldest first, with their accounts."""
    return queryset.filter(space=space).select_related("user").order_by("id")


def school_users_named(*, school: School, names: list[str]) -> tuple[list[User], list[str]]:
    """The school's accounts named by id (``usr_…``) or e-mail, in the order given and once
    each, and the names that match none. Another school's account matches none, exactly like
    an id or address that exists nowhere."""
    ids = {name for name in names if "@" not in name}
    keys = {email_key(name): name for name in names if "@" in name}
    found = User.objects.filter(school=school).filter(Q(pk__in=ids) | Q(email_key__in=list(keys)))
    by_name: dict[str, User] = {}
    for user in found:
        by_name[user.pk] = user
        if user.email_key in keys:
            by_name[keys[user.email_key]] = user
    users: dict[str, User] = {}
    missing = []
    for name in names:
        user = by_name.get(name)
        if user is None:
            missing.append(name)
        else:
            users.setdefault(user.pk, user)
    return list(users.values()), missing
