"""``seats`` (LearnWorlds' multiple seats): a buyer's places on one offer's target, and the
people assigned to them (``seats/{id}/users/{user_id}``)."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.commerce.models import Offer, SeatAssignment, SeatOffering
from apps.commerce.selectors import seats as seat_selectors
from apps.commerce.services import seats as seat_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.errors import NotFound
from apps.schools.models import User
from apps.schools.selectors.people import member_get


class SeatOfferingSerializer(ModelSerializer):
    """A seat offering: who bought it, on which offer (and its target), seats and their use."""

    user_id = serializers.CharField(read_only=True, help_text="The buyer.")
    offer_id = serializers.CharField(read_only=True)
    published_course_id = serializers.CharField(
        source="offer.published_course_id", read_only=True, allow_null=True
    )
    published_path_id = serializers.CharField(
        source="offer.published_path_id", read_only=True, allow_null=True
    )
    seats_available = serializers.SerializerMethodField()

    class Meta:
        model = SeatOffering
        fields = [
            "id",
            "user_id",
            "offer_id",
            "published_course_id",
            "published_path_id",
            "seats",
            "seats_used",
            "seats_available",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_seats_available(self, offering: SeatOffering) -> int:
        return offering.seats - offering.seats_used


class SeatOfferingCreateSerializer(Serializer):
    """A new seat offering."""

    user_id = SchoolPrimaryKeyRelatedField(
        source="user", queryset=User.objects.all(), help_text="The buyer, a user of the school."
    )
    offer_id = SchoolPrimaryKeyRelatedField(
        source="offer",
        queryset=Offer.objects.all(),
        help_text="An offer on a published course or a published path.",
    )
    seats = serializers.IntegerField(min_value=1, max_value=seat_services.MAX_SEATS)


class SeatOfferingUpdateSerializer(Serializer):
    """A change of the number of seats (never below the seats assigned)."""

    read_shape = SeatOfferingSerializer

    seats = serializers.IntegerField(min_value=1, max_value=seat_services.MAX_SEATS, required=False)


class SeatAssignmentSerializer(ModelSerializer):
    """A person on a seat, and the enrollment the seat gave them."""

    seat_id = serializers.CharField(source="seat_offering_id", read_only=True)
    user_id = serializers.CharField(read_only=True)
    enrollment_id = serializers.CharField(read_only=True, allow_null=True)
    path_enrollment_id = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = SeatAssignment
        fields = [
            "id",
            "seat_id",
            "user_id",
            "enrollment_id",
            "path_enrollment_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List seat offerings", description="20 per page, newest first."),
    retrieve=extend_schema(summary="Get a seat offering"),
    create=extend_schema(
        summary="Create a seat offering",
        request=SeatOfferingCreateSerializer,
        responses={201: SeatOfferingSerializer},
    ),
    update=extend_schema(
        summary="Change the number of seats",
        request=SeatOfferingUpdateSerializer,
        responses=SeatOfferingSerializer,
    ),
)
class SeatOfferingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's seat offerings (20 per page, newest first)."""

    queryset = SeatOffering.objects.all()
    serializer_class = SeatOfferingSerializer
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    lookup_url_kwarg = "seat_id"
    http_method_names = ["get", "post", "put", "head", "options"]
    page_size = 20
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return seat_selectors.seat_offering_list(queryset=queryset)

    def _respond(self, offering: SeatOffering, status_code: int = status.HTTP_200_OK) -> Response:
        queryset = SeatOffering.objects.filter(pk=offering.pk)
        offering = seat_selectors.seat_offering_list(queryset=queryset).get()
        return Response(SeatOfferingSerializer(offering).data, status=status_code)

    def create(self, request) -> Response:
        serializer = SeatOfferingCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        offering = seat_services.seat_offering_create(
            school=self.school, **serializer.validated_data
        )
        return self._respond(offering, status.HTTP_201_CREATED)

    def update(self, request, seat_id: str | None = None) -> Response:
        offering = self.get_object()
        serializer = SeatOfferingUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        offering = seat_services.seat_offering_update(
            offering=offering, **serializer.validated_data
        )
        return self._respond(offering)


@extend_schema_view(
    list=extend_schema(
        summary="List the people on a seat offering's seats", description="20 per page."
    ),
    retrieve=extend_schema(summary="Get a person's seat"),
)
class SeatUserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The people on the seats of one offering, addressed by their user id."""

    seat_offering = Parent(
        SeatOffering.objects.all(),
        url_kwarg="seat_offering_id",
        relation="seat_offering",
        detail="No such seat offering.",
    )

    queryset = SeatAssignment.objects.all()
    serializer_class = SeatAssignmentSerializer
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    lookup_field = "user_id"
    page_size = 20
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return seat_selectors.seat_assignment_list(queryset=queryset)

    @extend_schema(
        summary="Assign a user to a seat",
        description="Enrolls the user in the offer's target; the same user again answers 200 "
        "with their seat; 409 seats_full when every seat is taken.",
        request=None,
        responses={201: SeatAssignmentSerializer, 200: SeatAssignmentSerializer},
    )
    def assign(
        self, request, seat_offering_id: str | None = None, user_id: str | None = None
    ) -> Response:
        offering = self.seat_offering
        member = member_get(school=self.school, user_id=user_id)
        if member is None:
            raise NotFound("No such user.")
        assignment, created = seat_services.seat_assign(offering=offering, user=member.user)
        return Response(
            SeatAssignmentSerializer(assignment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
