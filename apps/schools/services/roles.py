"""LearnWorlds-style user roles.

Every school has four built-in roles, one per access level of ``Member.Role`` (learner,
instructor, reporter, admin), and may add custom roles, each a title over one of those
levels. A member's ``role`` stays the access level everything else checks (the users API's
``role``, admin access, tokens); ``user_role`` names a custom role, or is None for the
built-in role of that level.
"""

from typing import Any

from django.db import transaction

from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import (
    Member,
    School,
    UserRole,
)
from apps.schools.services.people import user_payload

# Every school has one built-in user role per access level (see this module's docstring).
BUILTIN_ROLE_TITLES = {
    Member.Role.LEARNER: "Learner",
    Member.Role.INSTRUCTOR: "Instructor",
    Member.Role.REPORTER: "Reporter",
    Member.Role.ADMIN: "Admin",
}


def user_roles_ensure(*, school: School) -> None:
    """Create the school's built-in user roles that are missing (idempotent)."""
    have = set(UserRole.objects.filter(school=school, builtin=True).values_list("role", flat=True))
    missing = [
        UserRole(school=school, title=title, role=role, builtin=True)
        for role, title in BUILTIN_ROLE_TITLES.items()
        if role not in have
    ]
    if missing:
        UserRole.objects.bulk_create(missing, ignore_conflicts=True)


@transaction.atomic
def user_role_create(
    *, school: School, title: str, role: str = Member.Role.LEARNER, description: str = ""
) -> UserRole:
    """A custom role; a title already used in the school (built-ins included) is 409."""
    with conflict_on_duplicate("schools_userrole_title_ci", _title_taken(title)):
        return UserRole.objects.create(
            school=school, title=title, role=role, description=description
        )


USER_ROLE_FIELDS = ("title", "description", "role")


def _title_taken(title: str) -> Conflict:
    return Conflict(
        f"A role titled {title!r} already exists.",
        code=SchoolErrorCode.ROLE_TITLE_TAKEN,
        field="title",
    )


@transaction.atomic
def user_role_update(*, user_role: UserRole, **fields: Any) -> UserRole:
    """Change a custom role's title, description or access level (partial); the members who
    hold it get the new level (``user.updated`` each). A built-in's title and level are 409."""
    changed = [name for name in USER_ROLE_FIELDS if name in fields]
    changed = [name for name in changed if fields[name] != getattr(user_role, name)]
    if user_role.builtin and {"title", "role"} & set(changed):
        raise Conflict(
            "The title and access level of a built-in role cannot change.",
            code=SchoolErrorCode.ROLE_BUILTIN,
        )
    if not changed:
        return user_role
    for name in changed:
        setattr(user_role, name, fields[name])
    with conflict_on_duplicate("schools_userrole_title_ci", _title_taken(user_role.title)):
        user_role.save(update_fields=[*changed, "updated_at"])
    if "role" in changed:
        holders = Member.objects.filter(user_role=user_role).select_related("user", "school")
        for member in holders:
            member.role = user_role.role
            member.save(update_fields=["role", "updated_at"])
            emit(member.school, "user.updated", user_payload(member))
    return user_role


@transaction.atomic
def member_set_user_role(*, member: Member, user_role: UserRole) -> Member:
    """Give a member a role: its access level becomes the member's ``role``; a role of another
    school is 400 "does not exist"."""
    if user_role.school_id != member.school_id:
        raise InvalidInput(
            f"User role {user_role.id} does not exist.",
            code=SchoolErrorCode.ROLE_NOT_FOUND,
            field="role_id",
        )
    member.user_role = None if user_role.builtin else user_role
    member.role = user_role.role
    member.save(update_fields=["user_role", "role", "updated_at"])
    emit(member.school, "user.updated", user_payload(member))
    return member


@transaction.atomic
def user_role_delete(*, user_role: UserRole) -> int:
    """Delete a custom role; each holder goes back to the built-in role of their access level
    (their ``role`` is unchanged; ``user.updated`` each). Returns how many held it. A
    built-in role is 409 ``user_role_builtin``."""
    if user_role.builtin:
        raise Conflict("A built-in role cannot be deleted.", code=SchoolErrorCode.ROLE_BUILTIN)
    holders = list(
        Member.objects.select_for_update(of=("self",))
        .filter(user_role=user_role)
        .select_related("user", "school")
        .order_by("id")
    )
    for member in holders:
        member.user_role = None
        member.save(update_fields=["user_role", "updated_at"])
        emit(member.school, "user.updated", user_payload(member))
    user_role.delete()
    return len(holders)
