"""Admin for webhooks: endpoints with their health, and the delivery log with its attempts."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from apps.core.admin import ReadOnlyAdminMixin, SchoolScopedAdmin, admin_school
from apps.core.errors import ApiError
from apps.webhooks.models import Delivery, DeliveryAttempt, Webhook
from apps.webhooks.services.deliveries import (
    delivery_replay,
    webhook_replay_failed_start,
    webhook_test,
)
from apps.webhooks.services.endpoints import (
    events_clean,
    target_url_clean,
    webhook_create,
    webhook_disable,
    webhook_enable,
    webhook_update,
)
from apps.webhooks.services.removal import webhook_delete_start

HEALTH_WINDOW = timedelta(days=7)


class WebhookForm(forms.ModelForm):
    """Checks the URL (SSRF), the event names and the basic-auth pair like the API does."""

    target_url = forms.CharField(max_length=2048, help_text="An https URL that resolves publicly.")
    basic_auth_password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=True),
        help_text="Sent as HTTP Basic with the username.",
    )

    class Meta:
        model = Webhook
        fields = [
            "school",
            "target_url",
            "active",
            "events",
            "description",
            "basic_auth_username",
            "basic_auth_password",
        ]
        help_texts = {
            "events": 'A JSON list of event names, e.g. ["user.created"]; [] = all events.',
        }

    def clean_target_url(self) -> str:
        return self._run(target_url_clean, self.cleaned_data["target_url"])

    def clean_events(self) -> list[str]:
        events = self.cleaned_data.get("events") or []
        if not isinstance(events, list):
            raise forms.ValidationError("Give a JSON list of event names.")
        return self._run(events_clean, events)

    @staticmethod
    def _run(check, value):
        try:
            return check(value)
        except ApiError as exc:
            raise forms.ValidationError(str(exc.detail)) from None


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = [
        "number",
        "outcome",
        "started_at",
        "status_code",
        "latency_ms",
        "error_code",
        "error",
        "request_headers",
        "response_body",
    ]
    readonly_fields = fields
    ordering = ["number", "id"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Webhook)
class WebhookAdmin(SchoolScopedAdmin):
    form = WebhookForm
    list_display = [
        "target_url",
        "active",
        "events_label",
        "success_rate",
        "consecutive_failures",
        "last_success_at",
        "last_error_short",
    ]
    list_filter = ["active"]
    search_fields = ["id", "target_url", "description"]
    readonly_fields = [
        "id",
        "deactivate_reason",
        "deactivated_at",
        "last_success_at",
        "last_failure_at",
        "last_error",
        "consecutive_failures",
        "paused_until",
        "previous_secret_expires_at",
        "created_at",
        "updated_at",
    ]
    list_select_related = ["school"]
    actions = ["reenable", "disable", "send_test", "replay_failed_last_day"]

    def get_queryset(self, request: HttpRequest):
        since = timezone.now() - HEALTH_WINDOW
        recent = Q(deliveries__created_at__gte=since, deliveries__is_test=False)
        return (
            super()
            .get_queryset(request)
            .annotate(
                finished_7d=Count(
                    "deliveries",
                    filter=recent
                    & Q(deliveries__status__in=[Delivery.Status.SUCCEEDED, Delivery.Status.FAILED]),
                ),
                succeeded_7d=Count(
                    "deliveries", filter=recent & Q(deliveries__status=Delivery.Status.SUCCEEDED)
                ),
            )
        )

    @admin.display(description="Events")
    def events_label(self, webhook: Webhook) -> str:
        return ", ".join(webhook.events) if webhook.events else "all events"

    @admin.display(description="Success (7 days)")
    def success_rate(self, webhook: Webhook) -> str:
        finished = getattr(webhook, "finished_7d", 0)
        if not finished:
            return "–"
        return f"{100 * webhook.succeeded_7d / finished:.1f}% of {finished}"

    @admin.display(description="Last error")
    def last_error_short(self, webhook: Webhook) -> str:
        return (webhook.last_error or "")[:120]

    def save_model(self, request: HttpRequest, obj: Webhook, form, change: bool) -> None:
        data = {name: value for name, value in form.cleaned_data.items() if name != "school"}
        if change:
            webhook_update(webhook=Webhook.objects.get(pk=obj.pk), **data)
            return
        school = admin_school(request) or form.cleaned_data.get("school") or obj.school
        created = webhook_create(school=school, **data)
        obj.pk = created.pk
        messages.warning(
            request,
            f"Signing secret of {created.id} (shown once; store it now): {created.secret}",
        )

    def delete_with_service(self, request: HttpRequest, obj: Webhook) -> None:
        """A job deletes the endpoint and its log (see ``webhook_delete_start``)."""
        job, _created = webhook_delete_start(webhook=obj)
        messages.info(request, f"{obj.id}: its delivery log is being deleted by {job.id}.")

    def get_deleted_objects(self, objs, request: HttpRequest):
        # Django would list every delivery of the log on the confirmation page, which is
        # the slow part the job exists to avoid; the page names the endpoints only.
        objs = list(objs)
        names = [
            f"Webhook: {obj} (its delivery log is deleted by a background job)" for obj in objs
        ]
        return names, {Webhook._meta.verbose_name_plural: len(objs)}, set(), []

    @admin.action(description="Re-enable the selected webhooks")
    def reenable(self, request: HttpRequest, queryset) -> None:
        for webhook in queryset:
            webhook_enable(webhook=webhook)
        messages.success(request, f"Re-enabled {queryset.count()} webhook(s).")

    @admin.action(description="Disable the selected webhooks")
    def disable(self, request: HttpRequest, queryset) -> None:
        for webhook in queryset.filter(active=True):
            webhook_disable(webhook=webhook, reason="Disabled in the admin.")
        messages.success(request, "Disabled the selected webhooks.")

    @admin.action(description="Send a test ping")
    def send_test(self, request: HttpRequest, queryset) -> None:
        for webhook in queryset:
            webhook_test(webhook=webhook)
        messages.success(request, f"Queued a ping to {queryset.count()} webhook(s).")

    @admin.action(description="Replay failed deliveries of the last 24 hours")
    def replay_failed_last_day(self, request: HttpRequest, queryset) -> None:
        since = timezone.now() - timedelta(days=1)
        started = 0
        for webhook in queryset:
            try:
                webhook_replay_failed_start(webhook=webhook, since=since)
                started += 1
            except ApiError as exc:
                messages.error(request, f"{webhook.id}: {exc.detail}")
        if started:
            messages.success(request, f"Started {started} replay job(s); see Jobs.")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    list_display = [
        "id",
        "event_type",
        "target_url",
        "status",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event_type", "is_test"]
    search_fields = ["id", "event__id", "target_url", "webhook__id"]
    readonly_fields = [
        "id",
        "webhook",
        "event",
        "event_type",
        "target_url",
        "status",
        "attempt_count",
        "max_attempts",
        "series_start",
        "next_attempt_at",
        "lease_expires_at",
        "first_attempt_at",
        "last_attempt_at",
        "last_status_code",
        "last_error_code",
        "last_error",
        "delivered_at",
        "is_test",
        "replay_count",
        "created_at",
        "updated_at",
    ]
    list_select_related = ["school", "webhook"]
    inlines = [DeliveryAttemptInline]
    date_hierarchy = "created_at"
    actions = ["replay"]

    @admin.action(description="Replay the selected deliveries")
    def replay(self, request: HttpRequest, queryset) -> None:
        done = 0
        for delivery in queryset:
            try:
                delivery_replay(delivery=delivery)
                done += 1
            except ApiError as exc:
                messages.error(request, f"{delivery.id}: {exc.detail}")
        if done:
            messages.success(request, f"Queued {done} deliveries again.")
