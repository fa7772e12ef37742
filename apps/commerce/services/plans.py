"""Writes of plans and plan enrollments (``plan.enrollment.created``,
``plan.enrollment.updated``).

Enrolling in a plan is idempotent on (plan, user, ``enrolled_at``) exactly like a course
enrollment (``apps.enrollments.services.enrollments``): the same pair answers the existing
enrollment unchanged, a unique constraint settles a race. A plan enrollment grants each
course of its plan through enrollments' services (``plan_grant``): one course enrollment per
(plan enrollment, course), claimed in ``PlanCourseGrant`` before it is made, so a replayed
POST, a second ``plan_grant`` or two concurrent ones never make a second. The granted course
enrollments follow the plan enrollment's ``active`` and ``expires_at`` (deactivating or
expiring a plan enrollment ends the access it gave; another active plan enrollment, or an
enrollment of the person's own, still gives theirs). A course added to a plan later is
granted to the plan's people by a job (``commerce.plan_course_grant``).
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from apps.catalog.models import Course, PublishedCourse
from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import Plan, PlanCourse, PlanCourseGrant, PlanEnrollment
from apps.core.errors import ApiError, Conflict, InvalidInput, conflict_on_duplicate
from apps.core.events import emit
from apps.core.models import Job
from apps.core.services import job_advance, job_create, job_start, job_succeed
from apps.core.times import format_datetime
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import EnrollmentSource
from apps.enrollments.services.enrollments import (
    Purchase,
    course_enrollment_grant,
    enrollment_update,
    insert_once,
    member_of,
    normalize_enrolled_at,
)
from apps.schools.models import Domain, Member, User
from apps.schools.services.domains import domain_user_add

PLAN_COURSE_GRANT_KIND = "commerce.plan_course_grant"
# Plan enrollments granted per transaction (and per progress step of the job).
PLAN_COURSE_GRANT_BATCH = 200


# --- plans -----------------------------------------------------------------------------------


def _slug_taken(slug: str) -> Conflict:
    return Conflict(
        f"slug: {slug!r} is taken by another plan on this domain.",
        code=CommerceErrorCode.PLAN_SLUG_TAKEN,
        field="slug",
    )


def _same_school(course: Course, plan: Plan) -> None:
    if course.school_id != plan.school_id:
        raise InvalidInput("course_id does not exist.", code="does_not_exist", field="course_id")


@transaction.atomic
def plan_create(
    *, domain: Domain, title: str, slug: str | None = None, courses: list[Course] | None = None
) -> Plan:
    """A plan on ``domain`` granting ``courses`` in that order (slug default: the title's);
    400 for another school's course, 409 ``plan_slug_taken`` when the domain has the slug."""
    slug = slug or slugify(title)[:100] or "plan"
    plan = Plan(school=domain.school, domain=domain, title=title, slug=slug)
    with conflict_on_duplicate("commerce_plan_slug_ci", _slug_taken(slug)):
        plan.save(force_insert=True)
    for course in courses or []:
        plan_course_add(plan=plan, course=course)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, **fields: Any) -> Plan:
    """Change the title and/or slug; 409 ``plan_slug_taken`` when the domain has the slug."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("domain").get(pk=plan.pk)
    unknown = set(fields) - {"title", "slug"}
    if unknown:
        raise TypeError(f"plan_update() got unexpected fields {sorted(unknown)}")
    if not fields.get("slug", plan.slug):
        fields.pop("slug")
    changed = [name for name, value in fields.items() if getattr(plan, name) != value]
    for name in changed:
        setattr(plan, name, fields[name])
    if changed:
        with conflict_on_duplicate("commerce_plan_slug_ci", _slug_taken(plan.slug)):
            plan.save(update_fields=[*changed, "updated_at"])
    return plan


@transaction.atomic
def plan_course_add(*, plan: Plan, course: Course, order: int | None = None) -> PlanCourse:
    """Put one of the school's courses in the plan (default: last); 400 for another
    school's course, 409 ``plan_course_exists`` when it is in already. When the plan has
    people, a job grants them the course once this commits."""
    _same_school(course, plan)
    if order is None:
        last = PlanCourse.objects.filter(plan=plan).aggregate(last=Max("order"))["last"]
        order = (last or 0) + 1
    item = PlanCourse(school_id=plan.school_id, plan=plan, course=course, order=order)
    exists = Conflict(
        "The course is in this plan already.",
        code=CommerceErrorCode.PLAN_COURSE_EXISTS,
        field="course_id",
    )
    with conflict_on_duplicate("commerce_plancourse_once", exists):
        item.save(force_insert=True)
    if PlanEnrollment.objects.filter(plan=plan).exists():
        job = job_create(
            school=plan.school,
            kind=PLAN_COURSE_GRANT_KIND,
            scope="read:commerce",
            params={"plan_id": plan.pk, "course_id": course.pk},
        )
        transaction.on_commit(lambda: _queue_plan_course_grant(job.id))
    return item


@transaction.atomic
def plan_course_update(*, plan_course: PlanCourse, order: int) -> PlanCourse:
    """Move a course to another position in its plan (what the plan grants is unchanged)."""
    if plan_course.order != order:
        plan_course.order = order
        plan_course.save(update_fields=["order", "updated_at"])
    return plan_course


@transaction.atomic
def plan_course_remove(*, plan_course: PlanCourse) -> None:
    """Take a course out of a plan: it is granted to no one from now on; the course
    enrollments the plan granted before stay, following their plan enrollment."""
    plan_course.delete()


def _queue_plan_course_grant(job_id: str) -> None:
    from apps.commerce.tasks import plan_course_grant_task

    plan_course_grant_task.delay(job_id)


# --- plan enrollments ------------------------------------------------------------------------


def plan_enrollment_payload(enrollment: PlanEnrollment) -> dict[str, Any]:
    """The event data of a plan enrollment (the API's shape, with the plan and domain)."""
    user = enrollment.user
    plan = enrollment.plan
    return {
        "id": enrollment.id,
        "user": {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "enrolled_at": format_datetime(enrollment.enrolled_at),
        "expires_at": format_datetime(enrollment.expires_at),
        "active": enrollment.active,
        "source": enrollment.source,
        "purchase": enrollment.purchase_block(),
        "plan": {"id": plan.id, "title": plan.title},
        "domain": plan.domain.name,
    }


def _check_dates(enrolled_at: datetime, expires_at: datetime | None) -> None:
    if expires_at is not None and expires_at <= enrolled_at:
        raise InvalidInput(
            "expires_at must be after enrolled_at.",
            code=EnrollmentErrorCode.EXPIRES_BEFORE_ENROLLED,
            field="expires_at",
        )


@transaction.atomic
def plan_enrollment_create(
    *,
    plan: Plan,
    user: User,
    enrolled_at: datetime | None = None,
    expires_at: datetime | None = None,
    active: bool = True,
    purchase: Purchase | None = None,
    source: str = EnrollmentSource.API,
    member: Member | None = None,
) -> tuple[PlanEnrollment, bool]:
    """Enroll ``user`` in a plan and in each of its courses; ``(enrollment, created)``.

    The same (user, ``enrolled_at``) on this plan answers the existing enrollment
    unchanged (no ``enrolled_at``: now, a new enrollment). 400 ``user_not_in_school`` for a
    person outside the plan's school, 409 ``user_suspended``. The person gets access to the
    plan's domain and the courses (``plan_grant``). Emits ``plan.enrollment.created`` and an
    ``enrollment.created`` per course.
    """
    member = member_of(plan.school_id, user, member)
    given = enrolled_at is not None
    enrolled_at = normalize_enrolled_at(enrolled_at)
    key = {"plan": plan, "user": user, "enrolled_at": enrolled_at}
    # "now" is new: the constraint alone settles a clash within a microsecond.
    existing = PlanEnrollment.objects.filter(**key).first() if given else None
    if existing is not None:
        return existing, False
    _check_dates(enrolled_at, expires_at)
    enrollment = PlanEnrollment(
        school_id=plan.school_id,
        **key,
        expires_at=expires_at,
        active=active,
        source=source,
        **(purchase.columns() if purchase is not None else {}),
    )
    if not insert_once(enrollment, "commerce_planenr_once"):
        return PlanEnrollment.objects.get(**key), False
    domain_user_add(domain=plan.domain, member=member)
    emit(plan.school, "plan.enrollment.created", plan_enrollment_payload(enrollment))
    plan_grant(plan_enrollment=enrollment, member=member)
    return enrollment, True


@transaction.atomic
def plan_grant(*, plan_enrollment: PlanEnrollment, member: Member | None = None) -> int:
    """Enroll the plan enrollment's person in each course of the plan it has not granted
    yet, in plan order, through ``course_enrollment_grant``: the course's publication on the
    plan's domain when there is one, the plan enrollment's ``enrolled_at``, ``expires_at``,
    ``active`` and ``source``. Returns how many course enrollments it made. Safe to call
    again and concurrently: each (plan enrollment, course) is granted once.

    The hook for purchases: fulfilling an offer whose target is a plan calls
    ``plan_enrollment_create`` (which calls this); this alone re-grants an existing one."""
    plan = plan_enrollment.plan
    user = plan_enrollment.user
    member = member_of(plan_enrollment.school_id, user, member)
    items = list(PlanCourse.objects.filter(plan=plan).select_related("course").order_by("order"))
    publications = {
        published.course_id: published
        for published in PublishedCourse.objects.filter(
            domain_id=plan.domain_id, course__in=[item.course_id for item in items]
        )
    }
    made = 0
    for item in items:
        grant = PlanCourseGrant(
            school_id=plan_enrollment.school_id, plan_enrollment=plan_enrollment, course=item.course
        )
        # The claim: a grant this plan enrollment made already (or a concurrent one is
        # making: the unique index waits for it to commit) is skipped.
        if not insert_once(grant, "commerce_plangrant_once"):
            continue
        enrollment = course_enrollment_grant(
            user=user,
            member=member,
            course=item.course,
            published_course=publications.get(item.course_id),
            enrolled_at=plan_enrollment.enrolled_at,
            expires_at=plan_enrollment.expires_at,
            active=plan_enrollment.active,
            source=plan_enrollment.source,
        )
        if enrollment is not None:
            grant.enrollment = enrollment
            grant.save(update_fields=["enrollment", "updated_at"])
            made += 1
    return made


@transaction.atomic
def plan_enrollment_update(*, enrollment: PlanEnrollment, **fields: Any) -> PlanEnrollment:
    """Change ``active`` and/or ``expires_at``; the course enrollments it granted follow.
    Emits ``plan.enrollment.updated`` and ``enrollment.updated`` per course changed."""
    enrollment = (
        PlanEnrollment.objects.select_for_update(of=("self",))
        .select_related("school", "user", "plan__domain")
        .get(pk=enrollment.pk)
    )
    unknown = set(fields) - {"active", "expires_at"}
    if unknown:
        raise TypeError(f"plan_enrollment_update() got unexpected fields {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(enrollment, name) != value]
    if not changed:
        return enrollment
    for name in changed:
        setattr(enrollment, name, fields[name])
    _check_dates(enrollment.enrolled_at, enrollment.expires_at)
    enrollment.save(update_fields=[*changed, "updated_at"])
    emit(enrollment.school, "plan.enrollment.updated", plan_enrollment_payload(enrollment))
    granted = PlanCourseGrant.objects.filter(
        plan_enrollment=enrollment, enrollment__isnull=False
    ).select_related("enrollment")
    for grant in granted:
        enrollment_update(enrollment=grant.enrollment, **{name: fields[name] for name in changed})
    return enrollment


# --- courses joining a plan ------------------------------------------------------------------


def plan_course_grant_run(*, job: Job) -> Job:
    """Grant the job's plan's courses to everyone enrolled in it (``plan_grant`` per plan
    enrollment, in batches). Safe to run again: what was granted is skipped. A person who
    cannot be enrolled now (suspended, left the school) is skipped and counted."""
    plan = Plan.objects.filter(pk=job.params["plan_id"], school_id=job.school_id).first()
    if plan is None:  # deleted before the job ran
        return job_succeed(job=job, result={"granted": 0, "skipped": True})
    enrollments = PlanEnrollment.objects.filter(plan=plan).select_related(
        "school", "user", "plan__domain"
    )
    job_start(job=job, total=enrollments.count())
    granted, refused, last = 0, 0, ""
    while True:
        batch = list(enrollments.filter(pk__gt=last).order_by("pk")[:PLAN_COURSE_GRANT_BATCH])
        if not batch:
            break
        with transaction.atomic():
            for plan_enrollment in batch:
                try:
                    with transaction.atomic():
                        granted += plan_grant(plan_enrollment=plan_enrollment)
                except ApiError:
                    refused += 1
        job_advance(job=job, done=len(batch))
        last = batch[-1].pk
    return job_succeed(
        job=job, result={"plan_id": plan.id, "granted": granted, "people_refused": refused}
    )
