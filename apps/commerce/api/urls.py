from apps.commerce.api.offers import OfferViewSet
from apps.core.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("offers", OfferViewSet, basename="offer")

urlpatterns = [*router.urls]
