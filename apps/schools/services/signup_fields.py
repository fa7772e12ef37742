"""Signup fields of a domain and each person's answers to them.

Saving answers re-evaluates the school's enforced group rules, so a person whose answers
match a rule joins that group at once.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import (
    Domain,
    DomainUser,
    Member,
    SignupField,
    SignupFieldOption,
    SignupFieldValue,
)
from apps.schools.selectors.signup_fields import resolve_fields
from apps.schools.services.groups import group_rule_apply, group_rules_apply

MAX_TEXT_LENGTH = 1000
FIELD_FIELDS = ("label", "type", "required", "position")


OPTION_FIELDS = ("label", "position")
_TRUE = {"true", "1", "yes", "on", "checked"}


_FALSE = {"false", "0", "no", "off", ""}


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


@transaction.atomic
def signup_value_set(
    *, domain_user: DomainUser, field: SignupField | str, value: object
) -> tuple[SignupFieldValue, bool]:
    """Create or update one answer; returns ``(row, created)``, the row as stored (unchanged
    when the value was already the same) and whether it is new."""
    written = _values_write(domain_user=domain_user, values={field: value})
    row = SignupFieldValue.objects.select_related("field").get(
        field_id=written.fields[0].id, member_id=domain_user.member_id
    )
    return row, bool(written.created)


def signup_values_set(
    *, domain_user: DomainUser, values: Mapping[SignupField | str, object]
) -> list[SignupFieldValue]:
    """Create or update a person's answers; returns only the new or changed ones.

    Every value is checked before anything is written (all or nothing). Enforced group
    rules are applied afterwards, so matching answers put the person in those groups.
    """
    written = _values_write(domain_user=domain_user, values=values)
    order = {field.id: index for index, field in enumerate(written.fields)}
    return sorted(written.created + written.changed, key=lambda row: order[row.field_id])


@dataclass(frozen=True)
class _Written:
    fields: list[SignupField]
    created: list[SignupFieldValue]
    changed: list[SignupFieldValue]


@transaction.atomic
def _values_write(
    *, domain_user: DomainUser, values: Mapping[SignupField | str, object]
) -> _Written:
    """The write behind ``signup_values_set`` and ``signup_value_set``: the fields in the
    order given, and the rows created and changed."""

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
    return _Written(fields=fields, created=created, changed=changed)


def _field_label_taken(label: str) -> Conflict:
    return Conflict(
        f"This domain already asks {label!r}.",
        code=SchoolErrorCode.SIGNUP_FIELD_LABEL_TAKEN,
        field="label",
    )


def _option_label_taken(label: str) -> Conflict:
    return Conflict(
        f"This field already has the option {label!r}.",
        code=SchoolErrorCode.SIGNUP_OPTION_LABEL_TAKEN,
        field="label",
    )


@transaction.atomic
def signup_field_create(
    *,
    domain: Domain,
    label: str,
    type: str = SignupField.Type.TEXT,
    required: bool = False,
    position: int = 0,
) -> SignupField:
    """A new question on the domain; a label the domain already asks (any case) is 409."""
    field = SignupField(
        school_id=domain.school_id,
        domain=domain,
        label=label,
        type=type,
        required=required,
        position=position,
    )
    with conflict_on_duplicate("schools_signupfield_label_ci", _field_label_taken(label)):
        field.save()
    return field


@transaction.atomic
def signup_field_update(*, signup_field: SignupField, **fields: Any) -> SignupField:
    """Change a field's label, type, required flag or position (partial; 409 as on create)."""
    changed = [name for name in FIELD_FIELDS if name in fields]
    for name in changed:
        setattr(signup_field, name, fields[name])
    if changed:
        with conflict_on_duplicate(
            "schools_signupfield_label_ci", _field_label_taken(signup_field.label)
        ):
            signup_field.save(update_fields=[*changed, "updated_at"])
    return signup_field


def _enforced_groups(option: SignupFieldOption) -> list:
    return list(option.groups.filter(rule_enforce=True).select_related("school"))


def _reapply_rules(groups: list) -> None:
    """Answers match options by label: enforced groups using a changed option are re-applied."""

    for group in groups:
        group_rule_apply(group=group)


@transaction.atomic
def signup_field_option_create(
    *, signup_field: SignupField, label: str, position: int = 0
) -> SignupFieldOption:
    """A new option of a select field; a label the field already has (any case) is 409."""
    option = SignupFieldOption(
        school_id=signup_field.school_id, field=signup_field, label=label, position=position
    )
    with conflict_on_duplicate("schools_sfoption_label_ci", _option_label_taken(label)):
        option.save()
    return option


@transaction.atomic
def signup_field_option_update(*, option: SignupFieldOption, **fields: Any) -> SignupFieldOption:
    """Change an option's label or position (409 as on create); a new label re-applies the
    enforced group rules that use the option."""
    changed = [name for name in OPTION_FIELDS if name in fields]
    changed = [name for name in changed if fields[name] != getattr(option, name)]
    for name in changed:
        setattr(option, name, fields[name])
    if changed:
        with conflict_on_duplicate("schools_sfoption_label_ci", _option_label_taken(option.label)):
            option.save(update_fields=[*changed, "updated_at"])
    if "label" in changed:
        _reapply_rules(_enforced_groups(option))
    return option


@transaction.atomic
def signup_field_option_delete(*, option: SignupFieldOption) -> None:
    """Remove an option: group rules stop listing it (memberships stay) and are re-applied,
    as a rule needing every option may now be met."""
    groups = _enforced_groups(option)
    option.delete()
    _reapply_rules(groups)


@transaction.atomic
def signup_field_delete(*, signup_field: SignupField) -> None:
    """Remove a question with its options and everyone's answers to it; the enforced group
    rules that used its options stop listing them and are re-applied (memberships stay)."""
    groups = {
        group.pk: group
        for option in signup_field.options.all()
        for group in _enforced_groups(option)
    }
    signup_field.delete()
    _reapply_rules(list(groups.values()))
