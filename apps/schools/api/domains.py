"""``domains`` and ``domains/{domain_name}/users`` (Skilljar v1 shapes)."""

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import EmailIdentityField, LabelField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import BooleanFilter, ChoiceFilter, FilterSet
from apps.schools.api.nested import (
    SignupValueSerializer,
    UserSummarySerializer,
    domain_parent,
    fake_view,
)
from apps.schools.api.signup_fields import (
    SignupValuesBulkResultSerializer,
    SignupValuesBulkSerializer,
)
from apps.schools.login_tokens import login_token_make
from apps.schools.models import Domain, DomainUser, SignupFieldValue
from apps.schools.selectors import domains as domains_selectors
from apps.schools.services import domains as domains_services
from apps.schools.services import signup_fields

# --- domains ---------------------------------------------------------------------------------


class DomainSerializer(ModelSerializer):
    """A domain as ``GET domains`` lists it."""

    class Meta:
        model = Domain
        fields = [
            "id",
            "name",
            "catalog_title",
            "access",
            "access_code_message_html",
            "marketing_message",
        ]
        read_only_fields = fields


class DomainDetailSerializer(DomainSerializer):
    """A domain as ``GET domains/{domain_name}`` shows it (adds ``private``)."""

    private = serializers.SerializerMethodField()

    class Meta(DomainSerializer.Meta):
        fields = [
            "id",
            "name",
            "catalog_title",
            "private",
            "access",
            "access_code_message_html",
            "marketing_message",
        ]
        read_only_fields = fields

    def get_private(self, domain: Domain) -> bool:
        return domain.access == Domain.Access.PRIVATE


class DomainUpdateSerializer(Serializer):
    read_shape = DomainDetailSerializer

    catalog_title = serializers.CharField(
        allow_blank=True, required=False, max_length=100_000, help_text="HTML atop the catalog."
    )
    access = serializers.ChoiceField(choices=Domain.Access.choices, required=False)
    access_code_message_html = serializers.CharField(
        allow_blank=True, required=False, max_length=100_000
    )
    marketing_message = serializers.CharField(allow_blank=True, required=False, max_length=10_000)


@extend_schema_view(
    list=extend_schema(summary="List domains"),
    retrieve=extend_schema(summary="Get a domain", responses=DomainDetailSerializer),
    update=extend_schema(
        summary="Update a domain (partial)",
        request=DomainUpdateSerializer,
        responses=DomainDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="Update a domain", request=DomainUpdateSerializer, responses=DomainDetailSerializer
    ),
)
class DomainViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's domains, addressed by name. Domains are created by staff in the admin."""

    queryset = Domain.objects.all()
    serializer_class = DomainSerializer
    scopes = ("read:users", "write:users")
    lookup_field = "name"
    lookup_url_kwarg = "domain_name"
    page_size = 100
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("name")

    def retrieve(self, request, domain_name: str | None = None) -> Response:
        return Response(DomainDetailSerializer(self.get_object()).data)

    def update(self, request, domain_name: str | None = None) -> Response:
        domain = self.get_object()
        serializer = DomainUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        domain = domains_services.domain_update(domain=domain, **serializer.validated_data)
        return Response(DomainDetailSerializer(domain).data)

    def partial_update(self, request, domain_name: str | None = None) -> Response:
        return self.update(request, domain_name=domain_name)


# --- domain users ----------------------------------------------------------------------------


class PoolSummarySerializer(Serializer):
    id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class AccessCodeSummarySerializer(Serializer):
    id = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)
    pool = PoolSummarySerializer(source="access_code_pool", read_only=True)


class DomainUserSerializer(ModelSerializer):
    """A person's access to a domain; ``active`` is false once ``expires_at`` has passed."""

    user = UserSummarySerializer(source="member", read_only=True)
    active = serializers.SerializerMethodField()
    access_code = AccessCodeSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = DomainUser
        fields = ["user", "active", "marketing_optin", "enrolled_at", "expires_at", "access_code"]
        read_only_fields = fields

    def get_active(self, domain_user: DomainUser) -> bool:
        return getattr(domain_user, "active_now", domain_user.is_active)


class DomainUserWithSignupSerializer(DomainUserSerializer):
    """With ``include_signup_field_data=true``: the person's answers on this domain too."""

    # Not read-only only so the schema can say the key is optional (output-only serializer).
    signup_fields = SignupValueSerializer(
        source="member.domain_signup_values",
        many=True,
        required=False,
        help_text="Present only with include_signup_field_data=true.",
    )

    class Meta(DomainUserSerializer.Meta):
        fields = [*DomainUserSerializer.Meta.fields, "signup_fields"]
        read_only_fields = fields


class DomainUserCreatedSerializer(DomainUserSerializer):
    """The create response: the domain user plus a one-time ``login_token``."""

    login_token = serializers.CharField(
        read_only=True, help_text="Signs the person in once (POST auth/login-token), for 24 h."
    )

    class Meta(DomainUserSerializer.Meta):
        fields = [*DomainUserSerializer.Meta.fields, "login_token"]
        read_only_fields = fields


class NewUserSerializer(Serializer):
    email = EmailIdentityField(max_length=254)
    first_name = LabelField(max_length=150, allow_blank=True, required=False)
    last_name = LabelField(max_length=150, allow_blank=True, required=False)


class DomainUserCreateSerializer(Serializer):
    user = NewUserSerializer()
    active = serializers.BooleanField(
        required=False, default=True, help_text="Only active users have access to a private domain."
    )
    marketing_optin = serializers.BooleanField(required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When access ends (decides access on private domains).",
    )


class NullOnlyField(serializers.Field):
    """Accepts only ``null``: how Skilljar removes a domain user's access code."""

    def to_internal_value(self, data: object) -> None:
        domains_services.access_code_must_be_null(data)
        return None

    def validate_empty_values(self, data: object):
        if data is None:
            return True, None
        return super().validate_empty_values(data)


class NullOnlyFieldSchema(OpenApiSerializerFieldExtension):
    """The field is drf-spectacular's own ``NullEnum`` component (``enum: [null]``).

    An inline ``enum: [null]`` is what the enum post-processing hook rewrites: it moves null
    out of every enum into ``NullEnum`` and leaves an empty ``enum: []`` behind, which no
    OpenAPI validator accepts. A reference carries no ``enum`` for the hook to split.
    """

    target_class = NullOnlyField

    def map_serializer_field(self, auto_schema, direction: str) -> dict:
        component = ResolvedComponent(
            name=f"Null{spectacular_settings.ENUM_SUFFIX}",
            type=ResolvedComponent.SCHEMA,
            schema={"enum": [None]},
            object="null",
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class DomainUserUpdateSerializer(Serializer):
    read_shape = DomainUserSerializer

    active = serializers.BooleanField(required=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    access_code = NullOnlyField(
        required=False, allow_null=True, help_text="Only null: removes the access code."
    )


class DomainUserFilter(FilterSet):
    """Skilljar's domain-user filters; the three signup filters apply to one answer together."""

    user__email = django_filters.CharFilter(field_name="member__user__email", lookup_expr="iexact")
    user__first_name = django_filters.CharFilter(field_name="member__user__first_name")
    user__last_name = django_filters.CharFilter(field_name="member__user__last_name")
    active = BooleanFilter(field_name="active_now")
    access_code__code = django_filters.CharFilter(field_name="access_code__code")
    access_code__id = django_filters.CharFilter(field_name="access_code__id", lookup_expr="iexact")
    access_code__pool__id = django_filters.CharFilter(
        field_name="access_code__access_code_pool__id", lookup_expr="iexact"
    )
    access_code = ChoiceFilter(
        choices=[("null", "null")],
        method="filter_access_code",
        help_text='Only "null": users who joined without an access code.',
    )
    signup_field_id = django_filters.CharFilter(method="filter_noop")
    signup_field_label = django_filters.CharFilter(method="filter_noop")
    signup_field_value = django_filters.CharFilter(method="filter_noop")
    include_signup_field_data = BooleanFilter(
        method="filter_noop", help_text="true: each user also carries signup_fields."
    )

    class Meta:
        model = DomainUser
        fields: list[str] = []

    def filter_access_code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(access_code__isnull=True)

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        conditions = {}
        if data.get("signup_field_id"):
            # Through the join: iexact on the foreign key column itself is a FieldError (500).
            conditions["field__id__iexact"] = data["signup_field_id"]
        if data.get("signup_field_label"):
            conditions["field__label"] = data["signup_field_label"]
        if data.get("signup_field_value"):
            conditions["value"] = data["signup_field_value"]
        if conditions:
            answers = SignupFieldValue.objects.filter(
                member_id=OuterRef("member_id"),
                field__domain_id=OuterRef("domain_id"),
                **conditions,
            )
            queryset = queryset.filter(Exists(answers))
        return queryset


def _include_signup_fields(request) -> bool:
    """``include_signup_field_data`` as ``DomainUserFilter`` reads it; an invalid value counts
    as false here because the filter set answers it with a 400 naming the parameter."""
    filterset = DomainUserFilter(data=request.query_params, request=request)
    return filterset.is_valid() and filterset.form.cleaned_data["include_signup_field_data"] is True


@extend_schema_view(
    list=extend_schema(
        summary="List a domain's users",
        responses=DomainUserWithSignupSerializer(many=True),
        description="1000 per page. `signup_fields` is present with include_signup_field_data.",
    ),
    retrieve=extend_schema(summary="Get a domain user"),
    create=extend_schema(
        summary="Add a user to a domain (an existing e-mail returns the existing user)",
        request=DomainUserCreateSerializer,
        responses={201: DomainUserCreatedSerializer, 200: DomainUserCreatedSerializer},
    ),
    update=extend_schema(
        summary="Update a domain user (partial)", request=DomainUserUpdateSerializer
    ),
    partial_update=extend_schema(
        summary="Update a domain user", request=DomainUserUpdateSerializer
    ),
)
class DomainUserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """People with access to a domain. A user token sees only its own record."""

    domain = domain_parent()

    queryset = DomainUser.objects.all()
    serializer_class = DomainUserSerializer
    filterset_class = DomainUserFilter
    scopes = ("read:users", "write:users")
    owner_field = "user"
    lookup_field = "user_id"
    lookup_url_kwarg = "user_id"
    page_size = 1000
    max_page_size = 1000

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        include = self.action == "list" and _include_signup_fields(self.request)
        return domains_selectors.domain_user_list(
            domain=self.domain, queryset=queryset, include_signup_fields=include
        )

    def get_serializer_class(self):
        if not fake_view(self) and self.action == "list" and _include_signup_fields(self.request):
            return DomainUserWithSignupSerializer
        return DomainUserSerializer

    def create(self, request, domain_name: str | None = None) -> Response:
        serializer = DomainUserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person = data.pop("user")
        domain_user, created = domains_services.domain_user_create(
            domain=self.domain, **person, **data
        )
        domain_user = domains_selectors.domain_user_get(
            domain=self.domain, user_id=domain_user.member.user_id
        )
        domain_user.login_token = login_token_make(member=domain_user.member)
        return Response(
            DomainUserCreatedSerializer(domain_user).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def update(self, request, domain_name: str | None = None, user_id: str | None = None):
        domain_user = self.get_object()
        serializer = DomainUserUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        domains_services.domain_user_update(domain_user=domain_user, **serializer.validated_data)
        domain_user = domains_selectors.domain_user_get(domain=self.domain, user_id=user_id)
        return Response(DomainUserSerializer(domain_user).data)

    def partial_update(self, request, domain_name: str | None = None, user_id: str | None = None):
        return self.update(request, domain_name=domain_name, user_id=user_id)

    @extend_schema(
        summary="Create or update several signup field values of a user",
        description=(
            "201 with `Location` (the user's signup field values); the body lists only the "
            "values that were new or changed."
        ),
        request=SignupValuesBulkSerializer,
        responses={201: SignupValuesBulkResultSerializer},
    )
    @action(detail=True, methods=["post"], url_path="signup-fields-bulk")
    def signup_fields_bulk(
        self, request, domain_name: str | None = None, user_id: str | None = None
    ) -> Response:
        domain_user = self.get_object()
        serializer = SignupValuesBulkSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data["signup_fields"]
        changed = signup_fields.signup_values_set(
            domain_user=domain_user, values={item["id"]: item["value"] for item in items}
        )
        location = reverse(
            "api:user-signup-field-list",
            kwargs={"domain_name": self.domain.name, "user_id": domain_user.user_id},
            request=request,
        )
        return Response(
            {"signup_fields": SignupValueSerializer(changed, many=True).data},
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )
