"""Filters every list shares."""

from datetime import UTC, datetime

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters.fields import IsoDateTimeField
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend


def parse_utc_datetime(raw: str) -> datetime | None:
    """An ISO 8601 time with a zone, in UTC; None if malformed, impossible, naive or off range."""
    try:
        moment = parse_datetime(raw.strip().replace(" ", "+"))
        if moment is None or moment.tzinfo is None:
            return None
        return moment.astimezone(UTC)  # PostgreSQL refuses offsets past +/-15:59
    except (ValueError, OverflowError):  # February 30th; past the calendar once in UTC
        return None


class UpdatedSinceFilter(BaseFilterBackend):
    """``?updated_since=<ISO time>``: rows changed at or after it, oldest change first."""

    param = "updated_since"

    def filter_queryset(self, request, queryset, view):
        raw = request.query_params.get(self.param)
        if raw is None or getattr(view, "action", None) != "list":
            return queryset
        if not hasattr(queryset.model, "updated_at"):
            return queryset
        try:
            moment = parse_datetime(raw.strip().replace(" ", "+"))
        except ValueError:  # well formed but impossible, e.g. February 30th
            moment = None
        if moment is None:
            raise ValidationError({self.param: [f"{raw!r} is not an ISO 8601 date-time."]})
        if moment.tzinfo is None:
            raise ValidationError({self.param: ["Give a time zone, e.g. 2026-01-31T12:00:00Z."]})
        try:
            # In UTC: PostgreSQL refuses offsets past +/-15:59 that ISO 8601 parsing allows.
            moment = moment.astimezone(UTC)
        except OverflowError:  # e.g. 9999-12-31T23:00-05:00 is past the last datetime
            raise ValidationError({self.param: [f"{raw!r} is out of range."]}) from None
        return queryset.filter(updated_at__gte=moment).order_by("updated_at", "pk")

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": "Only rows changed at or after this ISO 8601 time, oldest first.",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time turned to UTC: PostgreSQL refuses offsets past +/-15:59."""

    def to_python(self, value: object) -> datetime | None:
        result = super().to_python(value)
        if result is None or not timezone.is_aware(result):
            return result
        try:
            return result.astimezone(UTC)
        except OverflowError:  # past the last (or before the first) datetime once in UTC
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """Use instead of ``IsoDateTimeFilter``: any valid offset is answered, never a 500."""

    field_class = UtcIsoDateTimeField


class SearchFilter(filters.SearchFilter):
    """DRF's ``?search=``, whose errors (a NUL character) name the ``search`` parameter."""

    def get_search_terms(self, request) -> list[str]:
        try:
            return super().get_search_terms(request)
        except ValidationError as exc:
            raise ValidationError({self.search_param: exc.detail}) from None
