"""``domains/{domain_name}/access-code-pools[/{id}/access-codes]`` and code redemption."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import CaseInsensitiveChoiceField, LabelField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import FilterSet
from apps.core.validators import CONTROL_CHARACTERS
from apps.schools.api.domains import DomainUserSerializer
from apps.schools.api.nested import PersonSummarySerializer, domain_parent, member_field
from apps.schools.models import AccessCode, AccessCodePool, DurationUnit
from apps.schools.selectors import access_codes as access_codes_selectors
from apps.schools.selectors import domains
from apps.schools.services import access_codes as access_codes_services

# One word: no spaces, no control characters (see apps.core.validators).
CODE_PATTERN = "^[^\\s" + CONTROL_CHARACTERS.pattern[1:-1] + "]{1,100}$"

# --- pools -----------------------------------------------------------------------------------


class AccessCodePoolSerializer(ModelSerializer):
    """A pool of codes; ``code_count`` is how many codes it holds."""

    code_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = AccessCodePool
        fields = [
            "id",
            "name",
            "active",
            "start_date",
            "end_date",
            "expire_linked_to_domain_membership",
            "channel",
            "code_count",
        ]
        read_only_fields = fields


class AccessCodePoolWriteSerializer(Serializer):
    read_shape = AccessCodePoolSerializer

    name = LabelField(max_length=200)
    active = serializers.BooleanField(required=False)
    start_date = serializers.DateTimeField(required=False, allow_null=True)
    end_date = serializers.DateTimeField(required=False, allow_null=True)
    expire_linked_to_domain_membership = serializers.BooleanField(
        required=False,
        help_text="With end_date set, people who join with a code lose access on end_date.",
    )


class AccessCodePoolFilter(FilterSet):
    name = django_filters.CharFilter(help_text="Pools with exactly this name.")

    class Meta:
        model = AccessCodePool
        fields = ["name"]


@extend_schema_view(
    list=extend_schema(summary="List a domain's access code pools"),
    retrieve=extend_schema(summary="Get an access code pool"),
    create=extend_schema(
        summary="Create an empty access code pool",
        request=AccessCodePoolWriteSerializer,
        responses={201: AccessCodePoolSerializer},
    ),
    update=extend_schema(
        summary="Update an access code pool (partial)",
        request=AccessCodePoolWriteSerializer(partial=True),
    ),
    partial_update=extend_schema(
        summary="Update an access code pool", request=AccessCodePoolWriteSerializer(partial=True)
    ),
)
class AccessCodePoolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """Pools of codes that admit people to a private domain."""

    domain = domain_parent()

    queryset = AccessCodePool.objects.all()
    serializer_class = AccessCodePoolSerializer
    filterset_class = AccessCodePoolFilter
    scopes = ("read:users", "write:users")
    allow_user_tokens = False
    lookup_url_kwarg = "access_code_pool_id"
    page_size = 100
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return access_codes_selectors.pool_list(domain=self.domain, queryset=queryset)

    def _respond(self, pool: AccessCodePool, status_code: int = status.HTTP_200_OK) -> Response:
        pool = access_codes_selectors.pool_list(domain=self.domain).get(pk=pool.pk)
        return Response(AccessCodePoolSerializer(pool).data, status=status_code)

    def create(self, request, domain_name: str | None = None) -> Response:
        serializer = AccessCodePoolWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pool = access_codes_services.pool_create(domain=self.domain, **serializer.validated_data)
        return self._respond(pool, status.HTTP_201_CREATED)

    def update(self, request, domain_name: str | None = None, access_code_pool_id: str = ""):
        pool = self.get_object()
        serializer = AccessCodePoolWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            access_codes_services.pool_update(pool=pool, **serializer.validated_data)
        )

    def partial_update(
        self, request, domain_name: str | None = None, access_code_pool_id: str = ""
    ):
        return self.update(request, domain_name, access_code_pool_id)


# --- codes -----------------------------------------------------------------------------------


class AccessCodeSerializer(ModelSerializer):
    """A code as a pool lists it."""

    class Meta:
        model = AccessCode
        fields = ["id", "code", "active", "max_uses", "use_count", "duration", "duration_unit"]
        read_only_fields = fields


class AccessCodeDetailSerializer(AccessCodeSerializer):
    """A code with the people who used it."""

    users = serializers.SerializerMethodField()

    class Meta(AccessCodeSerializer.Meta):
        fields = [*AccessCodeSerializer.Meta.fields, "users"]
        read_only_fields = fields

    @extend_schema_field(PersonSummarySerializer(many=True))
    def get_users(self, access_code: AccessCode) -> list[dict]:
        return PersonSummarySerializer(
            access_codes_selectors.redeemers(access_code), many=True
        ).data


class AccessCodeWriteSerializer(Serializer):
    read_shape = AccessCodeDetailSerializer

    code = serializers.RegexField(
        CODE_PATTERN,
        required=False,
        help_text="Case-sensitive; generated when left out.",
        error_messages={"invalid": "Use 1 to 100 characters without spaces or control characters."},
    )
    active = serializers.BooleanField(required=False)
    max_uses = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2_147_483_647,  # the column's range on PostgreSQL; more was a 500
        help_text="null: unlimited.",
    )
    duration = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=10_000,
        help_text="How long access lasts after redemption (null: no limit).",
    )
    # Skilljar's own examples write both MONTHS and Months.
    duration_unit = CaseInsensitiveChoiceField(choices=DurationUnit.choices, required=False)


@extend_schema_view(
    list=extend_schema(summary="List the codes of a pool"),
    retrieve=extend_schema(summary="Get an access code", responses=AccessCodeDetailSerializer),
    create=extend_schema(
        summary="Add an access code to a pool",
        request=AccessCodeWriteSerializer,
        responses={201: AccessCodeDetailSerializer},
    ),
    update=extend_schema(
        summary="Update an access code (partial)",
        request=AccessCodeWriteSerializer,
        responses=AccessCodeDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="Update an access code",
        request=AccessCodeWriteSerializer,
        responses=AccessCodeDetailSerializer,
    ),
)
class AccessCodeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The codes of one pool (1000 per page)."""

    domain = domain_parent()
    pool = Parent(
        AccessCodePool.objects.all(),
        url_kwarg="access_code_pool_id",
        within="domain",
        detail="No such access code pool.",
    )

    queryset = AccessCode.objects.all()
    serializer_class = AccessCodeSerializer
    scopes = ("read:users", "write:users")
    allow_user_tokens = False
    lookup_url_kwarg = "access_code_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        # The list shape has no ``users``: only a single code loads its redeemers.
        return access_codes_selectors.code_list(
            pool=self.pool, queryset=queryset, with_redeemers=self.action != "list"
        )

    def _respond(self, code: AccessCode, status_code: int = status.HTTP_200_OK) -> Response:
        code = access_codes_selectors.code_list(pool=self.pool, with_redeemers=True).get(pk=code.pk)
        return Response(AccessCodeDetailSerializer(code).data, status=status_code)

    def retrieve(self, request, *args, **kwargs) -> Response:
        return Response(AccessCodeDetailSerializer(self.get_object()).data)

    def create(self, request, *args, **kwargs) -> Response:
        serializer = AccessCodeWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = access_codes_services.code_create(pool=self.pool, **serializer.validated_data)
        return self._respond(code, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs) -> Response:
        access_code = self.get_object()
        serializer = AccessCodeWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        code = access_codes_services.code_update(
            access_code=access_code, **serializer.validated_data
        )
        return self._respond(code)

    def partial_update(self, request, *args, **kwargs) -> Response:
        return self.update(request, *args, **kwargs)


# --- redemption ------------------------------------------------------------------------------


class RedeemSerializer(Serializer):
    code = serializers.CharField(max_length=100, help_text="The access code (case-sensitive).")
    user_id = member_field(help_text="The person (usr_ id) who redeems the code.")


@extend_schema_view(
    redeem=extend_schema(
        summary="Redeem an access code for a user",
        description=(
            "Admits the user to the domain. 400 with code `code_not_found`, `code_inactive`, "
            "`code_expired` (outside the pool's window) or `code_exhausted` (max_uses "
            "reached). 201 when a use was recorded; 200 when this user had already redeemed "
            "the code (nothing is used again)."
        ),
        request=RedeemSerializer,
        responses={201: DomainUserSerializer, 200: DomainUserSerializer},
    )
)
class AccessCodeRedeemViewSet(SchoolScopedViewSet):
    """``POST domains/{domain_name}/access-codes/redeem``."""

    domain = domain_parent()

    queryset = AccessCode.objects.all()
    serializer_class = RedeemSerializer
    scopes = ("read:users", "write:users")
    allow_user_tokens = False

    @action(detail=False, methods=["post"])
    def redeem(self, request, domain_name: str | None = None) -> Response:
        domain = self.domain
        serializer = RedeemSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        member = serializer.validated_data["user_id"]
        domain_user, used = access_codes_services.code_redeem(
            domain=domain, code=serializer.validated_data["code"], member=member
        )
        domain_user = domains.domain_user_get(domain=domain, user_id=member.user_id)
        return Response(
            DomainUserSerializer(domain_user).data,
            status=status.HTTP_201_CREATED if used else status.HTTP_200_OK,
        )
