from apps.commerce.api.offers import OfferViewSet
from apps.commerce.api.payments import PaymentViewSet
from apps.commerce.api.plans import PlanEnrollmentViewSet, PlanViewSet, UserPlanEnrollmentViewSet
from apps.commerce.api.purchases import PurchaseViewSet
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
router.register("purchases", PurchaseViewSet, basename="purchase")
router.register("payments", PaymentViewSet, basename="payment")

urlpatterns = [*router.urls]
