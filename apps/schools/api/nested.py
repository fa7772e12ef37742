"""Small shapes embedded in several responses, school-scoped references in request bodies,
and the parent objects nested routes hang from."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.base import Parent
from apps.core.api.fields import (  # noqa: F401  (the schools API imports them from here)
    SchoolPrimaryKeyRelatedField,
    SchoolScopedRelatedMixin,
    SchoolSlugRelatedField,
)
from apps.core.api.serializers import Serializer
from apps.core.prepared import PreparedQuery
from apps.schools.models import Domain, DomainUser, Member
from apps.schools.selectors.domains import with_active_now


class UserSummarySerializer(Serializer):
    """``{id, email, first_name, last_name}`` of a member (the person's ``usr_`` id)."""

    id = serializers.CharField(source="user_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)


class PersonSummarySerializer(Serializer):
    """``{id, email, first_name, last_name}`` of a ``User``."""

    id = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)


class SignupFieldRefSerializer(Serializer):
    id = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)


class SignupValueSerializer(Serializer):
    """``{"signup_field": {"id", "label"}, "value"}``."""

    signup_field = SignupFieldRefSerializer(source="field", read_only=True)
    value = serializers.CharField(read_only=True)


# A membership by its person's id in a school, the account loaded: compiled once, since a
# write naming a person (an enrollment, a subscription) reads it on every request.
_MEMBER_BY_USER_ID = PreparedQuery(
    lambda variant, *, school, user_id: Member.objects.select_related("user").filter(
        school__pk=school, user_id=user_id
    )[:1],
    "school",
    "user_id",
)


class MemberField(SchoolSlugRelatedField):
    """A body field taking a person's ``usr_`` id and giving their membership of the caller's
    school, with its account loaded (one statement); another school's person does not
    exist."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            slug_field="user_id", queryset=Member.objects.select_related("user"), **kwargs
        )

    def to_internal_value(self, data):
        school = getattr(getattr(self.context.get("request"), "auth", None), "school", None)
        if not isinstance(data, str) or school is None:
            return super().to_internal_value(data)
        member = _MEMBER_BY_USER_ID.first({"school": school.pk, "user_id": data})
        if member is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return member


def member_field(**kwargs) -> MemberField:
    """A body field taking a person's ``usr_`` id and giving their membership of the school."""
    return MemberField(**kwargs)


@extend_schema_field(
    {
        "anyOf": [
            {
                "type": "object",
                "properties": {"id": {"type": "string"}},
                "required": ["id"],
                "additionalProperties": False,
            },
            {"type": "string"},
        ]
    }
)
class IdObjectRelatedField(SchoolScopedRelatedMixin, serializers.PrimaryKeyRelatedField):
    """A reference written ``{"id": "..."}`` (a bare id is accepted too) and read back so;
    an object with other keys is 400, not silently trimmed."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "unknown_keys": 'A reference is {{"id": ...}} only; unknown key(s): {keys}.',
    }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            if "id" not in data:
                self.fail("required")
            extra = sorted(str(key) for key in data if key != "id")
            if extra:
                self.fail("unknown_keys", keys=", ".join(extra))
            data = data["id"]
        return super().to_internal_value(data)

    def to_representation(self, value) -> dict:
        return {"id": value.pk}


def domain_parent(relation: str | None = None) -> Parent:
    """``domains/{domain_name}/``: the caller's school's domain of that name, else 404;
    ``relation`` as ``Parent`` takes it (lists join the domain instead of reading it first)."""
    return Parent(
        Domain.objects.all(),
        url_kwarg="domain_name",
        field="name",
        relation=relation,
        detail="No such domain.",
    )


def domain_user_parent(*, owner_field: str | None = None) -> Parent:
    """``domains/{domain_name}/users/{user_id}/``: a user of that domain, else 404."""
    return Parent(
        DomainUser.objects.all(),
        url_kwarg="user_id",
        field="user_id",
        within="domain",
        owner_field=owner_field,
        narrow=lambda queryset: with_active_now(
            queryset.select_related("member__user", "access_code__access_code_pool")
        ),
        detail="No such user on this domain.",
    )


def fake_view(view: object) -> bool:
    """True while drf-spectacular builds the schema (no request, no credential)."""
    return bool(getattr(view, "swagger_fake_view", False))
