from django.urls import re_path

from apps.core.api.routers import OptionalSlashRouter
from apps.webhooks.api.views import DeliveryViewSet, EventTypesView, SampleView, WebhookViewSet

router = OptionalSlashRouter()
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register(
    r"webhooks/(?P<webhook_id>[^/.]+)/deliveries", DeliveryViewSet, basename="webhook-delivery"
)

urlpatterns = [
    re_path(r"^webhooks/event-types/?$", EventTypesView.as_view(), name="webhook-event-types"),
    re_path(
        r"^webhooks/sample-(?P<slug>[a-z0-9-]+)/?$", SampleView.as_view(), name="webhook-sample"
    ),
    *router.urls,
]
