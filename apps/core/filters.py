"""Filters every list shares, and the base of every filter set.

One rule for query parameters: a value that is not valid for its type is 400 naming the
parameter, never ignored (``active=maybe`` used to list everyone, ``created_after`` without
a time zone used to be read in the server's zone while ``updated_since`` refused it). Times
must carry a zone. Filter sets derive from ``FilterSet`` below and declare booleans and
times with ``BooleanFilter`` and ``DateTimeFilter``; a test walks every list to hold them
to it.
"""

from datetime import UTC, datetime

import django_filters
import django_filters.fields
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.dateparse import parse_datetime
from django_filters import rest_framework as drf_filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

TIME_ZONE_NEEDED = "Give a time zone, e.g. 2026-01-31T12:00:00Z."


def parse_query_datetime(raw: str) -> datetime:
    """An ISO 8601 time with a zone, in UTC; ValueError with the message to show otherwise."""
    # A "+01:00" offset arrives as " 01:00" when the client did not percent-encode the plus.
    text = raw.strip().replace(" ", "+")
    try:
        moment = parse_datetime(text)
    except ValueError:  # well formed but impossible, e.g. February 30th
        moment = None
    if moment is None:
        raise ValueError(f"{raw!r} is not an ISO 8601 date-time.")
    if moment.tzinfo is None:
        raise ValueError(TIME_ZONE_NEEDED)
    try:
        # In UTC: PostgreSQL refuses offsets past +/-15:59 that ISO 8601 parsing allows.
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00-05:00 is past the last datetime
        raise ValueError(f"{raw!r} is out of range.") from None


def parse_utc_datetime(raw: str) -> datetime | None:
    """``parse_query_datetime``, with None for anything it refuses."""
    try:
        return parse_query_datetime(raw)
    except ValueError:
        return None


class UpdatedSinceFilter(BaseFilterBackend):
    """``?updated_since=<ISO time>``: rows changed at or after it, oldest change first."""

    param = "updated_since"
    description = (
        "Only rows changed at or after this ISO 8601 time (with a time zone), oldest first."
    )

    @classmethod
    def since(cls, request) -> datetime | None:
        """The request's ``updated_since`` in UTC, None when absent; 400 naming it when it is
        not a time with a zone. For a list that is not a queryset of one model (the school
        calendar merges two), which applies it to its own notion of "changed"."""
        raw = request.query_params.get(cls.param)
        if raw is None:
            return None
        try:
            return parse_query_datetime(raw)
        except ValueError as exc:
            raise ValidationError({cls.param: [str(exc)]}) from None

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) != "list" or not hasattr(queryset.model, "updated_at"):
            return queryset
        moment = self.since(request)
        if moment is None:
            return queryset
        return queryset.filter(updated_at__gte=moment).order_by("updated_at", "pk")

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": self.description,
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time with a zone, turned to UTC; a time without a zone is refused,
    and so is an empty value (leave the parameter out to not filter), as for ``updated_since``."""

    def to_python(self, value: object) -> datetime | None:
        if value == "":
            raise DjangoValidationError("'' is not an ISO 8601 date-time.", code="invalid")
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            raw = value.isoformat()
        else:
            raw = str(value)
        try:
            return parse_query_datetime(raw)
        except ValueError as exc:
            raise DjangoValidationError(str(exc), code="invalid") from None


def _refuse_empty(value: object, what: str) -> None:
    """An empty query value is refused, not read as "no filter": leave the parameter out."""
    if value == "":
        raise DjangoValidationError(
            f"'' is not {what}; leave the parameter out to not filter.", code="invalid"
        )


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``, any case); anything else is refused, not ignored.
    An empty value does not filter (``active=`` is a common way to clear a filter)."""

    widget = forms.TextInput  # the select widget turns unknown values into None

    def to_python(self, value: object) -> bool | None:
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            return value
        folded = str(value).strip().lower()
        if folded in ("true", "1"):
            return True
        if folded in ("false", "0"):
            return False
        raise DjangoValidationError("Use true or false.", code="invalid")


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 time with a zone (any valid offset, answered in UTC)."""

    field_class = UtcIsoDateTimeField


# A method-backed filter (e.g. include_signup_field_data) would be documented as any string.
@extend_schema_field(OpenApiTypes.BOOL)
class BooleanFilter(django_filters.BooleanFilter):
    """``true`` or ``false``; ``maybe`` is 400 naming the parameter."""

    field_class = StrictBooleanField


class StrictChoiceField(django_filters.fields.ChoiceField):
    """One of the choices; an empty value is refused like any other value not among them."""

    def to_python(self, value: object) -> object:
        _refuse_empty(value, "one of the available choices")
        return super().to_python(value)


class ChoiceFilter(django_filters.ChoiceFilter):
    """One of the choices; ``level=`` (empty) is 400 naming the parameter, never ignored."""

    field_class = StrictChoiceField


class FilterSet(drf_filters.FilterSet):
    """Base of every API filter set: filters generated from model fields use the strict
    boolean, choice and time filters too, so no query value is silently ignored."""

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        filter_class, params = super().filter_for_lookup(field, lookup_type)
        if filter_class is django_filters.ChoiceFilter:
            filter_class = ChoiceFilter
        return filter_class, params

    FILTER_DEFAULTS = {
        **drf_filters.FilterSet.FILTER_DEFAULTS,
        models.DateTimeField: {"filter_class": DateTimeFilter},
        models.BooleanField: {"filter_class": BooleanFilter},
        models.NullBooleanField: {"filter_class": BooleanFilter},
    }


class DjangoFilterBackend(drf_filters.DjangoFilterBackend):
    """django-filter's backend, which skips building the filter set (a bound form, validated
    on every request: a measurable share of a list's cost) when it could not change the rows.

    That is when no query parameter starts with the name of one of its filters (range filters
    read ``<name>_after`` and the like), none of its filters is required (a missing required
    one is a 400) and the set does not override ``filter_queryset``: the filter set would then
    return the queryset as it is.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _could_filter(filterset_class, request):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _could_filter(filterset_class: type[django_filters.FilterSet], request) -> bool:
    """Whether a filter set built for ``request`` might narrow or refuse the list."""
    if filterset_class.filter_queryset is not django_filters.FilterSet.filter_queryset:
        return True
    filters_ = filterset_class.base_filters
    if any(filter_.extra.get("required") for filter_ in filters_.values()):
        return True
    return any(param.startswith(name) for param in request.query_params for name in filters_)


class SearchFilter(filters.SearchFilter):
    """DRF's ``?search=``, whose errors (a NUL character) name the ``search`` parameter."""

    def get_search_terms(self, request) -> list[str]:
        try:
            return super().get_search_terms(request)
        except ValidationError as exc:
            raise ValidationError({self.search_param: exc.detail}) from None
