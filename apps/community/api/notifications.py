"""``me/notifications``: a person's inbox, unread first, then newest.

A user token reads and marks its own notifications. An API key (staff) reads the school's,
narrowed with ``user_id``, and marks them read for the people it selects.
"""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.community.models import Notification
from apps.community.selectors import notifications as notification_selectors
from apps.community.services import notifications as notification_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import BooleanFilter, FilterSet


class NotificationSerializer(ModelSerializer):
    """One notification: what kind, about which object, its text, and whether it was read."""

    user_id = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "user_id",
            "kind",
            "object_id",
            "text",
            "is_read",
            "read_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class NotificationsReadSerializer(Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were newly marked read.")


class NotificationFilter(FilterSet):
    user_id = django_filters.CharFilter(
        field_name="user_id", help_text="A person (usr_ id); a user token sees only its own."
    )
    kind = django_filters.CharFilter(field_name="kind", help_text="space.invitation, …")
    is_read = BooleanFilter(field_name="is_read")

    class Meta:
        model = Notification
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="List my notifications",
        description="Unread first, then newest. A user token sees its own; an API key the "
        "school's (filter with user_id).",
    ),
)
class NotificationViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """A person's notifications (100 per page)."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    scopes = ("read:community", "write:community")
    owner_field = "user"
    owner_write_actions = ("read", "read_all")
    lookup_url_kwarg = "notification_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return notification_selectors.notification_inbox(queryset=queryset)

    @extend_schema(
        summary="Mark a notification read", request=None, responses=NotificationSerializer
    )
    @action(detail=True, methods=["post"])
    def read(self, request, notification_id: str | None = None) -> Response:
        notification = notification_services.notification_mark_read(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark all my notifications read",
        description="A user token marks its own; an API key those its filters select.",
        request=None,
        responses=NotificationsReadSerializer,
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request) -> Response:
        marked = notification_services.notifications_mark_read(
            notifications=self.filter_queryset(self.get_queryset())
        )
        return Response({"marked": marked})
