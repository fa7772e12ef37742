from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from apps.core.erasure import register_copies, register_no_copies
        from apps.core.event_types import register
        from apps.core.events import subscribe_batch
        from apps.webhooks.event_types.ping import PING_TYPE
        from apps.webhooks.services.deliveries import events_fan_out

        register(PING_TYPE)
        subscribe_batch("webhooks", events_fan_out)
        # A receiver may echo what it was sent; delivery bodies are built from events.
        register_copies("webhooks.DeliveryAttempt", "response_body")
        for field, reason in {
            "webhooks.Delivery.last_error": "a failure's category",
            "webhooks.DeliveryAttempt.error": "a failure's category",
            "webhooks.DeliveryAttempt.request_headers": "signature and content headers",
            "webhooks.DeliveryAttempt.response_headers": "the receiver's headers",
            "webhooks.Webhook.deactivate_reason": "why Lyceum or the school disabled it",
            "webhooks.Webhook.events": "event type names",
            "webhooks.Webhook.last_error": "a failure's category",
        }.items():
            model, _, name = field.rpartition(".")
            register_no_copies(model, name, reason=reason)
