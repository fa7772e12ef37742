from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from apps.core.events import subscribe
        from apps.webhooks.services import event_fan_out

        subscribe("webhooks", event_fan_out)
