"""Admin of promo code pools and promo codes: staff create pools and codes through the
promo code services (the API's rules and events). A pool's discount is read-only once it
exists; its codes are linked (a pool may hold a million), not inlined."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from apps.commerce.models import PromoCode, PromoCodePool
from apps.commerce.services import promo_code_bulk
from apps.commerce.services import promo_codes as promo_services
from apps.core.admin import SchoolScopedAdmin, admin_school

POOL_FORM_FIELDS = [
    "id",
    "name",
    "active",
    "discount_type",
    "percent_off",
    "price_cents",
    "currency_code",
    "starts_at",
    "expires_at",
    "expire_content",
    "single_use_per_user",
    "offers",
    "codes_link",
    "created_at",
    "updated_at",
]


class GenerateCodesFields(forms.Form):
    """What "Generate promo codes" reads from the action bar."""

    count = forms.IntegerField(required=False, min_value=1, max_value=promo_code_bulk.MAX_COUNT)
    max_uses = forms.IntegerField(required=False, min_value=1, initial=1)
    prefix = forms.CharField(required=False, max_length=60)


class GenerateCodesForm(ActionForm, GenerateCodesFields):
    """The action bar with the fields of "Generate promo codes"."""


@admin.register(PromoCodePool)
class PromoCodePoolAdmin(SchoolScopedAdmin):
    """Pools with their discount, window and a link to their codes."""

    list_display = ["name", "discount_display", "active", "starts_at", "expires_at", "codes_link"]
    list_filter = ["active", "discount_type"]
    search_fields = ["id", "name"]
    readonly_fields = ["id", "codes_link", "created_at", "updated_at"]
    filter_horizontal = ["offers"]
    fields = POOL_FORM_FIELDS
    action_form = GenerateCodesForm
    actions = ["generate_codes"]

    @admin.action(description="Generate promo codes (count, max uses, prefix above)")
    def generate_codes(self, request: HttpRequest, queryset) -> None:
        """Queue a bulk generation per selected pool, as the API's promo-codes-bulk does."""
        form = GenerateCodesFields(request.POST)
        data = form.cleaned_data if form.is_valid() else {}
        if not data.get("count"):
            self.message_user(request, "Give the number of codes to generate.", messages.ERROR)
            return
        for pool in queryset.select_related("school"):
            job = promo_code_bulk.promo_codes_bulk_create(
                pool=pool,
                count=data["count"],
                max_uses=data.get("max_uses") or 1,
                prefix=data.get("prefix") or "",
            )
            self.message_user(
                request, f"{pool}: generating {data['count']} codes (job {job.pk}).", messages.INFO
            )

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(_code_count=Count("codes"))

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, *promo_services.DISCOUNT_FIELDS] if obj is not None else fields

    @admin.display(description="discount")
    def discount_display(self, pool: PromoCodePool) -> str:
        if pool.percent_off is not None:
            return f"{pool.percent_off}% off"
        return f"price {pool.price_cents} {pool.currency_code}"

    @admin.display(description="codes")
    def codes_link(self, pool: PromoCodePool) -> str:
        if pool.pk is None:
            return "-"
        count = getattr(pool, "_code_count", None)
        if count is None:
            count = pool.codes.count()
        url = reverse("admin:commerce_promocode_changelist") + f"?pool__id__exact={pool.pk}"
        return format_html('<a href="{}">{} codes</a>', url, count)

    def save_model(self, request: HttpRequest, obj: PromoCodePool, form, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in promo_services.POOL_FIELDS if name in data}
        if change:
            pool = promo_services.promo_code_pool_update(pool=obj, **fields)
        else:
            pool = promo_services.promo_code_pool_create(
                school=admin_school(request) or data.get("school"),
                discount_type=data.get("discount_type"),
                percent_off=data.get("percent_off"),
                price_cents=data.get("price_cents"),
                currency_code=data.get("currency_code") or "",
                **fields,
            )
            obj.pk, obj.school = pool.pk, pool.school
        if "offers" in data:
            promo_services.promo_code_pool_offers_set(pool=pool, offers=list(data["offers"]))

    def get_deleted_objects(self, objs, request: HttpRequest):
        """The confirmation page counts a pool's codes instead of listing them (a pool may
        hold a million); they go with the pool through the service, as the API's DELETE."""
        pools = list(objs)
        codes = PromoCode.objects.filter(pool__in=pools).count()
        listed = [str(pool) for pool in pools] + ([f"{codes} promo codes"] if codes else [])
        counts = {PromoCodePool._meta.verbose_name_plural: len(pools)}
        if codes:
            counts[PromoCode._meta.verbose_name_plural] = codes
        return listed, counts, set(), []

    def delete_with_service(self, request: HttpRequest, obj: PromoCodePool) -> None:
        """Its codes and their uses go too."""
        promo_services.promo_code_pool_delete(pool=obj)


@admin.register(PromoCode)
class PromoCodeAdmin(SchoolScopedAdmin):
    """Codes with their pool, limit and uses; filter by pool from the pool's link."""

    list_display = ["code", "pool", "active", "uses", "max_uses", "created_at"]
    list_filter = ["active"]
    list_select_related = ["pool"]
    search_fields = ["code", "id"]
    readonly_fields = ["id", "uses", "job", "created_at", "updated_at"]
    fields = ["id", "pool", "code", "max_uses", "active", "uses", "job", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "pool"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: PromoCode, form, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in promo_services.CODE_FIELDS if name in data}
        if change:
            promo_services.promo_code_update(promo_code=obj, **fields)
            return
        promo_code = promo_services.promo_code_create(
            school=admin_school(request) or data["pool"].school, pool=data["pool"], **fields
        )
        obj.pk, obj.school = promo_code.pk, promo_code.school
