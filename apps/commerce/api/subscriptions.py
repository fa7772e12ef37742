"""LearnWorlds' ``subscription-plans``, ``user-subscriptions`` and ``installments/active``.

Plans are made in the admin and read here. A subscription is created here (``POST
/user-subscriptions``), settled by hand for the ``manual`` processor (``POST
…/{id}/payments``) and cancelled (``POST …/{id}/cancel``); renewals run on Celery beat
(``apps.commerce.tasks``). Page size 20, as LearnWorlds'.
"""

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.commerce.models import (
    Installment,
    InstallmentStatus,
    PlanInterval,
    SubscriptionPlan,
    SubscriptionStatus,
    UserSubscription,
)
from apps.commerce.processors import DEFAULT_PROCESSOR, processor_names
from apps.commerce.selectors import subscriptions as subscription_selectors
from apps.commerce.services import subscriptions as subscription_services
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.money import MoneyReadSerializer
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.filters import ChoiceFilter, FilterSet
from apps.core.money import money
from apps.enrollments.api.enrollments import UserRefSerializer
from apps.schools.api.nested import member_field

PAGE_SIZE = 20

# --- shapes ----------------------------------------------------------------------------------


class _PlanRefSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


class SubscriptionPlanSerializer(ModelSerializer):
    """A plan: its interval, price (both forms), trial and the courses it gives."""

    interval = serializers.ChoiceField(choices=PlanInterval.choices, read_only=True)
    interval_count = serializers.IntegerField(
        read_only=True, help_text="Billed every interval_count intervals (1 to 36)."
    )
    price = serializers.SerializerMethodField()
    price_cents = serializers.IntegerField(read_only=True, help_text="Per period, minor units.")
    trial_days = serializers.IntegerField(read_only=True, help_text="Free days before billing.")
    active = serializers.BooleanField(read_only=True, help_text="Open to new subscribers.")
    published_course_ids = serializers.SerializerMethodField()

    class Meta:
        model = SubscriptionPlan
        fields = [
            "id",
            "title",
            "description",
            "interval",
            "interval_count",
            "price",
            "price_cents",
            "currency_code",
            "trial_days",
            "active",
            "published_course_ids",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(MoneyReadSerializer)
    def get_price(self, plan: SubscriptionPlan) -> dict[str, str]:
        return money(plan.price_cents, plan.currency_code)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_published_course_ids(self, plan: SubscriptionPlan) -> list[str]:
        return [published.id for published in plan.published_courses.all()]


class UserSubscriptionSerializer(ModelSerializer):
    """A person's subscription to a plan and the period it is in."""

    user = UserRefSerializer(read_only=True)
    plan = _PlanRefSerializer(read_only=True)
    status = serializers.ChoiceField(choices=SubscriptionStatus.choices, read_only=True)
    trial_end = serializers.DateTimeField(read_only=True, allow_null=True)
    cancelled_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = UserSubscription
        fields = [
            "id",
            "user",
            "plan",
            "status",
            "current_period_start",
            "current_period_end",
            "trial_end",
            "cancel_at_period_end",
            "cancelled_at",
            "payment_processor",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class UserSubscriptionCreateSerializer(Serializer):
    """Subscribe a user of the school to a plan."""

    read_shape = UserSubscriptionSerializer

    user_id = member_field(source="member", help_text="The subscriber (a user of the school).")
    plan_id = SchoolPrimaryKeyRelatedField(
        source="plan",
        queryset=SubscriptionPlan.objects.all(),
        help_text="A plan of the school, open to new subscribers.",
    )
    payment_processor = serializers.ChoiceField(
        choices=processor_names(),
        required=False,
        help_text=f"Who charges the renewals; default {DEFAULT_PROCESSOR}.",
    )


class InstallmentSerializer(ModelSerializer):
    """One period's payment of a subscription."""

    subscription_id = serializers.CharField(read_only=True)
    user = UserRefSerializer(read_only=True, source="subscription.user")
    plan = _PlanRefSerializer(read_only=True, source="subscription.plan")
    sequence = serializers.IntegerField(
        read_only=True, help_text="The paid period it pays for (0: the first)."
    )
    amount = serializers.SerializerMethodField()
    amount_cents = serializers.IntegerField(read_only=True, help_text="In minor units.")
    status = serializers.ChoiceField(choices=InstallmentStatus.choices, read_only=True)
    processor_response = serializers.DictField(read_only=True)
    attempted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    paid_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Installment
        fields = [
            "id",
            "subscription_id",
            "user",
            "plan",
            "sequence",
            "period_start",
            "period_end",
            "due_at",
            "amount",
            "amount_cents",
            "currency_code",
            "status",
            "payment_processor",
            "processor_order_id",
            "processor_response",
            "attempted_at",
            "paid_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(MoneyReadSerializer)
    def get_amount(self, installment: Installment) -> dict[str, str]:
        return money(installment.amount_cents, installment.currency_code)


class PaymentRecordSerializer(Serializer):
    """A payment received outside Lyceum, settling the subscription's unpaid installment."""

    read_shape = InstallmentSerializer

    processor_order_id = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="The payment's reference."
    )
    processor_response = serializers.DictField(
        required=False, help_text="What the processor or the bank said, kept as given."
    )


class CancelSerializer(Serializer):
    read_shape = UserSubscriptionSerializer

    at_period_end = serializers.BooleanField(
        required=False,
        help_text="true: cancel when the current period ends; false (default): now.",
    )


# --- filters -------------------------------------------------------------------------------


class UserSubscriptionFilter(FilterSet):
    user_id = django_filters.CharFilter(field_name="user_id", help_text="A user (usr_ id).")
    plan_id = django_filters.CharFilter(field_name="plan_id", help_text="A plan (spl_ id).")
    status = ChoiceFilter(choices=SubscriptionStatus.choices)

    class Meta:
        model = UserSubscription
        fields: list[str] = []


class InstallmentFilter(FilterSet):
    user_id = django_filters.CharFilter(
        field_name="subscription__user_id", help_text="A user (usr_ id)."
    )
    subscription_id = django_filters.CharFilter(
        field_name="subscription_id", help_text="A subscription (sub_ id)."
    )
    status = ChoiceFilter(
        choices=[
            (InstallmentStatus.SCHEDULED.value, "Scheduled"),
            (InstallmentStatus.PENDING.value, "Pending"),
            (InstallmentStatus.FAILED.value, "Failed"),
        ]
    )

    class Meta:
        model = Installment
        fields: list[str] = []


# --- views ---------------------------------------------------------------------------------


class _CommerceViewSet(SchoolScopedViewSet):
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    page_size = PAGE_SIZE
    max_page_size = PAGE_SIZE


@extend_schema_view(
    list=extend_schema(summary="List subscription plans", description="20 per page."),
    retrieve=extend_schema(summary="Get a subscription plan"),
)
class SubscriptionPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _CommerceViewSet):
    """The school's subscription plans (made in the admin)."""

    queryset = SubscriptionPlan.objects.all()
    serializer_class = SubscriptionPlanSerializer
    lookup_url_kwarg = "plan_id"

    def scope_queryset(self, queryset):
        return subscription_selectors.subscription_plan_list(queryset=queryset)


@extend_schema_view(
    list=extend_schema(summary="List user subscriptions", description="20 per page."),
    retrieve=extend_schema(summary="Get a user subscription"),
    create=extend_schema(
        summary="Subscribe a user to a plan",
        request=UserSubscriptionCreateSerializer,
        responses={201: UserSubscriptionSerializer},
    ),
)
class UserSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _CommerceViewSet):
    """People's subscriptions to the school's plans."""

    queryset = UserSubscription.objects.all()
    serializer_class = UserSubscriptionSerializer
    filterset_class = UserSubscriptionFilter
    lookup_url_kwarg = "subscription_id"

    def scope_queryset(self, queryset):
        return subscription_selectors.user_subscription_list(queryset=queryset)

    def _answer(self, subscription: UserSubscription, code: int = status.HTTP_200_OK) -> Response:
        subscription = subscription_selectors.user_subscription_list(
            queryset=UserSubscription.objects.filter(pk=subscription.pk)
        ).get()
        return Response(UserSubscriptionSerializer(subscription).data, status=code)

    def create(self, request) -> Response:
        serializer = UserSubscriptionCreateSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        member = data["member"]
        subscription = subscription_services.subscription_create(
            school=self.school,
            user=member.user,
            member=member,
            plan=data["plan"],
            payment_processor=data.get("payment_processor", DEFAULT_PROCESSOR),
        )
        return self._answer(subscription, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a payment of a past-due subscription",
        description="Marks its unpaid installment paid (the manual processor's settlement); "
        "the subscription renews from that period.",
        request=PaymentRecordSerializer,
        responses={200: InstallmentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="payments")
    def payments(self, request, subscription_id: str | None = None) -> Response:
        subscription = self.get_object()
        serializer = PaymentRecordSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        installment = subscription_services.subscription_payment_record(
            subscription=subscription, **serializer.validated_data
        )
        installment = Installment.objects.select_related(
            "subscription__user", "subscription__plan"
        ).get(pk=installment.pk)
        return Response(InstallmentSerializer(installment).data)

    @extend_schema(
        summary="Cancel a user subscription",
        request=CancelSerializer,
        responses={200: UserSubscriptionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="cancel")
    def cancel(self, request, subscription_id: str | None = None) -> Response:
        subscription = self.get_object()
        serializer = CancelSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        subscription = subscription_services.subscription_cancel(
            subscription=subscription, **serializer.validated_data
        )
        return self._answer(subscription)


@extend_schema_view(
    list=extend_schema(
        summary="List active installments",
        description="Installments still to be paid (scheduled, pending or failed) of live "
        "subscriptions; 20 per page.",
    ),
)
class ActiveInstallmentViewSet(mixins.ListModelMixin, _CommerceViewSet):
    """The scheduled and unpaid payments of the school's live subscriptions."""

    queryset = Installment.objects.all()
    serializer_class = InstallmentSerializer
    filterset_class = InstallmentFilter

    def scope_queryset(self, queryset):
        return subscription_selectors.installment_active_list(queryset=queryset)
