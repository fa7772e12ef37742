"""``cohorts`` (Learnomy): named groups of learners taking a course together from a start
date, each with its own private space; and ``cohorts/{cohort_id}/members``.

Staff (API keys with ``read:community`` / ``write:community``) read and write every cohort
of their school. A learner's user token reads only the cohorts it is a member of, and their
members (names only, as in the cohort's space: another person's id and e-mail are null);
any other cohort is 404 to it, and every write is 403 ``missing_scope``.
"""

from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.catalog.models import Course
from apps.community.api.members import SpaceMembersAddSerializer, SpacePersonSerializer
from apps.community.models import Cohort, CohortMember
from apps.community.selectors import cohorts as cohort_selectors
from apps.community.services import cohorts as cohort_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import LabelField, SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import ModelSerializer, Serializer

NAME_MAX = Cohort._meta.get_field("name").max_length


class CohortSerializer(ModelSerializer):
    """A cohort: its course, start date, space and how many members it has."""

    course_id = serializers.CharField(read_only=True)
    space_id = serializers.CharField(
        read_only=True, help_text="The cohort's own private community space (spc_ id)."
    )
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "name",
            "course_id",
            "start_date",
            "space_id",
            "member_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CohortWriteSerializer(Serializer):
    """A cohort's input: ``name``, ``course_id`` and ``start_date`` are required on
    creation; the course cannot change afterwards."""

    name = LabelField(max_length=NAME_MAX)
    course_id = SchoolPrimaryKeyRelatedField(
        source="course",
        queryset=Course.objects.all(),
        help_text="A course of the school (crs_ id); fixed once the cohort is made.",
    )
    start_date = serializers.DateField(help_text="When the cohort starts (YYYY-MM-DD).")


class CohortPersonSerializer(SpacePersonSerializer):
    """``{id, email, first_name, last_name}``; ``id`` and ``email`` are null when a learner's
    token reads another person's row."""


class CohortMemberSerializer(ModelSerializer):
    """``{id, cohort_id, user: {id, email, first_name, last_name}, created_at, …}``."""

    cohort_id = serializers.CharField(read_only=True)
    user = CohortPersonSerializer(read_only=True)

    class Meta:
        model = CohortMember
        fields = ["id", "cohort_id", "user", "created_at", "updated_at"]
        read_only_fields = fields


class CohortMembersAddSerializer(SpaceMembersAddSerializer):
    """``{"users": [usr_ ids or e-mails]}``: at most 100 people per call, named like a
    space's members."""


@extend_schema_view(
    list=extend_schema(
        summary="List cohorts",
        description="Oldest first. A user token lists only the cohorts it is a member of.",
    ),
    retrieve=extend_schema(summary="Get a cohort"),
    create=extend_schema(
        summary="Create a cohort",
        description="Made with its own private community space, linked to the course.",
        request=CohortWriteSerializer,
        responses={201: CohortSerializer},
    ),
    update=extend_schema(
        summary="Update a cohort (partial, as PATCH)",
        request=CohortWriteSerializer(partial=True),
        responses=CohortSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a cohort",
        request=CohortWriteSerializer(partial=True),
        responses=CohortSerializer,
    ),
)
class CohortViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's cohorts (100 per page, oldest first); staff write them."""

    queryset = Cohort.objects.all()
    serializer_class = CohortSerializer
    scopes = ("read:community", "write:community")
    lookup_url_kwarg = "cohort_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.credential.is_user:
            # Not ``owner_field``: its join would narrow the member count to the caller.
            queryset = queryset.filter(
                Exists(
                    CohortMember.objects.filter(cohort=OuterRef("pk"), user=self.credential.user)
                )
            )
        return cohort_selectors.cohort_list(queryset=queryset)

    def _respond(self, cohort: Cohort, status_code: int = status.HTTP_200_OK) -> Response:
        cohort = cohort_selectors.cohort_list(queryset=Cohort.objects.filter(pk=cohort.pk)).get()
        return Response(CohortSerializer(cohort).data, status=status_code)

    def create(self, request) -> Response:
        serializer = CohortWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        cohort = cohort_services.cohort_create(school=self.school, **serializer.validated_data)
        return self._respond(cohort, status.HTTP_201_CREATED)

    def update(self, request, cohort_id: str | None = None) -> Response:
        cohort = self.get_object()
        serializer = CohortWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        return self._respond(
            cohort_services.cohort_update(cohort=cohort, **serializer.validated_data)
        )

    def partial_update(self, request, cohort_id: str | None = None) -> Response:
        return self.update(request, cohort_id=cohort_id)


@extend_schema_view(
    list=extend_schema(
        summary="List the members of a cohort",
        description="Oldest first, 10 per page. A user token reads the members of its own "
        "cohorts (another person's id and e-mail are null).",
    ),
    create=extend_schema(
        summary="Add users to a cohort",
        description="Each person not in the cohort yet is enrolled in its course (unless "
        "actively enrolled already), added to the cohort's space, and announced with "
        "cohort.member.added. Answers only the members this call added.",
        request=CohortMembersAddSerializer,
        responses={201: CohortMemberSerializer(many=True), 200: CohortMemberSerializer(many=True)},
    ),
    destroy=extend_schema(
        summary="Remove a user from a cohort",
        description="They leave the cohort's space too; their enrollment in the course stays.",
    ),
)
class CohortMemberViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, SchoolScopedViewSet):
    """The members of a cohort, addressed by the person's id."""

    # A user token finds only the cohorts it is a member of: any other is 404.
    cohort = Parent(
        Cohort.objects.all(),
        url_kwarg="cohort_id",
        owner_field="members__user",
        detail="No such cohort.",
    )

    queryset = CohortMember.objects.all()
    serializer_class = CohortMemberSerializer
    scopes = ("read:community", "write:community")
    lookup_field = "user_id"
    page_size = 10
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return cohort_selectors.cohort_member_list(cohort=self.cohort, queryset=queryset)

    def create(self, request, cohort_id: str | None = None) -> Response:
        serializer = CohortMembersAddSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        affected = cohort_services.cohort_members_add(
            cohort=self.cohort, users=serializer.validated_data["users"]
        )
        rows = cohort_selectors.cohort_member_list(
            cohort=self.cohort,
            queryset=CohortMember.objects.filter(pk__in=[m.pk for m in affected]),
        )
        return Response(
            CohortMemberSerializer(rows, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if affected else status.HTTP_200_OK,
        )

    def perform_destroy(self, instance: CohortMember) -> None:
        cohort_services.cohort_member_remove(membership=instance)
