from django.urls import re_path

from apps.core.api.routers import OptionalSlashRouter
from apps.schools.api.views import (
    MeView,
    TokenObtainView,
    TokenRefreshView,
    TokenRevokeView,
    UserViewSet,
)

router = OptionalSlashRouter()
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    re_path(r"^me/?$", MeView.as_view(), name="me"),
    re_path(r"^auth/token/?$", TokenObtainView.as_view(), name="auth-token"),
    re_path(r"^auth/token/refresh/?$", TokenRefreshView.as_view(), name="auth-token-refresh"),
    re_path(r"^auth/token/revoke/?$", TokenRevokeView.as_view(), name="auth-token-revoke"),
    *router.urls,
]
