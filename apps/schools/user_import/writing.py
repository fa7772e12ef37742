"""Writing checked rows: one batch in one transaction, with bulk statements."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from apps.core.events import emit_many
from apps.schools.models import (
    Domain,
    DomainUser,
    Group,
    GroupMembership,
    Member,
    School,
    SignupFieldValue,
    User,
)
from apps.schools.services.domains import domain_user_payload
from apps.schools.services.groups import group_member_payload, group_rules_apply, groups_by_name
from apps.schools.services.people import user_payload
from apps.schools.user_import.reading import Row


@dataclass
class ImportSummary:
    """What an import did: counts per outcome and every skipped line with its reason."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [{"line": line, "reason": reason} for line, reason in self.skipped],
            "ignored_columns": self.ignored_columns,
        }


class Writer:
    """Writes batches of clean rows with bulk statements; keeps the summary."""

    def __init__(
        self, *, school: School, domain: Domain, create_groups: bool, summary: ImportSummary
    ) -> None:
        self.school = school
        self.domain = domain
        self.create_groups = create_groups
        self.summary = summary
        self.groups: dict[str, Group] = {}
        self.enforced_rules = Group.objects.filter(school=school, rule_enforce=True).exists()

    def _known_groups(self, rows: list[Row]) -> list[Row]:
        found, missing = groups_by_name(
            school=self.school,
            names=[name for row in rows for name in row.groups],
            create=self.create_groups,
        )
        self.groups.update(found)
        if not missing:
            return rows
        kept = []
        lowered = {name.lower() for name in missing}
        for row in rows:
            unknown = [name for name in row.groups if name.lower() in lowered]
            if unknown:
                self.summary.skipped.append(
                    (row.line, f"unknown group(s) {', '.join(unknown)} (use --create-groups)")
                )
            else:
                kept.append(row)
        return kept

    def _users(self, rows: list[Row]) -> dict[str, User]:
        """This school's accounts for the rows' e-mails, creating the missing ones (other
        schools' accounts with the same e-mails are never looked at)."""
        keys = [row.key for row in rows]
        accounts = User.objects.filter(school=self.school, email_key__in=keys)
        users = {u.email_key: u for u in accounts}
        fresh = {
            row.key: User(
                school=self.school,
                email=row.email,
                email_key=row.key,
                first_name=row.first_name,
                last_name=row.last_name,
                password=make_password(None),
            )
            for row in rows
            if row.key not in users
        }
        if fresh:
            User.objects.bulk_create(fresh.values(), ignore_conflicts=True)
            users = {u.email_key: u for u in accounts.all()}
        return users

    def write(self, rows: list[Row]) -> None:
        """Import one batch in one transaction (all of its valid rows, or none)."""
        with transaction.atomic():
            self._write(rows)

    def _write(self, rows: list[Row]) -> None:
        rows = self._known_groups(rows)
        users = self._users(rows)
        if not rows:
            return
        user_ids = [users[row.key].id for row in rows]
        members = dict(
            Member.objects.filter(school=self.school, user_id__in=user_ids).values_list(
                "user_id", "id"
            )
        )
        new_members = [
            Member(school=self.school, user_id=uid) for uid in user_ids if uid not in members
        ]
        Member.objects.bulk_create(new_members, ignore_conflicts=True)
        members_by_user = {
            m.user_id: m
            for m in Member.objects.filter(school=self.school, user_id__in=user_ids)
            .select_related("user")
            .prefetch_related("tags")
        }
        created_ids = {m.user_id for m in new_members}
        changed: set[str] = set()
        now = timezone.now()

        # Names: a row that gives one renames the school's account.
        renamed = []
        for row in rows:
            user = users[row.key]
            if user.id in created_ids:
                continue
            first = row.first_name or user.first_name
            last = row.last_name or user.last_name
            if (first, last) != (user.first_name, user.last_name):
                user.first_name, user.last_name, user.updated_at = first, last, now
                renamed.append(user)
                changed.add(user.id)
        User.objects.bulk_update(renamed, ["first_name", "last_name", "updated_at"])

        # Domain access.
        member_ids = [members_by_user[uid].id for uid in user_ids]
        on_domain = set(
            DomainUser.objects.filter(domain=self.domain, member_id__in=member_ids).values_list(
                "member_id", flat=True
            )
        )
        new_access = [
            DomainUser(
                school=self.school,
                domain=self.domain,
                member=members_by_user[uid],
                user_id=uid,
            )
            for uid in user_ids
            if members_by_user[uid].id not in on_domain
        ]
        DomainUser.objects.bulk_create(new_access, ignore_conflicts=True)
        changed.update(access.user_id for access in new_access)

        # Signup answers: insert new ones, update changed ones.
        current = {
            (v.member_id, v.field_id): v
            for v in SignupFieldValue.objects.filter(
                member_id__in=member_ids, domain=self.domain
            ).only("id", "member_id", "field_id", "value")
        }
        inserts, updates, answered = [], [], set()
        for row in rows:
            member = members_by_user[users[row.key].id]
            for field_id, value in row.answers.items():
                existing = current.get((member.id, field_id))
                if existing is None:
                    inserts.append(
                        SignupFieldValue(
                            school=self.school,
                            field_id=field_id,
                            member=member,
                            domain=self.domain,
                            user_id=member.user_id,
                            value=value,
                        )
                    )
                elif existing.value != value:
                    existing.value, existing.updated_at = value, now
                    updates.append(existing)
                else:
                    continue
                answered.add(member.user_id)
        SignupFieldValue.objects.bulk_create(inserts, ignore_conflicts=True)
        SignupFieldValue.objects.bulk_update(updates, ["value", "updated_at"])
        changed.update(answered)

        # Groups named in the file.
        wanted = {
            (self.groups[name.lower()].id, members_by_user[users[row.key].id].id)
            for row in rows
            for name in row.groups
        }
        have = set(
            GroupMembership.objects.filter(
                member_id__in=member_ids, group_id__in={g for g, _m in wanted}
            ).values_list("group_id", "member_id")
        )
        by_member_id = {m.id: m for m in members_by_user.values()}
        groups_by_id = {g.id: g for g in self.groups.values()}
        joins = [
            GroupMembership(
                school=self.school,
                group=groups_by_id[group_id],
                member=by_member_id[member_id],
                user_id=by_member_id[member_id].user_id,
            )
            for group_id, member_id in sorted(wanted - have)
        ]
        GroupMembership.objects.bulk_create(joins, ignore_conflicts=True)
        changed.update(join.user_id for join in joins)

        if self.enforced_rules:
            for user_id in answered:
                group_rules_apply(member=members_by_user[user_id])

        self._emit(members_by_user, created_ids, new_access, joins)
        for row in rows:
            uid = users[row.key].id
            if uid in created_ids:
                self.summary.created += 1
            elif uid in changed:
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1

    def _emit(self, members_by_user, created_ids, new_access, joins) -> None:
        emit_many(
            self.school,
            "user.created",
            [user_payload(members_by_user[uid]) for uid in sorted(created_ids)],
        )
        for access in new_access:
            access.domain = self.domain
        emit_many(
            self.school,
            "domain.enrollment.created",
            [domain_user_payload(access) for access in new_access],
        )
        emit_many(self.school, "group.member.added", [group_member_payload(j) for j in joins])
