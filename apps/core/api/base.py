"""The base classes every API view builds on: idempotency, scopes and school tenancy."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils.functional import cached_property
from rest_framework import mixins, viewsets
from rest_framework.views import APIView

from apps.core import idempotency
from apps.core.credentials import Credential
from apps.core.errors import NotFound
from apps.core.pagination import PageNumberPagination, PreparedList, ordering_keys
from apps.core.prepared import PreparedQuery


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


class Parent:
    """The parent object of a nested route, looked up through the caller's school.

    Declared on a ``SchoolScopedViewSet`` subclass, e.g.
    ``group = Parent(Group.objects.all(), url_kwarg="group_id", detail="No such group.")``;
    ``self.group`` is then the row whose ``field`` equals that URL segment among the caller's
    school's rows (and, with ``within``, among the rows of an enclosing parent), so another
    school's id is 404 like a missing one. ``owner_field`` narrows a user token to its own
    row, as ``SchoolScopedViewSet.owner_field`` does for the collection. ``match`` names
    more lookups filled from other URL segments (``{"domain__name": "domain_name"}`` finds a
    publication on the named domain in the same query, instead of resolving the domain as a
    parent of its own first). ``narrow`` adds joins. Resolved once per request, before the
    action runs. The row and the rows loaded with it get the caller's school as their loaded
    ``school``, so no parent joins the school table.

    ``relation`` names the listed rows' foreign key to this parent. The view's rows are then
    narrowed to the parent by the base (``scope_queryset`` need not), and a list does not
    read the parent first: it joins the URL segment into the page's own statement and reads
    the parent only when the page comes back empty, so a missing or foreign parent is still
    404 and a page with rows costs one statement less.
    """

    def __init__(
        self,
        queryset: QuerySet,
        *,
        url_kwarg: str,
        field: str = "pk",
        within: str | None = None,
        owner_field: str | None = None,
        match: dict[str, str] | None = None,
        narrow: Callable[[QuerySet], QuerySet] | None = None,
        relation: str | None = None,
        detail: str = "Not found.",
    ) -> None:
        self.queryset = queryset
        self.url_kwarg = url_kwarg
        self.field = field
        self.within = within
        self.owner_field = owner_field
        self.match = match or {}
        self.narrow = narrow
        if relation is not None and (within or owner_field or match or narrow):
            raise ImproperlyConfigured("A parent joined through `relation` takes only `field`.")
        self.relation = relation
        self.detail = detail
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        # A non-data descriptor: the value stored in the instance dict wins from now on.
        value = self.resolve(view)
        view.__dict__[self.name] = value
        return value

    def is_resolved(self, view: "SchoolScopedViewSet") -> bool:
        return self.name in view.__dict__

    def narrow_children(self, view: "SchoolScopedViewSet", queryset: QuerySet) -> QuerySet:
        """``queryset`` (the view's rows, already the caller's school's) limited to this
        parent's: by the parent row once it is read, else by a join on the URL segment."""
        if self.is_resolved(view) or not self.joins_on_list(view):
            return queryset.filter(**{self.relation: getattr(view, self.name)})
        return queryset.filter(
            **{
                f"{self.relation}__{self.field}": view.kwargs.get(self.url_kwarg),
                f"{self.relation}__school": view.request.auth.school,
            }
        )

    def joins_on_list(self, view: "SchoolScopedViewSet") -> bool:
        """Whether this request joins the parent instead of reading it first."""
        return self.relation is not None and getattr(view, "action", None) == "list"

    def resolve(self, view: "SchoolScopedViewSet") -> Model:
        """The parent row of this request; ``NotFound`` when the caller's school has none."""
        credential = view.request.auth
        if not isinstance(credential, Credential):
            raise NotFound(self.detail)
        values = self._slot_values(view, credential)
        if values is not None:
            found = self._prepared.first(values, variant="owner" in values)
        else:
            found = self._found_by_orm(view, credential)
        if found is None:
            raise NotFound(self.detail)
        _prime_school(found, credential.school)
        return found

    @cached_property
    def _prepared(self) -> PreparedQuery:
        """The lookup, compiled once: a parent is read on every request under it."""
        slots = ["value", "school", *(f"match_{n}" for n in range(len(self.match)))]
        if self.within is not None:
            slots.append("within")
        if self.owner_field:
            slots.append("owner")
        return PreparedQuery(self._build, *slots)

    def _build(self, owned: bool, **slots: str) -> QuerySet:
        queryset = self.queryset.all().filter(school__pk=slots["school"])
        if self.within is not None:
            queryset = queryset.filter(**{f"{self.within}__pk": slots["within"]})
        if owned:
            queryset = queryset.filter(**{f"{self.owner_field}__pk": slots["owner"]})
        for n, lookup in enumerate(self.match):
            queryset = queryset.filter(**{lookup: slots[f"match_{n}"]})
        queryset = queryset.filter(**{self.field: slots["value"]})
        return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]

    def _slot_values(self, view: "SchoolScopedViewSet", credential: Credential) -> dict | None:
        """The prepared lookup's values, or None where it cannot serve: a ``narrow`` may
        depend on the moment (``with_active_now``), and a missing URL value is no row."""
        if self.narrow is not None:
            return None
        values = {"value": view.kwargs.get(self.url_kwarg), "school": credential.school.pk}
        for n, url_kwarg in enumerate(self.match.values()):
            values[f"match_{n}"] = view.kwargs.get(url_kwarg)
        if self.within is not None:
            values["within"] = getattr(view, self.within).pk
        if self.owner_field and credential.is_user:
            values["owner"] = credential.user.pk  # a person sees their own rows only
        if any(not isinstance(value, str) for value in values.values()):
            return None
        return values

    def _found_by_orm(self, view: "SchoolScopedViewSet", credential: Credential) -> Model | None:
        queryset = self.queryset.all().filter(school=credential.school)
        if self.within is not None:
            queryset = queryset.filter(**{self.within: getattr(view, self.within)})
        if credential.is_user and self.owner_field:
            queryset = queryset.filter(**{self.owner_field: credential.user})
        if self.narrow is not None:
            queryset = self.narrow(queryset)
        for lookup, url_kwarg in self.match.items():
            queryset = queryset.filter(**{lookup: view.kwargs.get(url_kwarg)})
        value = view.kwargs.get(self.url_kwarg)
        return queryset.filter(**{self.field: value}).first() if value is not None else None


def _prime_school(row: Model, school: Model) -> None:
    """Give ``row``, and the rows loaded with it, ``school`` as their loaded school where it is
    theirs: the caller's school is already at hand, so no parent joins it or reads it."""
    for related in (row, *row._state.fields_cache.values()):
        if isinstance(related, Model) and getattr(related, "school_id", None) == school.pk:
            field = related._meta.get_field("school")
            if not field.is_cached(related):
                field.set_cached_value(related, school)


class SchoolScopedViewSet(LyceumAPIMixin, viewsets.GenericViewSet):
    """A resource collection seen through the caller's school.

    Every row is filtered by ``school_field`` = the credential's school before anything
    else; another school's ids are therefore 404 like missing ones. Subclasses add joins
    and narrowing in ``scope_queryset`` and may not override ``get_queryset``,
    ``get_object`` or ``get_permissions`` (refused when the class is created).

    ``owner_field`` names the path to the User on personal resources: a user token then
    sees only its own rows. ``scopes`` is ``(read scope, write scope)``.

    A nested route declares its parents as ``Parent`` attributes; they are resolved through
    the same school filter before the action runs, so every action under a foreign or
    missing parent is 404 (a list included, never an empty page).
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
        filters = getattr(getattr(cls, "filterset_class", None), "base_filters", {})
        for name in cls.prepared_list_filters:
            if name not in filters:
                raise ImproperlyConfigured(
                    f"{cls.__name__}.prepared_list_filters names {name!r}, not a filter of its set."
                )

    @classmethod
    def parents(cls) -> list[Parent]:
        """The declared parents, outermost first (the order of the class bodies)."""
        if "_parents" not in cls.__dict__:
            found: dict[str, Parent] = {}
            for klass in reversed(cls.__mro__):
                for name, value in vars(klass).items():
                    if isinstance(value, Parent):
                        found[name] = value
            cls._parents = list(found.values())
        return cls._parents

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        for parent in self.parents():
            if not parent.joins_on_list(self):
                getattr(self, parent.name)

    def paginate_queryset(self, queryset: QuerySet) -> list | None:
        page = super().paginate_queryset(queryset)
        if not page:
            # An empty page (or an unpaged list) says nothing of the joined parents: read them,
            # so a missing or foreign one is 404 and never an empty list.
            for parent in self.parents():
                getattr(self, parent.name)
        return page

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
        for parent in self.parents():
            if parent.relation is not None:
                queryset = parent.narrow_children(self, queryset)
        return self.scope_queryset(queryset)

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        """Add joins, annotations and narrowing; the school filter is already applied."""
        return queryset

    # Filters of the list that only compare their value (``field = value``). A list asked
    # with no other query parameter than these, ``page`` and ``page_size`` is compiled once
    # per shape (the kind of credential and the filters given) and run with the request's
    # values (``apps.core.prepared``). A view names them only when its rows depend on nothing
    # but the caller's school and person and those filters.
    prepared_list_filters: tuple[str, ...] = ()

    def list_page(self) -> list | None:
        """The list's page: through its prepared statements where they serve, else through
        the queryset, filters and paginator."""
        prepared = self._prepared_list()
        if prepared is None:
            return self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        page = self.paginator.paginate_prepared(prepared, self.request, self)
        if not page:
            # As ``paginate_queryset``: an empty page reads the joined parents (404 if absent).
            for parent in self.parents():
                getattr(self, parent.name)
        return page

    def _prepared_list(self) -> PreparedList | None:
        credential = self.request.auth
        paginator = self.paginator
        parents = self.parents()
        if (
            not self.prepared_list_filters
            # Parents read before the list would be constants of the statement; only those
            # the list joins on their URL segment (``relation``) are slots of it.
            or any(parent.relation is None or parent.is_resolved(self) for parent in parents)
            or not isinstance(credential, Credential)
            or not isinstance(paginator, PageNumberPagination)
        ):
            return None
        params = self.request.query_params
        paging = {paginator.page_query_param, paginator.page_size_query_param}
        if not set(params) <= {*self.prepared_list_filters, *paging}:
            return None
        filters = tuple(sorted(set(params) - paging))
        values = {"school": credential.school.pk}
        filterset_class = self.filterset_class
        for name in filters:
            given = params.getlist(name)
            if len(given) != 1:
                return None
            # Cleaned as the filter set cleans it (stripped; a NUL character refused): a value
            # the filter would refuse or skip takes the full path, which answers it.
            try:
                value = filterset_class.base_filters[name].field.clean(given[0])
            except DjangoValidationError:
                return None
            if not isinstance(value, str) or not value:
                return None
            values[f"filter_{name}"] = value
        for parent in parents:
            value = self.kwargs.get(parent.url_kwarg)
            if not isinstance(value, str):
                return None
            values[f"parent_{parent.url_kwarg}"] = value
        if credential.is_user:
            values["user"] = credential.user.pk
        variant = (
            credential.kind,
            filters,
            type(credential.school),
            type(credential.user) if credential.is_user else None,
        )
        page, keys = type(self)._prepared_statements()
        return PreparedList(page=page, keys=keys, values=values, variant=variant)

    @classmethod
    def _prepared_statements(cls) -> tuple[PreparedQuery, PreparedQuery]:
        """The list's page and key statements, built once per view class."""
        found = cls.__dict__.get("_prepared_list_statements")
        if found is None:
            slots = (
                "school",
                "user",
                *(f"filter_{name}" for name in cls.prepared_list_filters),
                *(f"parent_{parent.url_kwarg}" for parent in cls.parents()),
            )

            def page(variant: tuple, **values: str) -> QuerySet:
                queryset, view = cls._stand_in_list(variant, values)
                if not queryset.ordered:
                    queryset = queryset.order_by(*(k.name for k in ordering_keys(queryset)))
                page_rows = getattr(view, "page_rows", None)
                return page_rows(queryset) if page_rows is not None else queryset

            def keys(variant: tuple, **values: str) -> QuerySet:
                return cls._stand_in_list(variant, values)[0].order_by().values("pk")

            found = (PreparedQuery(page, *slots), PreparedQuery(keys, *slots))
            cls._prepared_list_statements = found
        return found

    @classmethod
    def _stand_in_list(cls, variant: tuple, values: dict[str, str]) -> tuple[QuerySet, Any]:
        """The list's queryset built by a view of this class whose request carries the
        statement's slots: the same code as a request's list, once."""
        kind, filters, school_model, user_model = variant
        user = user_model(pk=values["user"]) if user_model is not None else None
        credential = Credential(
            kind=kind, school=school_model(pk=values["school"]), scopes=frozenset(), user=user
        )
        query = QueryDict(mutable=True)
        for name in filters:
            query[name] = values[f"filter_{name}"]
        kwargs = {
            parent.url_kwarg: values[f"parent_{parent.url_kwarg}"] for parent in cls.parents()
        }
        view = cls(action="list", args=(), kwargs=kwargs, format_kwarg=None)
        view.request = SimpleNamespace(auth=credential, user=user, query_params=query, GET=query)
        # The stand-in's school and person are slot markers: anything the list reads while
        # it is built would be read for them, then kept in the statement for every caller.
        with connection.execute_wrapper(_refuse_reads_while_building):
            return view.filter_queryset(view.get_queryset()), view


def _refuse_reads_while_building(execute, sql, params, many, context):
    raise ImproperlyConfigured(
        "A list with prepared_list_filters read the database while its statement was built; "
        "its rows must follow from the caller's school and person as subqueries of the list."
    )


class ReadOnlySchoolScopedViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, SchoolScopedViewSet
):
    """List and retrieve."""
