from django.urls import re_path

from apps.commerce.api.affiliates import (
    AffiliateCustomerViewSet,
    AffiliateLeadViewSet,
    AffiliatePaymentViewSet,
    AffiliatePayoutViewSet,
    AffiliateViewSet,
    LeadViewSet,
)
from apps.commerce.api.credits import TrainingCreditCodeViewSet
from apps.commerce.api.offers import OfferViewSet
from apps.commerce.api.payments import PaymentViewSet
from apps.commerce.api.plans import PlanEnrollmentViewSet, PlanViewSet, UserPlanEnrollmentViewSet
from apps.commerce.api.products import UserEnrollmentViewSet, UserProductViewSet
from apps.commerce.api.promo_codes import (
    PromoCodePoolOfferViewSet,
    PromoCodePoolViewSet,
    PromoCodeViewSet,
)
from apps.commerce.api.purchases import PurchaseViewSet
from apps.commerce.api.seats import SeatOfferingViewSet, SeatUserViewSet
from apps.commerce.api.subscriptions import (
    ActiveInstallmentViewSet,
    SubscriptionPlanViewSet,
    UserSubscriptionViewSet,
)
from apps.commerce.selectors.affiliates import PAYOUT_STATES
from apps.core.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("offers", OfferViewSet, basename="offer")
router.register(r"domains/(?P<domain_name>[^/]+)/plan", PlanViewSet, basename="plan")
router.register(
    r"domains/(?P<domain_name>[^/]+)/plan/(?P<plan_id>[^/]+)/plan-enrollments",
    PlanEnrollmentViewSet,
    basename="plan-enrollment",
)
router.register(
    r"users/(?P<user_id>[^/]+)/plan-enrollments",
    UserPlanEnrollmentViewSet,
    basename="user-plan-enrollment",
)
router.register("training-credit-codes", TrainingCreditCodeViewSet, basename="training-credit-code")
router.register("seats", SeatOfferingViewSet, basename="seat")
router.register("leads", LeadViewSet, basename="lead")
router.register("subscription-plans", SubscriptionPlanViewSet, basename="subscription-plan")
router.register("user-subscriptions", UserSubscriptionViewSet, basename="user-subscription")
router.register("installments/active", ActiveInstallmentViewSet, basename="installment-active")
AFFILIATE = r"affiliates/(?P<affiliate_user_id>[^/]+)"
router.register(rf"{AFFILIATE}/customers", AffiliateCustomerViewSet, basename="affiliate-customer")
router.register(rf"{AFFILIATE}/leads", AffiliateLeadViewSet, basename="affiliate-lead")
router.register(rf"{AFFILIATE}/payments", AffiliatePaymentViewSet, basename="affiliate-payment")
router.register("purchases", PurchaseViewSet, basename="purchase")
router.register("payments", PaymentViewSet, basename="payment")
router.register("promo-code-pools", PromoCodePoolViewSet, basename="promo-code-pool")
router.register(
    r"promo-code-pools/(?P<promo_code_pool_id>[^/]+)/offers",
    PromoCodePoolOfferViewSet,
    basename="promo-code-pool-offer",
)
router.register("promo-codes", PromoCodeViewSet, basename="promo-code")

SEAT_USERS = r"^seats/(?P<seat_offering_id>[^/]+)/users"
urlpatterns = [
    *router.urls,
    re_path(rf"{SEAT_USERS}/?$", SeatUserViewSet.as_view({"get": "list"}), name="seat-user-list"),
    # POST on a person's seat assigns them (LearnWorlds' "add a user to a seat offering").
    re_path(
        rf"{SEAT_USERS}/(?P<user_id>[^/]+)/?$",
        SeatUserViewSet.as_view({"get": "retrieve", "post": "assign"}),
        name="seat-user-detail",
    ),
    re_path(
        r"^users/(?P<user_id>[^/]+)/products/?$",
        UserProductViewSet.as_view({"get": "products"}),
        name="user-products",
    ),
    # POST enrolls the user into the product the body names, DELETE takes it away.
    re_path(
        r"^users/(?P<user_id>[^/]+)/enrollment/?$",
        UserEnrollmentViewSet.as_view({"post": "enroll", "delete": "unenroll"}),
        name="user-enrollment",
    ),
    *(
        re_path(
            rf"^{AFFILIATE}/payouts/{state}/?$",
            AffiliatePayoutViewSet.as_view(
                {"get": "payouts", **({"post": "pay"} if state == "due" else {})},
                payout_state=state,
            ),
            name=f"affiliate-payouts-{state}",
        )
        for state in PAYOUT_STATES
    ),
    re_path(r"^affiliates/?$", AffiliateViewSet.as_view({"get": "list"}), name="affiliate-list"),
    # POST on a user's affiliate address makes them one (LearnWorlds' "create an affiliate").
    re_path(
        r"^affiliates/(?P<user_id>[^/]+)/?$",
        AffiliateViewSet.as_view({"get": "retrieve", "post": "make"}),
        name="affiliate-detail",
    ),
]
