"""Writes of training credit codes: create, update, spend, and take back content at expiry.

Spending is one conditional UPDATE (``credits_remaining = credits_remaining - n WHERE
credits_remaining >= n``): the database, not a read-then-write in Python, decides whether the
credits are there, so concurrent spends never overdraw a code. Purchases call
``training_credits_spend`` while pricing an offer and, once they have granted access,
``training_credit_grant_record`` with the enrollment, which is what ``expire_content`` takes
back (``training_credit_content_expire``, run by the beat task
``commerce.training_credit_content_expire``).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import Offer, TrainingCreditCode, TrainingCreditSpend
from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.enrollments.models import Enrollment, PathEnrollment
from apps.enrollments.services.enrollments import enrollment_update, path_enrollment_update
from apps.schools.models import Group, GroupMembership, School, User

CODE_FIELDS = (
    "credits_total",
    "expires_at",
    "expire_content",
    "tracking_identifier",
    "available_to_all_students",
    "available_for_all_offers",
)
# Spends whose content is taken back per transaction of the expiry task.
EXPIRE_BATCH = 200


def _code_exists() -> Conflict:
    return Conflict(
        "The school already has a training credit code with this name (letter case aside).",
        code=CommerceErrorCode.TRAINING_CREDIT_CODE_EXISTS,
        field="training_credit_code",
    )


def _check_owned(school: School, field: str, rows: Iterable[Group | Offer]) -> None:
    # The API resolves ids in the caller's school first; the admin and code callers land here.
    for row in rows:
        if row.school_id != school.pk:
            raise InvalidInput(
                f"{field}: {row.pk} does not exist.", code="does_not_exist", field=field
            )


def _check_audience(code: TrainingCreditCode, groups: set[str], offers: set[str]) -> None:
    if not code.available_to_all_students and not groups:
        raise InvalidInput(
            "student_groups: give at least one group, or set available_to_all_students.",
            code=CommerceErrorCode.STUDENT_GROUPS_REQUIRED,
            field="student_groups",
        )
    if not code.available_for_all_offers and not offers:
        raise InvalidInput(
            "offers: give at least one offer, or set available_for_all_offers.",
            code=CommerceErrorCode.OFFERS_REQUIRED,
            field="offers",
        )


@transaction.atomic
def training_credit_code_create(
    *,
    school: School,
    training_credit_code: str,
    credits_total: int,
    expires_at: datetime | None = None,
    expire_content: bool = False,
    tracking_identifier: str = "",
    available_to_all_students: bool = False,
    student_groups: Iterable[Group] = (),
    available_for_all_offers: bool = False,
    offers: Iterable[Offer] = (),
) -> TrainingCreditCode:
    """A code holding ``credits_total`` credits; 400 ``student_groups_required`` /
    ``offers_required`` when the audience is missing, 409 ``training_credit_code_exists``
    when the school has the name already (in any letter case)."""
    groups, offer_rows = list(student_groups), list(offers)
    _check_owned(school, "student_groups", groups)
    _check_owned(school, "offers", offer_rows)
    code = TrainingCreditCode(
        school=school,
        training_credit_code=training_credit_code,
        credits_total=credits_total,
        credits_remaining=credits_total,
        expires_at=expires_at,
        expire_content=expire_content,
        tracking_identifier=tracking_identifier or "",
        available_to_all_students=available_to_all_students,
        available_for_all_offers=available_for_all_offers,
    )
    _check_audience(code, {g.pk for g in groups}, {o.pk for o in offer_rows})
    with conflict_on_duplicate("commerce_tcc_code_ci", _code_exists()):
        code.save(force_insert=True)
    code.student_groups.set(groups)
    code.offers.set(offer_rows)
    return code


@transaction.atomic
def training_credit_code_update(
    *,
    code: TrainingCreditCode,
    student_groups_add: Iterable[Group] = (),
    student_groups_remove: Iterable[Group] = (),
    offers_add: Iterable[Offer] = (),
    offers_remove: Iterable[Offer] = (),
    **fields: Any,
) -> TrainingCreditCode:
    """Change the given fields (PUT and PATCH alike); groups and offers are added first, then
    removed (as the seed says). A new ``credits_total`` keeps the credits already spent
    spent: below them is 409 ``credits_below_spent``."""
    unknown = set(fields) - set(CODE_FIELDS)
    if unknown:
        raise TypeError(f"training_credit_code_update() got unexpected fields {sorted(unknown)}")
    # The lock orders this change with concurrent spends (their UPDATE waits for it).
    code = TrainingCreditCode.objects.select_for_update().get(pk=code.pk)
    school = code.school
    adds = {"student_groups": list(student_groups_add), "offers": list(offers_add)}
    removes = {"student_groups": list(student_groups_remove), "offers": list(offers_remove)}
    for field in ("student_groups", "offers"):
        _check_owned(school, field, [*adds[field], *removes[field]])
    if fields.get("tracking_identifier", "") is None:
        fields["tracking_identifier"] = ""
    if "credits_total" in fields:
        spent = code.credits_total - code.credits_remaining
        if fields["credits_total"] < spent:
            raise Conflict(
                f"credits_total: {spent} credits of this code are spent already; give at "
                f"least {spent}.",
                code=CommerceErrorCode.CREDITS_BELOW_SPENT,
                field="credits_total",
            )
        fields["credits_remaining"] = fields["credits_total"] - spent
    changed = [name for name, value in fields.items() if getattr(code, name) != value]
    for name in changed:
        setattr(code, name, fields[name])
    groups = set(code.student_groups.values_list("pk", flat=True))
    offers = set(code.offers.values_list("pk", flat=True))
    groups = (groups | {g.pk for g in adds["student_groups"]}) - {
        g.pk for g in removes["student_groups"]
    }
    offers = (offers | {o.pk for o in adds["offers"]}) - {o.pk for o in removes["offers"]}
    _check_audience(code, groups, offers)
    if changed:
        code.save(update_fields=[*changed, "updated_at"])
    if adds["student_groups"] or removes["student_groups"]:
        code.student_groups.set(groups)
    if adds["offers"] or removes["offers"]:
        code.offers.set(offers)
    if not changed and (any(adds.values()) or any(removes.values())):
        code.save(update_fields=["updated_at"])  # a sync by updated_since sees the new audience
    return code


def training_credit_code_find(*, school: School, training_credit_code: str) -> TrainingCreditCode:
    """The school's code of that name as a learner types it (any letter case); 400
    ``does_not_exist`` naming ``training_credit_code`` otherwise."""
    code = TrainingCreditCode.objects.filter(
        school=school, training_credit_code__iexact=training_credit_code
    ).first()
    if code is None:
        raise InvalidInput(
            "training_credit_code does not exist.",
            code="does_not_exist",
            field="training_credit_code",
        )
    return code


def _check_eligible(code: TrainingCreditCode, offer: Offer, user: User, now: datetime) -> None:
    if offer.school_id != code.school_id:
        raise InvalidInput("offer_id does not exist.", code="does_not_exist", field="offer_id")
    if user.school_id != code.school_id:
        raise InvalidInput("user_id does not exist.", code="does_not_exist", field="user_id")
    if code.expires_at is not None and code.expires_at <= now:
        raise InvalidInput(
            "This training credit code has expired.",
            code=CommerceErrorCode.TRAINING_CREDIT_CODE_EXPIRED,
            field="training_credit_code",
        )
    if offer.training_credit_value is None:
        raise InvalidInput(
            "This offer cannot be bought with training credits.",
            code=CommerceErrorCode.OFFER_NOT_FOR_CREDITS,
            field="offer_id",
        )
    if not code.available_for_all_offers and not code.offers.filter(pk=offer.pk).exists():
        raise InvalidInput(
            "This training credit code cannot pay for this offer.",
            code=CommerceErrorCode.TRAINING_CREDIT_OFFER_NOT_ELIGIBLE,
            field="training_credit_code",
        )
    if not code.available_to_all_students:
        member_of_a_group = GroupMembership.objects.filter(
            user=user, group__in=code.student_groups.all()
        ).exists()
        if not member_of_a_group:
            raise InvalidInput(
                "This training credit code is for students of other groups.",
                code=CommerceErrorCode.TRAINING_CREDIT_USER_NOT_ELIGIBLE,
                field="training_credit_code",
            )


@transaction.atomic
def training_credits_spend(
    *, code: TrainingCreditCode, offer: Offer, user: User
) -> TrainingCreditSpend:
    """Spend ``offer.training_credit_value`` credits of ``code`` for ``user``; the spend row
    (``credits`` = what was spent). 400 when the code is expired or not for this offer or
    this user, 409 ``training_credits_insufficient`` when fewer credits remain; the credits
    are taken by one conditional UPDATE, so concurrent spends never overdraw the code."""
    now = timezone.now()
    code = TrainingCreditCode.objects.get(pk=code.pk)  # the audience as it is now
    _check_eligible(code, offer, user, now)
    credits = offer.training_credit_value
    taken = (
        TrainingCreditCode.objects.filter(pk=code.pk, credits_remaining__gte=credits)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .update(credits_remaining=F("credits_remaining") - credits, updated_at=now)
    )
    if not taken:
        raise Conflict(
            f"This training credit code has fewer than the {credits} credits this offer costs.",
            code=CommerceErrorCode.TRAINING_CREDITS_INSUFFICIENT,
            field="training_credit_code",
        )
    spend = TrainingCreditSpend(school=code.school, code=code, offer=offer, user=user)
    spend.credits = credits
    spend.save(force_insert=True)
    return spend


@transaction.atomic
def training_credit_grant_record(
    *,
    spend: TrainingCreditSpend,
    enrollment: Enrollment | None = None,
    path_enrollment: PathEnrollment | None = None,
) -> TrainingCreditSpend:
    """Record the access the credits of ``spend`` bought (what ``expire_content`` takes back);
    a repeat call with the same access changes nothing."""
    spend = TrainingCreditSpend.objects.select_for_update().get(pk=spend.pk)
    changed = []
    if enrollment is not None and spend.enrollment_id != enrollment.pk:
        spend.enrollment = enrollment
        changed.append("enrollment")
    if path_enrollment is not None and spend.path_enrollment_id != path_enrollment.pk:
        spend.path_enrollment = path_enrollment
        changed.append("path_enrollment")
    if changed:
        spend.save(update_fields=[*changed, "updated_at"])
    return spend


def _expire_access(row: Enrollment | PathEnrollment, at: datetime) -> dict[str, Any]:
    """The change that ends ``row``'s access at ``at``: its ``expires_at`` moved to ``at``
    (no later than it was), or, when ``at`` is not after its start, ``active`` false."""
    if at > row.enrolled_at:
        return {} if row.expires_at is not None and row.expires_at <= at else {"expires_at": at}
    return {"active": False} if row.active else {}


def training_credit_content_expire(*, now: datetime | None = None) -> int:
    """End the access bought with codes that have ``expire_content`` and expired by ``now``;
    how many spends were handled. Each spend is handled once (``content_expired_at``), so
    running it again, or twice at once, changes nothing more."""
    now = now or timezone.now()
    handled = 0
    while True:
        with transaction.atomic():
            spends = list(
                TrainingCreditSpend.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    content_expired_at__isnull=True,
                    code__expire_content=True,
                    code__expires_at__lte=now,
                )
                .select_related("code", "enrollment", "path_enrollment")
                .order_by("id")[:EXPIRE_BATCH]
            )
            for spend in spends:
                at = spend.code.expires_at
                if spend.enrollment is not None:
                    change = _expire_access(spend.enrollment, at)
                    if change:
                        enrollment_update(enrollment=spend.enrollment, **change)
                if spend.path_enrollment is not None:
                    change = _expire_access(spend.path_enrollment, at)
                    if change:
                        path_enrollment_update(enrollment=spend.path_enrollment, **change)
            TrainingCreditSpend.objects.filter(pk__in=[s.pk for s in spends]).update(
                content_expired_at=now, updated_at=now
            )
        handled += len(spends)
        if len(spends) < EXPIRE_BATCH:
            return handled
