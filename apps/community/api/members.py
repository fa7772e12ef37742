"""``community/spaces/{space_id}/users`` (LearnWorlds): a space's members and invitees.

Listed oldest first, 10 per page. Staff add people by id or e-mail (at once, or invited
when the space requires invitations) and are answered with only the people the call
affected; an account of another school is refused exactly like one that does not exist.
A user token reads the list of a space whose members it may see (``access.require_readable``)
and may remove only itself (leaving).
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.community.codes import CommunityErrorCode
from apps.community.models import Space, SpaceMember
from apps.community.selectors import access
from apps.community.selectors import spaces as space_selectors
from apps.community.services import members as member_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import LabelField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.credentials import Credential
from apps.core.errors import ApiError, NotFound
from apps.schools.models import User


def _learner(serializer: serializers.Field) -> User | None:
    """The person of the request's user token; None for an API key (staff)."""
    credential = getattr(serializer.context.get("request"), "auth", None)
    if isinstance(credential, Credential) and credential.is_user:
        return credential.user
    return None


def _shown(learner: User | None, user_id: str | None) -> bool:
    """Whether a person's id and address may be shown: to staff (``learner`` None) always,
    to a learner's token only its own (learners see each other's names, never ids or
    addresses)."""
    return learner is None or learner.pk == user_id


def _shown_to(serializer: serializers.Field, user_id: str | None) -> bool:
    return _shown(_learner(serializer), user_id)


def person_payload(
    learner: User | None, *, user_id: str, email: str, first_name: str, last_name: str
) -> dict:
    """``SpacePersonSerializer``'s shape from plain columns, read by ``learner`` (None for
    staff): for list rows that skip model instances."""
    shown = _shown(learner, user_id)
    return {
        "id": user_id if shown else None,
        "email": email if shown else None,
        "first_name": first_name,
        "last_name": last_name,
    }


class SpacePersonSerializer(Serializer):
    """``{id, email, first_name, last_name}`` of a member; ``id`` and ``email`` are null
    when a learner's token reads another person's row."""

    id = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_id(self, user: User) -> str | None:
        return user.pk if _shown_to(self, user.pk) else None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, user: User) -> str | None:
        return user.email if _shown_to(self, user.pk) else None


class SpaceMemberSerializer(ModelSerializer):
    """``{user: {id, email, first_name, last_name}, role, status, joined_at, …}``."""

    space_id = serializers.CharField(read_only=True)
    user = SpacePersonSerializer(read_only=True)
    invited_by_id = serializers.SerializerMethodField()

    class Meta:
        model = SpaceMember
        fields = [
            "id",
            "space_id",
            "user",
            "role",
            "status",
            "invited_by_id",
            "joined_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_invited_by_id(self, membership: SpaceMember) -> str | None:
        """The staff account that invited them; null to learners (another person's id)."""
        return membership.invited_by_id if _learner(self) is None else None


class SpaceMembersAddSerializer(Serializer):
    """``{"users": [usr_ ids or e-mails]}``: at most 100 people per call."""

    users = serializers.ListField(
        # A blank name is looked up like any other and names nobody: 400 does_not_exist,
        # the refusal of every name the school lacks (not a second, blank-only rule).
        child=LabelField(max_length=254, allow_blank=True),
        min_length=1,
        max_length=member_services.MAX_USERS_PER_CALL,
        help_text="The school's people, by usr_ id or e-mail (1 to 100).",
    )

    def validate_users(self, names: list[str]) -> list:
        school = self.context["request"].auth.school
        users, missing = space_selectors.school_users_named(school=school, names=names)
        if missing:
            shown = ", ".join(repr(name) for name in missing[:10])
            raise ValidationError(f"No such user in this school: {shown}.", code="does_not_exist")
        return users


class SpaceMemberUpdateSerializer(Serializer):
    role = serializers.ChoiceField(choices=SpaceMember.Role.choices, required=False)


@extend_schema_view(
    list=extend_schema(
        summary="List the users of a community space",
        description="Oldest first, 10 per page. Members and pending invitations "
        "(``status``). A user token reads it for public spaces and spaces it belongs to.",
    ),
    retrieve=extend_schema(summary="Get a user's membership of a community space"),
    create=extend_schema(
        summary="Add or invite users to a community space",
        description="Added at once, or invited (an inbox notification and an e-mail) when the "
        "space has is_invitation_required. Answers only the users this call affected; people "
        "already in the space or invited are left out.",
        request=SpaceMembersAddSerializer,
        responses={201: SpaceMemberSerializer(many=True), 200: SpaceMemberSerializer(many=True)},
    ),
    update=extend_schema(
        summary="Change a member's role (partial, as PATCH)",
        request=SpaceMemberUpdateSerializer,
        responses=SpaceMemberSerializer,
    ),
    partial_update=extend_schema(
        summary="Change a member's role",
        request=SpaceMemberUpdateSerializer,
        responses=SpaceMemberSerializer,
    ),
    destroy=extend_schema(
        summary="Remove a user from a community space",
        description="Staff remove anyone (or withdraw an invitation); a user token removes "
        "only itself.",
    ),
)
class SpaceMemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    SchoolScopedViewSet,
):
    """The members and invitees of a space, addressed by the person's id."""

    space = Parent(access.live_spaces(), url_kwarg="space_id", detail="No such community space.")

    queryset = SpaceMember.objects.all()
    serializer_class = SpaceMemberSerializer
    scopes = ("read:community", "write:community")
    lookup_field = "user_id"
    page_size = 10
    max_page_size = 100
    owner_write_actions = ("destroy",)

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        space: Space = self.space
        if self.credential.is_user:
            # A secret space the token may not know of is 404, like another school's.
            visible = access.spaces_visible_to(
                credential=self.credential, queryset=Space.objects.filter(pk=space.pk)
            )
            if not visible.exists():
                raise NotFound("No such community space.")
            if self.action != "destroy":
                access.require_readable(credential=self.credential, space=space)

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return space_selectors.space_member_list(space=self.space, queryset=queryset)

    def create(self, request, space_id: str | None = None) -> Response:
        serializer = SpaceMembersAddSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        affected = member_services.space_members_add(
            space=self.space, users=serializer.validated_data["users"]
        )
        rows = space_selectors.space_member_list(
            space=self.space, queryset=SpaceMember.objects.filter(pk__in=[m.pk for m in affected])
        )
        return Response(
            SpaceMemberSerializer(rows, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if affected else status.HTTP_200_OK,
        )

    def update(self, request, space_id: str | None = None, user_id: str | None = None):
        membership = self.get_object()
        serializer = SpaceMemberUpdateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        membership = member_services.space_member_update(
            membership=membership, **serializer.validated_data
        )
        return Response(
            SpaceMemberSerializer(membership, context=self.get_serializer_context()).data
        )

    def partial_update(self, request, space_id: str | None = None, user_id: str | None = None):
        return self.update(request, space_id=space_id, user_id=user_id)

    def perform_destroy(self, instance: SpaceMember) -> None:
        credential = self.credential
        if credential.is_user and instance.user_id != credential.user.pk:
            raise ApiError(
                "A user token removes only itself from a space.",
                code=CommunityErrorCode.NOT_OWN_MEMBERSHIP,
                status_code=403,
            )
        member_services.space_member_remove(membership=instance)
