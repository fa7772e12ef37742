from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from apps.core.api.fields import EmailIdentityField, LabelField
from apps.core.api.serializers import Serializer
from apps.core.credentials import Credential
from apps.core.times import format_datetime
from apps.core.validators import validate_metadata
from apps.schools.models import Member, School
from apps.schools.services.people import user_payload


class UserSerializer(serializers.Serializer):
    """A user as the caller's school sees them (Skilljar's user plus school facts).

    The declared fields describe the shape (and the OpenAPI schema); ``to_representation``
    is ``services.people.user_payload``, the one builder of this shape (``user.*`` events carry it
    too), because lists carry up to 1000 users a page and DRF's per-field machinery
    dominated their cost. Members come from ``selectors.people.member_list`` (tags prefetched); the
    list builds rows without model instances (``row_payload``).
    """

    id = serializers.CharField(read_only=True, help_text="The person's id (usr_…).")
    email = serializers.EmailField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Member.Role.choices, read_only=True)
    status = serializers.ChoiceField(choices=Member.Status.choices, read_only=True)
    external_id = serializers.CharField(read_only=True)
    company = serializers.CharField(read_only=True)
    department = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    metadata = serializers.DictField(read_only=True)
    anonymized = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, member: Member) -> dict:
        return user_payload(member, tags=member.tag_list)

    @staticmethod
    def row_payload(row: dict) -> dict:
        """The user shape of a ``selectors.member_rows`` row (with ``tag_names``): the same
        JSON as ``user_payload`` of that member, for lists, which skip model instances."""
        return {
            "id": row["user_id"],
            "email": row["user__email"],
            "first_name": row["user__first_name"],
            "last_name": row["user__last_name"],
            "role": row["role"],
            "status": row["status"],
            "external_id": row["external_id"],
            "company": row["company"],
            "department": row["department"],
            "country": row["country"],
            "tags": row["tag_names"],
            "metadata": row["metadata"],
            "anonymized": row["anonymized_at"] is not None,
            "created_at": format_datetime(row["created_at"]),
            "updated_at": format_datetime(row["updated_at"]),
        }


class _UserFieldsSerializer(Serializer):
    first_name = LabelField(max_length=150, allow_blank=True, required=False)
    last_name = LabelField(max_length=150, allow_blank=True, required=False)
    password = serializers.CharField(
        write_only=True, required=False, min_length=8, max_length=128, trim_whitespace=False
    )
    role = serializers.ChoiceField(choices=Member.Role.choices, required=False)
    external_id = serializers.CharField(max_length=255, allow_blank=True, required=False)
    company = serializers.CharField(max_length=255, allow_blank=True, required=False)
    department = serializers.CharField(max_length=255, allow_blank=True, required=False)
    country = serializers.RegexField(
        r"^[A-Z]{2}$",
        allow_blank=True,
        required=False,
        error_messages={"invalid": "Use an ISO 3166-1 alpha-2 code such as US or DE."},
    )
    metadata = serializers.DictField(required=False)
    tags = serializers.ListField(child=LabelField(max_length=100), required=False, max_length=100)

    def validate_metadata(self, value: dict) -> dict:
        return validate_metadata(value)

    def validate_password(self, value: str) -> str:
        try:
            validate_password(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from None
        return value


class UserCreateSerializer(_UserFieldsSerializer):
    email = EmailIdentityField(max_length=254)


class UserUpdateSerializer(_UserFieldsSerializer):
    read_shape = UserSerializer
    email = EmailIdentityField(max_length=254, required=False)


class UserTagsSerializer(Serializer):
    tags = serializers.ListField(child=LabelField(max_length=100), max_length=100)
    action = serializers.ChoiceField(
        choices=["replace", "attach", "detach"],
        default="replace",
        help_text="replace the tags (default), attach these tags, or detach these tags.",
    )


class TokenObtainSerializer(Serializer):
    email = EmailIdentityField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    school = serializers.SlugField(
        max_length=100,
        required=False,
        help_text="The school's slug: signs in to that school's account. Needed when the "
        "e-mail and password open accounts in several schools, and for a sandbox's accounts.",
    )


class TokenRefreshSerializer(Serializer):
    refresh_token = serializers.CharField(max_length=4096, min_length=1, trim_whitespace=False)


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")
    token_type = serializers.CharField(default="Bearer")


class SchoolSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = ["id", "name", "slug"]


class ApiKeySummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    test = serializers.BooleanField(source="is_test")
    created_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    """Who the credential is: an API key (school + scopes) or a user (profile + school)."""

    type = serializers.ChoiceField(choices=["api_key", "user"])
    mode = serializers.ChoiceField(
        choices=["live", "test"],
        help_text="test: the credential acts on the school's sandbox (a sk_test_ key, or a "
        "user of the sandbox); live: on the school itself.",
    )
    school = SchoolSummarySerializer()
    scopes = serializers.ListField(child=serializers.CharField())
    api_key = ApiKeySummarySerializer(allow_null=True)
    user = UserSerializer(allow_null=True)

    @staticmethod
    def describe(credential: Credential, member: Member | None) -> dict:
        """The object this serializer renders; ``member`` comes from ``member_get``."""
        return {
            "type": credential.kind,
            "mode": credential.mode,
            "school": credential.school,
            "scopes": sorted(credential.scopes),
            "api_key": credential.api_key,
            "user": member,
        }

    @staticmethod
    def payload(credential: Credential, member: Member | None) -> dict:
        """What this serializer renders for ``describe(credential, member)``, built directly.

        The fields above describe the shape (and the OpenAPI schema); building it through
        DRF's nested serializers was a quarter of the ``/me`` request (tests compare both).
        """
        school, api_key = credential.school, credential.api_key
        return {
            "type": credential.kind,
            "mode": credential.mode,
            "school": {"id": school.id, "name": school.name, "slug": school.slug},
            "scopes": sorted(credential.scopes),
            "api_key": None
            if api_key is None
            else {
                "id": api_key.id,
                "name": api_key.name,
                "prefix": api_key.prefix,
                "test": api_key.is_test,
                "created_at": format_datetime(api_key.created_at),
            },
            "user": None if member is None else user_payload(member, tags=member.tag_list),
        }
