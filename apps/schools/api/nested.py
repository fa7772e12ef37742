"""Small shapes embedded in several responses, and the parents nested routes hang from."""

from functools import cached_property

from django.db.models import Model
from rest_framework import serializers

from apps.schools.domains import domain_get
from apps.schools.models import Domain, Member


class UserSummarySerializer(serializers.Serializer):
    """``{id, email, first_name, last_name}`` of a member (the person's ``usr_`` id)."""

    id = serializers.CharField(source="user_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)


class IdRefSerializer(serializers.Serializer):
    """``{"id": "..."}``: how request bodies point at another object."""

    id = serializers.CharField(max_length=40)


class DomainParentMixin:
    """For views under ``domains/{domain_name}/``: the caller's domain, else 404."""

    kwargs: dict

    @cached_property
    def domain(self) -> Domain:
        return domain_get(school=self.school, name=self.kwargs["domain_name"])


def fake_view(view: object) -> bool:
    """True while drf-spectacular builds the schema (no request, no credential)."""
    return bool(getattr(view, "swagger_fake_view", False))


def member_of(queryset, user_id: str) -> Member | None:
    """The member with this user id inside ``queryset`` (already school-filtered)."""
    return queryset.select_related("user").filter(user_id=user_id).first()


def refetch(model: type[Model], pk: str):
    """Reload a row (used after writes so annotations are fresh)."""
    return model.objects.get(pk=pk)
