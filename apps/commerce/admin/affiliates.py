"""Admin of affiliates and leads: staff make a user an affiliate and change their rate and
hold through the affiliate services; commissions are listed read-only on the affiliate
(money is what purchases earned, never typed by hand); leads are read-only (recorded by
the API as referrals arrive)."""

from django.contrib import admin
from django.http import HttpRequest

from apps.commerce.models import Affiliate, AffiliateCommission, Lead
from apps.commerce.services import affiliates as affiliate_services
from apps.core.admin import (
    ReadOnlyAdminMixin,
    SchoolScopedAdmin,
    SchoolScopedInline,
    admin_school,
)
from apps.core.money import format_amount


class AffiliateCommissionInline(SchoolScopedInline, admin.TabularInline):
    """An affiliate's commissions, read-only (earned by purchases, paid by payouts)."""

    model = AffiliateCommission
    fk_name = "affiliate"
    extra = 0
    can_delete = False
    fields = [
        "purchase_id",
        "customer",
        "commission_display",
        "earned_at",
        "payable_at",
        "paid_at",
        "reversed_at",
    ]
    readonly_fields = fields
    ordering = ["-id"]

    @admin.display(description="commission")
    def commission_display(self, commission: AffiliateCommission) -> str:
        amount = format_amount(commission.commission_cents, commission.currency_code)
        return f"{amount} {commission.currency_code}"

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Affiliate)
class AffiliateAdmin(SchoolScopedAdmin):
    """Affiliates with their commission rate and hold period."""

    list_display = ["user", "commission_percent", "hold_days", "created_at"]
    list_select_related = ["user"]
    search_fields = ["id", "user__email"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = ["id", "user", "commission_percent", "hold_days", "created_at", "updated_at"]
    inlines = [AffiliateCommissionInline]
    actions = ["pay_due"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Affiliate, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            affiliate_services.affiliate_update(
                affiliate=obj,
                commission_percent=data["commission_percent"],
                hold_days=data["hold_days"],
            )
            return
        affiliate, _ = affiliate_services.affiliate_create(
            school=admin_school(request) or data["user"].school,
            user=data["user"],
            commission_percent=data["commission_percent"],
            hold_days=data["hold_days"],
        )
        obj.pk, obj.school = affiliate.pk, affiliate.school

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """The commissions inline is read-only: nothing to save."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description="Pay the due commissions (the school paid them out)")
    def pay_due(self, request: HttpRequest, queryset) -> None:
        paid = sum(
            affiliate_services.affiliate_commissions_pay(affiliate=affiliate)
            for affiliate in queryset
        )
        self.message_user(request, f"Marked {paid} commission(s) paid.")


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    """Leads (read-only): whom each affiliate referred."""

    list_display = ["email", "affiliate", "user", "created_at"]
    list_select_related = ["affiliate__user", "user"]
    search_fields = ["email", "affiliate__user__email"]
    readonly_fields = ["id", "email", "affiliate", "user", "created_at", "updated_at"]
    fields = readonly_fields
