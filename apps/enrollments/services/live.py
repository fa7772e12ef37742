"""Writes of live-session registrations: register an enrolled person, record attendance.

Seats are counted under a lock on the row that holds them (the session, or the
multi-session event its sessions share), so concurrent registrations for the last seat
give one registration and refusals, never an overbooked session.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.catalog.models import IltMultiSessionEvent, IltSession
from apps.core.errors import Conflict, InvalidInput, violates
from apps.core.events import emit
from apps.core.times import format_datetime
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import Enrollment, ViltSessionRegistration
from apps.enrollments.selectors.enrollments import current


def vilt_registration_payload(registration: ViltSessionRegistration) -> dict[str, Any]:
    """The event data of a registration."""
    session = registration.session
    user = registration.user
    course = registration.enrollment.course
    return {
        "id": registration.id,
        "vilt_session": {
            "id": session.id,
            "display_name": session.display_name,
            "starts_at": format_datetime(session.starts_at),
            "ends_at": format_datetime(session.ends_at),
            "multi_session_event_id": session.multi_session_event_id,
        },
        "enrollment_id": registration.enrollment_id,
        "user": {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "course": {"id": course.id, "title": course.title},
        "attended": registration.attended,
        "created_at": format_datetime(registration.created_at),
    }


def _session_course_id(session: IltSession) -> str:
    """The course a session teaches: its lesson's, or its multi-session event's lesson's."""
    if session.multi_session_event_id is not None:
        return session.multi_session_event.lesson.course_id
    return session.lesson.course_id


def _seats_left_for(session: IltSession, user_id: str) -> bool:
    """Whether ``user_id`` may take a seat: locks the row holding the seats, then counts the
    people registered against it (a person already holding a seat of the event keeps it)."""
    if session.multi_session_event_id is not None:
        holder = IltMultiSessionEvent.objects.select_for_update().get(
            pk=session.multi_session_event_id
        )
        taken = ViltSessionRegistration.objects.filter(session__multi_session_event=holder).values(
            "user_id"
        )
    else:
        holder = IltSession.objects.select_for_update().get(pk=session.pk)
        taken = ViltSessionRegistration.objects.filter(session=holder).values("user_id")
    if holder.seats_total is None or taken.filter(user_id=user_id).exists():
        return True
    return taken.distinct().count() < holder.seats_total


@transaction.atomic
def vilt_registration_create(
    *, session: IltSession, enrollment: Enrollment
) -> tuple[ViltSessionRegistration, bool]:
    """Register the enrollment's person for ``session``; ``(registration, created)``.

    Registering a person twice for one session answers the registration that exists.
    Raises InvalidInput (``enrollment_not_in_session_course``) when the enrollment is in
    another course, Conflict when it gives no access (``enrollment_inactive``), when the
    session has ended (``session_over``) or when no seat is left (``session_full``).
    Emits ``vilt.registration.created``.
    """
    session = IltSession.objects.select_related(
        "school", "lesson", "multi_session_event__lesson"
    ).get(pk=session.pk)
    if _session_course_id(session) != enrollment.course_id:
        raise InvalidInput(
            "enrollment_id: the enrollment is not in the course this session belongs to.",
            code=EnrollmentErrorCode.ENROLLMENT_NOT_IN_SESSION_COURSE,
            field="enrollment_id",
        )
    if not current(Enrollment.objects.filter(pk=enrollment.pk)).exists():
        raise Conflict(
            "The enrollment is inactive or expired; it gives no access to the course.",
            code=EnrollmentErrorCode.ENROLLMENT_INACTIVE,
            field="enrollment_id",
        )
    if session.ends_at <= timezone.now():
        raise Conflict(
            "This session has ended; registration is closed.",
            code=EnrollmentErrorCode.SESSION_OVER,
        )
    has_seat = _seats_left_for(session, enrollment.user_id)
    existing = ViltSessionRegistration.objects.filter(
        session=session, user_id=enrollment.user_id
    ).first()
    if existing is not None:
        return existing, False
    if not has_seat:
        raise Conflict(
            "Every seat of this session is taken.", code=EnrollmentErrorCode.SESSION_FULL
        )
    registration = ViltSessionRegistration(
        school=session.school, session=session, enrollment=enrollment, user_id=enrollment.user_id
    )
    try:
        with transaction.atomic():
            registration.save(force_insert=True)
    except IntegrityError as exc:
        if violates(exc, "enr_viltreg_once"):
            return ViltSessionRegistration.objects.get(
                session=session, user_id=enrollment.user_id
            ), False
        raise
    registration = ViltSessionRegistration.objects.select_related(
        "user", "enrollment__course", "session"
    ).get(pk=registration.pk)
    emit(session.school, "vilt.registration.created", vilt_registration_payload(registration))
    return registration, True


@transaction.atomic
def vilt_registration_update(
    *, registration: ViltSessionRegistration, attended: bool | None
) -> ViltSessionRegistration:
    """Record whether the person attended (the only field that changes)."""
    registration = ViltSessionRegistration.objects.select_for_update().get(pk=registration.pk)
    if registration.attended != attended:
        registration.attended = attended
        registration.save(update_fields=["attended", "updated_at"])
    return registration
