"""Groups, group categories, group members and the pools whose redeemers join a group.

A group's signup-field rule (``rule_enforce``, ``rule_require_match_all``,
``rule_options``) is evaluated in SQL by ``group_rules_apply`` whenever a person's signup
answers are saved, and by ``group_rule_apply`` for every member when the rule itself is
created or changed.
"""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit, emit_many
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import (
    AccessCodePool,
    Group,
    GroupAccessCodePool,
    GroupCategory,
    GroupMembership,
    Member,
    School,
    SignupFieldOption,
    SignupFieldValue,
)
from apps.schools.selectors.groups import group_members

GROUP_FIELDS = ("name", "discount_percent", "category", "rule_enforce", "rule_require_match_all")
RULE_FIELDS = ("rule_enforce", "rule_require_match_all")


def group_payload(group: Group) -> dict[str, Any]:
    """The group as ``group.created`` carries it."""
    return {"id": group.id, "name": group.name}


def group_member_payload(membership: GroupMembership) -> dict[str, Any]:
    user = membership.member.user
    return {
        "group": {"id": membership.group_id, "name": membership.group.name},
        "user": {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "created_at": membership.created_at.isoformat(),
    }


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"A group named {name!r} already exists.",
        code=SchoolErrorCode.GROUP_NAME_TAKEN,
        field="name",
    )


def _check_options(school: School, options: Iterable[SignupFieldOption]) -> list:
    options = list(options)
    foreign = [option.id for option in options if option.school_id != school.id]
    if foreign:
        raise InvalidInput(
            f"Signup field option {foreign[0]} does not exist.",
            code=SchoolErrorCode.SIGNUP_OPTION_NOT_FOUND,
            field="sign_up_field_rule.options",
        )
    return options


def _check_category(school: School, category: GroupCategory | None) -> None:
    if category is not None and category.school_id != school.id:
        raise InvalidInput(
            f"Group category {category.id} does not exist.",
            code=SchoolErrorCode.GROUP_CATEGORY_NOT_FOUND,
            field="group_category_id",
        )


def _category_name_taken(name: str) -> Conflict:
    return Conflict(
        f"A group category named {name!r} already exists.",
        code=SchoolErrorCode.GROUP_CATEGORY_NAME_TAKEN,
        field="name",
    )


@transaction.atomic
def group_category_create(*, school: School, name: str) -> GroupCategory:
    """A new category; a duplicate name is 409."""
    with conflict_on_duplicate("schools_groupcat_name_ci", _category_name_taken(name)):
        return GroupCategory.objects.create(school=school, name=name)


@transaction.atomic
def group_category_update(*, category: GroupCategory, name: str) -> GroupCategory:
    """Rename a category; a name another category of the school has is 409."""
    if name == category.name:
        return category
    category.name = name
    with conflict_on_duplicate("schools_groupcat_name_ci", _category_name_taken(name)):
        category.save(update_fields=["name", "updated_at"])
    return category


@transaction.atomic
def group_category_delete(*, category: GroupCategory) -> int:
    """Delete a category; its groups stay, uncategorised. Returns how many it held. No event:
    no event payload carries a group's category."""
    held = Group.objects.filter(category=category).update(category=None, updated_at=timezone.now())
    category.delete()
    return held


@transaction.atomic
def group_create(
    *,
    school: School,
    name: str,
    discount_percent: int = 0,
    category: GroupCategory | None = None,
    rule_enforce: bool = False,
    rule_require_match_all: bool = False,
    rule_options: Iterable[SignupFieldOption] = (),
) -> Group:
    """A new group (name unique in the school: 409 ``group_name_taken`` otherwise); a category
    or option of another school is 400 "does not exist"."""
    _check_category(school, category)
    options = _check_options(school, rule_options)
    with conflict_on_duplicate("schools_group_name_ci", _name_taken(name)):
        group = Group.objects.create(
            school=school,
            name=name,
            discount_percent=discount_percent,
            category=category,
            rule_enforce=rule_enforce,
            rule_require_match_all=rule_require_match_all,
        )
    group.rule_options.set(options)
    emit(school, "group.created", group_payload(group))
    group_rule_apply(group=group)
    return group


@transaction.atomic
def groups_by_name(
    *, school: School, names: Iterable[str], create: bool = False
) -> tuple[dict[str, Group], list[str]]:
    """The school's groups for ``names`` matched without regard to letter case, keyed by the
    lower-cased name, and the names no group has.

    "Sales" and "sales" name one group (the database's ``Lower()`` constraint keeps one per
    school): the existing group of either spelling, or with ``create`` one new group under
    the first spelling given (one INSERT,
    ``group.created`` for each). Unknown names come back only without ``create``.
    """
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(name.lower(), name)
    found: dict[str, Group] = {}
    for group in Group.objects.filter(school=school).order_by("id"):
        if group.name.lower() in wanted:
            found.setdefault(group.name.lower(), group)
    missing = [name for key, name in wanted.items() if key not in found]
    if missing and create:
        created = Group.objects.bulk_create([Group(school=school, name=name) for name in missing])
        emit_many(school, "group.created", [group_payload(group) for group in created])
        found.update({group.name.lower(): group for group in created})
        missing = []
    return found, missing


@transaction.atomic
def group_update(
    *, group: Group, rule_options: Iterable[SignupFieldOption] | None = None, **fields: Any
) -> Group:
    """Change a group's name, discount, category or rule (partial); a category or option of
    another school is 400 "does not exist". A changed enforced rule is applied at once to
    the school's members whose answers meet it."""
    if "category" in fields:
        _check_category(group.school, fields["category"])
    changed = [name for name in GROUP_FIELDS if name in fields]
    for name in changed:
        setattr(group, name, fields[name])
    if changed:
        with conflict_on_duplicate("schools_group_name_ci", _name_taken(group.name)):
            group.save(update_fields=[*changed, "updated_at"])
    rule_changed = any(name in changed for name in RULE_FIELDS)
    if rule_options is not None:
        options = _check_options(group.school, rule_options)
        before = set(group.rule_options.values_list("id", flat=True))
        group.rule_options.set(options)
        Group.objects.filter(pk=group.pk).update(updated_at=group.updated_at)
        rule_changed = rule_changed or before != {option.id for option in options}
    if rule_changed:
        group_rule_apply(group=group)
    return group


@transaction.atomic
def group_member_add(*, group: Group, member: Member) -> tuple[GroupMembership, bool]:
    """Put a member in a group once; emits ``group.member.added`` when they were not in it."""
    if member.school_id != group.school_id:
        raise InvalidInput("The user does not exist in this school.", field="user")
    existing = GroupMembership.objects.filter(group=group, member=member).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            membership = GroupMembership.objects.create(
                school_id=group.school_id, group=group, member=member, user_id=member.user_id
            )
    except IntegrityError:  # added concurrently
        return GroupMembership.objects.get(group=group, member=member), False
    membership.group, membership.member = group, member
    emit(group.school, "group.member.added", group_member_payload(membership))
    return membership, True


@transaction.atomic
def group_member_remove(*, membership: GroupMembership) -> None:
    """Take a member out of a group; emits ``group.member.removed``."""
    payload = group_member_payload(membership)
    school = membership.group.school
    membership.delete()
    emit(school, "group.member.removed", payload)


@transaction.atomic
def group_delete(*, group: Group) -> int:
    """Delete a group: every member leaves it first (``group.member.removed`` each) and its
    pools are unlinked; returns how many members it had."""
    memberships = list(group_members(group=group).select_related("group__school"))
    for membership in memberships:
        group_member_remove(membership=membership)
    group.delete()
    return len(memberships)


def group_pool_remove(*, link: GroupAccessCodePool) -> None:
    """Unlink a pool from a group: later redeemers no longer join it (members stay)."""
    link.delete()


@transaction.atomic
def group_pool_add(*, group: Group, pool: AccessCodePool) -> tuple[GroupAccessCodePool, bool]:
    """Link a pool to a group: people who redeem its codes join the group."""
    if pool.school_id != group.school_id:
        raise InvalidInput("The access code pool does not exist.", field="access_code_pool")
    link, created = GroupAccessCodePool.objects.get_or_create(
        group=group, access_code_pool=pool, defaults={"school_id": group.school_id}
    )
    return link, created


def _matched_options(member: Member) -> QuerySet:
    """Options the member's saved answers select (same field, value equal to the label)."""
    return SignupFieldOption.objects.filter(
        school_id=member.school_id,
        field__values__member=member,
        field__values__value=F("label"),
    ).values("id")


@transaction.atomic
def group_rule_apply(*, group: Group) -> list[GroupMembership]:
    """Add every member of the school whose answers meet the group's enforced rule (one SQL
    query finds them); each one added emits ``group.member.added``."""
    if not group.rule_enforce:
        return []
    options = list(group.rule_options.only("id", "field_id", "label"))
    if not options:
        return []
    conditions = [
        Exists(
            SignupFieldValue.objects.filter(
                member_id=OuterRef("pk"), field_id=option.field_id, value=option.label
            )
        )
        for option in options
    ]
    rule = Q()
    for condition in conditions:
        rule = rule & Q(condition) if group.rule_require_match_all else rule | Q(condition)
    members = (
        Member.objects.filter(school_id=group.school_id)
        .filter(rule)
        .exclude(group_memberships__group=group)
        .order_by("id")
    )
    added = []
    for member in members:
        membership, created = group_member_add(group=group, member=member)
        if created:
            added.append(membership)
    return added


@transaction.atomic
def group_rules_apply(*, member: Member) -> list[GroupMembership]:
    """Add the member to every enforced group whose rule their answers meet (SQL-evaluated)."""
    matched = _matched_options(member)
    groups = (
        Group.objects.filter(school_id=member.school_id, rule_enforce=True)
        .exclude(memberships__member=member)
        .annotate(
            option_total=Count("rule_options", distinct=True),
            option_hits=Count("rule_options", filter=Q(rule_options__in=matched), distinct=True),
        )
        .filter(option_total__gt=0)
        .filter(
            Q(rule_require_match_all=True, option_hits=F("option_total"))
            | Q(rule_require_match_all=False, option_hits__gt=0)
        )
        .select_related("school")
    )
    added = []
    for group in groups:
        membership, created = group_member_add(group=group, member=member)
        if created:
            added.append(membership)
    return added
