"""Admin of offers: staff price their published courses, published paths and bundles
through the offer services (``offer.created``/``offer.updated``, the API's rules). The
target choices are the staff's own school's (``SchoolScopedAdmin``), and a target is fixed
once the offer exists. There is no Delete (no ``delete_with_service``): an offer is closed
with ``registration_open``, as purchases will name it."""

from django.contrib import admin
from django.http import HttpRequest

from apps.commerce.models import OFFER_TARGETS, Offer
from apps.commerce.services import offers as offer_services
from apps.core.admin import SchoolScopedAdmin, admin_school
from apps.core.money import format_amount


@admin.register(Offer)
class OfferAdmin(SchoolScopedAdmin):
    """Offers with what they sell, their price and whether registration is open."""

    list_display = ["id", "target_display", "price_display", "registration_open", "updated_at"]
    list_filter = ["registration_open", "currency_code"]
    list_select_related = [
        "published_course__course",
        "published_course__domain",
        "published_path__path",
        "published_path__domain",
        "bundle",
        "plan__domain",
    ]
    search_fields = ["id", "sku", "description"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = [
        "id",
        *OFFER_TARGETS,
        "price_cents",
        "currency_code",
        "registration_open",
        "sku",
        "description",
        "training_credit_value",
        "created_at",
        "updated_at",
    ]
    FIELDS = [
        "price_cents",
        "currency_code",
        "registration_open",
        "sku",
        "description",
        "training_credit_value",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, *OFFER_TARGETS] if obj is not None else fields

    @admin.display(description="sells")
    def target_display(self, offer: Offer) -> str:
        return f"{offer.target_name.replace('_', ' ')}: {offer.target}"

    @admin.display(description="price", ordering="price_cents")
    def price_display(self, offer: Offer) -> str:
        return f"{format_amount(offer.price_cents, offer.currency_code)} {offer.currency_code}"

    def save_model(self, request: HttpRequest, obj: Offer, form, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in self.FIELDS if name in data}
        if change:
            offer_services.offer_update(offer=obj, **fields)
            return
        offer = offer_services.offer_create(
            school=admin_school(request) or data.get("school"),
            **{name: data.get(name) for name in OFFER_TARGETS},
            **fields,
        )
        obj.pk, obj.school = offer.pk, offer.school
