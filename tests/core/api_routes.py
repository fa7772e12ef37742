"""Every route under the ``api`` URL namespace, found by walking the URL resolver.

The generic tests (tenancy, list query counts, references in bodies) iterate these, so a
viewset another app registers is covered without editing a test.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.core.api.base import SchoolScopedViewSet

API_NAMESPACE = "api"
_BODY_METHODS = {"post", "put", "patch"}


@dataclass(frozen=True)
class ViewSetRoute:
    """One URL pattern of a ``SchoolScopedViewSet``: its name, kwargs and method map."""

    name: str
    regex: str
    viewset: type[SchoolScopedViewSet]
    actions: tuple[tuple[str, str], ...]  # (http method, action), lower-case methods
    kwargs: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.name} ({self.viewset.__name__})"

    @property
    def model(self) -> type[models.Model]:
        return self.viewset.queryset.model

    @property
    def lookup_kwarg(self) -> str:
        return self.viewset.lookup_url_kwarg or self.viewset.lookup_field

    @property
    def is_detail(self) -> bool:
        return self.lookup_kwarg in self.kwargs

    @property
    def parent_kwargs(self) -> tuple[str, ...]:
        return tuple(k for k in self.kwargs if k != self.lookup_kwarg)

    def parent_overrides(self, obj: models.Model) -> dict[str, object]:
        """Factory overrides that put a new row under the same parents as ``obj``."""
        overrides = {}
        relations = {f.name for f in self.model._meta.get_fields() if f.is_relation}
        for name in self.parent_kwargs:
            heads = [name[:i] for i, c in enumerate(name) if c == "_"] + [name]
            head = next((h for h in reversed(heads) if h in relations), None)
            if head is not None:
                overrides[head] = getattr(obj, head)
        return overrides

    def methods(self) -> list[str]:
        return [method for method, _action in self.actions]

    def url_for(self, obj: models.Model | None) -> str:
        """The route's path addressing ``obj`` (and its parents, read from its attributes)."""
        kwargs = {}
        for name in self.kwargs:
            if obj is None:
                raise ValueError(f"{self} needs an object to fill {name!r}")
            if name == self.lookup_kwarg:
                kwargs[name] = str(getattr(obj, self.viewset.lookup_field))
            else:
                kwargs[name] = path_value(obj, name)
        return reverse(f"{API_NAMESPACE}:{self.name}", kwargs=kwargs)


def path_value(obj: models.Model, name: str) -> str:
    """Fill a parent path parameter from ``obj``: ``course_id`` -> ``obj.course_id``,
    ``domain_name`` -> ``obj.domain.name``, or ``tests.factories.PATH_KWARGS[name](obj)``."""
    from tests.factories import PATH_KWARGS

    if name in PATH_KWARGS:
        return str(PATH_KWARGS[name](obj))
    value = _resolve(obj, name)
    if value is None:
        raise AttributeError(
            f"cannot fill the path parameter {name!r} from a {type(obj).__name__}; "
            "add an entry to tests.factories.PATH_KWARGS."
        )
    return str(value)


def _resolve(obj: object, name: str) -> object | None:
    if hasattr(obj, name):
        return getattr(obj, name)
    for index, char in enumerate(name):
        if char == "_" and hasattr(obj, name[:index]):
            value = _resolve(getattr(obj, name[:index]), name[index + 1 :])
            if value is not None:
                return value
    return None


def api_ids(obj: models.Model) -> set[str]:
    """Every id the API may show for ``obj``: its pk and each serving viewset's lookup value
    (a member is addressed by its ``user_id`` on some routes)."""
    found = {str(obj.pk)}
    for route in viewset_routes():
        if route.model is type(obj):
            found.add(str(getattr(obj, route.viewset.lookup_field)))
    return found


def _walk(patterns: list, namespace: str | None = None) -> Iterator[tuple[URLPattern, str | None]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        else:
            yield pattern, namespace


def api_patterns() -> list[URLPattern]:
    """Every URL pattern in the ``api`` namespace."""
    return [p for p, ns in _walk(get_resolver().url_patterns) if ns == API_NAMESPACE]


@cache
def viewset_routes() -> tuple[ViewSetRoute, ...]:
    """Every pattern served by a ``SchoolScopedViewSet``, in URL order."""
    routes = []
    for pattern in api_patterns():
        view_class = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None)
        if not (view_class and actions and issubclass(view_class, SchoolScopedViewSet)):
            continue
        routes.append(
            ViewSetRoute(
                name=pattern.name,
                regex=pattern.pattern.regex.pattern,
                viewset=view_class,
                actions=tuple(sorted(actions.items())),
                kwargs=tuple(pattern.pattern.regex.groupindex),
            )
        )
    return tuple(routes)


def list_routes() -> list[ViewSetRoute]:
    """Collection routes answering GET with the ``list`` action."""
    return [r for r in viewset_routes() if ("get", "list") in r.actions]


def detail_routes() -> list[ViewSetRoute]:
    """Routes addressing one object by its id."""
    return [r for r in viewset_routes() if r.is_detail]


def collection_write_routes() -> list[ViewSetRoute]:
    """Non-detail routes taking a body (create, list-level actions)."""
    return [r for r in viewset_routes() if not r.is_detail and _BODY_METHODS & set(r.methods())]


def path_parameters(path: str) -> list[str]:
    """The ``{name}`` parameters of an OpenAPI path."""
    return re.findall(r"{(\w+)}", path)
