"""Reads of segments: a segment's filter object as one SQL condition, and the members it
selects now (the filter format is described in ``apps.schools.services.segments``)."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.dateparse import parse_datetime

from apps.schools.models import (
    DomainUser,
    GroupMembership,
    Member,
    School,
    Segment,
    SignupFieldValue,
    UserRole,
)
from apps.schools.selectors.people import member_list


def segment_q(*, school: School, filters: dict[str, Any]) -> Q:
    """The SQL condition on ``Member`` rows of ``school`` that a filter object describes."""
    member = OuterRef("pk")
    q = Q()
    tags = filters.get("tags")
    if tags:
        through = Member.tags.through.objects
        if filters.get("tags_match") == "all":
            for name in tags:
                q &= Q(Exists(through.filter(member_id=member, tag__name=name)))
        else:
            q &= Q(Exists(through.filter(member_id=member, tag__name__in=tags)))
    if filters.get("roles"):
        q &= Q(role__in=filters["roles"])
    if filters.get("user_roles"):
        either = Q(pk__in=[])
        for role in UserRole.objects.filter(school=school, id__in=filters["user_roles"]):
            either |= Q(user_role=role)
            if role.builtin:
                either |= Q(user_role__isnull=True, role=role.role)
        q &= either
    if filters.get("status"):
        q &= Q(status=filters["status"])
    if filters.get("groups"):
        q &= Q(
            Exists(GroupMembership.objects.filter(member_id=member, group_id__in=filters["groups"]))
        )
    if filters.get("domains"):
        q &= Q(
            Exists(DomainUser.objects.filter(member_id=member, domain__name__in=filters["domains"]))
        )
    for answer in filters.get("signup_values", []):
        q &= Q(
            Exists(
                SignupFieldValue.objects.filter(
                    member_id=member, field_id=answer["field_id"], value=answer["value"]
                )
            )
        )
    for key, field in (
        ("countries", "country"),
        ("companies", "company"),
        ("departments", "department"),
    ):
        if filters.get(key):
            q &= Q(**{f"{field}__in": filters[key]})
    if filters.get("created_after"):
        q &= Q(created_at__gte=parse_datetime(filters["created_after"]))
    if filters.get("created_before"):
        q &= Q(created_at__lt=parse_datetime(filters["created_before"]))
    return q


def segment_members(*, segment: Segment, queryset: QuerySet | None = None) -> QuerySet[Member]:
    """The members a segment selects now, users and tags loaded, in id order."""
    queryset = Member.objects.all() if queryset is None else queryset
    condition = segment_q(school=segment.school, filters=segment.filters)
    return member_list(queryset=queryset.filter(school_id=segment.school_id).filter(condition))


def segment_get(*, school: School, id: str) -> Segment | None:
    """The school's segment with this id (school loaded), or None; another school's is None."""
    return Segment.objects.select_related("school").filter(school=school, id=id).first()
