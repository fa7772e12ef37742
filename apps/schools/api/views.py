from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.core.api.base import ApiView, SchoolScopedViewSet
from apps.core.email_identity import email_key
from apps.core.throttling import AuthRateThrottle
from apps.schools import tokens
from apps.schools.api.filters import UserFilter
from apps.schools.api.serializers import (
    MeSerializer,
    TokenObtainSerializer,
    TokenPairSerializer,
    TokenRefreshSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserTagsSerializer,
    UserUpdateSerializer,
)
from apps.schools.models import Member
from apps.schools.selectors import people as people_selectors
from apps.schools.services import people as people_services


@extend_schema_view(
    list=extend_schema(summary="List the school's users"),
    retrieve=extend_schema(summary="Get a user"),
    create=extend_schema(
        summary="Create a user (201), or get the school's user with this e-mail (200)",
        request=UserCreateSerializer,
        responses={201: UserSerializer, 200: UserSerializer},
    ),
    update=extend_schema(summary="Update a user (partial)", request=UserUpdateSerializer),
    partial_update=extend_schema(summary="Update a user", request=UserUpdateSerializer),
)
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    SchoolScopedViewSet,
):
    """The school's users. A user token sees only its own user."""

    queryset = Member.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilter
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    scopes = ("read:users", "write:users")
    owner_field = "user"
    lookup_field = "user_id"
    lookup_url_kwarg = "id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset):
        return people_selectors.member_list(queryset=queryset).order_by("id")

    def page_rows(self, queryset):
        """A page's rows (read by the paginator): plain rows, not model instances, since
        building ~300 models a page was most of the list's cost."""
        return people_selectors.member_rows(queryset)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = people_selectors.member_rows_with_tags(page)
        return self.get_paginated_response([UserSerializer.row_payload(row) for row in rows])

    def _respond(self, member: Member, status_code: int = status.HTTP_200_OK) -> Response:
        member = people_selectors.member_get(school=self.school, user_id=member.user_id)
        return Response(UserSerializer(member).data, status=status_code)

    def create(self, request):
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Skilljar semantics: an e-mail the school already has returns that user (200).
        member, created = people_services.user_create(
            school=self.school, **serializer.validated_data
        )
        return self._respond(member, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def update(self, request, id=None, partial=True):
        member = self.get_object()
        serializer = UserUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        people_services.user_update(member=member, **serializer.validated_data)
        return self._respond(member)

    def partial_update(self, request, id=None):
        return self.update(request, id=id)

    @extend_schema(
        summary="Anonymize a user (irreversible)", request=None, responses=UserSerializer
    )
    @action(detail=True, methods=["post"])
    def anonymize(self, request, id=None):
        return self._respond(people_services.user_anonymize(member=self.get_object()))

    @extend_schema(summary="Suspend a user", request=None, responses=UserSerializer)
    @action(detail=True, methods=["put"])
    def suspend(self, request, id=None):
        return self._respond(people_services.member_suspend(member=self.get_object()))

    @extend_schema(summary="Unsuspend a user", request=None, responses=UserSerializer)
    @action(detail=True, methods=["put"])
    def unsuspend(self, request, id=None):
        return self._respond(people_services.member_unsuspend(member=self.get_object()))

    @extend_schema(
        summary="Set a user's tags", request=UserTagsSerializer, responses=UserSerializer
    )
    @action(detail=True, methods=["put"])
    def tags(self, request, id=None):
        member = self.get_object()
        serializer = UserTagsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        names = serializer.validated_data["tags"]
        current = [tag.name for tag in member.tags.all()]
        match serializer.validated_data["action"]:
            case "attach":
                names = current + names
            case "detach":
                names = [name for name in current if name not in set(names)]
        return self._respond(people_services.member_set_tags(member=member, tags=names))


class MeView(ApiView):
    """Who the credential is."""

    @extend_schema(responses=MeSerializer, operation_id="me_retrieve")
    def get(self, request):
        credential = request.auth
        member = None
        if credential.is_user:
            member = people_selectors.member_get(
                school=credential.school, user_id=credential.user.id
            )
        return Response(MeSerializer.payload(credential, member))


class TokenObtainView(ApiView):
    """Exchange e-mail and password for a user's access and refresh tokens."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    def throttle_account(self, request) -> str | None:
        data = request.data if isinstance(request.data, dict) else {}
        email, school = data.get("email"), data.get("school")
        if not isinstance(email, str):
            return None
        # One bucket per school account: guessing in one school spends nothing of another's.
        return f"{school if isinstance(school, str) else ''}/{email_key(email)}"

    @extend_schema(
        request=TokenObtainSerializer,
        responses={200: TokenPairSerializer, 401: OpenApiResponse(description="Wrong login")},
        auth=[],
        operation_id="auth_token_create",
    )
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = tokens.member_for_login(
            email=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
            school=serializer.validated_data.get("school"),
        )
        pair = tokens.tokens_issue(member=member)
        return Response(TokenPairSerializer(pair).data)


class TokenRefreshView(ApiView):
    """Rotate a refresh token: a new pair is issued and the old refresh token dies."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    def throttle_account(self, request) -> str | None:
        raw = request.data.get("refresh_token") if isinstance(request.data, dict) else None
        return tokens.token_subject(raw) if isinstance(raw, str) else None

    def get_authenticate_header(self, request) -> str:
        # A refused refresh token is 401 with a challenge; without one DRF turns it into 403.
        return 'Bearer realm="api"'

    @extend_schema(
        request=TokenRefreshSerializer,
        responses={200: TokenPairSerializer, 401: OpenApiResponse(description="Bad token")},
        auth=[],
        operation_id="auth_token_refresh_create",
    )
    def post(self, request):
        serializer = TokenRefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = tokens.tokens_refresh(refresh_token=serializer.validated_data["refresh_token"])
        return Response(TokenPairSerializer(pair).data)


class TokenRevokeView(ApiView):
    """Revoke every access and refresh token of the calling user."""

    @extend_schema(request=None, responses={204: None}, operation_id="auth_token_revoke_create")
    def post(self, request):
        if not request.auth.is_user:
            raise PermissionDenied(
                "Only a user token can revoke its user's tokens; revoke API keys in the admin."
            )
        people_services.user_tokens_revoke(user=request.auth.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
