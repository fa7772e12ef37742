"""Reads of Coursepath's course and program members: who is in a course or program, a
learner's result in a course (score and success aggregated over lesson progress in SQL),
their progress in a program, and the courses a person is enrolled in."""

from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from apps.catalog.models import Course, Path, PathItem
from apps.core.times import format_datetime
from apps.enrollments.models import (
    Certificate,
    CourseProgress,
    Enrollment,
    LessonProgress,
    PathEnrollment,
    SuccessStatus,
)
from apps.enrollments.selectors.certificates import certificate_row_payload
from apps.enrollments.selectors.enrollments import current
from apps.schools.models import Member, User


def course_members(*, course: Course, queryset: QuerySet[Member]) -> QuerySet[Member]:
    """The members of ``queryset`` holding at least one enrollment in ``course`` (any kind,
    current or not), each once."""
    enrolled = Enrollment.objects.filter(course=course, user_id=OuterRef("user_id"))
    return queryset.filter(Exists(enrolled))


def path_members(*, path: Path, queryset: QuerySet[Member]) -> QuerySet[Member]:
    """The members of ``queryset`` holding at least one enrollment in ``path``, each once."""
    enrolled = PathEnrollment.objects.filter(path=path, user_id=OuterRef("user_id"))
    return queryset.filter(Exists(enrolled))


def member_courses(*, user_id: str, queryset: QuerySet[Course]) -> QuerySet[Course]:
    """The courses of ``queryset`` the person holds an enrollment in, each once."""
    enrolled = Enrollment.objects.filter(course_id=OuterRef("pk"), user_id=user_id)
    return queryset.filter(Exists(enrolled))


def _per_person(queryset: QuerySet, **aggregate: Any) -> Subquery:
    """One aggregate of ``queryset`` (already narrowed to one person) as a subquery."""
    ((name, expression),) = aggregate.items()
    return Subquery(
        queryset.order_by().values("user_id").annotate(**{name: expression}).values(name)[:1]
    )


def _scored() -> Q:
    return Q(score__isnull=False, max_score__gt=0)


def course_member_result(*, course: Course, user: User) -> dict[str, Any] | None:
    """A learner's result in ``course`` (Coursepath's ``coursemember``), in one statement:
    ``score`` is the percentage of the points scored over the lessons that carry a score
    (rounded down; null when none does), ``success`` the course's success status when one
    was set, else true once the course is completed with no failed lesson (false when a
    lesson failed), null while it is not completed. None when the person has no enrollment
    in the course."""
    lessons = LessonProgress.objects.filter(course_id=course.pk, user_id=OuterRef("user_id"))
    enrollments = Enrollment.objects.filter(course_id=course.pk, user_id=OuterRef("user_id"))
    row = (
        CourseProgress.objects.filter(course=course, user=user)
        .annotate(
            enrolled_at=_per_person(enrollments, first=Min("enrolled_at")),
            has_access=Exists(current(enrollments)),
            points=_per_person(lessons, points=Sum("score", filter=_scored())),
            max_points=_per_person(lessons, max_points=Sum("max_score", filter=_scored())),
            lessons_total=Coalesce(_per_person(lessons, total=Count("id")), 0),
            lessons_completed=Coalesce(
                _per_person(lessons, done=Count("id", filter=Q(completed_at__isnull=False))), 0
            ),
            lessons_failed=Coalesce(
                _per_person(
                    lessons, failed=Count("id", filter=Q(success_status=SuccessStatus.FAILED))
                ),
                0,
            ),
        )
        .annotate(
            score=Case(
                When(max_points__gt=0, then=F("points") * 100 / F("max_points")),
                default=Value(None),
                output_field=IntegerField(null=True),
            ),
            success=Case(
                When(success_status=SuccessStatus.PASSED, then=Value(True)),
                When(success_status=SuccessStatus.FAILED, then=Value(False)),
                When(completed_at__isnull=True, then=Value(None)),
                When(lessons_failed=0, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(null=True),
            ),
        )
        .values(
            "enrolled_at",
            "has_access",
            "completed_at",
            "score",
            "success",
            "lessons_total",
            "lessons_completed",
        )
        .first()
    )
    if row is None or row["enrolled_at"] is None:
        return None
    return {
        "course": {"id": course.pk, "title": course.title},
        "user": _user_ref(user),
        "enrolled_at": format_datetime(row["enrolled_at"]),
        "active": row["has_access"],
        "score": row["score"],
        "success": row["success"],
        "completed_at": format_datetime(row["completed_at"]),
        "lessons_completed": row["lessons_completed"],
        "lessons_total": row["lessons_total"],
        "certificate": _valid_certificate(course=course, user=user),
    }


def _valid_certificate(*, course: Course, user: User) -> dict[str, Any] | None:
    """The person's valid certificate for the course, in the certificates API's shape."""
    certificate = Certificate.objects.filter(
        course=course, user=user, revoked_at__isnull=True
    ).first()
    return None if certificate is None else certificate_row_payload(certificate)


def path_member_result(*, path: Path, user: User) -> dict[str, Any] | None:
    """A person's progress in the program ``path``, in one statement: when they were first
    enrolled, whether an enrollment gives access now, when the path was completed, and how
    many of its courses they completed. None when they have no enrollment in it."""
    enrollments = PathEnrollment.objects.filter(path_id=path.pk, user_id=user.pk)
    path_courses = PathItem.objects.filter(path_id=path.pk).values("course_id")
    done = CourseProgress.objects.filter(
        user_id=user.pk, course_id__in=path_courses, completed_at__isnull=False
    )
    row = (
        Path.objects.filter(pk=path.pk)
        .annotate(
            enrolled_at=Subquery(
                enrollments.order_by("enrolled_at", "id").values("enrolled_at")[:1]
            ),
            has_access=Exists(current(enrollments)),
            path_completed_at=Subquery(
                enrollments.order_by()
                .values("user_id")
                .annotate(at=Max("completed_at"))
                .values("at")[:1]
            ),
            courses_total=Coalesce(
                Subquery(
                    PathItem.objects.filter(path_id=path.pk)
                    .order_by()
                    .values("path_id")
                    .annotate(n=Count("course_id", distinct=True))
                    .values("n")[:1]
                ),
                0,
            ),
            courses_completed=Coalesce(
                Subquery(done.order_by().values("user_id").annotate(n=Count("id")).values("n")[:1]),
                0,
            ),
        )
        .values(
            "enrolled_at", "has_access", "path_completed_at", "courses_total", "courses_completed"
        )
        .first()
    )
    if row is None or row["enrolled_at"] is None:
        return None
    return {
        "program": {"id": path.pk, "title": path.title},
        "user": _user_ref(user),
        "enrolled_at": format_datetime(row["enrolled_at"]),
        "active": row["has_access"],
        "completed_at": format_datetime(row["path_completed_at"]),
        "courses_completed": row["courses_completed"],
        "courses_total": row["courses_total"],
    }


def _user_ref(user: User) -> dict[str, str]:
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }
