"""Scope checks: each view declares the scope it needs to read and to write."""

from rest_framework import permissions
from rest_framework.exceptions import NotAuthenticated, PermissionDenied

from apps.core.codes import CoreErrorCode
from apps.core.credentials import Credential


class HasScope(permissions.BasePermission):
    """Allow a credential holding the view's read scope (safe methods) or write scope.

    Views set ``scopes = ("read:x", "write:x")``; ``scopes = None`` admits any credential
    of the school. A view with ``allow_user_tokens = False`` is for API keys only.
    """

    def has_permission(self, request, view) -> bool:
        credential = request.auth
        if not isinstance(credential, Credential):
            raise NotAuthenticated()
        if credential.is_user and not getattr(view, "allow_user_tokens", True):
            raise PermissionDenied(
                "This endpoint needs a school API key; user tokens cannot call it.",
                code=CoreErrorCode.PERMISSION_DENIED,
            )
        scope = required_scope(view, request.method)
        if scope and not credential.has_scope(scope):
            raise PermissionDenied(
                f"This credential lacks the {scope!r} scope.", code=CoreErrorCode.MISSING_SCOPE
            )
        return True


def required_scope(view, method: str) -> str | None:
    """The scope a request with ``method`` needs on ``view`` (None: any credential)."""
    scopes = getattr(view, "scopes", None)
    if not scopes:
        return None
    read, write = scopes
    return read if method in permissions.SAFE_METHODS else write
