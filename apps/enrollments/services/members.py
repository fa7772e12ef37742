"""Writes of Coursepath's course and program members: enrollments without a publication.

Coursepath has no domains: a person is added to a course or a program (a path) directly.
These enrollments have no publication and ``source`` ``members``; a partial unique
constraint keeps one per (course or path, person), so concurrent adds make one. Removing a
person from a course deletes their learning results there, as Coursepath documents.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Course, Path, PublishedCourse, PublishedPath
from apps.core.errors import Conflict, NotFound
from apps.core.events import emit
from apps.core.times import format_datetime
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import (
    CourseProgress,
    Enrollment,
    EnrollmentSource,
    LessonProgress,
    PathEnrollment,
)
from apps.enrollments.selectors.enrollments import current
from apps.enrollments.services.enrollments import (
    enrollment_granted,
    enrollment_update,
    insert_once,
    member_of,
    path_enrollment_granted,
    path_enrollment_update,
)
from apps.schools.models import Domain, Invite, Member, User
from apps.schools.services.domains import domain_user_add
from apps.schools.services.invites import invite_create
from apps.schools.services.people import user_create


def _user_ref(user: User) -> dict[str, str]:
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }


def _derived_names(email: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Coursepath derives a name from the e-mail when none is given: ``jane.doe@x`` is
    Jane Doe. A name given (even blank) is kept as given."""
    if "first_name" in fields or "last_name" in fields:
        return fields
    parts = [part for part in email.partition("@")[0].replace("_", ".").split(".") if part]
    if not parts:
        return fields
    first, *rest = (part[:150].capitalize() for part in parts)
    return {**fields, "first_name": first, "last_name": " ".join(rest)[:150]}


@transaction.atomic
def course_member_add(*, course: Course, member: Member) -> tuple[Enrollment | None, bool]:
    """Enroll ``member`` in ``course`` as Coursepath does (no publication, ``source``
    ``members``); ``(enrollment, created)``.

    A person who already has access to the course (an active, unexpired enrollment of any
    kind) is left as they are: ``(that enrollment, False)``. A members enrollment that was
    deactivated or expired is reactivated without expiry (``enrollment.updated``). Otherwise
    a new enrollment with progress rows (``enrollment.created``).
    """
    member = member_of(course.school_id, member.user, member)
    user = member.user
    existing = current(Enrollment.objects.filter(course=course, user=user)).first()
    if existing is not None:
        return existing, False
    enrollment = Enrollment(
        school=course.school,
        user=user,
        course=course,
        enrolled_at=timezone.now(),
        source=EnrollmentSource.MEMBERS,
    )
    if not insert_once(enrollment, "enr_enrollment_member_once"):
        lapsed = Enrollment.objects.get(course=course, user=user, source=EnrollmentSource.MEMBERS)
        return enrollment_update(enrollment=lapsed, active=True, expires_at=None), False
    enrollment_granted(enrollment, domain=None, member=member)
    return enrollment, True


@transaction.atomic
def course_member_create(
    *, course: Course, email: str, **fields: Any
) -> tuple[Member, Enrollment | None, bool]:
    """Coursepath's ``POST courses/{id}/members``: the school's person with ``email`` (made
    when new, names derived from the e-mail when none are given; an existing person is
    unchanged), enrolled in ``course``. ``(member, enrollment, enrollment created)``."""
    member, _created = user_create(
        school=course.school, email=email, **_derived_names(email, fields)
    )
    enrollment, created = course_member_add(course=course, member=member)
    return member, enrollment, created


def removal_payload(
    *, user: User, course: Course | None = None, path: Path | None = None, ids: list[str]
) -> dict[str, Any]:
    """The data of ``enrollment.removed`` / ``path.enrollment.removed``."""
    target = course if course is not None else path
    return {
        ("course" if course is not None else "path"): {"id": target.pk, "title": target.title},
        "user": _user_ref(user),
        "enrollment_ids": ids,
        "removed_at": format_datetime(timezone.now()),
    }


@transaction.atomic
def course_member_remove(*, course: Course, user: User) -> None:
    """Remove the person from ``course`` with their learning results there: every enrollment
    in the course (however made), their course progress and lesson progress (progress tokens
    follow). ``NotFound`` when they have neither an enrollment nor progress in it. Emits
    ``enrollment.removed``."""
    enrollments = Enrollment.objects.filter(course=course, user=user)
    ids = sorted(enrollments.values_list("id", flat=True))
    progress = CourseProgress.objects.filter(course=course, user=user)
    if not ids and not progress.exists():
        raise NotFound("This user is not a member of this course.")
    enrollments.delete()
    LessonProgress.objects.filter(course=course, user=user).delete()
    progress.delete()
    emit(course.school, "enrollment.removed", removal_payload(user=user, course=course, ids=ids))


@transaction.atomic
def path_member_add(*, path: Path, member: Member) -> tuple[PathEnrollment, bool]:
    """Enroll ``member`` in the program ``path`` (no publication, ``source`` ``members``)
    and, through the path, in each of its courses; ``(path enrollment, created)``.

    An existing members enrollment in the path answers unchanged when it gives access, and
    is reactivated without expiry when it does not (its course enrollments follow).
    """
    member = member_of(path.school_id, member.user, member)
    enrollment = PathEnrollment(
        school=path.school,
        user=member.user,
        path=path,
        enrolled_at=timezone.now(),
        source=EnrollmentSource.MEMBERS,
    )
    if not insert_once(enrollment, "enr_pathenr_member_once"):
        existing = PathEnrollment.objects.get(
            path=path, user=member.user, source=EnrollmentSource.MEMBERS
        )
        return path_enrollment_update(enrollment=existing, active=True, expires_at=None), False
    path_enrollment_granted(enrollment, domain=None, member=member)
    return enrollment, True


@transaction.atomic
def path_member_create(
    *, path: Path, email: str, **fields: Any
) -> tuple[Member, PathEnrollment, bool]:
    """Coursepath's ``POST programs/{id}/members``: the school's person with ``email`` (made
    when new), enrolled in the program; ``(member, path enrollment, created)``."""
    member, _created = user_create(school=path.school, email=email, **_derived_names(email, fields))
    enrollment, created = path_member_add(path=path, member=member)
    return member, enrollment, created


@transaction.atomic
def path_member_remove(*, path: Path, user: User) -> None:
    """Remove the person from the program: their enrollments in the path and the course
    enrollments those granted (their progress in the courses stays). ``NotFound`` when they
    have no enrollment in the path. Emits ``path.enrollment.removed``."""
    enrollments = PathEnrollment.objects.filter(path=path, user=user)
    ids = sorted(enrollments.values_list("id", flat=True))
    if not ids:
        raise NotFound("This user is not a member of this program.")
    # The course enrollments a path enrollment granted go with it (on_delete CASCADE).
    enrollments.delete()
    emit(path.school, "path.enrollment.removed", removal_payload(user=user, path=path, ids=ids))


def _invite_domain(published: PublishedCourse | PublishedPath | None, what: str) -> Domain:
    if published is None:
        raise Conflict(
            f"The {what} is published on no domain, so an invitation has nowhere to lead.",
            code=EnrollmentErrorCode.NOT_PUBLISHED_FOR_INVITE,
        )
    return published.domain


def _invite(*, domain: Domain, member: Member, mail: dict[str, str]) -> Invite:
    domain_user, _created = domain_user_add(domain=domain, member=member)
    return invite_create(
        domain_user=domain_user,
        mail_subject=mail.get("subject", ""),
        mail_body=mail.get("body", ""),
        mail_action=mail.get("action", ""),
    )


@transaction.atomic
def course_member_invite(*, course: Course, member: Member, mail: dict[str, str]) -> Invite:
    """E-mail a course member an invitation (``mail`` overrides subject, body and button),
    through the schools' invites: the link activates their access to the domain the course
    was first published on, where the course is. 404 when they are not in the course, 409
    ``not_published_for_invite`` when the course is on no domain."""
    if not Enrollment.objects.filter(course=course, user=member.user).exists():
        raise NotFound("This user is not a member of this course.")
    published = (
        PublishedCourse.objects.select_related("domain__school")
        .filter(course=course)
        .order_by("id")
        .first()
    )
    return _invite(domain=_invite_domain(published, "course"), member=member, mail=mail)


@transaction.atomic
def path_member_invite(*, path: Path, member: Member, mail: dict[str, str]) -> Invite:
    """E-mail a program member an invitation, as ``course_member_invite`` does, to the
    domain the path was first published on."""
    if not PathEnrollment.objects.filter(path=path, user=member.user).exists():
        raise NotFound("This user is not a member of this program.")
    published = (
        PublishedPath.objects.select_related("domain__school")
        .filter(path=path)
        .order_by("id")
        .first()
    )
    return _invite(domain=_invite_domain(published, "program"), member=member, mail=mail)
