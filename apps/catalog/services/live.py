"""Writes of live training: multi-session events, ILT sessions and the instructors they name."""

from collections.abc import Iterable
from email.utils import getaddresses
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from apps.catalog.codes import CatalogErrorCode
from apps.catalog.models import (
    IltInstructor,
    IltMultiSessionEvent,
    IltSession,
    Lesson,
    LessonType,
    SessionProvider,
)
from apps.core.email_identity import EmailRefused, email_key, normalize_email
from apps.core.errors import InvalidInput
from apps.core.events import emit
from apps.core.html import sanitize_html
from apps.core.times import format_datetime, is_time_zone
from apps.core.validators import refuse_control_characters
from apps.schools.models import School, Tag
from apps.schools.services.people import tags_resolve

HTML_FIELDS = ("description", "post_registration_instructions")
# Fields a session of a multi-session event leaves to its event.
_EVENT_OWNED = ("seats_total", "tags")
# Fields only a calendar session (one without a meeting provider) may carry.
_CALENDAR_ONLY = ("location", "event_link")


def _check_live_lesson(lesson: Lesson, school: School, field: str = "lesson") -> None:
    if lesson.school_id != school.pk:
        raise InvalidInput(f"{field} does not exist.", field=field)
    if lesson.type != LessonType.LIVE_TRAINING:
        raise InvalidInput(
            f"{field} must be a LIVE_TRAINING lesson, not {lesson.type}.",
            code=CatalogErrorCode.NOT_LIVE_TRAINING,
            field=field,
        )


# --- instructors -----------------------------------------------------------------------------


def parse_instructor_email(value: str, *, provider: str) -> tuple[str, str]:
    """``(name, address)`` from ``address`` or ``Name <address>``; the named form is only
    for calendar sessions. InvalidInput naming ``instructor_email`` otherwise."""
    try:
        refuse_control_characters(value)
    except DjangoValidationError as exc:
        raise InvalidInput(exc.messages[0], field="instructor_email") from None
    found = getaddresses([value])
    # Exactly one address: "a@x.com, b@x.com" would otherwise be read as its first one.
    name, address = found[0] if len(found) == 1 else ("", "")
    try:
        validate_email(address)
        address = normalize_email(address)
    except (DjangoValidationError, EmailRefused):
        raise InvalidInput(
            "instructor_email must be an address or 'Name <address>'.",
            code=CatalogErrorCode.INSTRUCTOR_EMAIL_INVALID,
            field="instructor_email",
        ) from None
    name = name.strip()
    if name and provider != SessionProvider.CALENDAR:
        raise InvalidInput(
            "'Name <address>' is only for calendar sessions; give the address alone.",
            code=CatalogErrorCode.CALENDAR_PROVIDER_ONLY,
            field="instructor_email",
        )
    return name[:255], address


def instructor_record(*, school: School, instructor_email: str, provider: str) -> IltInstructor:
    """The school's instructor for this address and provider, created on first use; a name
    given as ``Name <address>`` is kept up to date."""
    name, address = parse_instructor_email(instructor_email, provider=provider)
    key = email_key(address)
    try:
        with transaction.atomic():
            instructor, created = IltInstructor.objects.get_or_create(
                school=school,
                email_key=key,
                provider=provider,
                defaults={"email": address, "name": name},
            )
    except IntegrityError:  # created by a concurrent request between the read and the write
        instructor = IltInstructor.objects.get(school=school, email_key=key, provider=provider)
        created = False
    if not created and name and instructor.name != name:
        instructor.name = name
        instructor.save(update_fields=["name", "updated_at"])
    return instructor


# --- multi-session events --------------------------------------------------------------------


def multi_session_event_payload(event: IltMultiSessionEvent) -> dict[str, Any]:
    """The event data of a multi-session event."""
    return {
        "id": event.id,
        "lesson_id": event.lesson_id,
        "display_name": event.display_name,
        "seats_total": event.seats_total,
    }


@transaction.atomic
def multi_session_event_create(
    *, school: School, lesson: Lesson, display_name: str, seats_total: int | None = None
) -> IltMultiSessionEvent:
    """A multi-session event of a LIVE_TRAINING lesson of the school."""
    _check_live_lesson(lesson, school)
    event = IltMultiSessionEvent.objects.create(
        school=school, lesson=lesson, display_name=display_name, seats_total=seats_total
    )
    emit(school, "ilt_multi_session_event.created", multi_session_event_payload(event))
    return event


@transaction.atomic
def multi_session_event_update(
    *, event: IltMultiSessionEvent, **fields: Any
) -> IltMultiSessionEvent:
    """Change the given fields (``lesson``, ``display_name``, ``seats_total``);
    ``ilt_multi_session_event.updated`` when something changed."""
    event = IltMultiSessionEvent.objects.select_for_update().get(pk=event.pk)
    if fields.get("lesson") is not None:
        _check_live_lesson(fields["lesson"], event.school)
    changed = [name for name, value in fields.items() if getattr(event, name) != value]
    for name in changed:
        setattr(event, name, fields[name])
    if changed:
        event.save(update_fields=[*changed, "updated_at"])
        emit(event.school, "ilt_multi_session_event.updated", multi_session_event_payload(event))
    return event


# --- sessions --------------------------------------------------------------------------------


def ilt_session_payload(session: IltSession, *, tags: Iterable[Tag]) -> dict[str, Any]:
    """The event data of a session (the instructor by id: the address is personal data)."""
    return {
        "id": session.id,
        "lesson_id": session.lesson_id,
        "multi_session_event_id": session.multi_session_event_id,
        "display_name": session.display_name,
        "starts_at": format_datetime(session.starts_at),
        "ends_at": format_datetime(session.ends_at),
        "timezone": session.timezone,
        "provider": session.provider,
        "instructor_id": session.instructor_id,
        "seats_total": session.seats_total,
        "tags": sorted(tag.name for tag in tags),
    }


def session_tag_names(names: Iterable[str] | None) -> list[str] | None:
    """A session's tag names as given (None: not given), trimmed, without blanks, and each
    once regardless of letter case, the first spelling kept: ``["Ops", " ops", "",
    "Forklift"]`` is ``["Ops", "Forklift"]``."""
    if names is None:
        return None
    kept: dict[str, str] = {}
    for name in names:
        name = name.strip()
        if name:
            kept.setdefault(name.casefold(), name)
    return list(kept.values())


def ilt_session_check(session: IltSession, *, tags: list[str] | None) -> None:
    """400 naming the field for each rule of the seed the session's final state breaks."""
    if (session.lesson_id is None) == (session.multi_session_event_id is None):
        raise InvalidInput(
            "Set exactly one of lesson and multi_session_event.",
            code=CatalogErrorCode.SESSION_PARENT,
            field="lesson" if session.lesson_id is not None else "multi_session_event",
        )
    if session.lesson_id is not None:
        _check_live_lesson(session.lesson, session.school)
    else:
        event = session.multi_session_event
        if event.school_id != session.school_id:
            raise InvalidInput("multi_session_event does not exist.", field="multi_session_event")
        child_values = {"seats_total": session.seats_total, "tags": tags}
        for name in _EVENT_OWNED:
            if child_values[name]:
                raise InvalidInput(
                    f"{name} cannot be set on a session of a multi-session event"
                    + (" (seats live on the event)." if name == "seats_total" else "."),
                    code=CatalogErrorCode.NOT_FOR_MULTI_SESSION_CHILD,
                    field=name,
                )
    if session.provider != SessionProvider.CALENDAR:
        for name in _CALENDAR_ONLY:
            if getattr(session, name):
                raise InvalidInput(
                    f"{name} is only for calendar sessions, not {session.provider}.",
                    code=CatalogErrorCode.CALENDAR_PROVIDER_ONLY,
                    field=name,
                )
    if not is_time_zone(session.timezone):
        raise InvalidInput(
            f"{session.timezone!r} is not an IANA time zone name.",
            code=CatalogErrorCode.INVALID_TIMEZONE,
            field="timezone",
        )
    if session.ends_at <= session.starts_at:
        raise InvalidInput(
            "ends_at must be after starts_at.",
            code=CatalogErrorCode.SESSION_ENDS_BEFORE_START,
            field="ends_at",
        )


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    for name in HTML_FIELDS:
        if name in fields:
            fields[name] = sanitize_html(fields[name] or "")
    for name in _CALENDAR_ONLY:
        if name in fields and fields[name] is None:
            fields[name] = ""
    return fields


@transaction.atomic
def ilt_session_create(
    *,
    school: School,
    instructor_email: str,
    display_name: str,
    starts_at: Any,
    ends_at: Any,
    timezone: str,
    provider: str = SessionProvider.CALENDAR,
    lesson: Lesson | None = None,
    multi_session_event: IltMultiSessionEvent | None = None,
    tags: Iterable[str] | None = None,
    **fields: Any,
) -> IltSession:
    """A session of a LIVE_TRAINING lesson or of a multi-session event; its instructor is
    recorded. InvalidInput naming the field for every seed rule it breaks."""
    tag_names = session_tag_names(tags)
    session = IltSession(
        school=school,
        lesson=lesson,
        multi_session_event=multi_session_event,
        instructor_email=instructor_email,
        provider=provider,
        display_name=display_name,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        **_clean(fields),
    )
    ilt_session_check(session, tags=tag_names)
    session.instructor = instructor_record(
        school=school, instructor_email=instructor_email, provider=provider
    )
    session.save(force_insert=True)
    resolved = tags_resolve(school=school, names=tag_names) if tag_names else []
    if resolved:
        session.tags.set(resolved)
    emit(school, "ilt_session.created", ilt_session_payload(session, tags=resolved))
    return session


@transaction.atomic
def ilt_session_update(
    *, session: IltSession, tags: Iterable[str] | None = None, **fields: Any
) -> IltSession:
    """Change the given fields (PUT and PATCH alike). Naming one parent (lesson or
    multi_session_event) without the other moves the session there. ``tags`` replaces the
    session's tags. ``ilt_session.updated`` when something changed."""
    session = (
        IltSession.objects.select_for_update(of=("self",))
        .select_related("lesson", "multi_session_event", "instructor")
        .get(pk=session.pk)
    )
    fields = _clean(fields)
    if fields.get("lesson") is not None and "multi_session_event" not in fields:
        fields["multi_session_event"] = None
    if fields.get("multi_session_event") is not None and "lesson" not in fields:
        fields["lesson"] = None
    changed = [name for name, value in fields.items() if getattr(session, name) != value]
    for name in changed:
        setattr(session, name, fields[name])
    tag_names = session_tag_names(tags)
    current = list(session.tags.order_by("name"))
    ilt_session_check(session, tags=[tag.name for tag in current] if tags is None else tag_names)
    if "instructor_email" in changed or "provider" in changed:
        session.instructor = instructor_record(
            school=session.school,
            instructor_email=session.instructor_email,
            provider=session.provider,
        )
        changed.append("instructor")
    resolved = current
    if tag_names is not None:
        resolved = tags_resolve(school=session.school, names=tag_names)
        if {tag.pk for tag in resolved} != {tag.pk for tag in current}:
            session.tags.set(resolved)
            changed.append("tags")
    if changed:
        columns = [name for name in dict.fromkeys(changed) if name != "tags"]
        session.save(update_fields=[*columns, "updated_at"])
        emit(session.school, "ilt_session.updated", ilt_session_payload(session, tags=resolved))
    return session
