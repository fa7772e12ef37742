"""Reads of signup fields and a person's answers to them."""

from django.db.models import Prefetch, QuerySet

from apps.core.errors import InvalidInput
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import (
    Domain,
    SignupField,
    SignupFieldOption,
    SignupFieldValue,
)


def signup_field_list(*, domain: Domain, queryset: QuerySet | None = None) -> QuerySet:
    """The domain's signup fields in display order, options loaded."""
    queryset = SignupField.objects.all() if queryset is None else queryset
    return (
        queryset.filter(domain=domain)
        .prefetch_related(
            Prefetch("options", queryset=SignupFieldOption.objects.order_by("position", "id"))
        )
        .order_by("position", "id")
    )


def signup_value_list(*, domain: Domain, user_id: str, queryset: QuerySet | None = None):
    """One person's answers on a domain, in field order, with their fields loaded."""
    queryset = SignupFieldValue.objects.all() if queryset is None else queryset
    return (
        queryset.filter(domain=domain, user_id=user_id)
        .select_related("field")
        .order_by("field__position", "field_id")
    )


def resolve_fields(*, domain: Domain, keys: list[SignupField | str]) -> list[SignupField]:
    """Fields of ``domain`` for ids (or fields); an unknown id is 400 naming it."""
    wanted = [key.id if isinstance(key, SignupField) else str(key) for key in keys]
    found = {
        field.id: field
        for field in SignupField.objects.filter(domain=domain, id__in=wanted).prefetch_related(
            "options"
        )
    }
    unknown = [key for key in wanted if key not in found]
    if unknown:
        raise InvalidInput(
            f"Signup field {unknown[0]} does not exist on this domain.",
            code=SchoolErrorCode.SIGNUP_FIELD_NOT_FOUND,
            field="signup_fields",
        )
    return [found[key] for key in wanted]
