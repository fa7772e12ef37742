"""Writes of cohorts and their members.

A cohort is made with its own space (``space_create``: private, linked to the cohort's
course, titled like the cohort) and keeps it: the cohort counts as the space's content, so
deleting the space soft-deletes it (``register_space_content`` in ``CommunityConfig``).

Adding people to a cohort, for each person not in it yet: enroll them in the course through
the enrollments app's grant (``course_enrollment_grant``) unless they already have an active
enrollment in it, make them a cohort member, add them to the cohort's space
(``space_members_add``: ``community.member.added``), and emit ``cohort.member.added``.

Adding locks the cohort's row, then the people's school memberships (in id order): two
calls adding the same person, to this cohort or to another of the same course, wait for
each other, so a person is a member once and enrolled once.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Course, PublishedCourse
from apps.community.codes import CommunityErrorCode
from apps.community.models import Cohort, CohortMember, Space, SpaceMember
from apps.community.services.members import space_member_remove, space_members_add
from apps.community.services.spaces import space_create, space_update
from apps.core.errors import InvalidInput
from apps.core.events import emit
from apps.core.times import format_datetime
from apps.enrollments.models import Enrollment, EnrollmentSource
from apps.enrollments.services.enrollments import course_enrollment_grant, member_of
from apps.schools.models import Member, School, User

COHORT_FIELDS = ("name", "course", "start_date")


def cohort_member_payload(
    membership: CohortMember, *, enrollment_id: str | None, enrolled: bool
) -> dict[str, Any]:
    """The event data of a cohort membership: the cohort, its course and space, the person,
    their active enrollment in the course and whether adding them made it."""
    cohort, user = membership.cohort, membership.user
    return {
        "id": membership.id,
        "cohort": {
            "id": cohort.id,
            "name": cohort.name,
            "start_date": cohort.start_date.isoformat(),
            "space_id": cohort.space_id,
        },
        "course": {"id": cohort.course_id, "title": cohort.course.title},
        "user": {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "enrollment_id": enrollment_id,
        "enrolled": enrolled,
        "added_at": format_datetime(membership.created_at),
    }


def _name(value: Any) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise InvalidInput("name: may not be blank.", code="blank", field="name")
    return name


def _start_date(value: Any) -> date:
    if not isinstance(value, date):
        raise InvalidInput("start_date: a date, YYYY-MM-DD.", code="invalid", field="start_date")
    return value


@transaction.atomic
def cohort_create(*, school: School, name: str, course: Course, start_date: date) -> Cohort:
    """A new cohort of the school with its own private space linked to ``course``; 400 for a
    blank name or a course of another school ("does not exist")."""
    name = _name(name)
    if course is None or course.school_id != school.pk:
        raise InvalidInput("course_id does not exist.", code="does_not_exist", field="course_id")
    space = space_create(
        school=school, title=name, visibility=Space.Visibility.PRIVATE, course=course
    )
    cohort = Cohort(
        school=school, name=name, course=course, start_date=_start_date(start_date), space=space
    )
    cohort.save(force_insert=True)
    return cohort


@transaction.atomic
def cohort_update(*, cohort: Cohort, **fields: Any) -> Cohort:
    """Change the name (the space's title follows) and the start date (PUT and PATCH
    alike); the course is fixed: another one is 400 ``cohort_course_fixed``."""
    unknown = set(fields) - set(COHORT_FIELDS)
    if unknown:
        raise TypeError(f"cohort_update() got unexpected fields {sorted(unknown)}")
    course = fields.pop("course", None)
    if course is not None and course.pk != cohort.course_id:
        raise InvalidInput(
            "course_id: a cohort keeps the course it was made for.",
            code=CommunityErrorCode.COHORT_COURSE_FIXED,
            field="course_id",
        )
    if "name" in fields:
        fields["name"] = _name(fields["name"])
    if "start_date" in fields:
        fields["start_date"] = _start_date(fields["start_date"])
    changed = [name for name, value in fields.items() if getattr(cohort, name) != value]
    for name in changed:
        setattr(cohort, name, fields[name])
    if changed:
        cohort.save(update_fields=[*changed, "updated_at"])
    if "name" in changed:
        space_update(
            space=Space.objects.select_related("school").get(pk=cohort.space_id), title=cohort.name
        )
    return cohort


def _active_enrollments(course_id: str, users: list[User]) -> dict[str, str]:
    """Each person's oldest active enrollment id in the course."""
    found: dict[str, str] = {}
    rows = Enrollment.objects.filter(course_id=course_id, user__in=users, active=True)
    for user_id, enrollment_id in rows.order_by("id").values_list("user_id", "id"):
        found.setdefault(user_id, enrollment_id)
    return found


@transaction.atomic
def cohort_members_add(*, cohort: Cohort, users: list[User]) -> list[CohortMember]:
    """Add ``users`` (the cohort's school's) to the cohort, enrolling in its course whoever
    has no active enrollment there (``source`` ``cohort``) and adding them
    to its space; answers only the memberships this call created (people already in the
    cohort are left as they are). 400 ``does_not_exist`` for another school's account or
    one no longer usable, 409 ``user_suspended`` for a suspended one; nothing half-done."""
    cohort = (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("school", "course", "space")
        .get(pk=cohort.pk)
    )
    if any(user.school_id != cohort.school_id for user in users):
        # The API resolves names inside the school first; the admin and code reach here.
        raise InvalidInput(
            "users: no such user in this school.", code="does_not_exist", field="users"
        )
    present = set(
        CohortMember.objects.filter(cohort=cohort, user__in=users).values_list("user_id", flat=True)
    )
    new_users = list({user.pk: user for user in users if user.pk not in present}.values())
    if not new_users:
        return []
    # Locking the people's memberships serialises adds of one person to two cohorts of the
    # same course, which would otherwise both find no enrollment and both grant one.
    members = {
        member.user_id: member
        for member in Member.objects.select_for_update()
        .filter(school=cohort.school, user__in=new_users)
        .order_by("id")
    }
    enrolled = _active_enrollments(cohort.course_id, new_users)
    publication = PublishedCourse.objects.filter(course=cohort.course).order_by("id").first()
    made: dict[str, bool] = {}
    for user in new_users:
        member = member_of(cohort.school_id, user, members.get(user.pk))
        made[user.pk] = False
        if user.pk in enrolled:
            continue
        enrollment = course_enrollment_grant(
            user=user,
            member=member,
            course=cohort.course,
            published_course=publication,
            enrolled_at=timezone.now(),
            expires_at=None,
            active=True,
            source=EnrollmentSource.COHORT,
        )
        if enrollment is not None:
            enrolled[user.pk], made[user.pk] = enrollment.pk, True
    affected = []
    for user in new_users:
        membership = CohortMember(school=cohort.school, cohort=cohort, user=user)
        membership.save(force_insert=True)
        affected.append(membership)
    space_members_add(space=cohort.space, users=new_users)
    for membership in affected:
        user_id = membership.user_id
        emit(
            cohort.school,
            "cohort.member.added",
            cohort_member_payload(
                membership, enrollment_id=enrolled.get(user_id), enrolled=made[user_id]
            ),
        )
    return affected


@transaction.atomic
def cohort_member_remove(*, membership: CohortMember) -> None:
    """Take a person out of a cohort and out of its space; their enrollment in the course
    stays (it is theirs, with their progress)."""
    in_space = SpaceMember.objects.filter(
        space_id=membership.cohort.space_id, user_id=membership.user_id
    ).first()
    if in_space is not None:
        space_member_remove(membership=in_space)
    membership.delete()
