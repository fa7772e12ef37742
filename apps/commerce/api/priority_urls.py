"""Commerce routes that must be matched before other apps' (config/api_urls.py lists this
module before the schools app): ``users/by-product`` would otherwise be read as the user
``by-product`` by ``users/{id}``."""

from apps.commerce.api.products import ProductUserViewSet
from apps.core.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("users", ProductUserViewSet, basename="user-by-product")

urlpatterns = [*router.urls]
