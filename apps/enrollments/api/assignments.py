"""Assignment submissions: ``lessons/{lesson_id}/submissions`` (hand in, list one lesson's)
and ``assignment-submissions`` (read, filter, grade).

A learner's own user token hands in its own submissions (``owner_write_actions``, the
mechanism quiz attempts use: user tokens hold read scopes only) and lists only its own; an
API key hands in for the person named by ``user_id`` and grades with
``write:enrollments``. A submission is JSON (text only) or multipart/form-data (text and a
file).
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from apps.catalog.models import Lesson, LessonType
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import Serializer
from apps.core.filters import ChoiceFilter, FilterSet
from apps.core.parsers import JSONParser
from apps.enrollments.api.acting import acting_person
from apps.enrollments.api.enrollments import UserRefSerializer
from apps.enrollments.codes import EnrollmentErrorCode
from apps.enrollments.models import AssignmentGrade, AssignmentSubmission, SubmissionState
from apps.enrollments.selectors import assignments as submission_selectors
from apps.enrollments.services import assignments as submission_services
from apps.schools.models import User


class SubmissionFileSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True, help_text="The file's name as uploaded.")
    content_type = serializers.CharField(
        read_only=True, help_text="Judged from the file's bytes, not from what was declared."
    )
    size_bytes = serializers.IntegerField(read_only=True)
    download_url = serializers.URLField(
        read_only=True, help_text="A signed link, valid for one hour (read again for a new one)."
    )


class AssignmentSubmissionSerializer(serializers.Serializer):
    """A submission: what was handed in, when, and its grade."""

    id = serializers.CharField(read_only=True)
    lesson_id = serializers.CharField(read_only=True)
    course_id = serializers.CharField(read_only=True)
    user = UserRefSerializer(read_only=True)
    text = serializers.CharField(read_only=True)
    file = SubmissionFileSerializer(read_only=True, allow_null=True)
    submitted_at = serializers.DateTimeField(
        read_only=True, help_text="The last hand-in (a replacement moves it)."
    )
    late = serializers.BooleanField(read_only=True, help_text="Handed in after the due date.")
    state = serializers.ChoiceField(choices=SubmissionState.choices, read_only=True)
    grade = serializers.ChoiceField(
        choices=AssignmentGrade.choices, read_only=True, allow_null=True
    )
    score = serializers.IntegerField(read_only=True, allow_null=True, help_text="0 to 100.")
    feedback = serializers.CharField(read_only=True)
    graded_by_id = serializers.CharField(read_only=True, allow_null=True)
    graded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class SubmissionCreateSerializer(Serializer):
    read_shape = AssignmentSubmissionSerializer

    text = serializers.CharField(
        required=False, allow_blank=True, max_length=100_000, trim_whitespace=False
    )
    file = serializers.FileField(
        required=False,
        allow_null=True,
        allow_empty_file=True,  # refused by the service with its own code
        max_length=255,
        help_text="multipart/form-data only: PDF, PNG, JPEG, GIF, WebP, plain text or zip, "
        "at most 25 MiB (ASSIGNMENT_MAX_FILE_BYTES).",
    )
    user_id = SchoolPrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="The person handing in: required with an API key; a user token hands in "
        "for itself.",
    )


class SubmissionGradeSerializer(Serializer):
    read_shape = AssignmentSubmissionSerializer

    grade = serializers.ChoiceField(
        choices=AssignmentGrade.choices,
        required=False,
        allow_null=True,
        help_text="Grades the submission. Without it nothing changes (what a read gave, sent "
        "back); a score or feedback without it is 400 grade_required.",
    )
    score = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    feedback = serializers.CharField(
        required=False, allow_blank=True, max_length=20_000, trim_whitespace=False
    )


class _SubmissionReads:
    """Answers submissions in the API's shape."""

    def _one(self, pk: str, code: int = status.HTTP_200_OK) -> Response:
        submission = submission_selectors.submission_queryset(
            AssignmentSubmission.objects.filter(pk=pk)
        ).get()
        return Response(submission_selectors.submissions_read([submission])[0], status=code)

    def _page(self) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(submission_selectors.submissions_read(list(page)))


class SubmissionFilter(FilterSet):
    lesson_id = django_filters.CharFilter(field_name="lesson_id", help_text="A lesson.")
    course_id = django_filters.CharFilter(field_name="course_id", help_text="A course.")
    user_id = django_filters.CharFilter(field_name="user_id", help_text="A person.")
    state = ChoiceFilter(
        choices=SubmissionState.choices,
        help_text="SUBMITTED lists the grading queue (oldest first).",
    )

    class Meta:
        model = AssignmentSubmission
        fields = ["lesson_id", "course_id", "user_id", "state"]


_SUBMIT_REQUEST = {
    "multipart/form-data": SubmissionCreateSerializer,
    "application/json": SubmissionCreateSerializer,
}


@extend_schema_view(
    list=extend_schema(
        summary="List an assignment's submissions",
        description="Oldest first (100 per page). A user token lists its own.",
    ),
    create=extend_schema(
        summary="Hand in an assignment",
        description="Text and/or a file (multipart/form-data) for an ASSIGNMENT lesson. "
        "Submitting again while the last submission waits for grading replaces it (200); "
        "otherwise a new submission (201). Needs course access and the lesson's drip and "
        "sequential gates; after the due date only when the lesson allows late ones.",
        request=_SUBMIT_REQUEST,
        responses={200: AssignmentSubmissionSerializer, 201: AssignmentSubmissionSerializer},
    ),
)
class LessonSubmissionViewSet(
    _SubmissionReads, mixins.ListModelMixin, mixins.CreateModelMixin, SchoolScopedViewSet
):
    """Submissions of one ASSIGNMENT lesson."""

    lesson = Parent(
        Lesson.objects.filter(type=LessonType.ASSIGNMENT).select_related("course"),
        url_kwarg="lesson_id",
        detail="No such assignment.",
    )
    queryset = AssignmentSubmission.objects.all()
    serializer_class = AssignmentSubmissionSerializer
    parser_classes = [JSONParser, MultiPartParser]
    scopes = ("read:enrollments", "write:enrollments")
    owner_field = "user"
    owner_write_actions = ("create",)

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return submission_selectors.submission_queryset(
            queryset.filter(lesson=self.lesson)
        ).order_by("id")

    def list(self, request, **kwargs) -> Response:
        return self._page()

    def create(self, request, **kwargs) -> Response:
        serializer = SubmissionCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        user = acting_person(
            self.credential,
            data.get("user_id"),
            field="user_id",
            doing="hands in assignments",
            person="the person handing in",
            not_own_code=EnrollmentErrorCode.NOT_OWN_SUBMISSION,
        )
        submission, created = submission_services.assignment_submit(
            lesson=self.lesson, user=user, text=data.get("text", ""), file=data.get("file")
        )
        return self._one(submission.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(
        summary="List assignment submissions",
        description="Oldest first (100 per page); state=SUBMITTED is the grading queue. A user "
        "token lists its own.",
    ),
    retrieve=extend_schema(summary="Get an assignment submission"),
    partial_update=extend_schema(
        summary="Grade an assignment submission",
        description="Staff (write:enrollments): PASSED completes the lesson, FAILED lets the "
        "learner hand in again; with a score (0 to 100) and feedback. A second, different "
        "grade is 409; what a read gave, sent back, changes nothing.",
        request=SubmissionGradeSerializer(partial=True),
        responses={200: AssignmentSubmissionSerializer},
    ),
    update=extend_schema(
        summary="Grade an assignment submission (as PATCH)",
        request=SubmissionGradeSerializer(partial=True),
        responses={200: AssignmentSubmissionSerializer},
    ),
)
class AssignmentSubmissionViewSet(
    _SubmissionReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet
):
    """Submissions of the school's people (a user token: its own)."""

    queryset = AssignmentSubmission.objects.all()
    serializer_class = AssignmentSubmissionSerializer
    filterset_class = SubmissionFilter
    scopes = ("read:enrollments", "write:enrollments")
    owner_field = "user"
    lookup_url_kwarg = "submission_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return submission_selectors.submission_queryset(queryset).order_by("id")

    def list(self, request, **kwargs) -> Response:
        return self._page()

    def retrieve(self, request, **kwargs) -> Response:
        return Response(submission_selectors.submissions_read([self.get_object()])[0])

    def update(self, request, **kwargs) -> Response:
        submission = self.get_object()
        serializer = SubmissionGradeSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        submission = submission_services.assignment_grade(
            submission=submission,
            grade=data.get("grade"),
            score=data.get("score"),
            feedback=data.get("feedback"),
        )
        return self._one(submission.pk)

    def partial_update(self, request, **kwargs) -> Response:
        return self.update(request, **kwargs)
