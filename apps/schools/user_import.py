"""Bulk import of people into a domain from CSV (``manage.py import_users``).

Columns: ``email`` (required), ``first_name``, ``last_name``, ``groups`` (group names
separated by ``;``) and any signup field of the domain by its label. The file is read
twice, streaming: the first pass proves it decodes as UTF-8 and parses as CSV (so a broken
file writes nothing), the second validates each row and writes valid rows in batches, each
batch in one transaction with bulk statements. A bad row is skipped whole (never half
written) and reported with its line number; the rest go in. Importing the same file again
changes nothing: people are matched on e-mail, case-insensitively.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.errors import ApiError
from apps.core.events import emit_many
from apps.schools.domains import domain_user_payload
from apps.schools.groups import group_member_payload, group_rules_apply
from apps.schools.models import (
    Domain,
    DomainUser,
    Group,
    GroupMembership,
    Member,
    School,
    SignupField,
    SignupFieldValue,
    User,
)
from apps.schools.services import user_payload
from apps.schools.signup_fields import clean_value

BATCH_SIZE = 1000
GROUP_SEPARATOR = ";"
KNOWN_COLUMNS = ("email", "first_name", "last_name", "groups")
NAME_LIMIT = 150


class ImportFileError(Exception):
    """The file as a whole cannot be imported (nothing was written)."""


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


@dataclass
class _Row:
    line: int
    email: str
    first_name: str
    last_name: str
    answers: dict[str, str]  # signup field id -> cleaned value
    groups: list[str]

    @property
    def key(self) -> str:
        return self.email.lower()


# --- reading ---------------------------------------------------------------------------------


def _open(path: Path):
    return open(path, newline="", encoding="utf-8-sig", errors="strict")


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(first line number, fields)`` of each CSV record; file errors name the line."""
    try:
        with _open(path) as handle:
            reader = csv.reader(handle)
            line = 1
            for record in reader:
                yield line, record
                line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is not UTF-8 text (byte {exc.start} of a line near line "
            f"{_line_of_byte(path, exc)}); save it as CSV UTF-8 and try again."
        ) from None
    except csv.Error as exc:
        raise ImportFileError(f"The file is not valid CSV: {exc}.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read the file: {exc.strerror or exc}.") from None


def _line_of_byte(path: Path, exc: UnicodeDecodeError) -> int:
    """The line of the first undecodable byte (counted in the raw bytes)."""
    seen = 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
            seen = number
    return seen + 1


@dataclass
class _Layout:
    email: int
    first_name: int | None
    last_name: int | None
    groups: int | None
    fields: dict[int, SignupField]
    width: int
    ignored: list[str]


def _layout(header: list[str], domain: Domain) -> _Layout:
    names = [name.strip().lower() for name in header]
    if "email" not in names:
        raise ImportFileError(
            "The header has no 'email' column (found: "
            f"{', '.join(repr(h) for h in header) or 'nothing'})."
        )
    duplicated = sorted({name for name in names if name and names.count(name) > 1})
    if duplicated:
        raise ImportFileError(f"Columns appear twice in the header: {', '.join(duplicated)}.")
    by_label = {
        field.label.strip().lower(): field
        for field in SignupField.objects.filter(domain=domain).prefetch_related("options")
    }
    fields, ignored = {}, []
    for index, name in enumerate(names):
        if name in KNOWN_COLUMNS:
            continue
        if name in by_label:
            fields[index] = by_label[name]
        else:
            ignored.append(header[index])
    return _Layout(
        email=names.index("email"),
        first_name=names.index("first_name") if "first_name" in names else None,
        last_name=names.index("last_name") if "last_name" in names else None,
        groups=names.index("groups") if "groups" in names else None,
        fields=fields,
        width=len(header),
        ignored=ignored,
    )


def _parse(line: int, record: list[str], layout: _Layout) -> _Row | str:
    """A clean row, or the reason it must be skipped."""
    if len(record) != layout.width:
        return f"has {len(record)} fields where the header has {layout.width}"
    email = record[layout.email].strip()
    try:
        validate_email(email)
    except ValidationError:
        return f"{email!r} is not a valid e-mail address"
    if len(email) > 254:
        return "the e-mail address is longer than 254 characters"
    first = record[layout.first_name].strip() if layout.first_name is not None else ""
    last = record[layout.last_name].strip() if layout.last_name is not None else ""
    if len(first) > NAME_LIMIT or len(last) > NAME_LIMIT:
        return f"names may be at most {NAME_LIMIT} characters"
    answers = {}
    for index, signup_field in layout.fields.items():
        raw = record[index]
        if raw.strip() == "":
            continue
        try:
            answers[signup_field.id] = clean_value(signup_field, raw.strip())
        except ApiError as exc:
            return str(exc.detail)
    groups = []
    if layout.groups is not None:
        groups = [g.strip() for g in record[layout.groups].split(GROUP_SEPARATOR) if g.strip()]
    return _Row(line, email, first, last, answers, list(dict.fromkeys(groups)))


# --- writing ---------------------------------------------------------------------------------


class _Writer:
    """Writes batches of clean rows with bulk statements; keeps the summary."""

    def __init__(
        self, *, school: School, domain: Domain, create_groups: bool, summary: ImportSummary
    ) -> None:
        self.school = school
        self.domain = domain
        self.create_groups = create_groups
        self.summary = summary
        self.groups = {g.name.lower(): g for g in Group.objects.filter(school=school)}
        self.enforced_rules = Group.objects.filter(school=school, rule_enforce=True).exists()

    def _known_groups(self, rows: list[_Row]) -> list[_Row]:
        wanted = {name for row in rows for name in row.groups}
        missing = sorted({name for name in wanted if name.lower() not in self.groups})
        if missing and self.create_groups:
            for name in missing:
                group = Group.objects.create(school=self.school, name=name)
                self.groups[name.lower()] = group
            missing = []
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

    def _users(self, rows: list[_Row]) -> dict[str, User]:
        keys = [row.key for row in rows]
        users = {
            u.email_key: u
            for u in User.objects.annotate(email_key=Lower("email")).filter(email_key__in=keys)
        }
        fresh = [
            User(
                email=User.objects.normalize_email(row.email),
                first_name=row.first_name,
                last_name=row.last_name,
                password=make_password(None),
            )
            for row in rows
            if row.key not in users
        ]
        if fresh:
            User.objects.bulk_create(fresh, ignore_conflicts=True)
            users = {
                u.email_key: u
                for u in User.objects.annotate(email_key=Lower("email")).filter(email_key__in=keys)
            }
        return users

    def write(self, rows: list[_Row]) -> None:
        """Import one batch in one transaction (all of its valid rows, or none)."""
        with transaction.atomic():
            self._write(rows)

    def _write(self, rows: list[_Row]) -> None:
        rows = self._known_groups(rows)
        users = self._users(rows)
        anonymized = [row for row in rows if users[row.key].anonymized_at is not None]
        for row in anonymized:
            self.summary.skipped.append((row.line, "this person was anonymized"))
        rows = [row for row in rows if users[row.key].anonymized_at is None]
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

        # Names: only for people who belong to this school alone (identity is theirs).
        shared = set(
            Member.objects.filter(user_id__in=user_ids)
            .values("user_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list("user_id", flat=True)
        )
        renamed = []
        for row in rows:
            user = users[row.key]
            if user.id in created_ids or user.id in shared:
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


def import_users(
    *,
    school: School,
    domain: Domain,
    path: Path | str,
    create_groups: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import people from a CSV file into ``domain``; see the module docstring.

    Raises ``ImportFileError`` (nothing written) when the file cannot be read as UTF-8 CSV
    or has no ``email`` column. ``progress(done, total)`` is called after every batch.
    """
    path = Path(path)
    if domain.school_id != school.id:
        raise ImportFileError("The domain belongs to another school.")
    total = -1
    header: list[str] | None = None
    for _line, record in _records(path):  # pass 1: decode and parse everything
        if header is None:
            header = record
        total += 1
    if header is None:
        raise ImportFileError("The file is empty.")
    layout = _layout(header, domain)
    summary = ImportSummary(total=max(total, 0), ignored_columns=layout.ignored)
    writer = _Writer(school=school, domain=domain, create_groups=create_groups, summary=summary)
    seen: dict[str, int] = {}
    batch: list[_Row] = []
    done = 0
    records = _records(path)
    next(records)  # the header
    for line, record in records:  # pass 2: validate and write in batches
        done += 1
        if not any(value.strip() for value in record):
            summary.skipped.append((line, "the row is empty"))
            continue
        row = _parse(line, record, layout)
        if isinstance(row, str):
            summary.skipped.append((line, row))
            continue
        if row.key in seen:
            summary.skipped.append((line, f"{row.email} already appears on line {seen[row.key]}"))
            continue
        seen[row.key] = line
        batch.append(row)
        if len(batch) >= batch_size:
            writer.write(batch)
            batch = []
            if progress and done < summary.total:
                progress(done, summary.total)
    if batch:
        writer.write(batch)
    if progress:
        progress(done, summary.total)
    summary.skipped.sort()
    return summary
