"""``domains/{domain_name}/signup-fields`` and a domain user's answers
(``.../users/{user_id}/signup-fields`` and ``.../signup-fields-bulk``)."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.schools.api.nested import (
    SchoolPrimaryKeyRelatedField,
    SignupValueSerializer,
    domain_parent,
    domain_user_parent,
)
from apps.schools.models import SignupField, SignupFieldOption, SignupFieldValue
from apps.schools.selectors import signup_fields as signup_fields_selectors
from apps.schools.services import signup_fields as signup_fields_services


class SignupFieldOptionSerializer(ModelSerializer):
    class Meta:
        model = SignupFieldOption
        fields = ["id", "label"]
        read_only_fields = fields


class SignupFieldSerializer(ModelSerializer):
    """A signup question: ``text``, ``select`` (with ``options``) or ``checkbox``."""

    options = SignupFieldOptionSerializer(many=True, read_only=True)

    class Meta:
        model = SignupField
        fields = ["id", "label", "type", "required", "options"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List a domain's signup fields"),
    retrieve=extend_schema(summary="Get a signup field"),
)
class SignupFieldViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The questions a domain asks at signup, in display order. Staff edit them in the admin."""

    domain = domain_parent()

    queryset = SignupField.objects.all()
    serializer_class = SignupFieldSerializer
    scopes = ("read:users", "write:users")
    lookup_url_kwarg = "signup_field_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return signup_fields_selectors.signup_field_list(domain=self.domain, queryset=queryset)


class SignupFieldIdSerializer(Serializer):
    id = SchoolPrimaryKeyRelatedField(queryset=SignupField.objects.all())


class SignupValueWriteSerializer(Serializer):
    signup_field = SignupFieldIdSerializer()
    value = serializers.CharField(
        allow_blank=True, max_length=signup_fields_services.MAX_TEXT_LENGTH, trim_whitespace=False
    )


class BulkItemSerializer(Serializer):
    id = SchoolPrimaryKeyRelatedField(
        queryset=SignupField.objects.all(), help_text="A signup field id of this domain."
    )
    value = serializers.CharField(
        allow_blank=True, max_length=signup_fields_services.MAX_TEXT_LENGTH, trim_whitespace=False
    )


class SignupValuesBulkSerializer(Serializer):
    signup_fields = serializers.ListField(child=BulkItemSerializer(), min_length=1, max_length=200)


class SignupValuesBulkResultSerializer(Serializer):
    signup_fields = SignupValueSerializer(many=True, help_text="Only new or changed values.")


@extend_schema_view(
    list=extend_schema(summary="List a user's signup field values"),
    create=extend_schema(
        summary="Create or update a user's signup field value",
        request=SignupValueWriteSerializer,
        responses={201: SignupValueSerializer, 200: SignupValueSerializer},
    ),
)
class UserSignupValueViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """A domain user's answers; saving one applies enforced group rules."""

    domain = domain_parent()
    domain_user = domain_user_parent(owner_field="user")

    queryset = SignupFieldValue.objects.all()
    serializer_class = SignupValueSerializer
    scopes = ("read:users", "write:users")
    owner_field = "user"
    lookup_field = "field_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        domain_user = self.domain_user
        return signup_fields_selectors.signup_value_list(
            domain=domain_user.domain, user_id=domain_user.user_id, queryset=queryset
        )

    def create(self, request, domain_name: str | None = None, user_id: str | None = None):
        domain_user = self.domain_user
        serializer = SignupValueWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        row, created = signup_fields_services.signup_value_set(
            domain_user=domain_user,
            field=serializer.validated_data["signup_field"]["id"],
            value=serializer.validated_data["value"],
        )
        return Response(
            SignupValueSerializer(row).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
