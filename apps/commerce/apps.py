from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "apps.commerce"
    label = "commerce"
    verbose_name = "Commerce"

    def ready(self) -> None:
        from apps.catalog.signed_files import download_kind_register
        from apps.commerce.demo import seed_demo_commerce
        from apps.commerce.event_types import EVENT_TYPES
        from apps.commerce.services.promo_code_bulk import DOWNLOAD_KIND, promo_codes_csv_current
        from apps.core.demo import register_demo
        from apps.core.erasure import register_copies, register_no_copies
        from apps.core.event_types import register

        register(*EVENT_TYPES)
        register_demo(seed_demo_commerce)
        # Prices the school sets: they never hold a copy of a learner's data.
        for field in ("Offer.currency_code", "Offer.sku", "Offer.description"):
            model, _, name = field.partition(".")
            register_no_copies(f"commerce.{model}", name, reason="the school's price list")
        # A processor's response and a status message may quote the buyer (e-mail, name).
        register_copies("commerce.Purchase", "payment_processor_response_data", "status_msg")
        register_no_copies(
            "commerce.Purchase", "pricing", reason="the names and amounts of pricing steps"
        )
        for field in (
            "PromoCodePool.name",
            "PromoCodePool.currency_code",
            "PromoCode.code",
            "PromoCodeRedemption.currency_code",
            "PromoCodeRedemption.reference",
        ):
            model, _, name = field.partition(".")
            register_no_copies(f"commerce.{model}", name, reason="the school's promotions")
        register_no_copies(
            "commerce.BundleEnrollment", "enrollment_ids", reason="ids of enrollment rows"
        )
        # A bulk generation's CSV is served by the catalog's signed links.
        download_kind_register(DOWNLOAD_KIND, promo_codes_csv_current)
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
        # A processor's raw answer may quote the subscriber, as a purchase's may.
        register_copies("commerce.Installment", "processor_response")
        # A lead is a person an affiliate referred, known by e-mail before any account.
        register_copies("commerce.Lead", "email")
