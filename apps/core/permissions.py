"""Scope checks: each view declares the scope it needs to read and to write."""

from rest_framework import permissions
from rest_framework.exceptions import NotAuthenticated, PermissionDenied

from apps.core.codes import CoreErrorCode
from apps.core.credentials import Credential


class HasScope(permissions.BasePermission):
    """Allow a credential holding the view's read scope (safe methods) or write scope.

    Views set ``scopes = ("read:x", "write:x")``; ``scopes = None`` admits any credential
    of the school. A view with ``allow_user_tokens = False`` is for API keys only.

    A user token holds read scopes only; a view lets it write through the actions it names
    in ``owner_write_actions`` (a learner starting and submitting its own quiz attempts).
    Such an action must act on the token's own rows alone: ``owner_field`` narrows the rows
    it can address, and a create acts for ``credential.user``.
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
        if scope and not credential.has_scope(scope) and not owner_write(credential, view):
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


def owner_write(credential: Credential, view) -> bool:
    """Whether ``view``'s current action is one a user token may call to write its own rows
    without the write scope (``owner_write_actions``)."""
    return credential.is_user and getattr(view, "action", None) in getattr(
        view, "owner_write_actions", ()
    )
