"""Progress and completion over the API.

Skilljar v1: ``lesson-progress/{id}``, ``progresstokens/{id}``, ``users/{id}/published-courses``
(1000 per page, ``…/{published_course_id}`` with ``course_progress``), ``…/lessons`` (100 per
page, ``…/{lesson_id}`` with ``lesson_progress``) and ``users/{id}/published-path-enrollments``
(1000 per page). LearnWorlds (20 per page): ``users/{id}/courses``, ``courses/{id}/users``,
``users/{id}/progress``, ``users/{id}/courses/{course_id}/progress|complete|reset``, each
course's figures in LearnFlow's summary. A learner's own token reads its own rows; another
person's id is 404 to it.
"""

from typing import Any

from django.db.models import Max, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.catalog.models import Course, Lesson, PublishedCourse, Quiz
from apps.core.api.base import ApiView, Parent, SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import Serializer
from apps.core.codes import CoreErrorCode
from apps.core.errors import InvalidInput, NotFound
from apps.core.throttling import PersonRateThrottle
from apps.core.times import format_datetime
from apps.enrollments.api.acting import acting_person
from apps.enrollments.api.enrollments import EnrollmentSerializer
from apps.enrollments.api.quizzes import QuizAttemptSerializer, ResponseField
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import (
    CourseProgress,
    Enrollment,
    LessonProgress,
    PathEnrollment,
    ProgressToken,
    QuizAttempt,
    SuccessStatus,
)
from apps.enrollments.selectors import enrollments as enrollment_selectors
from apps.enrollments.selectors import progress as progress_selectors
from apps.enrollments.selectors import quizzes as quiz_selectors
from apps.enrollments.services import progress as progress_services
from apps.enrollments.services import sync as sync_services
from apps.schools.models import Member, User

SCOPES = ("read:progress", "write:enrollments")
MAX_INT = 2**31 - 1

# --- shapes ----------------------------------------------------------------------------------


class LessonProgressSerializer(serializers.Serializer):
    """Skilljar's lesson progress (flat fields), its progress token and time spent."""

    id = serializers.CharField(read_only=True)
    progress_token_id = serializers.CharField(read_only=True, allow_null=True)
    user_id = serializers.CharField(read_only=True)
    course_id = serializers.CharField(read_only=True)
    lesson_id = serializers.CharField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True, allow_null=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    success_status = serializers.ChoiceField(SuccessStatus.choices, read_only=True, allow_null=True)
    score = serializers.IntegerField(read_only=True, allow_null=True)
    max_score = serializers.IntegerField(read_only=True, allow_null=True)
    custom_data = serializers.CharField(read_only=True)
    validation_status = serializers.ChoiceField(
        SuccessStatus.choices, read_only=True, allow_null=True
    )
    validation_data = serializers.JSONField(read_only=True, allow_null=True)
    time_spent_seconds = serializers.IntegerField(read_only=True)
    last_accessed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class CourseSummarySerializer(serializers.Serializer):
    """A person's progress in a course, LearnFlow's summary included."""

    id = serializers.CharField(read_only=True, help_text="The course progress (cpg_).")
    user_id = serializers.CharField(read_only=True)
    course_id = serializers.CharField(read_only=True)
    course_title = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(["not_started", "in_progress", "completed"], read_only=True)
    current_lesson = serializers.IntegerField(
        read_only=True, help_text="Position (1…total_lessons) of the lesson last worked on."
    )
    current_lesson_id = serializers.CharField(read_only=True, allow_null=True)
    total_lessons = serializers.IntegerField(read_only=True)
    lessons_completed = serializers.IntegerField(read_only=True)
    required_lessons = serializers.IntegerField(read_only=True)
    required_lessons_completed = serializers.IntegerField(read_only=True)
    percent_complete = serializers.FloatField(read_only=True)
    time_spent_minutes = serializers.IntegerField(read_only=True)
    time_spent_seconds = serializers.IntegerField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_accessed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    success_status = serializers.ChoiceField(SuccessStatus.choices, read_only=True, allow_null=True)
    completion_redirect = serializers.CharField(read_only=True, allow_null=True)


class RefSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


class EnrollmentRefSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    enrolled_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)
    active = serializers.BooleanField(read_only=True)


class UserPublishedCourseSerializer(serializers.Serializer):
    """A published course a person is enrolled in, with their progress."""

    id = serializers.CharField(read_only=True, help_text="The published course.")
    published_course_id = serializers.CharField(read_only=True)
    course = RefSerializer(read_only=True)
    enrollment = EnrollmentRefSerializer(read_only=True, help_text="The latest enrollment.")
    course_progress = CourseSummarySerializer(
        read_only=True, allow_null=True, help_text="null when the person has no progress rows yet."
    )


class UserLessonSerializer(serializers.Serializer):
    """A lesson of a person's course and their progress in it."""

    id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    type = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True)
    optional = serializers.BooleanField(
        read_only=True, help_text="Not needed for completion (itself or its section)."
    )
    requires_validation = serializers.BooleanField(read_only=True)
    section_id = serializers.CharField(read_only=True, allow_null=True)
    released_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When its drip schedule opens it."
    )
    lesson_progress = LessonProgressSerializer(read_only=True)


class PathProgressSerializer(serializers.Serializer):
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    courses_completed = serializers.IntegerField(read_only=True)
    total_courses = serializers.IntegerField(read_only=True)
    percent_complete = serializers.FloatField(read_only=True)


class UserPathEnrollmentSerializer(EnrollmentSerializer):
    path = RefSerializer(read_only=True)
    published_path_id = serializers.CharField(read_only=True, allow_null=True)
    path_progress = PathProgressSerializer(read_only=True)


class UserCourseSerializer(EnrollmentSerializer):
    """A course enrollment with the person's progress in the course (LearnWorlds)."""

    course = RefSerializer(read_only=True)
    published_course_id = serializers.CharField(read_only=True, allow_null=True)
    completion_redirect = serializers.CharField(read_only=True)
    progress = CourseSummarySerializer(read_only=True, allow_null=True)


class ProgressTokenSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    lesson_progress = LessonProgressSerializer(read_only=True)


# --- request bodies --------------------------------------------------------------------------


def _status_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        SuccessStatus.choices, required=False, allow_null=True, help_text="PASSED, FAILED or null."
    )


def _score_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0, max_value=MAX_INT, required=False, allow_null=True, help_text=help_text
    )


class TokenWriteSerializer(Serializer):
    """What an external tool reports through a progress token."""

    read_shape = ProgressTokenSerializer

    completed_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Completes the lesson; null un-completes."
    )
    success_status = _status_field()
    score = _score_field("Score received (at most max_score).")
    max_score = _score_field("Max possible score.")


class LessonProgressWriteSerializer(TokenWriteSerializer):
    """Skilljar's flat lesson progress fields, plus the time spent to add."""

    read_shape = LessonProgressSerializer

    finished_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="The learner finished the content: completes the lesson unless it requires "
        "validation.",
    )
    custom_data = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    validation_status = _status_field()
    validation_data = serializers.JSONField(
        required=False, allow_null=True, help_text="Ignored unless the lesson requires validation."
    )
    time_spent_seconds_increment = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=86_400,
        help_text="Seconds to add to the time spent (a client's heartbeat sends the seconds "
        "since its last one).",
    )


class CourseProgressWriteSerializer(Serializer):
    read_shape = CourseSummarySerializer

    completed_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Completes the course; null un-completes."
    )
    success_status = _status_field()


class UserPublishedCourseWriteSerializer(Serializer):
    read_shape = UserPublishedCourseSerializer

    published_course_id = SchoolPrimaryKeyRelatedField(
        queryset=PublishedCourse.objects.all(),
        required=False,
        help_text="Accepted for Skilljar clients; must be the path's.",
    )
    course_progress = CourseProgressWriteSerializer(
        allow_null=True, help_text="null (or left out) changes nothing."
    )


class LessonCompletionSerializer(Serializer):
    read_shape = LessonProgressSerializer

    completed_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Completes the lesson; null un-completes."
    )


class UserLessonWriteSerializer(Serializer):
    read_shape = UserLessonSerializer

    lesson_progress = LessonCompletionSerializer(
        allow_null=True, help_text="null (or left out) changes nothing."
    )


class LearningActivitySerializer(Serializer):
    lesson_id = SchoolPrimaryKeyRelatedField(
        queryset=Lesson.objects.all(),
        required=False,
        help_text="One learning activity (a lesson of the course); the whole course when left out.",
    )


# --- helpers ---------------------------------------------------------------------------------


def _fields(serializer_class: type, request, **extra: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, partial=True, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return {**serializer.validated_data, **extra}


def _lesson_progress_payload(pk: str) -> dict[str, Any]:
    """The lesson progress ``pk`` as the API shows it, read in one statement."""
    rows = progress_selectors.lesson_progress_rows(LessonProgress.objects.filter(pk=pk))
    return progress_selectors.lesson_progress_payload(rows.get())


def _lesson_progress_response(pk: str) -> Response:
    return Response(_lesson_progress_payload(pk))


class _PatchIsPut:
    """PUT and PATCH are both partial updates (Skilljar's rule): PATCH runs ``update``."""

    def partial_update(self, request, **kwargs) -> Response:
        return self.update(request, **kwargs)


class _RowsList(mixins.ListModelMixin):
    """A list (and a single item) answered from ``page_rows`` rows shaped by ``items``."""

    def items(self, rows: list[dict]) -> list[dict]:
        raise NotImplementedError

    def list(self, request, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.items(list(page)))

    def _item(self, pk: str) -> Response:
        rows = self.page_rows(self.queryset.model.objects.filter(pk=pk))
        return Response(self.items(list(rows))[0])


def _member_parent() -> Parent:
    return Parent(
        Member.objects.select_related("user"),
        url_kwarg="user_id",
        field="user_id",
        owner_field="user",
        detail="No such user.",
    )


def _update_schema(request: type, response: type, summary: str) -> dict[str, Any]:
    return {
        "update": extend_schema(
            summary=f"{summary} (partial, as PATCH)",
            request=request(partial=True),
            responses=response,
        ),
        "partial_update": extend_schema(
            summary=summary, request=request(partial=True), responses=response
        ),
    }


# --- lesson progress and progress tokens -----------------------------------------------------


def _record(
    progress: LessonProgress, write: type[serializers.Serializer], request
) -> LessonProgress:
    """Record the fields ``write`` validates from ``request`` on ``progress``'s learner and
    lesson: a lesson-progress update and a progress-token report are the same write."""
    return progress_services.lesson_progress_record(
        user=progress.user, lesson=progress.lesson, **_fields(write, request)
    )


@extend_schema_view(
    retrieve=extend_schema(summary="Get a lesson progress", responses=LessonProgressSerializer),
    **_update_schema(
        LessonProgressWriteSerializer, LessonProgressSerializer, "Update a lesson progress"
    ),
)
class LessonProgressViewSet(_PatchIsPut, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """``lesson-progress/{id}``: a learner's progress in one lesson."""

    queryset = LessonProgress.objects.all()
    serializer_class = LessonProgressSerializer
    scopes = SCOPES
    owner_field = "user"
    lookup_url_kwarg = "lesson_progress_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("user", "lesson__course").order_by("id")

    def retrieve(self, request, **kwargs) -> Response:
        return _lesson_progress_response(self.get_object().pk)

    def update(self, request, **kwargs) -> Response:
        progress = _record(self.get_object(), LessonProgressWriteSerializer, request)
        return _lesson_progress_response(progress.pk)


@extend_schema_view(
    retrieve=extend_schema(summary="Get a progress token", responses=ProgressTokenSerializer),
    **_update_schema(
        TokenWriteSerializer, ProgressTokenSerializer, "Report progress through a progress token"
    ),
)
class ProgressTokenViewSet(_PatchIsPut, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """``progresstokens/{id}``: an external tool reports one learner's lesson progress."""

    queryset = ProgressToken.objects.all()
    serializer_class = ProgressTokenSerializer
    scopes = SCOPES
    owner_field = "lesson_progress__user"
    lookup_url_kwarg = "progress_token_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related(
            "lesson_progress__user", "lesson_progress__lesson__course"
        ).order_by("id")

    def _respond(self, token: ProgressToken) -> Response:
        return Response(
            {"id": token.id, "lesson_progress": _lesson_progress_payload(token.lesson_progress_id)}
        )

    def retrieve(self, request, **kwargs) -> Response:
        return self._respond(self.get_object())

    def update(self, request, **kwargs) -> Response:
        token = self.get_object()
        _record(token.lesson_progress, TokenWriteSerializer, request)
        return self._respond(token)


# --- users/{id}/published-courses (+ lessons) ------------------------------------------------


def _latest_per_publication(user_id: str) -> QuerySet:
    """The latest of a person's enrollments in each published course (one row per course a
    renewal or a second purchase enrolled them in again)."""
    return (
        Enrollment.objects.filter(user_id=user_id, published_course__isnull=False)
        .order_by()
        .values("published_course_id")
        .annotate(latest=Max("id"))
        .values("latest")
    )


PUBLISHED_COURSE_COLUMNS = (
    "id",
    "user_id",
    "course_id",
    "course__title",
    "published_course_id",
    "enrolled_at",
    "expires_at",
    "active",
)


def _published_course_items(rows: list[dict]) -> list[dict]:
    summaries = progress_selectors.course_summaries(
        user_ids=[row["user_id"] for row in rows], course_ids=[row["course_id"] for row in rows]
    )
    return [
        {
            "id": row["published_course_id"],
            "published_course_id": row["published_course_id"],
            "course": {"id": row["course_id"], "title": row["course__title"]},
            "enrollment": {
                "id": row["id"],
                "enrolled_at": format_datetime(row["enrolled_at"]),
                "expires_at": format_datetime(row["expires_at"]),
                "active": row["active"],
            },
            "course_progress": summaries.get((row["user_id"], row["course_id"])),
        }
        for row in rows
    ]


@extend_schema_view(
    list=extend_schema(
        summary="List the published courses a user is enrolled in, with their progress",
        description="1000 per page, one item per published course (its latest enrollment).",
    ),
    retrieve=extend_schema(summary="Get a user's progress in a published course"),
    **_update_schema(
        UserPublishedCourseWriteSerializer,
        UserPublishedCourseSerializer,
        "Set a user's course progress (completed_at, success_status)",
    ),
)
class UserPublishedCourseViewSet(
    _PatchIsPut, _RowsList, mixins.RetrieveModelMixin, SchoolScopedViewSet
):
    """``users/{user_id}/published-courses``: Skilljar's course progress of a person."""

    member = _member_parent()
    queryset = Enrollment.objects.all()
    serializer_class = UserPublishedCourseSerializer
    scopes = SCOPES
    owner_field = "user"
    lookup_field = "published_course_id"
    lookup_url_kwarg = "published_course_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(
            user_id=self.member.user_id, pk__in=_latest_per_publication(self.member.user_id)
        ).order_by("id")

    def page_rows(self, queryset: QuerySet) -> QuerySet[dict]:
        return queryset.select_related(None).values(*PUBLISHED_COURSE_COLUMNS)

    def items(self, rows: list[dict]) -> list[dict]:
        return _published_course_items(rows)

    def retrieve(self, request, **kwargs) -> Response:
        return self._item(self.get_object().pk)

    def update(self, request, **kwargs) -> Response:
        enrollment = self.get_object()
        fields = _fields(UserPublishedCourseWriteSerializer, request)
        given = fields.get("published_course_id")
        if given is not None and given.pk != enrollment.published_course_id:
            raise InvalidInput(
                "Must be the published course of the path, or left out.",
                field="published_course_id",
            )
        changes = fields.get("course_progress") or {}
        if changes:
            progress_services.course_progress_update(
                user=self.member.user, course=enrollment.course, **changes
            )
        return self._item(enrollment.pk)


@extend_schema_view(
    list=extend_schema(
        summary="List the lessons of a user's published course, with their progress",
        description="100 per page, in course order (section headings are not listed: they "
        "carry no progress; each lesson names its section_id).",
    ),
    retrieve=extend_schema(summary="Get a lesson of a user's course with its progress"),
    **_update_schema(
        UserLessonWriteSerializer,
        UserLessonSerializer,
        "Complete or un-complete a lesson for a user (lesson_progress.completed_at)",
    ),
)
class UserLessonViewSet(_PatchIsPut, _RowsList, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """``users/{user_id}/published-courses/{published_course_id}/lessons``."""

    member = _member_parent()
    published_course = Parent(
        PublishedCourse.objects.select_related("course"),
        url_kwarg="published_course_id",
        detail="No such published course.",
    )
    queryset = LessonProgress.objects.all()
    serializer_class = UserLessonSerializer
    scopes = SCOPES
    owner_field = "user"
    lookup_field = "lesson_id"
    lookup_url_kwarg = "lesson_id"
    page_size = 100
    max_page_size = 100

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        enrolled = Enrollment.objects.filter(
            user_id=self.member.user_id, published_course=self.published_course
        )
        if not enrolled.exists():
            raise NotFound("The user is not enrolled in this published course.")

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(
            user_id=self.member.user_id, lesson__course_id=self.published_course.course_id
        ).order_by("lesson__order", "id")

    def page_rows(self, queryset: QuerySet) -> QuerySet[dict]:
        return progress_selectors.lesson_progress_rows(queryset)

    def items(self, rows: list[dict]) -> list[dict]:
        enrolled_at = progress_selectors.first_enrolled_at(
            user=self.member.user, course=self.published_course.course_id
        )
        return [progress_selectors.user_lesson_payload(row, enrolled_at) for row in rows]

    def list(self, request, **kwargs) -> Response:
        # Lessons added to the course since the person enrolled get their rows here.
        progress_services.progress_rows_ensure(
            user=self.member.user, course=self.published_course.course
        )
        return super().list(request, **kwargs)

    def retrieve(self, request, **kwargs) -> Response:
        return self._item(self.get_object().pk)

    def update(self, request, **kwargs) -> Response:
        progress = self.get_object()
        fields = _fields(UserLessonWriteSerializer, request).get("lesson_progress") or {}
        progress = progress_services.lesson_progress_record(
            user=self.member.user, lesson=progress.lesson, **fields
        )
        return self._item(progress.pk)


# --- users/{id}/published-path-enrollments ---------------------------------------------------


def _path_enrollment_item(row: dict) -> dict:
    return {
        **enrollment_selectors.enrollment_row_payload(row),
        "path": {"id": row["path_id"], "title": row["path__title"]},
        "published_path_id": row["published_path_id"],
        "path_progress": {
            "completed_at": format_datetime(row["completed_at"]),
            "courses_completed": row["courses_completed"],
            "total_courses": row["total_courses"],
            "percent_complete": progress_selectors.percent(
                row["courses_completed"], row["total_courses"]
            ),
        },
    }


@extend_schema_view(
    list=extend_schema(
        summary="List a user's path enrollments with their path progress",
        description="1000 per page.",
    )
)
class UserPathEnrollmentViewSet(_RowsList, SchoolScopedViewSet):
    """``users/{user_id}/published-path-enrollments``."""

    member = _member_parent()
    queryset = PathEnrollment.objects.all()
    serializer_class = UserPathEnrollmentSerializer
    scopes = SCOPES
    owner_field = "user"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(user_id=self.member.user_id).order_by("id")

    def page_rows(self, queryset: QuerySet) -> QuerySet[dict]:
        return progress_selectors.path_enrollment_rows(queryset)

    def items(self, rows: list[dict]) -> list[dict]:
        return [_path_enrollment_item(row) for row in rows]


# --- LearnWorlds -----------------------------------------------------------------------------

USER_COURSE_COLUMNS = (
    *enrollment_selectors.ENROLLMENT_COLUMNS,
    "course_id",
    "course__title",
    "published_course_id",
    "completion_redirect",
)


def _user_course_items(rows: list[dict]) -> list[dict]:
    summaries = progress_selectors.course_summaries(
        user_ids=[row["user_id"] for row in rows], course_ids=[row["course_id"] for row in rows]
    )
    return [
        {
            **enrollment_selectors.enrollment_row_payload(row),
            "course": {"id": row["course_id"], "title": row["course__title"]},
            "published_course_id": row["published_course_id"],
            "completion_redirect": row["completion_redirect"],
            "progress": summaries.get((row["user_id"], row["course_id"])),
        }
        for row in rows
    ]


class _UserCourseRows(_RowsList, SchoolScopedViewSet):
    queryset = Enrollment.objects.all()
    serializer_class = UserCourseSerializer
    owner_field = "user"
    page_size = 20
    max_page_size = 100

    def page_rows(self, queryset: QuerySet) -> QuerySet[dict]:
        return queryset.select_related(None).values(*USER_COURSE_COLUMNS)

    def items(self, rows: list[dict]) -> list[dict]:
        return _user_course_items(rows)


@extend_schema_view(
    list=extend_schema(
        summary="List a user's course enrollments with progress (LearnWorlds)",
        description="20 per page (at most 100), oldest first.",
    )
)
class UserCourseViewSet(_UserCourseRows):
    """``users/{user_id}/courses``."""

    member = _member_parent()
    scopes = ("read:enrollments", "write:enrollments")

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(user_id=self.member.user_id).order_by("id")


@extend_schema_view(
    list=extend_schema(
        summary="List the users enrolled in a course with their progress (LearnWorlds)",
        description="20 per page (at most 100), oldest enrollment first. A user token lists "
        "its own enrollments.",
    )
)
class CourseUserViewSet(_UserCourseRows):
    """``courses/{course_id}/users``."""

    course = Parent(Course.objects.all(), url_kwarg="course_id", detail="No such course.")
    scopes = ("read:enrollments", "write:enrollments")

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(course=self.course).order_by("id")


def _enrolled(queryset: QuerySet, user_id: str) -> QuerySet:
    """The person's course progress in courses they hold (or held) an enrollment in."""
    return queryset.filter(
        user_id=user_id,
        course_id__in=Enrollment.objects.filter(user_id=user_id).values("course_id"),
    )


@extend_schema_view(
    list=extend_schema(
        summary="A user's progress in each course they are enrolled in (LearnWorlds, LearnFlow "
        "summary)",
        description="20 per page (at most 100).",
    )
)
class UserProgressViewSet(_RowsList, SchoolScopedViewSet):
    """``users/{user_id}/progress``."""

    member = _member_parent()
    queryset = CourseProgress.objects.all()
    serializer_class = CourseSummarySerializer
    scopes = SCOPES
    owner_field = "user"
    page_size = 20
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return _enrolled(queryset, self.member.user_id).order_by("id")

    def page_rows(self, queryset: QuerySet) -> QuerySet[dict]:
        return progress_selectors.summary_rows(queryset)

    def items(self, rows: list[dict]) -> list[dict]:
        return [progress_selectors.summary_payload(row) for row in rows]


class UserCourseProgressViewSet(SchoolScopedViewSet):
    """``users/{user_id}/courses/{course_id}/progress|complete|reset`` (LearnWorlds)."""

    member = _member_parent()
    queryset = CourseProgress.objects.all()
    serializer_class = CourseSummarySerializer
    scopes = SCOPES
    owner_field = "user"
    lookup_field = "course_id"
    lookup_url_kwarg = "course_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return (
            _enrolled(queryset, self.member.user_id).select_related("user", "course").order_by("id")
        )

    def _respond(self, pk: str) -> Response:
        row = progress_selectors.summary_rows(CourseProgress.objects.filter(pk=pk)).get()
        return Response(progress_selectors.summary_payload(row))

    @extend_schema(
        summary="A user's progress in a course (LearnWorlds, LearnFlow summary)",
        request=None,
        responses=CourseSummarySerializer,
    )
    @action(detail=True, methods=["get"], url_path="progress")
    def progress(self, request, **kwargs) -> Response:
        return self._respond(self.get_object().pk)

    def _activity(self, request, course_progress: CourseProgress) -> Lesson | None:
        serializer = LearningActivitySerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        lesson = serializer.validated_data.get("lesson_id")
        if lesson is not None and lesson.course_id != course_progress.course_id:
            raise InvalidInput(
                "lesson_id: the lesson is not in this course.",
                code=EnrollmentErrorCode.LESSON_NOT_IN_COURSE,
                field="lesson_id",
            )
        return lesson

    @extend_schema(
        summary="Mark a course, or one of its learning activities, complete for a user",
        description="An administrative mark: drip schedules and sequential navigation do not "
        "hold it back. Completing the course completes every lesson not complete yet.",
        request=LearningActivitySerializer,
        responses=CourseSummarySerializer,
    )
    @action(detail=True, methods=["post"], url_path="complete")
    def complete(self, request, **kwargs) -> Response:
        course_progress = self.get_object()
        lesson = self._activity(request, course_progress)
        progress_services.course_progress_complete(
            user=course_progress.user, course=course_progress.course, lesson=lesson
        )
        return self._respond(course_progress.pk)

    @extend_schema(
        summary="Reset a user's progress in a course, or in one of its learning activities",
        request=LearningActivitySerializer,
        responses=CourseSummarySerializer,
    )
    @action(detail=True, methods=["post"], url_path="reset")
    def reset(self, request, **kwargs) -> Response:
        course_progress = self.get_object()
        lesson = self._activity(request, course_progress)
        progress_services.course_progress_reset(
            user=course_progress.user, course=course_progress.course, lesson=lesson
        )
        return self._respond(course_progress.pk)


# --- offline sync (Learnomy) -----------------------------------------------------------------


class QuizAttemptSyncSerializer(Serializer):
    """A quiz attempt taken offline: what a start and a submit would have sent, with the
    client's start time (the item's client_timestamp is when it was submitted)."""

    quiz_id = SchoolPrimaryKeyRelatedField(queryset=Quiz.objects.all(), help_text="The quiz.")
    lesson_id = SchoolPrimaryKeyRelatedField(
        queryset=Lesson.objects.all(),
        required=False,
        allow_null=True,
        help_text="The QUIZ lesson showing the quiz; needed only when several do.",
    )
    user_id = SchoolPrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="The person who took it: required with an API key; a user token syncs its own.",
    )
    started_at = serializers.DateTimeField(
        help_text="When the learner began, by the client's clock: the time limit is "
        "checked on client_timestamp − started_at."
    )
    answers = serializers.DictField(
        child=ResponseField(allow_null=True),
        allow_empty=True,
        help_text="Question id → response. A question left out is unanswered (wrong).",
    )


class SyncItemSerializer(Serializer):
    """One write queued offline: a lesson progress write (lesson_progress_id and its fields)
    or a quiz attempt (quiz_attempt)."""

    client_id = serializers.CharField(
        min_length=1, max_length=100, help_text="The client's id for this item (replays no-op)."
    )
    lesson_progress_id = SchoolPrimaryKeyRelatedField(
        queryset=LessonProgress.objects.select_related("user", "lesson__course"),
        required=False,
        help_text="The lesson progress written (an id from the person's lessons list). "
        "Exactly one of lesson_progress_id and quiz_attempt.",
    )
    quiz_attempt = QuizAttemptSyncSerializer(
        required=False,
        help_text="A quiz attempt taken offline. Exactly one of lesson_progress_id and "
        "quiz_attempt; the lesson progress fields go with lesson_progress_id only.",
    )
    client_timestamp = serializers.DateTimeField(
        help_text="When the client made the change (submitted the attempt), by its clock; "
        "the latest wins per resource. At most 5 minutes ahead of the server's."
    )
    completed_at = serializers.DateTimeField(required=False, allow_null=True)
    finished_at = serializers.DateTimeField(required=False, allow_null=True)
    success_status = _status_field()
    score = _score_field("Score received (at most max_score).")
    max_score = _score_field("Max possible score.")
    custom_data = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    time_spent_seconds_increment = serializers.IntegerField(
        required=False, min_value=0, max_value=86_400
    )


class SyncRequestSerializer(Serializer):
    items = SyncItemSerializer(many=True, max_length=sync_services.MAX_ITEMS)


class SyncResultSerializer(serializers.Serializer):
    client_id = serializers.CharField()
    lesson_progress_id = serializers.CharField(
        allow_null=True,
        help_text="The lesson progress written (for a quiz attempt: its QUIZ lesson's); null "
        "for a quiz attempt refused before its lesson was known.",
    )
    quiz_attempt_id = serializers.CharField(
        allow_null=True, help_text="The attempt recorded (quiz attempt items)."
    )
    status = serializers.ChoiceField(["applied", "stale", "duplicate", "refused"])
    code = serializers.CharField(allow_null=True)
    detail = serializers.CharField(allow_null=True)


class SyncResponseSerializer(serializers.Serializer):
    results = SyncResultSerializer(many=True, help_text="One per item, in the order sent.")
    lesson_progress = LessonProgressSerializer(
        many=True, help_text="The state now of every lesson progress the batch touched."
    )
    quiz_attempts = QuizAttemptSerializer(
        many=True,
        help_text="The state now of every quiz attempt the batch recorded or replayed, as "
        "the quiz-attempt API answers it.",
    )


_LESSON_FIELDS = (
    "lesson_progress_id",
    "completed_at",
    "finished_at",
    "success_status",
    "score",
    "max_score",
    "custom_data",
    "time_spent_seconds_increment",
)


class ProgressSyncView(ApiView):
    """``progress/sync``: lesson progress and quiz attempts queued offline, applied item by
    item. A learner's own token syncs its own quiz attempts (as it starts and submits them
    online); lesson progress writes need an API key with ``write:enrollments``."""

    scopes = SCOPES
    owner_write_actions = ("sync",)

    def initial(self, request, *args, **kwargs) -> None:
        # The one action of this view, named so that HasScope lets a user token in
        # (owner_write_actions); post() then admits only the token's own quiz attempts.
        self.action = "sync"
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary="Sync lesson progress and quiz attempts queued offline (Learnomy)",
        description="Up to 500 items, applied in order, each in its own savepoint: "
        "`applied`; `duplicate` (its client_id was sent before: nothing changes); `stale` "
        "(a later client_timestamp is already in for that lesson; for a quiz attempt: "
        "recorded, but a later attempt's result stays on the lesson); `refused` with a code "
        "(client_timestamp_in_future, or the learner's or the quiz's rules). Answers every "
        "touched lesson progress and quiz attempt as it now is. A user token syncs its own "
        "quiz attempts only.",
        request=SyncRequestSerializer,
        responses=SyncResponseSerializer,
    )
    def post(self, request) -> Response:
        serializer = SyncRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        items = [
            self._item(index, dict(item))
            for index, item in enumerate(serializer.validated_data["items"])
        ]
        results = sync_services.progress_sync(items=items, admit_attempt=self._admit)
        touched = list(dict.fromkeys(r.lesson_progress_id for r in results if r.lesson_progress_id))
        rows = progress_selectors.lesson_progress_rows(
            LessonProgress.objects.filter(pk__in=touched).order_by("id")
        )
        attempt_ids = list(dict.fromkeys(r.quiz_attempt_id for r in results if r.quiz_attempt_id))
        attempts = list(
            quiz_selectors.attempt_queryset(
                QuizAttempt.objects.filter(pk__in=attempt_ids).order_by("id")
            )
        )
        return Response(
            {
                "results": [vars(result) for result in results],
                "lesson_progress": [progress_selectors.lesson_progress_payload(r) for r in rows],
                "quiz_attempts": quiz_selectors.attempts_read(
                    attempts, staff=self.credential.is_api_key
                ),
            }
        )

    def _item(
        self, index: int, item: dict[str, Any]
    ) -> sync_services.SyncItem | sync_services.QuizAttemptSyncItem:
        """The service's item for one validated item; 400/403 for the batch when it is not
        one kind or not the caller's to sync."""
        attempt = item.pop("quiz_attempt", None)
        lesson_fields = [name for name in _LESSON_FIELDS if name in item]
        if (attempt is None) == ("lesson_progress_id" not in item) or (
            attempt is not None and lesson_fields
        ):
            raise InvalidInput(
                f"items.{index}: an item is a lesson progress write (lesson_progress_id and "
                "its fields) or a quiz attempt (quiz_attempt), exactly one of them.",
                code=EnrollmentErrorCode.SYNC_ITEM_KIND,
                field=f"items.{index}",
            )
        if attempt is None:
            if self.credential.is_user:
                raise PermissionDenied(
                    "A user token syncs its own quiz attempts only; lesson progress writes "
                    "need an API key with the 'write:enrollments' scope.",
                    code=CoreErrorCode.MISSING_SCOPE,
                )
            return sync_services.SyncItem(
                client_id=item.pop("client_id"),
                lesson_progress=item.pop("lesson_progress_id"),
                client_timestamp=item.pop("client_timestamp"),
                changes=item,
            )
        return sync_services.QuizAttemptSyncItem(
            client_id=item["client_id"],
            client_timestamp=item["client_timestamp"],
            user=self._person(index, attempt.get("user_id")),
            quiz=attempt["quiz_id"],
            lesson=attempt.get("lesson_id"),
            started_at=attempt["started_at"],
            answers=attempt["answers"],
        )

    def _admit(self, item: sync_services.QuizAttemptSyncItem) -> bool:
        """A synced attempt spends the person's quiz-start budget, as a start online does,
        so a batch cannot try a quiz's answers faster than the API lets anyone."""
        return PersonRateThrottle("quiz_start", item.user.pk).allow_request(self.request, self)

    def _person(self, index: int, user: User | None) -> User:
        """Who took a quiz attempt: the token's own person, or the one an API key names."""
        return acting_person(
            self.credential,
            user,
            field=f"items.{index}.quiz_attempt.user_id",
            doing="syncs quiz attempts",
            person="the person who took the quiz",
            not_own_code=EnrollmentErrorCode.NOT_OWN_ATTEMPT,
        )
