"""The base classes every API view builds on: idempotency, scopes and school tenancy."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.views import APIView

from apps.core import idempotency
from apps.core.credentials import Credential


class LyceumAPIMixin:
    """Idempotency-Key handling for POST, shared by every API view."""

    _idempotency_claim: idempotency.Claim | None = None

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self._idempotency_claim = idempotency.begin(request)

    def handle_exception(self, exc: Exception):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except Exception:
            if self._idempotency_claim is not None:
                idempotency.release(self._idempotency_claim)
                self._idempotency_claim = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency_claim is not None:
            idempotency.finish(self._idempotency_claim, response)
            self._idempotency_claim = None
        return response

    @property
    def credential(self) -> Credential:
        return self.request.auth

    @property
    def school(self):
        """The caller's school: it comes from the credential alone."""
        return self.request.auth.school


class ApiView(LyceumAPIMixin, APIView):
    """A plain endpoint (not a resource collection)."""


class SchoolScopedViewSet(LyceumAPIMixin, viewsets.GenericViewSet):
    """A resource collection seen through the caller's school.

    Every row is filtered by ``school_field`` = the credential's school before anything
    else; another school's ids are therefore 404 like missing ones. Subclasses add joins
    and narrowing in ``scope_queryset`` and may not override ``get_queryset``,
    ``get_object`` or ``get_permissions`` (refused when the class is created).

    ``owner_field`` names the path to the User on personal resources: a user token then
    sees only its own rows. ``scopes`` is ``(read scope, write scope)``.
    """

    queryset: QuerySet | None = None
    school_field = "school"
    owner_field: str | None = None
    scopes: tuple[str, str] | None = None
    allow_user_tokens = True
    lookup_value_regex = "[^/]+"

    _sealed = ("get_queryset", "get_object", "get_permissions")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls._sealed:
            if name in cls.__dict__:
                raise ImproperlyConfigured(
                    f"{cls.__name__} overrides {name}; narrow rows in scope_queryset instead "
                    "so school tenancy cannot be bypassed."
                )

    def get_queryset(self) -> QuerySet:
        if self.queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset.")
        queryset = self.queryset.all()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        credential = self.request.auth
        if not isinstance(credential, Credential):
            return queryset.none()
        queryset = queryset.filter(**{self.school_field: credential.school})
        if credential.is_user and self.owner_field:
            queryset = queryset.filter(**{self.owner_field: credential.user})
        return self.scope_queryset(queryset)

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        """Add joins, annotations and narrowing; the school filter is already applied."""
        return queryset


class ReadOnlySchoolScopedViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet
):
    """List and retrieve."""
