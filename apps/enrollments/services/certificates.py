"""Writes of certificates: templates, issuing (on completion or by staff), revoking and
reissuing.

At most one valid certificate per (person, course): a partial unique constraint decides,
so concurrent issues (a redelivered completion event, staff at the same moment) give one.
Issuing on completion listens to ``enrollment.completed`` through the events outbox; the
outbox may hand an event over more than once, so the certificate records the event that
issued it and a redelivery issues nothing.
"""

import logging
import re
import secrets
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.catalog.models import Course
from apps.core.errors import Conflict, InvalidInput, violates
from apps.core.events import emit
from apps.core.models import Event
from apps.core.times import format_datetime
from apps.enrollments.certificate_links import verification_url
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import Certificate, CertificateTemplate
from apps.enrollments.models.certificates import PLACEHOLDERS
from apps.schools.models import User

logger = logging.getLogger(__name__)

# Crockford's base32 (no I, L, O, U): credential ids are read aloud and typed by hand.
_CREDENTIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_BRACED = re.compile(r"\{([^{}]*)\}")
COMPLETION_EVENT = "enrollment.completed"


def new_credential_id() -> str:
    """A random credential id (80 bits) such as ``K3F9-2QXA-7M4T-HV8C``."""
    chars = "".join(secrets.choice(_CREDENTIAL_ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def person_name(user: User) -> str:
    """The name a certificate shows: first and last name, or the e-mail when none is set."""
    return f"{user.first_name} {user.last_name}".strip() or user.email


def _check_placeholders(field: str, text: str) -> None:
    unknown = sorted({name for name in _BRACED.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise InvalidInput(
            f"{field}: unknown placeholder {{{unknown[0]}}}; use "
            + ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            + ".",
            code=EnrollmentErrorCode.CERTIFICATE_PLACEHOLDER_UNKNOWN,
            field=field,
        )


def _fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each known ``{placeholder}`` replaced (no ``str.format``: a template's
    text must not reach attributes of the values)."""
    return _PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), text)


def certificate_payload(certificate: Certificate) -> dict[str, Any]:
    """The event data of a certificate."""
    user = certificate.user
    replaces = getattr(certificate, "replaces", None)
    return {
        "id": certificate.id,
        "credential_id": certificate.credential_id,
        "user": {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "user_name": certificate.user_name,
        "course": {"id": certificate.course_id, "title": certificate.course_title},
        "issued_at": format_datetime(certificate.issued_at),
        "revoked_at": format_datetime(certificate.revoked_at),
        "revoke_reason": certificate.revoke_reason,
        "replaces": replaces.id if replaces is not None else None,
        "replaced_by": certificate.replaced_by_id,
        "verification_url": verification_url(certificate.id),
    }


@transaction.atomic
def certificate_template_save(
    *, course: Course, title: str, body: str, signature_name: str = ""
) -> CertificateTemplate:
    """Create or change the course's template; certificates already issued keep their text.
    Raises InvalidInput (``certificate_placeholder_unknown``) for a placeholder it cannot
    fill."""
    _check_placeholders("title", title)
    _check_placeholders("body", body)
    template, _ = CertificateTemplate.objects.select_for_update().get_or_create(
        course=course,
        defaults={"school_id": course.school_id, "title": title, "body": body},
    )
    template.title, template.body, template.signature_name = title, body, signature_name
    template.save()
    return template


def _new_certificate(
    *,
    user: User,
    course: Course,
    template: CertificateTemplate,
    issued_at: datetime,
    completion_event_id: str | None = None,
) -> Certificate:
    credential_id = new_credential_id()
    values = {
        "user_name": person_name(user),
        "course_title": course.title,
        "issued_date": issued_at.date().isoformat(),
        "credential_id": credential_id,
    }
    return Certificate(
        school_id=course.school_id,
        user=user,
        course=course,
        credential_id=credential_id,
        issued_at=issued_at,
        user_name=values["user_name"],
        course_title=course.title,
        title=_fill(template.title, values),
        body=_fill(template.body, values),
        signature_name=template.signature_name,
        completion_event_id=completion_event_id,
    )


def _template_of(course: Course) -> CertificateTemplate:
    template = CertificateTemplate.objects.filter(course=course).first()
    if template is None:
        raise Conflict(
            "This course has no certificate template; add one before issuing certificates.",
            code=EnrollmentErrorCode.CERTIFICATE_TEMPLATE_MISSING,
        )
    return template


def _valid(user: User, course: Course) -> Certificate | None:
    return Certificate.objects.filter(user=user, course=course, revoked_at__isnull=True).first()


@transaction.atomic
def certificate_issue(
    *,
    user: User,
    course: Course,
    issued_at: datetime | None = None,
    completion_event_id: str | None = None,
) -> tuple[Certificate, bool]:
    """Issue ``user`` a certificate of ``course`` from its template; ``(certificate,
    created)``. A person who holds a valid one gets it back unchanged.

    Raises InvalidInput (``user_not_in_course_school``) for a person of another school and
    Conflict (``certificate_template_missing``) when the course has no template. Emits
    ``certificate.issued``.
    """
    if user.school_id != course.school_id:
        raise InvalidInput(
            "user: no such user in the course's school.",
            code=EnrollmentErrorCode.USER_NOT_IN_COURSE_SCHOOL,
            field="user",
        )
    template = _template_of(course)
    existing = _valid(user, course)
    if existing is not None:
        return existing, False
    certificate = _new_certificate(
        user=user,
        course=course,
        template=template,
        issued_at=issued_at or timezone.now(),
        completion_event_id=completion_event_id,
    )
    try:
        with transaction.atomic():
            certificate.save(force_insert=True)
    except IntegrityError as exc:
        if violates(exc, "enr_certificate_one_valid"):
            return _valid(user, course), False
        if violates(exc, "enrollments_certificate.completion_event_id"):
            return Certificate.objects.get(completion_event_id=completion_event_id), False
        raise
    emit(course.school, "certificate.issued", certificate_payload(certificate))
    return certificate, True


def _locked(certificate: Certificate) -> Certificate:
    """The certificate's row, locked; Conflict (``certificate_revoked``) once revoked."""
    locked = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("school", "user", "course")
        .get(pk=certificate.pk)
    )
    if locked.revoked_at is not None:
        raise Conflict(
            "This certificate is already revoked.",
            code=EnrollmentErrorCode.CERTIFICATE_REVOKED,
        )
    return locked


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str = "") -> Certificate:
    """Revoke a valid certificate; it stays, marked revoked. Raises Conflict
    (``certificate_revoked``) when it already is. Emits ``certificate.revoked``."""
    certificate = _locked(certificate)
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason
    certificate.save(update_fields=["revoked_at", "revoke_reason", "updated_at"])
    emit(certificate.school, "certificate.revoked", certificate_payload(certificate))
    return certificate


@transaction.atomic
def certificate_reissue(*, certificate: Certificate) -> Certificate:
    """Replace a valid certificate by a new one (new id and credential id, today's template
    and name); the old one is revoked and points at it. Raises Conflict
    (``certificate_revoked``) for a revoked certificate. Emits ``certificate.revoked`` and
    ``certificate.issued``."""
    old = _locked(certificate)
    template = _template_of(old.course)
    old.revoked_at = timezone.now()
    old.revoke_reason = "Reissued"
    old.save(update_fields=["revoked_at", "revoke_reason", "updated_at"])
    new = _new_certificate(
        user=old.user, course=old.course, template=template, issued_at=timezone.now()
    )
    new.save(force_insert=True)
    old.replaced_by = new
    old.save(update_fields=["replaced_by", "updated_at"])
    new.replaces = old
    emit(old.school, "certificate.revoked", certificate_payload(old))
    emit(old.school, "certificate.issued", certificate_payload(new))
    return new


def certificate_on_completion(event: Event) -> None:
    """Events subscriber: issue the certificate an ``enrollment.completed`` event earns.

    Reads ``user.id``, ``course.id``, ``completed_at`` and ``success_status`` of the payload.
    Nothing happens for a completion marked ``FAILED``, for a course without a template, for
    a person or course no longer there, or for an event already handled (the outbox may
    redeliver it).
    """
    if event.type != COMPLETION_EVENT:
        return
    payload = event.payload if isinstance(event.payload, dict) else {}
    if payload.get("success_status") == "FAILED":
        return
    user_id = (payload.get("user") or {}).get("id")
    course_id = (payload.get("course") or {}).get("id")
    course = Course.objects.filter(pk=course_id, school_id=event.school_id).first()
    user = User.objects.filter(pk=user_id, school_id=event.school_id).first()
    if course is None or user is None:
        logger.warning("%s names no current user and course; no certificate", event.id)
        return
    if not CertificateTemplate.objects.filter(course=course).exists():
        return
    if Certificate.objects.filter(completion_event_id=event.id).exists():
        return
    completed_at = _parse_time(payload.get("completed_at"))
    with transaction.atomic():
        certificate_issue(
            user=user, course=course, issued_at=completed_at, completion_event_id=event.id
        )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else None
