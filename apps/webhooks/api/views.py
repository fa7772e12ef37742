from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.base import ApiView, Parent, SchoolScopedViewSet
from apps.core.api.responses import job_accepted
from apps.core.api.serializers import JobSerializer
from apps.core.errors import NotFound
from apps.webhooks import event_types, selectors
from apps.webhooks.api.filters import DeliveryFilter, event_type_choices
from apps.webhooks.api.serializers import (
    DeliveryDetailSerializer,
    DeliverySerializer,
    EventTypeListSerializer,
    EventTypeSerializer,
    ReplayOptionsSerializer,
    RotateSecretSerializer,
    SampleDeliverySerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
    WebhookWithSecretSerializer,
    WebhookWriteSerializer,
)
from apps.webhooks.delivery import envelope
from apps.webhooks.models import Delivery, Webhook
from apps.webhooks.services.deliveries import (
    delivery_replay,
    webhook_replay_failed_start,
    webhook_test,
)
from apps.webhooks.services.endpoints import (
    UNSET,
    webhook_create,
    webhook_rotate_secret,
    webhook_update,
)
from apps.webhooks.services.removal import webhook_delete_start

SCOPES = ("read:webhooks", "write:webhooks")
WEBHOOK_ID = OpenApiParameter("webhook_id", OpenApiTypes.STR, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary="List webhooks"),
    retrieve=extend_schema(summary="Get a webhook"),
    destroy=extend_schema(
        summary="Delete a webhook and its delivery log (a job)",
        description=(
            "Switches the endpoint off at once and answers 202 with a job that deletes its "
            "delivery log, then the endpoint. Asking again while the job runs answers the "
            "same job; changing the endpoint meanwhile is 409 `webhook_deleting`."
        ),
        request=None,
        responses={202: JobSerializer},
    ),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    SchoolScopedViewSet,
):
    """The school's webhook endpoints (Skilljar's webhooks)."""

    queryset = Webhook.objects.all()
    serializer_class = WebhookSerializer
    scopes = SCOPES
    allow_user_tokens = False
    page_size = 100
    max_page_size = 100

    def scope_queryset(self, queryset):
        return selectors.webhooks_not_deleting(queryset).order_by("id")

    @extend_schema(
        summary="Create a webhook (the secret is shown only in this answer)",
        request=WebhookWriteSerializer,
        responses={201: WebhookWithSecretSerializer},
    )
    def create(self, request):
        serializer = WebhookWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = webhook_create(school=self.school, **_with_unset(serializer))
        return Response(WebhookWithSecretSerializer(webhook).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Update a webhook (partial, like PATCH)",
        request=WebhookUpdateSerializer,
        responses=WebhookSerializer,
    )
    def update(self, request, pk=None):
        webhook = self.get_object()
        serializer = WebhookUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        webhook = webhook_update(webhook=webhook, **_with_unset(serializer))
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(
        summary="Update a webhook", request=WebhookUpdateSerializer, responses=WebhookSerializer
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk)

    def destroy(self, request, pk=None):
        job, _created = webhook_delete_start(webhook=self.get_object(), credential=self.credential)
        return job_accepted(request, job)

    @extend_schema(
        summary="Rotate the signing secret (the old one stays valid for 24 h)",
        request=RotateSecretSerializer,
        responses=WebhookWithSecretSerializer,
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        webhook = self.get_object()
        serializer = RotateSecretSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = webhook_rotate_secret(
            webhook=webhook, secret=serializer.validated_data.get("secret")
        )
        return Response(WebhookWithSecretSerializer(webhook).data)

    @extend_schema(
        summary="Send a ping event to this endpoint",
        request=None,
        responses={202: DeliveryDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = webhook_test(webhook=self.get_object())
        return _delivery_accepted(delivery)

    @extend_schema(
        summary="Replay the failed deliveries since a time (a job)",
        request=None,
        parameters=[ReplayOptionsSerializer],
        responses={202: JobSerializer},
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        webhook = self.get_object()
        options = ReplayOptionsSerializer(data=request.query_params)
        options.is_valid(raise_exception=True)
        since = options.validated_data["since"]
        job = webhook_replay_failed_start(webhook=webhook, since=since, credential=self.credential)
        return job_accepted(request, job)


def _with_unset(serializer: WebhookWriteSerializer) -> dict:
    """Validated input; absent ``events``/``event_type`` stay absent (null means all)."""
    data = dict(serializer.validated_data)
    for name in ("events", "event_type"):
        data.setdefault(name, UNSET)
    return data


def _delivery_accepted(delivery: Delivery) -> Response:
    fresh = selectors.delivery_with_attempts(
        Delivery.objects.select_related("event").filter(id=delivery.id)
    ).get()
    return Response(DeliveryDetailSerializer(fresh).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(
        summary="A webhook's delivery log",
        parameters=[
            WEBHOOK_ID,
            OpenApiParameter(
                "event_type",
                str,
                enum=[name for name, _label in event_type_choices()],
                description="A registered event name or Skilljar alias.",
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="A delivery with every attempt",
        parameters=[WEBHOOK_ID],
        responses=DeliveryDetailSerializer,
    ),
)
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """Deliveries of one webhook, newest first."""

    webhook = Parent(
        Webhook.objects.all(),
        url_kwarg="webhook_id",
        narrow=selectors.webhooks_not_deleting,
        detail="Webhook not found.",
    )

    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    scopes = SCOPES
    allow_user_tokens = False
    page_size = 100
    max_page_size = 100

    def scope_queryset(self, queryset):
        queryset = selectors.delivery_list(queryset=queryset, webhook_id=self.webhook.id)
        if self.action != "list":
            queryset = selectors.delivery_with_attempts(queryset)
        return queryset

    def get_serializer_class(self):
        return DeliverySerializer if self.action == "list" else DeliveryDetailSerializer

    @extend_schema(
        summary="Send a delivery again (fresh retry schedule, same webhook-id)",
        request=None,
        parameters=[WEBHOOK_ID],
        responses={202: DeliveryDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, webhook_id=None, pk=None):
        delivery = delivery_replay(delivery=self.get_object())
        return _delivery_accepted(delivery)


class EventTypesView(ApiView):
    """Every event a webhook can receive, with the JSON Schema of its data."""

    scopes = SCOPES
    allow_user_tokens = False

    @extend_schema(
        summary="List webhook event types", responses=EventTypeListSerializer, operation_id=None
    )
    def get(self, request):
        results = EventTypeSerializer(event_types.advertised(), many=True).data
        return Response({"count": len(results), "next": None, "previous": None, "results": results})


class SampleView(ApiView):
    """A sample delivery body for one event type (Skilljar's ``sample-*`` endpoints)."""

    scopes = SCOPES
    allow_user_tokens = False

    @extend_schema(
        summary="A sample delivery for an event type",
        parameters=[
            OpenApiParameter(
                "slug",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=sorted(t.slug for t in event_types.advertised()),
                description="Skilljar's name in kebab case (domain-enrollment) or a dotted "
                "name with dashes (user-created).",
            )
        ],
        responses=SampleDeliverySerializer,
    )
    def get(self, request, slug: str):
        found = event_types.by_slug(slug)
        if found is None:
            raise NotFound(f"No sample for {slug!r}; see GET /api/v1/webhooks/event-types.")
        return Response(_sample(found))


def _sample(item: event_types.EventType) -> dict:
    from django.utils import timezone

    from apps.core.models import Event

    event = Event(
        id="evt_01jd8x4k2m7q9r3t5v6w8y0z1w",
        type=item.name,
        payload=item.sample,
        created_at=timezone.datetime(2026, 1, 15, 10, 0, tzinfo=timezone.get_fixed_timezone(0)),
    )
    return envelope(event, "wh_01jd8x4k2m7q9r3t5v6w8y0z1v", 1)
