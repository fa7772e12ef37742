"""Writes of enrollments in published courses and paths.

Creation is idempotent on (publication, user, ``enrolled_at``) as Skilljar's is: the same
pair answers the enrollment that exists; another ``enrolled_at`` (or none: now) is a new
enrollment. A unique constraint decides under concurrency, never a racy pre-check alone.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.catalog.models import Course, PathItem, PublishedCourse, PublishedPath
from apps.core.errors import Conflict, InvalidInput, violates
from apps.core.events import emit, pending
from apps.core.inserts import insert_unless_taken
from apps.core.models import Event, Job
from apps.core.services import job_advance, job_create, job_start, job_succeed
from apps.core.times import format_datetime
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import Enrollment, EnrollmentSource, PathEnrollment
from apps.enrollments.services.progress import (
    ProgressMissing,
    progress_missing,
    progress_rows_ensure,
)
from apps.schools.models import Domain, Member, User
from apps.schools.services.domains import domain_access_ensure


@dataclass(frozen=True)
class Purchase:
    """The ``purchase`` block given on creation, in minor units (``apps.core.money``)."""

    purchase_state: str
    currency_code: str = ""
    offer_price_cents: int | None = None
    price_cents: int | None = None
    tax_price_cents: int = 0
    quantity: int = 1
    order_id: str = ""
    purchase_id: str = ""
    payment_processor: str = ""
    purchased_at: datetime | None = None

    def columns(self) -> dict[str, Any]:
        return {
            "purchase_state": self.purchase_state,
            "purchase_currency_code": self.currency_code,
            "purchase_offer_price_cents": self.offer_price_cents,
            "purchase_price_cents": self.price_cents,
            "purchase_tax_price_cents": self.tax_price_cents,
            "purchase_quantity": self.quantity,
            "purchase_order_id": self.order_id,
            "purchase_id": self.purchase_id,
            "purchase_payment_processor": self.payment_processor,
            "purchased_at": self.purchased_at,
        }


def _user_ref(user: User) -> dict[str, str]:
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }


def _common_payload(enrollment: Enrollment | PathEnrollment) -> dict[str, Any]:
    return {
        "id": enrollment.id,
        "user": _user_ref(enrollment.user),
        "enrolled_at": format_datetime(enrollment.enrolled_at),
        "expires_at": format_datetime(enrollment.expires_at),
        "active": enrollment.active,
        "source": enrollment.source,
        "purchase": enrollment.purchase_block(),
    }


def enrollment_payload(enrollment: Enrollment) -> dict[str, Any]:
    """The event data of a course enrollment."""
    published = enrollment.published_course
    return {
        **_common_payload(enrollment),
        "course": {"id": enrollment.course_id, "title": enrollment.course.title},
        "published_course_id": enrollment.published_course_id,
        "domain": published.domain.name if published is not None else None,
        "path_enrollment_id": enrollment.path_enrollment_id,
    }


def path_enrollment_payload(enrollment: PathEnrollment) -> dict[str, Any]:
    """The event data of a path enrollment."""
    published = enrollment.published_path
    return {
        **_common_payload(enrollment),
        "path": {"id": enrollment.path_id, "title": enrollment.path.title},
        "published_path_id": enrollment.published_path_id,
        "domain": published.domain.name if published is not None else None,
    }


def normalize_enrolled_at(value: datetime | None) -> datetime:
    """UTC at microsecond precision (``Z`` and ``+00:00`` are one instant); now when None."""
    value = timezone.now() if value is None else value
    if timezone.is_naive(value):
        raise InvalidInput("enrolled_at needs a time zone.", field="enrolled_at")
    return value.astimezone(UTC)


def member_of(school_id: str, user: User, member: Member | None = None) -> Member:
    """The person's membership in the school (``member`` when the caller has it): 400 when
    they are not in it, 409 when the school has suspended them."""
    if member is None or member.user_id != user.pk:
        member = (
            Member.objects.filter(school_id=school_id, user=user).first()
            if user.school_id == school_id
            else None
        )
    if member is not None and member.school_id != school_id:
        member = None
    if member is None or member.anonymized_at is not None or not user.is_active:
        raise InvalidInput(
            "user.id: no such user in this school.",
            code=EnrollmentErrorCode.NOT_A_MEMBER,
            field="user.id",
        )
    if member.status == Member.Status.SUSPENDED:
        raise Conflict(
            "The user is suspended in this school and cannot be enrolled.",
            code=EnrollmentErrorCode.USER_SUSPENDED,
            field="user.id",
        )
    return member


def _check_dates(enrolled_at: datetime, expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= enrolled_at:
        raise InvalidInput(
            "expires_at must be after enrolled_at.",
            code=EnrollmentErrorCode.EXPIRES_BEFORE_ENROLLED,
            field="expires_at",
        )


def _check_registration_window(published: PublishedCourse) -> None:
    now = timezone.now()
    starts, ends = published.registration_starts_at, published.registration_ends_at
    if (starts is not None and now < starts) or (ends is not None and now >= ends):
        raise Conflict(
            "Registration for this course is closed: it runs from "
            f"{starts.isoformat() if starts else 'any time'} to "
            f"{ends.isoformat() if ends else 'any time'}.",
            code=EnrollmentErrorCode.REGISTRATION_CLOSED,
        )


def insert_once(row: Enrollment | PathEnrollment, *constraints: str) -> bool:
    """Save a new enrollment in a savepoint; False when one of ``constraints`` says it
    exists."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError as exc:
        if any(violates(exc, constraint) for constraint in constraints):
            return False
        raise
    return True


def _create_once(
    model: type[Enrollment] | type[PathEnrollment],
    *,
    publication: dict[str, PublishedCourse | PublishedPath],
    user: User,
    enrolled_at: datetime | None,
    expires_at: datetime | None,
    fields: dict[str, Any],
    check: Callable[[], None],
    insert: Callable[[Any], bool],
) -> tuple[Any, bool]:
    """The idempotent creation both enrollment kinds share; ``(row, created)``.

    ``enrolled_at`` is normalised; the same (``publication``, user, ``enrolled_at``) answers
    the row that exists, unchecked and unchanged. Otherwise ``check`` runs (rules of this
    kind), then the dates are checked and ``insert`` writes the new row with ``fields`` and
    what follows it (access, progress, events). When ``insert`` finds that a concurrent twin
    won (its unique constraint, one statement, no savepoint), that twin is answered instead.
    """
    given = enrolled_at is not None
    enrolled_at = normalize_enrolled_at(enrolled_at)
    key = {**publication, "user": user, "enrolled_at": enrolled_at}
    # "now" is new: the constraint alone settles a clash within a microsecond.
    existing = model.objects.filter(**key).first() if given else None
    if existing is not None:
        return existing, False
    check()
    _check_dates(enrolled_at, expires_at)
    row = model(**key, expires_at=expires_at, **fields)
    if not insert(row):
        return model.objects.get(**key), False
    return row, True


@transaction.atomic
def enrollment_create(
    *,
    published_course: PublishedCourse,
    user: User,
    enrolled_at: datetime | None = None,
    expires_at: datetime | None = None,
    active: bool = True,
    purchase: Purchase | None = None,
    source: str = EnrollmentSource.API,
    member: Member | None = None,
    completion_redirect: str = "",
) -> tuple[Enrollment, bool]:
    """Enroll ``user`` in a published course; ``(enrollment, created)``.

    The same (user, ``enrolled_at``) on this publication answers the existing enrollment
    unchanged. The person gets access to the publication's domain, and progress rows for
    every lesson. Emits ``enrollment.created``.
    """
    domain = published_course.domain
    member = member_of(domain.school_id, user, member)

    def insert(row: Enrollment) -> bool:
        # What the person lacks, and the access, come first: the enrollment and its event
        # are then one statement (the losing twin of a concurrent request grants access too,
        # which it has through the winner's enrollment).
        missing = _access_granted(row, domain=domain, member=member)
        event = pending(row.school, "enrollment.created", enrollment_payload(row))
        if not insert_unless_taken(row, "enr_enrollment_once", event=event):
            return False
        progress_rows_ensure(user=row.user, course=row.course, missing=missing)
        return True

    return _create_once(
        Enrollment,
        publication={"published_course": published_course},
        user=user,
        enrolled_at=enrolled_at,
        expires_at=expires_at,
        fields={
            "school": domain.school,
            "course": published_course.course,
            "active": active,
            "source": source,
            "completion_redirect": completion_redirect,
            **(purchase.columns() if purchase is not None else {}),
        },
        check=lambda: _check_registration_window(published_course),
        insert=insert,
    )


def enrollment_granted(enrollment: Enrollment, *, domain: Domain | None, member: Member) -> None:
    """What follows a new course enrollment: domain access, progress rows, the event."""
    missing = _access_granted(enrollment, domain=domain, member=member)
    progress_rows_ensure(user=enrollment.user, course=enrollment.course, missing=missing)
    emit(enrollment.school, "enrollment.created", enrollment_payload(enrollment))


def _access_granted(
    enrollment: Enrollment, *, domain: Domain | None, member: Member
) -> ProgressMissing:
    """Grant ``member`` access to ``domain`` (when given) and answer what they lack in the
    enrollment's course; both read in one statement."""
    missing = progress_missing(
        user=enrollment.user,
        course=enrollment.course,
        access=(domain, member) if domain is not None else None,
    )
    if domain is not None:
        domain_access_ensure(domain=domain, member=member, has_record=not missing.access_record)
    return missing


def _changes(row: Enrollment | PathEnrollment, fields: dict[str, Any]) -> list[str]:
    changed = [name for name in ("active", "expires_at") if name in fields]
    changed = [name for name in changed if getattr(row, name) != fields[name]]
    for name in changed:
        setattr(row, name, fields[name])
    if "expires_at" in changed:
        _check_dates(row.enrolled_at, row.expires_at)
    return changed


@transaction.atomic
def enrollment_update(*, enrollment: Enrollment, **fields: Any) -> Enrollment:
    """Change ``active`` and/or ``expires_at`` (nothing else changes after creation).
    Emits ``enrollment.updated`` when something did change."""
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("school", "user", "course", "published_course__domain")
        .get(pk=enrollment.pk)
    )
    changed = _changes(enrollment, fields)
    if changed:
        enrollment.save(update_fields=[*changed, "updated_at"])
        emit(enrollment.school, "enrollment.updated", enrollment_payload(enrollment))
    return enrollment


@transaction.atomic
def path_enrollment_create(
    *,
    published_path: PublishedPath,
    user: User,
    enrolled_at: datetime | None = None,
    expires_at: datetime | None = None,
    active: bool = True,
    purchase: Purchase | None = None,
    source: str = EnrollmentSource.API,
    member: Member | None = None,
    completion_redirect: str = "",
) -> tuple[PathEnrollment, bool]:
    """Enroll ``user`` in a published path and in each of its courses; ``(enrollment,
    created)``, idempotent on (user, ``enrolled_at``) like a course enrollment.

    Each course enrollment uses the course's publication on the path's domain when there is
    one and follows the path enrollment's ``active`` and ``expires_at``. Emits
    ``path.enrollment.created`` and an ``enrollment.created`` per course.
    ``completion_redirect`` is given to each course enrollment.
    """
    domain = published_path.domain
    member = member_of(domain.school_id, user, member)

    def insert(row: PathEnrollment) -> bool:
        if not insert_unless_taken(row, "enr_pathenr_once"):
            return False
        domain_access_ensure(domain=domain, member=member)
        path_enrollment_granted(
            row, domain=domain, member=member, completion_redirect=completion_redirect
        )
        return True

    return _create_once(
        PathEnrollment,
        publication={"published_path": published_path},
        user=user,
        enrolled_at=enrolled_at,
        expires_at=expires_at,
        fields={
            "school": domain.school,
            "path": published_path.path,
            "active": active,
            "source": source,
            **(purchase.columns() if purchase is not None else {}),
        },
        check=lambda: None,
        insert=insert,
    )


def path_enrollment_granted(
    enrollment: PathEnrollment,
    *,
    domain: Domain | None,
    member: Member,
    completion_redirect: str = "",
) -> None:
    """What follows a new path enrollment: ``path.enrollment.created`` and an enrollment in
    each of the path's courses, in path order, using the course's publication on ``domain``
    when there is one (a path enrollment without a publication grants its courses without
    publications)."""
    emit(enrollment.school, "path.enrollment.created", path_enrollment_payload(enrollment))
    # This path's items in order (a course in several paths is listed once, at its place here).
    items = PathItem.objects.filter(path=enrollment.path).select_related("course").order_by("order")
    courses = [item.course for item in items]
    publications = (
        {
            published.course_id: published
            for published in PublishedCourse.objects.filter(
                domain=domain, course__in=[course.pk for course in courses]
            )
        }
        if domain is not None
        else {}
    )
    for course in courses:
        _path_course_enroll(
            enrollment, course, publications.get(course.pk), member, completion_redirect
        )


def _path_course_enroll(
    path_enrollment: PathEnrollment,
    course: Course,
    published: PublishedCourse | None,
    member: Member,
    completion_redirect: str = "",
) -> bool:
    """The course enrollment a path enrollment grants (skipped when the person already has
    one on that publication at the same moment: it is the same enrollment); True when it
    is new."""
    enrollment = Enrollment(
        school=path_enrollment.school,
        user=path_enrollment.user,
        course=course,
        published_course=published,
        path_enrollment=path_enrollment,
        enrolled_at=path_enrollment.enrolled_at,
        expires_at=path_enrollment.expires_at,
        active=path_enrollment.active,
        source=EnrollmentSource.PATH,
        completion_redirect=completion_redirect,
    )
    if not insert_once(enrollment, "enr_enrollment_once", "enr_enrollment_once_per_path"):
        return False
    enrollment_granted(enrollment, domain=None, member=member)
    return True


@transaction.atomic
def path_enrollment_update(*, enrollment: PathEnrollment, **fields: Any) -> PathEnrollment:
    """Change ``active`` and/or ``expires_at``; the course enrollments the path granted
    follow. Emits ``path.enrollment.updated`` and ``enrollment.updated`` per course changed."""
    enrollment = (
        PathEnrollment.objects.select_for_update(of=("self",))
        .select_related("school", "user", "path", "published_path__domain")
        .get(pk=enrollment.pk)
    )
    changed = _changes(enrollment, fields)
    if not changed:
        return enrollment
    enrollment.save(update_fields=[*changed, "updated_at"])
    emit(enrollment.school, "path.enrollment.updated", path_enrollment_payload(enrollment))
    granted = enrollment.course_enrollments.all()
    for course_enrollment in granted:
        enrollment_update(enrollment=course_enrollment, **{name: fields[name] for name in changed})
    return enrollment


# --- courses joining a path ------------------------------------------------------------------

PATH_COURSE_GRANT_KIND = "enrollments.path_course_grant"
PATH_ITEM_EVENTS = ("path.item.created", "path.item.updated")
# Path enrollments granted per transaction (and per progress step of the job).
PATH_COURSE_GRANT_BATCH = 200


def path_course_grant_on_event(event: Event) -> None:
    """Events subscriber: a course that joined a path (``path.item.created``, or
    ``path.item.updated`` putting another course in place) is granted to everyone enrolled
    in the path, by a job (a path may have many people). One job per event, so an event
    the outbox delivers twice is granted once."""
    if event.type not in PATH_ITEM_EVENTS:
        return
    payload = event.payload if isinstance(event.payload, dict) else {}
    path_id = (payload.get("path") or {}).get("id")
    course_id = (payload.get("course") or {}).get("id")
    if not path_id or not course_id:
        return
    if not PathEnrollment.objects.filter(path_id=path_id, school_id=event.school_id).exists():
        return
    if Job.objects.filter(kind=PATH_COURSE_GRANT_KIND, params__event_id=event.id).exists():
        return
    with transaction.atomic():
        job = job_create(
            school=event.school,
            kind=PATH_COURSE_GRANT_KIND,
            scope="read:enrollments",
            params={"event_id": event.id, "path_id": path_id, "course_id": course_id},
        )
        transaction.on_commit(lambda: _queue_path_course_grant(job.id))


def _queue_path_course_grant(job_id: str) -> None:
    from apps.enrollments.tasks import path_course_grant_task

    path_course_grant_task.delay(job_id)


def path_course_grant_run(*, job: Job) -> Job:
    """Enroll everyone enrolled in the job's path in its course, as their path enrollment
    grants its courses (same dates, active flag, publication on the path's domain). Safe
    to run again: a person who has it from this path enrollment is skipped."""
    course = Course.objects.filter(pk=job.params["course_id"], school_id=job.school_id).first()
    in_path = PathItem.objects.filter(
        path_id=job.params["path_id"], course_id=job.params["course_id"]
    ).exists()
    if course is None or not in_path:  # removed again before the job ran
        return job_succeed(job=job, result={"granted": 0, "skipped": True})
    path_enrollments = PathEnrollment.objects.filter(
        path_id=job.params["path_id"], school_id=job.school_id
    ).select_related("school", "user", "published_path__domain")
    job_start(job=job, total=path_enrollments.count())
    granted, last = 0, ""
    while True:
        batch = list(path_enrollments.filter(pk__gt=last).order_by("pk")[:PATH_COURSE_GRANT_BATCH])
        if not batch:
            break
        with transaction.atomic():
            for path_enrollment in batch:
                granted += _path_course_grant_one(path_enrollment, course)
        job_advance(job=job, done=len(batch))
        last = batch[-1].pk
    return job_succeed(job=job, result={"course_id": course.id, "granted": granted})


def _path_course_grant_one(path_enrollment: PathEnrollment, course: Course) -> int:
    """1 when ``path_enrollment`` newly granted ``course``, else 0."""
    if Enrollment.objects.filter(path_enrollment=path_enrollment, course=course).exists():
        return 0
    published_path = path_enrollment.published_path
    publication = (
        PublishedCourse.objects.filter(domain_id=published_path.domain_id, course=course).first()
        if published_path is not None
        else None
    )
    member = member_of(path_enrollment.school_id, path_enrollment.user)
    return int(_path_course_enroll(path_enrollment, course, publication, member))


# --- enrollments another record grants (commerce's plans) ----------------------------------


def course_enrollment_grant(
    *,
    user: User,
    member: Member,
    course: Course,
    published_course: PublishedCourse | None,
    enrolled_at: datetime,
    expires_at: datetime | None,
    active: bool,
    source: str,
) -> Enrollment | None:
    """A course enrollment granted by something the person holds elsewhere (a plan, in
    commerce, which keeps the link): no registration window, the grantor's dates and active
    flag, then progress rows and ``enrollment.created``. None when the person already has
    that very enrollment (same publication, same ``enrolled_at``); the caller makes sure it
    asks once per grant (an enrollment without a publication has no unique key)."""
    enrollment = Enrollment(
        school_id=member.school_id,
        user=user,
        course=course,
        published_course=published_course,
        enrolled_at=enrolled_at,
        expires_at=expires_at,
        active=active,
        source=source,
    )
    if not insert_once(enrollment, "enr_enrollment_once"):
        return None
    enrollment_granted(enrollment, domain=None, member=member)
    return enrollment
