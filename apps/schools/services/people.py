"""Writes of a school's accounts: users (members), their tags, anonymization and tokens."""

from collections.abc import Iterable
from typing import Any

from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.core.email_identity import EmailRefused, normalize_email
from apps.core.erasure import Person, person_scrub
from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit
from apps.core.models import Event
from apps.core.times import format_datetime
from apps.core.validators import refuse_control_characters
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import (
    Invite,
    Member,
    School,
    SignupFieldValue,
    Tag,
    User,
)
from apps.schools.selectors.people import member_with_email

IDENTITY_FIELDS = ("email", "first_name", "last_name")
MEMBER_FIELDS = ("role", "external_id", "company", "department", "country", "metadata")


def user_payload(member: Member, *, tags: Iterable[Tag] | None = None) -> dict[str, Any]:
    """The user as its school sees it: the API's user shape, also the ``user.*`` event data.

    ``tags`` are the member's tags already loaded in name order; None reads them now.
    """
    user = member.user
    if tags is None:
        tags = member.tags.order_by("name")
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": member.role,
        "status": member.status,
        "external_id": member.external_id,
        "company": member.company,
        "department": member.department,
        "country": member.country,
        "tags": [tag.name for tag in tags],
        "metadata": member.metadata,
        "anonymized": member.anonymized_at is not None,
        "created_at": format_datetime(member.created_at),
        "updated_at": format_datetime(member.updated_at),
    }


def _refuse_control_characters(value: str, field: str) -> None:
    try:
        refuse_control_characters(value)
    except DjangoValidationError as exc:
        raise InvalidInput(exc.messages[0], code=exc.code, field=field) from None


def _validate_member_fields(fields: dict[str, Any]) -> None:
    metadata = fields.get("metadata")
    if metadata is not None and len(metadata) > Member.MAX_METADATA_KEYS:
        raise InvalidInput(
            f"metadata may hold at most {Member.MAX_METADATA_KEYS} keys.",
            code=SchoolErrorCode.TOO_MANY_METADATA_KEYS,
            field="metadata",
        )


def _tags_for(school: School, names: Iterable[str]) -> list[Tag]:
    names = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    for name in names:  # the admin and imports reach here without the API's LabelField
        _refuse_control_characters(name, "tags")
    existing = {t.name: t for t in Tag.objects.filter(school=school, name__in=names)}
    missing = [Tag(school=school, name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(school=school, name__in=names)}
    return [existing[n] for n in names]


def _tag_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("A tag needs a name.", code=SchoolErrorCode.NAME_REQUIRED, field="name")
    _refuse_control_characters(name, "name")
    return name


def _tag_name_taken(name: str) -> Conflict:
    return Conflict(
        f"This school already has the tag {name!r}.",
        code=SchoolErrorCode.TAG_NAME_TAKEN,
        field="name",
    )


@transaction.atomic
def tag_create(*, school: School, name: str) -> Tag:
    """Create the school's tag ``name``; a name the school already uses is 409."""
    name = _tag_name(name)
    with conflict_on_duplicate("schools_tag_unique_name", _tag_name_taken(name)):
        return Tag.objects.create(school=school, name=name)


@transaction.atomic
def tag_rename(*, tag: Tag, name: str) -> Tag:
    """Rename a tag; each member holding it changed, so each gets ``user.updated``."""
    name = _tag_name(name)
    if name == tag.name:
        return tag
    tag.name = name
    with conflict_on_duplicate("schools_tag_unique_name", _tag_name_taken(name)):
        tag.save(update_fields=["name", "updated_at"])
    holders = Member.objects.filter(tags=tag).select_related("user", "school")
    for member in holders.order_by("pk"):
        member.save(update_fields=["updated_at"])
        emit(member.school, "user.updated", user_payload(member))
    return tag


def tags_resolve(*, school: School, names: Iterable[str]) -> list[Tag]:
    """The school's tags with these names in the given order (blanks and repeats dropped),
    created when missing; the one way any app turns tag names into tags."""
    return _tags_for(school, names)


def _external_id_taken() -> Conflict:
    return Conflict(
        "Another user of this school has this external_id.",
        code=SchoolErrorCode.EXTERNAL_ID_TAKEN,
        field="external_id",
    )


# Anonymized accounts get addresses in this reserved domain (RFC 2606's ``.invalid``); no
# one may take one, so an anonymized account is never found again by its placeholder.
ANONYMIZED_DOMAIN = "anonymized.invalid"


def _normalized_email(email: str) -> str:
    try:
        email = normalize_email(email)
    except EmailRefused as exc:
        raise InvalidInput(str(exc), code=SchoolErrorCode.EMAIL_INVALID, field="email") from None
    if email.rpartition("@")[2] == ANONYMIZED_DOMAIN:
        raise InvalidInput(
            f"Addresses at {ANONYMIZED_DOMAIN} are reserved for anonymized users.",
            code=SchoolErrorCode.EMAIL_INVALID,
            field="email",
        )
    return email


@transaction.atomic
def user_create(
    *,
    school: School,
    email: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    tags: Iterable[str] | None = None,
    **member_fields: Any,
) -> tuple[Member, bool]:
    """Create the school's account for ``email``, or return the one it already has.

    Returns ``(member, created)``; an existing account is returned as it is (its names
    and password unchanged). Only this school's accounts are looked at: the same e-mail
    in another school is another account, never read or changed here.
    """
    _validate_member_fields(member_fields)
    email = _normalized_email(email)
    existing = member_with_email(school=school, email=email)
    if existing is not None:
        return existing, False
    user = User(school=school, email=email, first_name=first_name, last_name=last_name)
    user.set_password(password) if password else user.set_unusable_password()
    try:
        with conflict_on_duplicate("schools_member_unique_external_id", _external_id_taken()):
            user.save()
            member = Member.objects.create(school=school, user=user, **member_fields)
    except IntegrityError:  # a concurrent request created this account a moment ago
        existing = member_with_email(school=school, email=email)
        if existing is not None:
            return existing, False
        raise
    if tags:
        member.tags.set(_tags_for(school, tags))
    emit(school, "user.created", user_payload(member))
    return member, True


def _email_taken() -> Conflict:
    return Conflict(
        "Another user of this school has this e-mail address.",
        code=SchoolErrorCode.EMAIL_TAKEN,
        field="email",
    )


@transaction.atomic
def user_update(*, member: Member, tags: Iterable[str] | None = None, **fields: Any) -> Member:
    """Change an account's e-mail, names or password, or the school's facts about it."""
    user = member.user
    password = fields.pop("password", None)
    identity = {k: v for k, v in fields.items() if k in IDENTITY_FIELDS}
    if "email" in identity:
        identity["email"] = _normalized_email(identity["email"])
    identity = {k: v for k, v in identity.items() if getattr(user, k) != v}
    school_facts = {k: v for k, v in fields.items() if k in MEMBER_FIELDS}
    _validate_member_fields(school_facts)
    if identity or password:
        for name, value in identity.items():
            setattr(user, name, value)
        if password:
            user.set_password(password)
        with conflict_on_duplicate("schools_user_school_email_unique", _email_taken()):
            user.save()
    if "role" in school_facts and school_facts["role"] != member.role:
        member.user_role = None  # a custom role belongs to one access level; back to built-in
    for name, value in school_facts.items():
        setattr(member, name, value)
    if tags is not None:
        member.tags.set(_tags_for(member.school, tags))
    with conflict_on_duplicate("schools_member_unique_external_id", _external_id_taken()):
        member.save()
    emit(member.school, "user.updated", user_payload(member))
    return member


ACCOUNT_ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser")


def _operator_email_taken() -> Conflict:
    return Conflict(
        "An operator with this e-mail exists.", code=SchoolErrorCode.EMAIL_TAKEN, field="email"
    )


@transaction.atomic
def operator_create(*, email: str, password: str) -> User:
    """Create a platform operator: an account of no school that administers every school."""
    user = User(school=None, email=_normalized_email(email), is_staff=True, is_superuser=True)
    user.set_password(password)
    with conflict_on_duplicate("schools_user_operator_email_unique", _operator_email_taken()):
        user.save()
    return user


@transaction.atomic
def user_account_update(*, user: User, **fields: Any) -> User:
    """The operator's change of any account: e-mail and names, ``password`` (None makes it
    unusable) and the access flags. A school's account changes through ``user_update``, so
    the school's rules hold and ``user.updated`` is emitted; switching an account off
    revokes its tokens."""
    if "password" in fields:
        password = fields["password"]
        user.set_password(password) if password else user.set_unusable_password()
        user.save(update_fields=["password", "updated_at"])
    identity = {k: fields[k] for k in IDENTITY_FIELDS if k in fields}
    if user.school_id is not None and (identity or "password" in fields):
        member = Member.objects.select_related("user", "school").get(
            school_id=user.school_id, user=user
        )
        user = user_update(member=member, **identity).user
    elif identity:
        if "email" in identity:
            identity["email"] = _normalized_email(identity["email"])
        for name, value in identity.items():
            setattr(user, name, value)
        with conflict_on_duplicate("schools_user_operator_email_unique", _operator_email_taken()):
            user.save()
    access = {k: fields[k] for k in ACCOUNT_ACCESS_FIELDS if k in fields}
    access = {k: v for k, v in access.items() if getattr(user, k) != v}
    if access:
        for name, value in access.items():
            setattr(user, name, value)
        user.save(update_fields=[*access, "updated_at"])
        if access.get("is_active") is False:
            user_tokens_revoke(user=user)
    return user


@transaction.atomic
def member_set_tags(*, member: Member, tags: Iterable[str]) -> Member:
    """Replace a member's tags (tags are created in the school as needed)."""
    member.tags.set(_tags_for(member.school, tags))
    member.save(update_fields=["updated_at"])
    emit(member.school, "user.updated", user_payload(member))
    return member


@transaction.atomic
def member_suspend(*, member: Member) -> Member:
    """Suspend a member: no new tokens, and existing user tokens stop working."""
    if member.status != Member.Status.SUSPENDED:
        member.status = Member.Status.SUSPENDED
        member.suspended_at = timezone.now()
        member.save(update_fields=["status", "suspended_at", "updated_at"])
        emit(member.school, "user.suspended", user_payload(member))
    return member


@transaction.atomic
def member_unsuspend(*, member: Member) -> Member:
    """Let a suspended member sign in again."""
    if member.status != Member.Status.ACTIVE:
        member.status = Member.Status.ACTIVE
        member.suspended_at = None
        member.save(update_fields=["status", "suspended_at", "updated_at"])
        emit(member.school, "user.updated", user_payload(member))
    return member


@transaction.atomic
def user_anonymize(*, member: Member) -> Member:
    """Irreversibly erase the account's identity and the school's facts about it, keeping
    learning records; every token of the account stops working.

    Copies go too: the person's signup answers and invite texts, the admin's history
    labels, and every stored copy apps declared (``apps.core.erasure``: events and so
    webhook deliveries, jobs, idempotency records, receivers' responses).
    """
    member = Member.objects.select_for_update().select_related("user", "school").get(pk=member.pk)
    user = User.objects.select_for_update().get(pk=member.user_id)
    person = Person(
        id=user.id,
        email=user.email,
        names=tuple(v for v in (user.first_name, user.last_name, member.external_id) if v),
        replacement_email=f"anonymized-{user.id}@{ANONYMIZED_DOMAIN}",
    )
    user.email = person.replacement_email
    user.first_name = ""
    user.last_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.anonymized_at = timezone.now()
    user.token_generation = F("token_generation") + 1
    user.save()
    user.refresh_from_db()
    member.user = user
    member.external_id = ""
    member.company = ""
    member.department = ""
    member.country = ""
    member.metadata = {}
    member.anonymized_at = user.anonymized_at
    member.tags.clear()
    member.save()
    _erase_copies(member, person)
    emit(member.school, "user.anonymized", {"id": user.id})
    return member


def _erase_copies(member: Member, person: Person) -> None:
    SignupFieldValue.objects.filter(member=member).delete()
    Invite.objects.filter(domain_user__member=member).update(mail_subject="", mail_body="")
    LogEntry.objects.filter(object_id__in=[member.id, person.id]).update(
        object_repr=person.replacement_email
    )
    anonymized = user_payload(member)
    for event in Event.objects.filter(
        school=member.school, type__startswith="user.", payload__id=person.id
    ):
        event.payload = {**anonymized, **{k: v for k, v in event.payload.items() if k == "id"}}
        event.save(update_fields=["payload", "updated_at"])
    person_scrub(school=member.school, person=person)


def user_tokens_revoke(*, user: User) -> User:
    """Revoke every token of the account (this school's only): refresh tokens are
    blacklisted, access tokens stop working because their generation is now stale."""
    from rest_framework_simplejwt.token_blacklist.models import (
        BlacklistedToken,
        OutstandingToken,
    )

    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(token_generation=F("token_generation") + 1)
        outstanding = OutstandingToken.objects.filter(
            user=user, expires_at__gt=timezone.now()
        ).exclude(blacklistedtoken__isnull=False)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
        )
    user.refresh_from_db(fields=["token_generation"])
    return user
