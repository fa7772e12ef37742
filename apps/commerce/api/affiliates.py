"""``affiliates`` and ``leads`` (LearnWorlds): users who refer buyers, whom they referred,
and the commissions they earn. An affiliate is addressed by its user's id, as the seed's
``POST /affiliates/{user id}`` makes one."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.commerce.models import Affiliate, AffiliateCommission, Lead
from apps.commerce.selectors import affiliates as affiliate_selectors
from apps.commerce.services import affiliates as affiliate_services
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.api.fields import SchoolPrimaryKeyRelatedField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.errors import NotFound
from apps.core.filters import ChoiceFilter, FilterSet
from apps.schools.models import User
from apps.schools.selectors.people import member_get


class AffiliateSerializer(ModelSerializer):
    """An affiliate: the user, their commission rate and hold period."""

    user_id = serializers.CharField(read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)

    class Meta:
        model = Affiliate
        fields = [
            "id",
            "user_id",
            "email",
            "commission_percent",
            "hold_days",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AffiliateCreateSerializer(Serializer):
    """The commission rate and hold period of a new affiliate."""

    commission_percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text="Default 20."
    )
    hold_days = serializers.IntegerField(
        min_value=0,
        max_value=365,
        required=False,
        help_text="Days a commission is held before it is due; default 30.",
    )


class LeadSerializer(ModelSerializer):
    """A person an affiliate referred."""

    affiliate_id = serializers.CharField(read_only=True)
    affiliate_user_id = serializers.CharField(source="affiliate.user_id", read_only=True)
    user_id = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "affiliate_id",
            "affiliate_user_id",
            "email",
            "user_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CommissionSerializer(ModelSerializer):
    """An affiliate payment: what one purchase earned, in minor units, and when it pays."""

    affiliate_id = serializers.CharField(read_only=True)
    customer_id = serializers.CharField(read_only=True)
    state = serializers.CharField(
        source="payout_state",
        read_only=True,
        help_text="completed (paid), due (payable, unpaid), upcoming (still held) or reversed "
        "(refunded before it was paid).",
    )
    reversal_of_id = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="On a clawback (negative amounts): the paid commission it takes back.",
    )

    class Meta:
        model = AffiliateCommission
        fields = [
            "id",
            "affiliate_id",
            "customer_id",
            "purchase_id",
            "sale_cents",
            "commission_cents",
            "currency_code",
            "earned_at",
            "payable_at",
            "paid_at",
            "reversed_at",
            "reversal_of_id",
            "state",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List affiliates", description="20 per page, newest first."),
    retrieve=extend_schema(summary="Get an affiliate"),
)
class AffiliateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet):
    """The school's affiliates, addressed by their user's id."""

    queryset = Affiliate.objects.all()
    serializer_class = AffiliateSerializer
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    lookup_field = "user_id"
    page_size = 20
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return affiliate_selectors.affiliate_list(queryset=queryset)

    @extend_schema(
        summary="Make a user an affiliate",
        description="201 for a new affiliate; 200 with the affiliate when the user is one.",
        request=AffiliateCreateSerializer,
        responses={201: AffiliateSerializer, 200: AffiliateSerializer},
    )
    def make(self, request, user_id: str | None = None) -> Response:
        serializer = AffiliateCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        member = member_get(school=self.school, user_id=user_id)
        if member is None:
            raise NotFound("No such user.")
        affiliate, created = affiliate_services.affiliate_create(
            school=self.school, user=member.user, **serializer.validated_data
        )
        affiliate = affiliate_selectors.affiliate_list(
            queryset=Affiliate.objects.filter(pk=affiliate.pk)
        ).get()
        return Response(
            AffiliateSerializer(affiliate).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _affiliate_parent() -> Parent:
    return Parent(
        Affiliate.objects.all(),
        url_kwarg="affiliate_user_id",
        field="user_id",
        relation="affiliate",
        detail="No such affiliate.",
    )


@extend_schema_view(list=extend_schema(summary="List leads", description="20 per page."))
class LeadViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """Every affiliate's leads, newest first."""

    queryset = Lead.objects.all()
    serializer_class = LeadSerializer
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    page_size = 20
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return affiliate_selectors.lead_list(queryset=queryset)


class LeadCreateSerializer(Serializer):
    """A referral: the person's e-mail and, when they have one, their account."""

    email = serializers.EmailField(max_length=254)
    user_id = SchoolPrimaryKeyRelatedField(
        source="user",
        queryset=User.objects.all(),
        required=False,
        help_text="The person's user, when they have one.",
    )


@extend_schema_view(
    list=extend_schema(summary="List an affiliate's leads"),
    create=extend_schema(
        summary="Record a lead of an affiliate",
        description="201 for a new lead; 200 with the lead when the e-mail was referred "
        "already (the first affiliate to refer an e-mail keeps it).",
        request=LeadCreateSerializer,
        responses={201: LeadSerializer, 200: LeadSerializer},
    ),
)
class AffiliateLeadViewSet(mixins.CreateModelMixin, LeadViewSet):
    """The people one affiliate referred; POST records one more."""

    affiliate = _affiliate_parent()

    def create(self, request, *args, **kwargs) -> Response:
        serializer = LeadCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        lead, created = affiliate_services.lead_record(
            affiliate=self.affiliate,
            email=serializer.validated_data["email"],
            user=serializer.validated_data.get("user"),
        )
        lead = affiliate_selectors.lead_list(queryset=Lead.objects.filter(pk=lead.pk)).get()
        return Response(
            LeadSerializer(lead).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema_view(list=extend_schema(summary="List an affiliate's customers (leads who bought)"))
class AffiliateCustomerViewSet(LeadViewSet):
    """The leads of one affiliate who bought."""

    affiliate = _affiliate_parent()

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return affiliate_selectors.affiliate_customers(queryset=queryset)


class CommissionFilter(FilterSet):
    state = ChoiceFilter(
        field_name="payout_state",
        choices=[(state, state) for state in affiliate_selectors.COMMISSION_STATES],
        help_text="completed (paid), due (payable, unpaid), upcoming (still held) or reversed.",
    )

    class Meta:
        model = AffiliateCommission
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="List an affiliate's payments (commissions)",
        description="20 per page, newest first; state=completed|due|upcoming lists its payouts.",
    )
)
class AffiliatePaymentViewSet(mixins.ListModelMixin, SchoolScopedViewSet):
    """One affiliate's commissions, newest first; ``state`` narrows them to its payouts."""

    affiliate = _affiliate_parent()

    queryset = AffiliateCommission.objects.all()
    serializer_class = CommissionSerializer
    filterset_class = CommissionFilter
    scopes = ("read:commerce", "write:commerce")
    allow_user_tokens = False
    page_size = 20
    max_page_size = 100

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return affiliate_selectors.commission_list(queryset=queryset)


class PayoutResultSerializer(Serializer):
    """What a payout marked paid."""

    paid = serializers.IntegerField(help_text="How many due commissions were marked paid.")


class AffiliatePayoutViewSet(AffiliatePaymentViewSet):
    """``affiliates/{user_id}/payouts/completed|due|upcoming`` (LearnWorlds' payout lists:
    the commissions in that state, as ``…/payments?state=`` gives them); POST on ``due``
    records that the school paid them. One route per state (``payout_state`` is given by
    the URL pattern), so each is an action of its own, not the payments list."""

    filterset_class = None
    payout_state = "due"

    @extend_schema(
        summary="List an affiliate's payouts in one state",
        description="20 per page, newest first.",
        responses=CommissionSerializer(many=True),
    )
    def payouts(self, request, affiliate_user_id: str | None = None) -> Response:
        queryset = self.get_queryset().filter(payout_state=self.payout_state)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(CommissionSerializer(page, many=True).data)

    @extend_schema(
        summary="Pay an affiliate's due commissions",
        description="Marks every due commission paid (the school paid them out); clawbacks "
        "of refunded purchases are netted in the same payout.",
        request=None,
        responses={200: PayoutResultSerializer},
    )
    def pay(self, request, affiliate_user_id: str | None = None) -> Response:
        paid = affiliate_services.affiliate_commissions_pay(affiliate=self.affiliate)
        return Response(PayoutResultSerializer({"paid": paid}).data)
