from apps.commerce.api.offers import OfferViewSet
from apps.commerce.api.promo_codes import (
    PromoCodePoolOfferViewSet,
    PromoCodePoolViewSet,
    PromoCodeViewSet,
)
from apps.core.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("offers", OfferViewSet, basename="offer")
router.register("promo-code-pools", PromoCodePoolViewSet, basename="promo-code-pool")
router.register(
    r"promo-code-pools/(?P<promo_code_pool_id>[^/]+)/offers",
    PromoCodePoolOfferViewSet,
    basename="promo-code-pool-offer",
)
router.register("promo-codes", PromoCodeViewSet, basename="promo-code")

urlpatterns = [*router.urls]
