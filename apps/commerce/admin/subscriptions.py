"""Admin of subscriptions: staff make and edit plans, subscribe people, record a payment of
a past-due subscription and cancel, all through the subscription services (the API's rules
and events). Subscriptions are never edited or deleted by hand: their status moves only
through subscribing, renewals, payments and cancellation."""

from django.contrib import admin, messages
from django.http import HttpRequest

from apps.commerce.models import Installment, SubscriptionPlan, UserSubscription
from apps.commerce.services import subscriptions as subscription_services
from apps.core.admin import SchoolScopedAdmin, admin_school
from apps.core.money import format_amount


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(SchoolScopedAdmin):
    """Plans with their price per interval and whether they take new subscribers."""

    list_display = ["title", "interval_display", "price_display", "trial_days", "active"]
    list_filter = ["active", "interval", "currency_code"]
    search_fields = ["id", "title"]
    filter_horizontal = ["published_courses"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = [
        "id",
        "title",
        "description",
        "interval",
        "interval_count",
        "price_cents",
        "currency_code",
        "trial_days",
        "active",
        "published_courses",
        "created_at",
        "updated_at",
    ]
    FIELDS = [
        "title",
        "description",
        "interval",
        "interval_count",
        "price_cents",
        "currency_code",
        "trial_days",
        "active",
    ]

    @admin.display(description="every")
    def interval_display(self, plan: SubscriptionPlan) -> str:
        return f"{plan.interval_count} {plan.interval}{'s' if plan.interval_count > 1 else ''}"

    @admin.display(description="price", ordering="price_cents")
    def price_display(self, plan: SubscriptionPlan) -> str:
        return f"{format_amount(plan.price_cents, plan.currency_code)} {plan.currency_code}"

    def save_model(self, request: HttpRequest, obj: SubscriptionPlan, form, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in self.FIELDS if name in data}
        courses = list(data.get("published_courses") or [])
        if change:
            subscription_services.subscription_plan_update(
                plan=obj, published_courses=courses, **fields
            )
            return
        plan = subscription_services.subscription_plan_create(
            school=admin_school(request) or data.get("school"), published_courses=courses, **fields
        )
        obj.pk, obj.school = plan.pk, plan.school


class InstallmentInline(admin.TabularInline):
    """A subscription's installments, read-only (written by renewals and payments)."""

    model = Installment
    extra = 0
    can_delete = False
    fields = [
        "sequence",
        "period_start",
        "period_end",
        "amount_cents",
        "currency_code",
        "status",
        "processor_order_id",
        "paid_at",
    ]
    readonly_fields = fields
    ordering = ["sequence"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(UserSubscription)
class UserSubscriptionAdmin(SchoolScopedAdmin):
    """Subscriptions by status; Add subscribes a person; actions record a payment or cancel."""

    list_display = ["id", "user", "plan", "status", "current_period_end", "cancel_at_period_end"]
    list_filter = ["status", "plan"]
    list_select_related = ["user", "plan"]
    search_fields = ["id", "user__email"]
    inlines = [InstallmentInline]
    actions = ["cancel_now", "cancel_at_period_end", "record_payment"]
    fields = [
        "id",
        "user",
        "plan",
        "payment_processor",
        "status",
        "current_period_start",
        "current_period_end",
        "trial_end",
        "cancel_at_period_end",
        "cancelled_at",
        "created_at",
        "updated_at",
    ]
    STATE = [
        "id",
        "status",
        "current_period_start",
        "current_period_end",
        "trial_end",
        "cancel_at_period_end",
        "cancelled_at",
        "created_at",
        "updated_at",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return [*fields, *self.STATE]
        return [*fields, *self.STATE, "user", "plan", "payment_processor"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Read-only once made: the change page shows it, the actions change it.
        return obj is None and super().has_change_permission(request, obj)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """The installments inline is read-only: nothing to save."""

    def save_model(self, request: HttpRequest, obj: UserSubscription, form, change: bool) -> None:
        data = form.cleaned_data
        school = admin_school(request) or data.get("school")
        subscription = subscription_services.subscription_create(
            school=school,
            user=data["user"],
            plan=data["plan"],
            payment_processor=data.get("payment_processor") or "manual",
        )
        obj.pk, obj.school = subscription.pk, subscription.school

    @admin.action(description="Cancel now (access ends now)")
    def cancel_now(self, request: HttpRequest, queryset) -> None:
        for subscription in queryset:
            subscription_services.subscription_cancel(subscription=subscription)
        messages.success(request, f"Cancelled {len(queryset)} subscription(s).")

    @admin.action(description="Cancel at the end of the current period")
    def cancel_at_period_end(self, request: HttpRequest, queryset) -> None:
        for subscription in queryset:
            subscription_services.subscription_cancel(subscription=subscription, at_period_end=True)
        messages.success(request, f"{len(queryset)} subscription(s) end with their period.")

    @admin.action(description="Record the unpaid installment as paid")
    def record_payment(self, request: HttpRequest, queryset) -> None:
        for subscription in queryset:
            subscription_services.subscription_payment_record(subscription=subscription)
        messages.success(request, f"Recorded {len(queryset)} payment(s).")
