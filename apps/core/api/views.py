from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.core.api.base import ApiView, ReadOnlySchoolScopedViewSet
from apps.core.api.filters import EventFilter
from apps.core.api.serializers import EventSerializer, JobSerializer, PingSerializer
from apps.core.credentials import WILDCARD_SCOPE
from apps.core.errors import handler404
from apps.core.events import events_readable_with
from apps.core.models import Event, Job


@csrf_exempt  # API clients send no CSRF cookie: a POST to a wrong path is a 404, not a 403
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Unknown paths under /api/v1/ answer with the error envelope, also in DEBUG."""
    return handler404(request)


class PingView(ApiView):
    """Liveness and database check; no credential needed, never rate limited (load
    balancers poll it)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(responses=PingSerializer, auth=[], operation_id="ping")
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return Response({"status": "ok"})


class JobViewSet(ReadOnlySchoolScopedViewSet):
    """Slow operations started through the API, with their progress and result.

    An API key sees the jobs of the parts of the API its scopes can read; a user token sees
    the jobs it started.
    """

    queryset = Job.objects.all()
    serializer_class = JobSerializer
    owner_field = "created_by"

    def scope_queryset(self, queryset):
        credential = self.credential
        if credential.is_api_key and not credential.has_scope(WILDCARD_SCOPE):
            queryset = queryset.filter(scope__in=credential.scopes)
        return queryset.order_by("-id")


class EventLogViewSet(ReadOnlySchoolScopedViewSet):
    """The school's event log, newest first.

    The log needs the `read:webhooks` scope, and each event is visible only to a key that
    also holds the read scope of its area, as its data comes from that part of the API:
    `user.*`, `group.*`, `domain.*` and `invite.*` need `read:users`; `course.*`
    `read:courses`; `enrollment.*`, `path.*` and `vilt.*` `read:enrollments`;
    `enrollment.progress_updated`, `lesson.*`, `quiz.*` and `dashboard.*` `read:progress`;
    `certificate.*` `read:certificates`; `offer.*`, `purchase.*` and `payment.*` `read:commerce`;
    `community.*` `read:community`;
    `webhook.*` and `ping` `read:webhooks`. Other events are visible with `*` only. An event
    the key may not see is absent from the list and 404 by id.
    """

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filterset_class = EventFilter
    scopes = ("read:webhooks", "write:webhooks")
    allow_user_tokens = False
    max_page_size = 1000

    def scope_queryset(self, queryset):
        credential = self.credential
        if not credential.has_scope(WILDCARD_SCOPE):
            queryset = events_readable_with(queryset, credential.scopes)
        return queryset.order_by("-created_at", "-id")
