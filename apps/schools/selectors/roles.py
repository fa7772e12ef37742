"""Reads of user roles: a school's roles and the role a member holds (pure reads)."""

from django.db.models import QuerySet

from apps.schools.models import Member, School, UserRole


def user_role_list(*, school: School, queryset: QuerySet | None = None) -> QuerySet[UserRole]:
    """The school's roles, built-in and custom, by title (a pure read)."""
    queryset = UserRole.objects.all() if queryset is None else queryset
    return queryset.filter(school=school).order_by("title", "id")


def member_user_role(*, member: Member) -> UserRole:
    """The member's role: their custom role, else the built-in role of their level (a pure
    read; ``UserRole.DoesNotExist`` only if the school's built-ins were deleted by hand)."""
    if member.user_role_id is not None:
        return member.user_role
    return UserRole.objects.get(school_id=member.school_id, builtin=True, role=member.role)
