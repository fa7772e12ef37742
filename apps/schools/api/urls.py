from django.urls import re_path

from apps.core.api.routers import OptionalSlashRouter
from apps.schools.api.access_codes import (
    AccessCodePoolViewSet,
    AccessCodeRedeemViewSet,
    AccessCodeViewSet,
)
from apps.schools.api.domains import DomainUserViewSet, DomainViewSet
from apps.schools.api.groups import (
    GroupAccessCodePoolViewSet,
    GroupCategoryViewSet,
    GroupUserViewSet,
    GroupViewSet,
    UserGroupViewSet,
)
from apps.schools.api.invites import InviteViewSet
from apps.schools.api.login_tokens import LoginTokenExchangeView
from apps.schools.api.roles import (
    SegmentViewSet,
    UserRoleAssignmentViewSet,
    UserRoleViewSet,
    UserSegmentViewSet,
)
from apps.schools.api.signup_fields import SignupFieldViewSet, UserSignupValueViewSet
from apps.schools.api.tags import TagViewSet
from apps.schools.api.views import (
    MeView,
    TokenObtainView,
    TokenRefreshView,
    TokenRevokeView,
    UserViewSet,
)

DOMAIN = r"domains/(?P<domain_name>[^/]+)"

# Registered before ``router`` so fixed paths such as users/segments win over users/{id}.
schools_router = OptionalSlashRouter()
schools_router.register("domains", DomainViewSet, basename="domain")
schools_router.register(rf"{DOMAIN}/users", DomainUserViewSet, basename="domain-user")
schools_router.register(
    rf"{DOMAIN}/access-code-pools", AccessCodePoolViewSet, basename="access-code-pool"
)
schools_router.register(
    rf"{DOMAIN}/access-code-pools/(?P<access_code_pool_id>[^/]+)/access-codes",
    AccessCodeViewSet,
    basename="access-code",
)
schools_router.register(rf"{DOMAIN}/access-codes", AccessCodeRedeemViewSet, basename="access-codes")
schools_router.register(rf"{DOMAIN}/signup-fields", SignupFieldViewSet, basename="signup-field")
schools_router.register(
    rf"{DOMAIN}/users/(?P<user_id>[^/]+)/signup-fields",
    UserSignupValueViewSet,
    basename="user-signup-field",
)
schools_router.register(
    rf"{DOMAIN}/users/(?P<user_id>[^/]+)/invites", InviteViewSet, basename="invite"
)
schools_router.register("groups", GroupViewSet, basename="group")
schools_router.register(
    r"groups/(?P<group_id>[^/]+)/users", GroupUserViewSet, basename="group-user"
)
schools_router.register(
    r"groups/(?P<group_id>[^/]+)/access-code-pools",
    GroupAccessCodePoolViewSet,
    basename="group-access-code-pool",
)
schools_router.register("group-categories", GroupCategoryViewSet, basename="group-category")
schools_router.register(r"users/(?P<user_id>[^/]+)/groups", UserGroupViewSet, basename="user-group")
schools_router.register("user-roles", UserRoleViewSet, basename="user-role")
schools_router.register("tags", TagViewSet, basename="tag")
schools_router.register("users/segments", SegmentViewSet, basename="segment")
schools_router.register("users", UserSegmentViewSet, basename="user-segment")
schools_router.register("users", UserRoleAssignmentViewSet, basename="user-role-assignment")

router = OptionalSlashRouter()
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    re_path(r"^me/?$", MeView.as_view(), name="me"),
    re_path(r"^auth/token/?$", TokenObtainView.as_view(), name="auth-token"),
    re_path(r"^auth/token/refresh/?$", TokenRefreshView.as_view(), name="auth-token-refresh"),
    re_path(r"^auth/token/revoke/?$", TokenRevokeView.as_view(), name="auth-token-revoke"),
    re_path(r"^auth/login-token/?$", LoginTokenExchangeView.as_view(), name="auth-login-token"),
    *schools_router.urls,
    *router.urls,
]
