from apps.commerce.api.offers import OfferViewSet
from apps.core.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("offers", OfferViewSet, basename="offer")

urlpatterns = [*router.urls]

from apps.commerce.api.subscriptions import (  # noqa: E402
    ActiveInstallmentViewSet,
    SubscriptionPlanViewSet,
    UserSubscriptionViewSet,
)

router.register("subscription-plans", SubscriptionPlanViewSet, basename="subscription-plan")
router.register("user-subscriptions", UserSubscriptionViewSet, basename="user-subscription")
router.register("installments/active", ActiveInstallmentViewSet, basename="installment-active")
urlpatterns = [*router.urls]
