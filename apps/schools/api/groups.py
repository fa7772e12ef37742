"""``groups``, ``groups/{id}/users``, ``groups/{id}/access-code-pools``, ``group-categories``
and ``users/{id}/groups`` (Skilljar v1 shapes)."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import LabelField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import FilterSet
from apps.schools.api.access_codes import AccessCodePoolSerializer
from apps.schools.api.nested import (
    IdObjectRelatedField,
    SchoolPrimaryKeyRelatedField,
    UserSummarySerializer,
    member_field,
)
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import (
    AccessCodePool,
    Group,
    GroupAccessCodePool,
    GroupCategory,
    GroupMembership,
    Member,
    SignupFieldOption,
)
from apps.schools.selectors import groups as groups_selectors
from apps.schools.services import groups as groups_services

# --- groups ----------------------------------------------------------------------------------


class SignUpFieldRuleSerializer(Serializer):
    """Members whose signup answers select these options join the group automatically."""

    enforce = serializers.BooleanField(
        source="rule_enforce",
        required=False,
        help_text="When false, the rule is not applied when answers are saved.",
    )
    # Skilljar's prose calls the flag ``enforced`` (its example says ``enforce``): clients
    # send either, and a dropped ``enforced`` left the rule silently unenforced.
    enforced = serializers.BooleanField(
        required=False, write_only=True, help_text="Same as enforce (Skilljar's other spelling)."
    )
    require_match_all = serializers.BooleanField(
        source="rule_require_match_all",
        required=False,
        help_text="true: every option must match; false: any one option is enough.",
    )
    options = IdObjectRelatedField(
        source="rule_options",
        many=True,
        required=False,
        queryset=SignupFieldOption.objects.all(),
        help_text='Signup field options, as [{"id": "sfo_..."}].',
    )

    def validate(self, attrs: dict) -> dict:
        if "enforced" in attrs:
            enforced = attrs.pop("enforced")
            if attrs.setdefault("rule_enforce", enforced) != enforced:
                raise serializers.ValidationError(
                    {
                        "enforced": [
                            ErrorDetail(
                                "enforce and enforced disagree; send one of them.",
                                code=SchoolErrorCode.CONFLICTING_ENFORCE_FLAGS,
                            )
                        ]
                    }
                )
        return attrs


class GroupSerializer(ModelSerializer):
    """A group as ``GET groups`` lists it."""

    user_count = serializers.IntegerField(read_only=True)
    group_category_id = serializers.CharField(source="category_id", read_only=True, allow_null=True)
    sign_up_field_rule = SignUpFieldRuleSerializer(source="*", read_only=True)

    class Meta:
        model = Group
        fields = [
            "id",
            "name",
            "user_count",
            "discount_percent",
            "group_category_id",
            "sign_up_field_rule",
        ]
        read_only_fields = fields


class GroupWriteSerializer(Serializer):
    read_shape = GroupSerializer

    name = LabelField(max_length=200, help_text="Unique in the school.")
    discount_percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text="Discount on every purchase."
    )
    group_category_id = SchoolPrimaryKeyRelatedField(
        source="category",
        queryset=GroupCategory.objects.all(),
        allow_null=True,
        required=False,
    )
    sign_up_field_rule = SignUpFieldRuleSerializer(required=False)


def _group_fields(validated: dict) -> dict:
    fields = dict(validated)
    rule = fields.pop("sign_up_field_rule", None) or {}
    fields.update(rule)
    return fields


class GroupFilter(FilterSet):
    name = django_filters.CharFilter(help_text="Exact group name.")

    class Meta:
        model = Group
        fields = ["name"]


@extend_schema_view(
    list=extend_schema(summary="List groups"),
    retrieve=extend_schema(summary="Get a group"),
    create=extend_schema(
        summary="Create a group", request=GroupWriteSerializer, responses={201: GroupSerializer}
    ),
    update=extend_schema(
        summary="Update a group (partial)", request=GroupWriteSerializer(partial=True)
    ),
    partial_update=extend_schema(
        summary="Update a group", request=GroupWriteSerializer(partial=True)
    ),
)
class GroupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """Groups of members (1000 per page); names are unique in the school."""

    queryset = Group.objects.all()
    serializer_class = GroupSerializer
    filterset_class = GroupFilter
    scopes = ("read:users", "write:users")
    allow_user_tokens = False
    lookup_url_kwarg = "group_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return groups_selectors.group_list(school=self.school, queryset=queryset)

    def _respond(self, group: Group, status_code: int = status.HTTP_200_OK) -> Response:
        group = groups_selectors.group_get(school=self.school, group_id=group.id)
        return Response(GroupSerializer(group).data, status=status_code)

    def create(self, request) -> Response:
        serializer = GroupWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        fields = _group_fields(serializer.validated_data)
        group = groups_services.group_create(school=self.school, **fields)
        return self._respond(group, status.HTTP_201_CREATED)

    def update(self, request, group_id: str | None = None) -> Response:
        group = self.get_object()
        serializer = GroupWriteSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        fields = _group_fields(serializer.validated_data)
        return self._respond(groups_services.group_update(group=group, **fields))

    def partial_update(self, request, group_id: str | None = None) -> Response:
        return self.update(request, group_id=group_id)


# --- group users -----------------------------------------------------------------------------


def group_parent() -> Parent:
    """``groups/{group_id}/``: the caller's school's group, else 404."""
    return Parent(Group.objects.all(), url_kwarg="group_id", detail="No such group.")


class GroupUserSerializer(ModelSerializer):
    """``{user: {id, email, first_name, last_name}, created_at}``."""

    user = UserSummarySerializer(source="member", read_only=True)

    class Meta:
        model = GroupMembership
        fields = ["user", "created_at"]
        read_only_fields = fields


class GroupUserRefSerializer(Serializer):
    id = member_field(help_text="The person's usr_ id.")


class GroupUserCreateSerializer(Serializer):
    user = GroupUserRefSerializer()


@extend_schema_view(
    list=extend_schema(summary="List the users in a group"),
    retrieve=extend_schema(summary="Get a user's membership of a group"),
    create=extend_schema(
        summary="Add a user to a group",
        request=GroupUserCreateSerializer,
        responses={201: GroupUserSerializer, 200: GroupUserSerializer},
    ),
    destroy=extend_schema(summary="Remove a user from a group"),
)
class GroupUserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    SchoolScopedViewSet,
):
    """The members of a group (1000 per page), addressed by the person's id."""

    group = group_parent()

    queryset = GroupMembership.objects.all()
    serializer_class = GroupUserSerializer
    scopes = ("read:users", "write:users")
    allow_user_tokens = False
    lookup_field = "user_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return groups_selectors.group_members(group=self.group, queryset=queryset)

    def create(self, request, group_id: str | None = None) -> Response:
        group = self.group
        serializer = GroupUserCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        member: Member = serializer.validated_data["user"]["id"]
        membership, created = groups_services.group_member_add(group=group, member=member)
        membership = groups_selectors.group_members(group=group).get(pk=membership.pk)
        return Response(
            GroupUserSerializer(membership).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def perform_destroy(self, instance: GroupMembership) -> None:
        groups_services.group_member_remove(membership=instance)


# --- group access code pools -----------------------------------------------------------------


class GroupPoolSerializer(AccessCodePoolSerializer):
    """The pool linked to a group, in the access code pool shape."""

    def to_representation(self, link: GroupAccessCodePool) -> dict:
        pool = link.access_code_pool
        pool.code_count = getattr(link, "code_count", 0)
        return super().to_representation(pool)


class PoolRefSerializer(Serializer):
    id = SchoolPrimaryKeyRelatedField(queryset=AccessCodePool.objects.all())


class GroupPoolCreateSerializer(Serializer):
    access_code_pool = PoolRefSerializer()


@extend_schema_view(
    list=extend_schema(
        summary="List the access code pools of a group",
        responses=AccessCodePoolSerializer(many=True),
    ),
    create=extend_schema(
        summary="Add an access code pool to a group (its redeemers join the group)",
        request=GroupPoolCreateSerializer,
        responses={201: AccessCodePoolSerializer, 200: AccessCodePoolSerializer},
    ),
)
class GroupAccessCodePoolViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """Pools whose codes put their redeemers in the group (1000 per page)."""

    group = group_parent()

    queryset = GroupAccessCodePool.objects.all()
    serializer_class = GroupPoolSerializer
    scopes = ("read:users", "write:users")
    allow_user_tokens = False
    lookup_field = "access_code_pool_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return groups_selectors.group_pool_links(group=self.group, queryset=queryset)

    def create(self, request, group_id: str | None = None) -> Response:
        group = self.group
        serializer = GroupPoolCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        pool = serializer.validated_data["access_code_pool"]["id"]
        link, created = groups_services.group_pool_add(group=group, pool=pool)
        link = groups_selectors.group_pool_links(group=group).get(pk=link.pk)
        return Response(
            GroupPoolSerializer(link).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- group categories ------------------------------------------------------------------------


class GroupCategorySerializer(ModelSerializer):
    name = LabelField(max_length=GroupCategory._meta.get_field("name").max_length)

    class Meta:
        model = GroupCategory
        fields = ["id", "name"]
        read_only_fields = ["id"]
        extra_kwargs = {"name": {"validators": []}}


@extend_schema_view(
    list=extend_schema(summary="List group categories"),
    retrieve=extend_schema(summary="Get a group category"),
    create=extend_schema(
        summary="Create a group category", responses={201: GroupCategorySerializer}
    ),
)
class GroupCategoryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, SchoolScopedViewSet
):
    """Headings that groups are filed under."""

    queryset = GroupCategory.objects.all()
    serializer_class = GroupCategorySerializer
    scopes = ("read:users", "write:users")
    allow_user_tokens = False
    lookup_url_kwarg = "group_category_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("name", "id")

    def perform_create(self, serializer: GroupCategorySerializer) -> None:
        serializer.instance = groups_services.group_category_create(
            school=self.school, name=serializer.validated_data["name"]
        )


# --- a user's groups -------------------------------------------------------------------------


class UserGroupSerializer(GroupSerializer):
    """A group the user is in (the group shape)."""

    def to_representation(self, membership: GroupMembership) -> dict:
        group = membership.group
        group.user_count = getattr(membership, "group_user_count", 0)
        return super().to_representation(group)


@extend_schema_view(
    list=extend_schema(summary="List the groups a user is in", responses=GroupSerializer(many=True))
)
class UserGroupViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """``users/{user_id}/groups``; a user token may list only its own groups."""

    member = Parent(
        Member.objects.all(),
        url_kwarg="user_id",
        field="user_id",
        owner_field="user",
        detail="No such user.",
    )

    queryset = GroupMembership.objects.all()
    serializer_class = UserGroupSerializer
    scopes = ("read:users", "write:users")
    owner_field = "user"
    lookup_field = "group_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return groups_selectors.user_group_memberships(member=self.member, queryset=queryset)
