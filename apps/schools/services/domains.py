"""Domains and domain users (Skilljar's ``domains`` and ``domains/{name}/users``).

Writes own their transaction and emit ``domain.enrollment.created`` when a person gains
access to a domain (reads are in ``apps.schools.selectors.domains``).
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import AccessCode, Domain, DomainUser, Member, School
from apps.schools.selectors.domains import has_access_record
from apps.schools.services.people import user_create

DOMAIN_FIELDS = ("catalog_title", "access", "access_code_message_html", "marketing_message")


def domain_user_payload(domain_user: DomainUser) -> dict[str, Any]:
    """The domain user as events carry it (the API's shape plus the domain)."""
    user = domain_user.member.user
    code = domain_user.access_code
    return {
        "id": domain_user.id,
        "domain": {"id": domain_user.domain_id, "name": domain_user.domain.name},
        "user": {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "active": domain_user.is_active,
        "marketing_optin": domain_user.marketing_optin,
        "enrolled_at": domain_user.enrolled_at.isoformat(),
        "expires_at": domain_user.expires_at.isoformat() if domain_user.expires_at else None,
        "access_code": None
        if code is None
        else {"id": code.id, "code": code.code, "pool": {"id": code.access_code_pool_id}},
    }


def _domain_name_taken() -> Conflict:
    return Conflict(
        "This domain name is taken.", code=SchoolErrorCode.DOMAIN_NAME_TAKEN, field="name"
    )


def _domain_clean(domain: Domain, exclude: list[str]) -> None:
    try:
        domain.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(messages[0], field=None if field == "__all__" else field) from None


@transaction.atomic
def domain_create(*, school: School, name: str, **fields: Any) -> Domain:
    """Create the school's domain ``name`` (a host name, unique on the platform) with its
    catalog title, access and messages; a taken name is 409."""
    domain = Domain(
        school=school, name=name, **{k: v for k, v in fields.items() if k in DOMAIN_FIELDS}
    )
    _domain_clean(domain, exclude=["school"])
    with conflict_on_duplicate("schools_domain.name", _domain_name_taken()):
        domain.save()
    return domain


@transaction.atomic
def domain_update(*, domain: Domain, **fields: Any) -> Domain:
    """Change a domain's catalog title, access and messages, or (``name``, the admin's)
    its host name; other fields are ignored. A taken name is 409."""
    changed = [name for name in (*DOMAIN_FIELDS, "name") if name in fields]
    changed = [name for name in changed if getattr(domain, name) != fields[name]]
    for name in changed:
        setattr(domain, name, fields[name])
    if changed:
        _domain_clean(domain, exclude=["school"])
        with conflict_on_duplicate("schools_domain.name", _domain_name_taken()):
            domain.save(update_fields=[*changed, "updated_at"])
    return domain


def domain_user_add(
    *,
    domain: Domain,
    member: Member,
    active: bool = True,
    marketing_optin: bool | None = None,
    expires_at: datetime | None = None,
    access_code: AccessCode | None = None,
) -> tuple[DomainUser, bool]:
    """Give ``member`` access to ``domain``; an existing access record is returned unchanged.

    Returns ``(domain_user, created)``; a creation emits ``domain.enrollment.created``.
    """
    _check_same_school(domain, member)
    existing = DomainUser.objects.filter(domain=domain, member=member).first()
    if existing is not None:
        return existing, False
    return _domain_user_insert(
        domain=domain,
        member=member,
        active=active,
        marketing_optin=marketing_optin,
        expires_at=expires_at,
        access_code=access_code,
    )


def domain_access_ensure(*, domain: Domain, member: Member, has_record: bool | None = None) -> None:
    """``domain_user_add`` for a caller that needs the access, not the record (an
    enrollment): one fixed statement when the person has a record, active or not, which
    stays as it is; none when the caller read ``has_record`` already."""
    _check_same_school(domain, member)
    if has_record is None:
        has_record = has_access_record(domain=domain, member=member)
    if not has_record:
        _domain_user_insert(domain=domain, member=member)


def _check_same_school(domain: Domain, member: Member) -> None:
    if member.school_id != domain.school_id:
        raise InvalidInput("The user does not exist in this school.", field="user")


def _domain_user_insert(
    *, domain: Domain, member: Member, **access: Any
) -> tuple[DomainUser, bool]:
    """Insert the access record found missing; ``(record, created)``, the concurrent twin's
    when another request inserted it first."""
    # The transaction starts only here: a lookup that finds the row needs none. Inside a
    # caller's transaction (an enrollment) it joins it without a savepoint of its own: the
    # only error it recovers from, the IntegrityError, has the inner savepoint.
    with transaction.atomic(savepoint=False):
        try:
            with transaction.atomic():
                domain_user = DomainUser.objects.create(
                    school=domain.school,
                    domain=domain,
                    member=member,
                    user_id=member.user_id,
                    **access,
                )
        except IntegrityError:  # a concurrent request added the same person a moment ago
            return DomainUser.objects.get(domain=domain, member=member), False
        domain_user.domain, domain_user.member = domain, member
        emit(domain.school, "domain.enrollment.created", domain_user_payload(domain_user))
    return domain_user, True


@transaction.atomic
def domain_user_create(
    *,
    domain: Domain,
    email: str,
    first_name: str = "",
    last_name: str = "",
    **access: Any,
) -> tuple[DomainUser, bool]:
    """Add a person (by e-mail) to the domain, creating the user and membership if new.

    An existing e-mail is never duplicated: its user (and access record, if any) is used
    as it is. Returns ``(domain_user, created)`` where ``created`` refers to the access.
    """
    member, _ = user_create(
        school=domain.school, email=email, first_name=first_name, last_name=last_name
    )
    return domain_user_add(domain=domain, member=member, **access)


@transaction.atomic
def domain_user_update(*, domain_user: DomainUser, **fields: Any) -> DomainUser:
    """Change ``active``, ``expires_at`` and ``marketing_optin``, or drop the code with
    ``access_code=None``; a change emits ``domain.enrollment.updated``.

    Nothing else about a domain user can change; a non-null ``access_code`` is 400.
    """
    if "access_code" in fields:
        access_code_must_be_null(fields["access_code"])
    changed = []
    for name in ("active", "expires_at", "marketing_optin", "access_code"):
        if name not in fields:
            continue
        current = (
            domain_user.access_code_id if name == "access_code" else getattr(domain_user, name)
        )
        if fields[name] != current:
            setattr(domain_user, name, fields[name])
            changed.append(name)
    if changed:
        domain_user.save(update_fields=[*changed, "updated_at"])
        emit(domain_user.school, "domain.enrollment.updated", domain_user_payload(domain_user))
    return domain_user


def access_code_must_be_null(value: object) -> None:
    """Only ``null`` may be written to a domain user's ``access_code`` (Skilljar's rule)."""
    if value is not None:
        raise InvalidInput(
            "access_code can only be set to null (to remove the code).",
            code=SchoolErrorCode.ACCESS_CODE_READONLY,
            field="access_code",
        )
