"""The request bodies of every API operation, and the fields in them that name other rows.

drf-spectacular already knows, for each path and method, which serializer reads the body
(including ``@extend_schema(request=...)`` overrides); the tenancy tests ask it, so an
endpoint added anywhere is checked for cross-school references without editing a test.

The whole body is walked: nested objects, lists of objects (``signup_fields: [{id}]``, a
``ListField`` of a serializer or a ``many=True`` serializer) and lists of references. A
field's name is dotted, with ``[]`` for each list it sits in (``signup_fields[].id``);
``nest`` builds a body from such a name and ``BodyField.names_error`` matches the error keys
the API answers with (``signup_fields.0.id``).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.db import models
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import force_instance
from drf_spectacular.settings import spectacular_settings
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from tests import factories

BODY_METHODS = ("POST", "PUT", "PATCH")


@dataclass(frozen=True)
class BodyField:
    """A writable field of an operation's request body, possibly naming another row."""

    method: str
    path: str
    view_class: type
    name: str  # dotted for nested fields
    many: bool
    model: type[models.Model] | None  # the referenced model; None if not a reference
    field: serializers.Field

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.name}"

    @property
    def operation(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def looks_like_id(self) -> bool:
        leaf = self.name.rsplit(".", 1)[-1]
        return leaf.endswith(("_id", "_ids")) or leaf in {"id", "ids"}

    def names_error(self, key: str) -> bool:
        """Whether an ``errors`` key of the envelope is about this field (or inside it)."""
        pattern = re.escape(self.name).replace(re.escape("[]"), r"\.\d+")
        return re.fullmatch(rf"{pattern}(\..+)?", key) is not None


def _fields(
    serializer: serializers.BaseSerializer, prefix: str = ""
) -> Iterator[tuple[str, serializers.Field]]:
    """Every writable leaf field, at any depth, named as ``nest`` builds it."""
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        dotted = f"{prefix}{name}"
        # A list of objects: a many=True serializer or a ListField of a serializer.
        if isinstance(field, serializers.ListSerializer):
            yield from _fields(field.child, f"{dotted}[].")
        elif isinstance(field, serializers.ListField) and isinstance(
            field.child, serializers.BaseSerializer
        ):
            yield from _fields(field.child, f"{dotted}[].")
        elif isinstance(field, serializers.BaseSerializer):
            yield from _fields(field, f"{dotted}.")
        else:
            yield dotted, field


def _reference(field: serializers.Field) -> tuple[type[models.Model] | None, bool]:
    if isinstance(field, ManyRelatedField):
        queryset = field.child_relation.queryset
        return (queryset.model if queryset is not None else None), True
    if isinstance(field, RelatedField):
        queryset = field.queryset
        return (queryset.model if queryset is not None else None), False
    if isinstance(field, serializers.ListField) and isinstance(field.child, RelatedField):
        queryset = field.child.queryset
        return (queryset.model if queryset is not None else None), True
    return None, isinstance(field, serializers.ListField)


def _request_serializer(view, method: str, path: str):
    view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
    schema = view.schema
    schema.method = method
    schema.path = path
    serializer = schema.get_request_serializer()
    if isinstance(serializer, dict):  # per media type: take the JSON one
        serializer = serializer.get("application/json", next(iter(serializer.values()), None))
    serializer = getattr(serializer, "request", serializer)  # OpenApiRequest
    serializer = force_instance(serializer)
    return serializer if isinstance(serializer, serializers.BaseSerializer) else None


@dataclass(frozen=True)
class RequestBody:
    """An operation that reads a JSON body, and the serializer drf-spectacular says reads it."""

    method: str
    path: str
    view_class: type
    serializer: serializers.BaseSerializer

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@cache
def request_bodies() -> tuple[RequestBody, ...]:
    """Every operation under /api/v1/ whose body a serializer reads."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found = []
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        if method not in BODY_METHODS or not path.startswith("/api/v1/"):
            continue
        serializer = _request_serializer(view, method, path)
        if serializer is not None:
            found.append(RequestBody(method, path, type(view), serializer))
    return tuple(found)


@cache
def body_fields() -> tuple[BodyField, ...]:
    """Every writable field of every request body under /api/v1/."""
    found = []
    for body in request_bodies():
        serializer = body.serializer
        if isinstance(serializer, serializers.ListSerializer):
            serializer = serializer.child
        for name, field in _fields(serializer):
            model, many = _reference(field)
            leaf = name.rsplit(".", 1)[-1]
            if model is None and leaf in factories.ID_FIELD_MODELS:
                model = factories.ID_FIELD_MODELS[leaf]
            found.append(
                BodyField(
                    method=body.method,
                    path=body.path,
                    view_class=body.view_class,
                    name=name,
                    many=many,
                    model=model,
                    field=field,
                )
            )
    return tuple(found)


def reference_fields() -> list[BodyField]:
    """Body fields that name a row of a model (related fields and mapped ``*_id`` fields)."""
    return [f for f in body_fields() if f.model is not None]


def unmapped_id_fields() -> list[BodyField]:
    """Fields named like ids that are neither related fields nor declared in the registry."""
    return [
        f
        for f in body_fields()
        if f.model is None
        and f.looks_like_id
        and f.name.rsplit(".", 1)[-1] not in factories.ID_FIELD_MODELS
    ]


def operation_url(path: str, view_class: type, school) -> str:
    """``path`` with its parameters addressing a new row of ``school`` served by the view
    (and that row's parents), so a request reaches the body's validation."""
    from tests.core import api_routes

    parameters = api_routes.path_parameters(path)
    if not parameters:
        return path
    mine = factories.create_owned(view_class.queryset.model, school=school)
    lookup = view_class.lookup_url_kwarg or view_class.lookup_field
    for name in parameters:
        value = (
            getattr(mine, view_class.lookup_field)
            if name in (lookup, "id", "pk")
            else api_routes.path_value(mine, name)
        )
        path = path.replace(f"{{{name}}}", str(value))
    return path


def nest(name: str, value: object) -> dict:
    """``nest("a.b", 1)`` -> ``{"a": {"b": 1}}``; ``nest("a[].b", 1)`` -> ``{"a": [{"b": 1}]}``."""
    head, _, rest = name.partition(".")
    inner: object = nest(rest, value) if rest else value
    if head.endswith("[]"):
        return {head[:-2]: [inner]}
    return {head: inner}
