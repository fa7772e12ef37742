"""Access code pools, access codes and redemption (Skilljar's domain access codes).

Redeeming locks the code row (``SELECT ... FOR UPDATE``) so ``use_count`` never passes
``max_uses``: of two people redeeming the last use at once, exactly one gets in.
"""

import secrets
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import (
    AccessCode,
    AccessCodePool,
    AccessCodeRedemption,
    Domain,
    DomainUser,
    DurationUnit,
    Member,
)
from apps.schools.services.domains import domain_user_add, domain_user_payload
from apps.schools.services.groups import group_member_add

POOL_FIELDS = ("name", "active", "start_date", "end_date", "expire_linked_to_domain_membership")
CODE_FIELDS = ("code", "active", "max_uses", "duration", "duration_unit")


# Unambiguous characters for generated codes (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def _check_window(start: datetime | None, end: datetime | None) -> None:
    if start and end and end <= start:
        raise InvalidInput(
            "end_date must be after start_date.",
            code=SchoolErrorCode.INVALID_WINDOW,
            field="end_date",
        )


@transaction.atomic
def pool_create(
    *,
    domain: Domain,
    name: str,
    active: bool = True,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    expire_linked_to_domain_membership: bool = False,
    channel: str = AccessCodePool.Channel.API,
) -> AccessCodePool:
    """An empty pool of codes for ``domain``."""
    _check_window(start_date, end_date)
    return AccessCodePool.objects.create(
        school_id=domain.school_id,
        domain=domain,
        name=name,
        active=active,
        start_date=start_date,
        end_date=end_date,
        expire_linked_to_domain_membership=expire_linked_to_domain_membership,
        channel=channel,
    )


@transaction.atomic
def pool_update(*, pool: AccessCodePool, **fields: Any) -> AccessCodePool:
    """Change a pool's name, state, window or expiry link (partial)."""
    changed = [name for name in POOL_FIELDS if name in fields]
    for name in changed:
        setattr(pool, name, fields[name])
    _check_window(pool.start_date, pool.end_date)
    if changed:
        pool.save(update_fields=[*changed, "updated_at"])
    return pool


def _code_taken(code: str) -> Conflict:
    return Conflict(
        f"The code {code!r} already exists on this domain.",
        code=SchoolErrorCode.CODE_TAKEN,
        field="code",
    )


def generate_code() -> str:
    """A random code of unambiguous upper-case letters and digits."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def code_create(
    *,
    pool: AccessCodePool,
    code: str | None = None,
    active: bool = True,
    max_uses: int | None = None,
    duration: int | None = None,
    duration_unit: str = DurationUnit.MONTHS,
) -> AccessCode:
    """A code in ``pool`` (generated when not given); 409 ``code_taken`` on a duplicate."""
    code = code or generate_code()
    with conflict_on_duplicate("schools_accesscode_unique", _code_taken(code)):
        return AccessCode.objects.create(
            school_id=pool.school_id,
            domain_id=pool.domain_id,
            access_code_pool=pool,
            code=code,
            active=active,
            max_uses=max_uses,
            duration=duration,
            duration_unit=duration_unit,
        )


@transaction.atomic
def code_update(*, access_code: AccessCode, **fields: Any) -> AccessCode:
    """Change a code (partial); ``max_uses`` may not drop below the uses already made."""
    access_code = AccessCode.objects.select_for_update().get(pk=access_code.pk)
    changed = [name for name in CODE_FIELDS if name in fields]
    max_uses = fields.get("max_uses", access_code.max_uses)
    if max_uses is not None and max_uses < access_code.use_count:
        raise InvalidInput(
            f"max_uses cannot be lower than the {access_code.use_count} uses already made.",
            code=SchoolErrorCode.CODE_EXHAUSTED,
            field="max_uses",
        )
    for name in changed:
        setattr(access_code, name, fields[name])
    if changed:
        with conflict_on_duplicate("schools_accesscode_unique", _code_taken(access_code.code)):
            access_code.save(update_fields=[*changed, "updated_at"])
    return access_code


def access_expiry(access_code: AccessCode, now: datetime) -> datetime | None:
    """When access gained with this code ends: its duration, capped by a linked pool end."""
    candidates = []
    if access_code.duration:
        unit = access_code.duration_unit.lower()
        candidates.append(now + relativedelta(**{unit: access_code.duration}))
    pool = access_code.access_code_pool
    if pool.expire_linked_to_domain_membership and pool.end_date:
        candidates.append(pool.end_date)
    return min(candidates) if candidates else None


def _refuse(detail: str, code: str) -> InvalidInput:
    return InvalidInput(detail, code=code, field="code")


@transaction.atomic
def code_redeem(*, domain: Domain, code: str, member: Member) -> tuple[DomainUser, bool]:
    """Admit ``member`` to ``domain`` with an access code; returns ``(domain_user, used)``.

    400 with ``code_not_found``, ``code_inactive`` (code or pool switched off),
    ``code_expired`` (outside the pool's window) or ``code_exhausted`` (``max_uses``
    reached). A person who already redeemed this code gets their access back without
    using it again (``used`` is False). Redeeming joins the groups linked to the pool.
    """
    if member.school_id != domain.school_id:
        raise InvalidInput("The user does not exist in this school.", field="user_id")
    access_code = (
        AccessCode.objects.select_for_update(of=("self",))
        .select_related("access_code_pool")
        .filter(domain=domain, code=code)
        .first()
    )
    if access_code is None:
        raise _refuse("No such access code on this domain.", SchoolErrorCode.CODE_NOT_FOUND)
    pool = access_code.access_code_pool
    now = timezone.now()
    expires_at = access_expiry(access_code, now)
    if AccessCodeRedemption.objects.filter(code=access_code, member=member).exists():
        # A repeat: the person keeps (or regains) their record; nothing is used or extended.
        domain_user, _ = domain_user_add(
            domain=domain, member=member, expires_at=expires_at, access_code=access_code
        )
        return domain_user, False
    if not (access_code.active and pool.active):
        raise _refuse("This access code is not active.", SchoolErrorCode.CODE_INACTIVE)
    if (pool.start_date and now < pool.start_date) or (pool.end_date and now >= pool.end_date):
        raise _refuse(
            "This access code is outside its validity window.", SchoolErrorCode.CODE_EXPIRED
        )
    if access_code.max_uses is not None and access_code.use_count >= access_code.max_uses:
        raise _refuse("This access code has been used up.", SchoolErrorCode.CODE_EXHAUSTED)
    AccessCode.objects.filter(pk=access_code.pk).update(
        use_count=F("use_count") + 1, updated_at=now
    )
    AccessCodeRedemption.objects.create(
        school_id=access_code.school_id, code=access_code, member=member
    )
    domain_user, created = domain_user_add(
        domain=domain, member=member, expires_at=expires_at, access_code=access_code
    )
    if not created:
        domain_user.active = True
        domain_user.access_code = access_code
        domain_user.expires_at = expires_at
        domain_user.save(update_fields=["active", "access_code", "expires_at", "updated_at"])
        emit(domain.school, "domain.enrollment.updated", domain_user_payload(domain_user))
    for link in pool.group_links.select_related("group__school"):
        group_member_add(group=link.group, member=member)
    return domain_user, True


@transaction.atomic
def code_delete(*, access_code: AccessCode) -> int:
    """Delete a code with its redemption records. People admitted with it keep their access,
    which no longer names a code (``domain.enrollment.updated`` each); returns how many."""
    holders = list(
        DomainUser.objects.filter(access_code=access_code).select_related(
            "school", "domain", "member__user"
        )
    )
    access_code.delete()
    for domain_user in holders:
        domain_user.access_code = None
        emit(domain_user.school, "domain.enrollment.updated", domain_user_payload(domain_user))
    return len(holders)


@transaction.atomic
def pool_delete(*, pool: AccessCodePool) -> int:
    """Delete a pool with its codes (each as ``code_delete``) and its group links; returns
    how many people's access stopped naming one of its codes."""
    released = sum(code_delete(access_code=code) for code in pool.codes.all())
    pool.delete()
    return released
