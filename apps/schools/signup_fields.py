"""Signup fields of a domain and each person's answers to them.

Saving answers re-evaluates the school's enforced group rules, so a person whose answers
match a rule joins that group at once.
"""

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from apps.core.errors import InvalidInput
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import (
    Domain,
    DomainUser,
    Member,
    SignupField,
    SignupFieldOption,
    SignupFieldValue,
)

MAX_TEXT_LENGTH = 1000
_TRUE = {"true", "1", "yes", "on", "checked"}
_FALSE = {"false", "0", "no", "off", ""}

# --- reads -----------------------------------------------------------------------------------


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


# --- writes ----------------------------------------------------------------------------------


def _invalid(field: SignupField, message: str) -> InvalidInput:
    return InvalidInput(
        f"{field.label} ({field.id}): {message}",
        code=SchoolErrorCode.SIGNUP_VALUE_INVALID,
        field="value",
    )


def clean_value(field: SignupField, value: object) -> str:
    """The stored form of an answer; 400 ``signup_value_invalid`` when it does not fit."""
    if field.type == SignupField.Type.CHECKBOX:
        text = str(value).strip().lower()
        if text in _TRUE:
            return "true"
        if text in _FALSE:
            return "false"
        raise _invalid(field, "a checkbox takes true or false.")
    text = "" if value is None else str(value)
    if field.type == SignupField.Type.SELECT:
        labels = {option.label.lower(): option.label for option in field.options.all()}
        if text.strip().lower() not in labels:
            raise _invalid(field, f"choose one of {', '.join(sorted(labels.values()))}.")
        return labels[text.strip().lower()]
    if len(text) > MAX_TEXT_LENGTH:
        raise _invalid(field, f"at most {MAX_TEXT_LENGTH} characters.")
    return text


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


@transaction.atomic
def signup_values_set(
    *, domain_user: DomainUser, values: Mapping[SignupField | str, object]
) -> list[SignupFieldValue]:
    """Create or update a person's answers; returns only the new or changed ones.

    Every value is checked before anything is written (all or nothing). Enforced group
    rules are applied afterwards, so matching answers put the person in those groups.
    """
    from apps.schools.groups import group_rules_apply

    fields = resolve_fields(domain=domain_user.domain, keys=list(values))
    cleaned = {
        field.id: (field, clean_value(field, value))
        for field, value in zip(fields, values.values(), strict=True)
    }
    # Lock the membership: two requests saving a first answer for the same person at once
    # would otherwise both insert it, and the second would fail on the unique constraint.
    Member.objects.select_for_update().only("pk").get(pk=domain_user.member_id)
    existing = {
        row.field_id: row
        for row in SignupFieldValue.objects.select_for_update().filter(
            member_id=domain_user.member_id, field_id__in=list(cleaned)
        )
    }
    created, changed = [], []
    for field_id, (field, value) in cleaned.items():
        row = existing.get(field_id)
        if row is None:
            row = SignupFieldValue(
                school_id=domain_user.school_id,
                field=field,
                member_id=domain_user.member_id,
                domain_id=domain_user.domain_id,
                user_id=domain_user.user_id,
                value=value,
            )
            created.append(row)
        elif row.value != value:
            row.value = value
            row.field = field
            changed.append(row)
    if created:
        SignupFieldValue.objects.bulk_create(created)
    for row in changed:
        row.save(update_fields=["value", "updated_at"])
    if created or changed:
        group_rules_apply(member=domain_user.member)
    order = {field_id: index for index, field_id in enumerate(cleaned)}
    return sorted(created + changed, key=lambda row: order[row.field_id])
