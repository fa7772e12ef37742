"""Coursepath's members API: ``courses/{course_id}/members`` (with ``…/{user_id}/coursemember``
and ``…/invite``), ``programs/{path_id}/members`` (programs are paths; ``…/programmember``,
``…/invite``) and ``members/{user_id}/courses``.

People come in the users API's shape, courses in the catalog's. Enrollments made here have
no publication and ``source`` ``members``. A user token reads only its own rows.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.catalog.api.courses import CourseFilter, CourseSerializer
from apps.catalog.models import Course, Path
from apps.catalog.selectors import courses as course_selectors
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.serializers import Serializer
from apps.core.codes import CoreErrorCode
from apps.core.errors import NotFound
from apps.enrollments.api.certificates import CertificateSerializer
from apps.enrollments.api.enrollments import UserRefSerializer
from apps.enrollments.selectors import members as member_selectors
from apps.enrollments.services import members as member_services
from apps.schools.api.filters import UserFilter
from apps.schools.api.invites import InviteSerializer, MailSerializer
from apps.schools.api.serializers import UserCreateSerializer, UserSerializer
from apps.schools.models import Member
from apps.schools.selectors import people as people_selectors

# --- shapes ----------------------------------------------------------------------------------


class _RefSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


class CourseMemberSerializer(serializers.Serializer):
    """A learner's result in a course (built by ``selectors.members.course_member_result``)."""

    course = _RefSerializer(read_only=True)
    user = UserRefSerializer(read_only=True)
    enrolled_at = serializers.DateTimeField(read_only=True, help_text="The first enrollment.")
    active = serializers.BooleanField(
        read_only=True, help_text="Whether an enrollment gives access now."
    )
    score = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Percent of the points of the scored lessons (rounded down); null if none.",
    )
    success = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="The course's success status, else true when completed with no failed "
        "lesson; null while not completed.",
    )
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    lessons_completed = serializers.IntegerField(read_only=True)
    lessons_total = serializers.IntegerField(read_only=True)
    certificate = CertificateSerializer(
        read_only=True, allow_null=True, help_text="The valid certificate earned, or null."
    )


class ProgramMemberSerializer(serializers.Serializer):
    """A person's progress in a program (``selectors.members.path_member_result``)."""

    program = _RefSerializer(read_only=True)
    user = UserRefSerializer(read_only=True)
    enrolled_at = serializers.DateTimeField(read_only=True)
    active = serializers.BooleanField(read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    courses_completed = serializers.IntegerField(read_only=True)
    courses_total = serializers.IntegerField(read_only=True)


class MemberCreateSerializer(UserCreateSerializer):
    """``email``* and the person's fields as ``POST users`` takes them (used only when the
    person is new; no name means one derived from the e-mail)."""

    read_shape = UserSerializer


class MemberInviteSerializer(Serializer):
    """Overrides of the invitation e-mail: ``mail {subject, body, action}``."""

    mail = MailSerializer(required=False)


# --- views -----------------------------------------------------------------------------------


class _MembersViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """The people of a course or program, in the users API's shape; detail actions address
    any person of the school by user id (``members/{user_id}/…``)."""

    queryset = Member.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilter
    scopes = ("read:enrollments", "write:enrollments")
    owner_field = "user"
    lookup_field = "user_id"
    lookup_url_kwarg = "user_id"
    page_size = 100
    max_page_size = 500

    def narrow(self, queryset: QuerySet[Member]) -> QuerySet[Member]:
        raise NotImplementedError

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.select_related("user").order_by("id")
        return self.narrow(queryset) if self.action == "list" else queryset

    def page_rows(self, queryset: QuerySet) -> QuerySet[dict]:
        return people_selectors.member_rows(queryset)

    def list(self, request, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = people_selectors.member_rows_with_tags(page)
        return self.get_paginated_response([UserSerializer.row_payload(row) for row in rows])

    def _new_member(self, request, service, **target: Any) -> Response:
        # Creating a person is a write on users too: the key needs both scopes.
        if not self.credential.has_scope("write:users"):
            raise PermissionDenied(
                "Adding a member may create a user: this credential lacks 'write:users'.",
                code=CoreErrorCode.MISSING_SCOPE,
            )
        serializer = MemberCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member, _enrollment, created = service(**target, **serializer.validated_data)
        member = people_selectors.member_get(school=self.school, user_id=member.user_id)
        return Response(UserSerializer(member).data, status=201 if created else 200)

    def _invite(self, request, service, **target: Any) -> Response:
        serializer = MemberInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invite = service(
            **target, member=self.get_object(), mail=serializer.validated_data.get("mail", {})
        )
        return Response(InviteSerializer(invite).data, status=status.HTTP_201_CREATED)


_LIST_DESCRIPTION = (
    "The people holding an enrollment in it, in the users API's shape (100 per page, "
    "at most 500), oldest member first; filters as on GET users."
)
_INVITE = extend_schema(
    request=MemberInviteSerializer,
    responses={201: InviteSerializer},
    description="E-mails an activation link through the school's invites; the link leads to "
    "the invitation page of the domain the course or path was first published on. 404 when "
    "the person is not a member; 409 not_published_for_invite when it is on no domain.",
)


@extend_schema_view(
    list=extend_schema(summary="List a course's members", description=_LIST_DESCRIPTION),
    create=extend_schema(
        summary="Add a person to a course, creating them if new",
        description="Needs write:enrollments and write:users. 201 when newly enrolled, 200 "
        "when they already had access to the course.",
        request=MemberCreateSerializer,
        responses={201: UserSerializer, 200: UserSerializer},
    ),
)
class CourseMemberViewSet(_MembersViewSet):
    """``courses/{course_id}/members``: the people enrolled in a course."""

    course = Parent(Course.objects.all(), url_kwarg="course_id", detail="No such course.")

    def narrow(self, queryset: QuerySet[Member]) -> QuerySet[Member]:
        return member_selectors.course_members(course=self.course, queryset=queryset)

    def create(self, request, **kwargs) -> Response:
        return self._new_member(request, member_services.course_member_create, course=self.course)

    def _result(self, member: Member, code: int = status.HTTP_200_OK) -> Response:
        result = member_selectors.course_member_result(course=self.course, user=member.user)
        if result is None:
            raise NotFound("This user is not a member of this course.")
        return Response(result, status=code)

    @extend_schema(
        methods=["GET"],
        summary="Get a learner's result in a course",
        responses={200: CourseMemberSerializer},
    )
    @extend_schema(
        methods=["POST"],
        summary="Enroll a person in a course",
        description="Idempotent: 201 when newly enrolled, 200 when they already had access.",
        request=None,
        responses={201: CourseMemberSerializer, 200: CourseMemberSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove a person from a course, deleting their results in it",
        description="Deletes their enrollments in the course and their course and lesson "
        "progress; emits enrollment.removed.",
        request=None,
        responses={204: OpenApiResponse(description="Removed.")},
    )
    @action(detail=True, methods=["get", "post", "delete"], url_path="coursemember")
    def coursemember(self, request, **kwargs) -> Response:
        member = self.get_object()
        if request.method == "POST":
            _enrollment, created = member_services.course_member_add(
                course=self.course, member=member
            )
            return self._result(member, status.HTTP_201_CREATED if created else 200)
        if request.method == "DELETE":
            member_services.course_member_remove(course=self.course, user=member.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self._result(member)

    @extend_schema(summary="Invite a course member by e-mail")
    @_INVITE
    @action(detail=True, methods=["post"], url_path="invite")
    def invite(self, request, **kwargs) -> Response:
        return self._invite(request, member_services.course_member_invite, course=self.course)


@extend_schema_view(
    list=extend_schema(summary="List a program's members", description=_LIST_DESCRIPTION),
    create=extend_schema(
        summary="Add a person to a program (a path), creating them if new",
        description="Needs write:enrollments and write:users. Enrolls in the path and its "
        "courses; 201 when newly enrolled, 200 when they already were.",
        request=MemberCreateSerializer,
        responses={201: UserSerializer, 200: UserSerializer},
    ),
)
class ProgramMemberViewSet(_MembersViewSet):
    """``programs/{path_id}/members``: the people enrolled in a program (a path)."""

    path = Parent(Path.objects.all(), url_kwarg="path_id", detail="No such program.")

    def narrow(self, queryset: QuerySet[Member]) -> QuerySet[Member]:
        return member_selectors.path_members(path=self.path, queryset=queryset)

    def create(self, request, **kwargs) -> Response:
        return self._new_member(request, member_services.path_member_create, path=self.path)

    def _result(self, member: Member, code: int = status.HTTP_200_OK) -> Response:
        result = member_selectors.path_member_result(path=self.path, user=member.user)
        if result is None:
            raise NotFound("This user is not a member of this program.")
        return Response(result, status=code)

    @extend_schema(
        methods=["GET"],
        summary="Get a person's progress in a program",
        responses={200: ProgramMemberSerializer},
    )
    @extend_schema(
        methods=["POST"],
        summary="Enroll a person in a program",
        description="Enrolls in the path and its courses. Idempotent: 201 when newly "
        "enrolled, 200 when they already were.",
        request=None,
        responses={201: ProgramMemberSerializer, 200: ProgramMemberSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove a person from a program",
        description="Deletes their path enrollments and the course enrollments those "
        "granted; progress stays. Emits path.enrollment.removed.",
        request=None,
        responses={204: OpenApiResponse(description="Removed.")},
    )
    @action(detail=True, methods=["get", "post", "delete"], url_path="programmember")
    def programmember(self, request, **kwargs) -> Response:
        member = self.get_object()
        if request.method == "POST":
            _enrollment, created = member_services.path_member_add(path=self.path, member=member)
            return self._result(member, status.HTTP_201_CREATED if created else 200)
        if request.method == "DELETE":
            member_services.path_member_remove(path=self.path, user=member.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self._result(member)

    @extend_schema(summary="Invite a program member by e-mail")
    @_INVITE
    @action(detail=True, methods=["post"], url_path="invite")
    def invite(self, request, **kwargs) -> Response:
        return self._invite(request, member_services.path_member_invite, path=self.path)


@extend_schema_view(
    list=extend_schema(
        summary="List the courses a person is enrolled in",
        description="In the catalog's course shape, 100 per page; filters as on GET courses.",
    )
)
class MemberCourseViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """``members/{user_id}/courses``: the courses a person holds an enrollment in."""

    member = Parent(
        Member.objects.select_related("user"),
        url_kwarg="user_id",
        field="user_id",
        owner_field="user",
        detail="No such user.",
    )
    queryset = Course.objects.all()
    serializer_class = CourseSerializer
    filterset_class = CourseFilter
    scopes = ("read:enrollments", "write:enrollments")

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = member_selectors.member_courses(user_id=self.member.user_id, queryset=queryset)
        return course_selectors.course_list(queryset=queryset).order_by("id")
