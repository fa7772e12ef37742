from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "apps.commerce"
    label = "commerce"
    verbose_name = "Commerce"

    def ready(self) -> None:
        from apps.commerce.demo import seed_demo_commerce
        from apps.commerce.event_types import EVENT_TYPES
        from apps.core.demo import register_demo
        from apps.core.erasure import register_no_copies
        from apps.core.event_types import register

        register(*EVENT_TYPES)
        register_demo(seed_demo_commerce)
        # Prices the school sets: they never hold a copy of a learner's data.
        for field in ("Offer.currency_code", "Offer.sku", "Offer.description"):
            model, _, name = field.partition(".")
            register_no_copies(f"commerce.{model}", name, reason="the school's price list")
        for field in (
            "SubscriptionPlan.title",
            "SubscriptionPlan.description",
            "SubscriptionPlan.currency_code",
            "UserSubscription.payment_processor",
            "Installment.currency_code",
            "Installment.payment_processor",
            "Installment.processor_order_id",
        ):
            model, _, name = field.partition(".")
            register_no_copies(f"commerce.{model}", name, reason="plans and their billing")
