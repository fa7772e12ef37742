"""``SchoolScopedAdmin``: the one admin base that keeps a school's staff inside their school.

A school's staff (``is_staff`` users with an admin membership) see and change only
their school's rows, choose related objects only among them, and never pick the school:
it is set from their membership. A platform operator (superuser) sees every school,
with a school filter.
"""

from django.contrib import admin, messages
from django.contrib.admin.filters import (
    AllValuesFieldListFilter,
    FieldListFilter,
    RelatedFieldListFilter,
)
from django.contrib.admin.utils import get_fields_from_path, get_model_from_relation
from django.core.exceptions import ImproperlyConfigured
from django.db import models, router, transaction
from django.http import HttpRequest, HttpResponseRedirect

from apps.core.errors import ApiError
from apps.core.models import Event, Job


def admin_school(request: HttpRequest):
    """The school a staff user administers (None for superusers and for everyone else)."""
    if not hasattr(request, "_lyceum_admin_school"):
        school = None
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not user.is_superuser:
            from apps.schools.selectors.schools import staff_school_for

            school = staff_school_for(user)
        request._lyceum_admin_school = school
    return request._lyceum_admin_school


def is_school_staff(request: HttpRequest) -> bool:
    return admin_school(request) is not None


def limit_to_school(request: HttpRequest, queryset):
    """``queryset`` narrowed to the rows of the staff member's school (as is for operators)."""
    school = admin_school(request)
    if school is None or queryset is None:
        return queryset
    model = queryset.model
    if model._meta.label == "schools.School":
        return queryset.filter(pk=school.pk)
    if model._meta.label == "schools.User":
        return queryset.filter(memberships__school=school).distinct()
    if any(f.name == "school" for f in model._meta.get_fields()):
        return queryset.filter(school=school)
    return queryset


class SchoolRelatedFieldListFilter(RelatedFieldListFilter):
    """A filter on a related field whose choices are the staff member's school's rows only
    (Django's lists every row of the related model, whatever school it belongs to)."""

    def field_choices(self, field, request: HttpRequest, model_admin):
        if admin_school(request) is None:
            return super().field_choices(field, request, model_admin)
        related = get_model_from_relation(field)
        allowed = related._default_manager.all()
        if hasattr(field, "get_limit_choices_to"):  # a forward relation's own restriction
            allowed = allowed.complex_filter(field.get_limit_choices_to())
        allowed = limit_to_school(request, allowed)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False,
            limit_choices_to=models.Q(pk__in=allowed.values("pk")),
            ordering=ordering,
        )


class SchoolAllValuesFieldListFilter(AllValuesFieldListFilter):
    """A filter listing the values of a field across a relation (``domain__name``) found in
    the staff member's rows only (Django's reads them from every row of the related model)."""

    def __init__(self, field, request: HttpRequest, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        if admin_school(request) is not None:
            self.lookup_choices = (
                model_admin.get_queryset(request)
                .distinct()
                .order_by(field_path)
                .values_list(field_path, flat=True)
            )


# Django's filter class for a field -> the one that keeps its choices inside the school.
_SCHOOL_FILTERS: dict[type, type] = {
    RelatedFieldListFilter: SchoolRelatedFieldListFilter,
    AllValuesFieldListFilter: SchoolAllValuesFieldListFilter,
}


def school_list_filter(model: type[models.Model], entry):
    """A ``list_filter`` entry with Django's school-blind filter classes swapped for the
    school-aware ones; other entries (choices, booleans, dates, custom filters) as they are."""
    if isinstance(entry, str):
        field = get_fields_from_path(model, entry)[-1]
        default = next(
            (klass for test, klass in FieldListFilter._field_list_filters if test(field)), None
        )
        return (entry, _SCHOOL_FILTERS[default]) if default in _SCHOOL_FILTERS else entry
    if isinstance(entry, tuple | list) and entry[1] in _SCHOOL_FILTERS:
        return (entry[0], _SCHOOL_FILTERS[entry[1]])
    return entry


class SchoolStaffAccessMixin:
    """Permissions and related choices shared by ``SchoolScopedAdmin`` and its inlines:
    operators everywhere, a school's staff on their school's rows only."""

    def _allowed(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or is_school_staff(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request)

    # --- related choices stay inside the school -----------------------------------------
    def _limit(self, request: HttpRequest, queryset):
        return limit_to_school(request, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._limit(request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._limit(request, field.queryset)
        return field


class ServiceAdminMixin:
    """Mix into every ModelAdmin (before Django's class): its writes go through services.

    Saving calls the admin's ``save_model`` (and ``save_formset`` for inlines), which call
    the app's services; an admin that does not override ``save_model`` offers no Add or
    Change, because Django's own save would skip the service's rules and events. Deleting
    calls ``delete_with_service`` one row at a time, from the change page's Delete and from
    "Delete selected"; an admin without it offers no Delete. Subclasses may not override
    ``delete_model`` or ``delete_queryset`` (refused when the class is created).

    A service's refusal (an ``ApiError``) undoes the whole save, and the form is shown again
    with the refusal on the field it names (a 200 with the error, never a 500); in an action
    it undoes the action and becomes an error message.
    """

    _sealed = ("delete_model", "delete_queryset")

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls._sealed:
            if name in cls.__dict__:
                raise ImproperlyConfigured(
                    f"{cls.__name__} overrides {name}; define delete_with_service instead "
                    "so deleting goes through the app's service."
                )

    # --- saving ----------------------------------------------------------------------
    def save_model(self, request: HttpRequest, obj: models.Model, form, change: bool) -> None:
        """Save through the app's service; an admin that does not override this cannot."""
        raise ImproperlyConfigured(f"{type(self).__name__} does not save through a service.")

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """The inlines only: many-to-many values are the service's to save (in ``save_model``)."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Save an inline's rows through services; an admin with inlines must override this."""
        raise ImproperlyConfigured(
            f"{type(self).__name__} does not save inlines through a service."
        )

    @classmethod
    def saves_through_service(cls) -> bool:
        return cls.save_model is not ServiceAdminMixin.save_model

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return self.saves_through_service() and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.saves_through_service() and super().has_change_permission(request, obj)

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApiError as exc:
            if request.method != "POST" or hasattr(request, "_lyceum_refusal"):
                raise
            # Django's view ran in a transaction, now rolled back: nothing of the save stays.
            # Show the same form again, refused by the service's error.
            request._lyceum_refusal = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        refusal = getattr(request, "_lyceum_refusal", None)
        return form if refusal is None else refused_form(form, refusal)

    def response_action(self, request: HttpRequest, queryset):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().response_action(request, queryset)
        except ApiError as exc:
            messages.error(request, str(exc.detail))
            return HttpResponseRedirect(request.get_full_path())

    # --- deleting --------------------------------------------------------------------
    def delete_with_service(self, request: HttpRequest, obj: models.Model) -> None:
        """Delete ``obj`` through its app's service; an admin without it cannot delete."""
        raise ImproperlyConfigured(f"{type(self).__name__} does not delete through a service.")

    @classmethod
    def deletes_through_service(cls) -> bool:
        return cls.delete_with_service is not ServiceAdminMixin.delete_with_service

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.deletes_through_service() and super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self._delete_one(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for obj in queryset:
            self._delete_one(request, obj)

    def _delete_one(self, request: HttpRequest, obj: models.Model) -> None:
        try:
            self.delete_with_service(request, obj)
        except ApiError as exc:
            messages.error(request, f"{obj}: {exc.detail}")


def refused_form(form_class: type, refusal: ApiError) -> type:
    """``form_class`` whose validation fails with a service's refusal, on the field the
    refusal names when the form has it, else on the whole form."""

    class RefusedForm(form_class):
        def clean(self):
            data = super().clean()
            field = refusal.field if refusal.field in self.fields else None
            self.add_error(field, str(refusal.detail))
            return data

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


class ServiceAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """Base for an admin of rows that belong to no school (the operator's)."""


class SchoolScopedAdmin(SchoolStaffAccessMixin, ServiceAdmin):
    """Base for every admin of a school-owned model: a school's staff see and change only
    their school's rows; writes go through services (``ServiceAdminMixin``).

    ``save_model`` receives the new row without its school: the service gets it from
    ``admin_school(request)`` (staff) or from the form (operators).
    """

    school_field = "school"
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return self.saves_through_service() and self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.saves_through_service() and self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.deletes_through_service() and self._allowed(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    # --- rows ------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        school = admin_school(request)
        if school is None:
            return queryset.none()
        return queryset.filter(**{self.school_field: school})

    def get_list_filter(self, request: HttpRequest):
        # Filters on related rows list only the school's rows, as the forms' choices do.
        filters = [school_list_filter(self.model, f) for f in super().get_list_filter(request)]
        if request.user.is_superuser and self.school_field == "school":
            filters.insert(0, "school")
        return filters

    def get_list_display(self, request: HttpRequest):
        columns = list(super().get_list_display(request))
        if request.user.is_superuser and self.school_field == "school" and "school" not in columns:
            columns.append("school")
        return columns

    def get_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_fields(request, obj))
        # An operator adding a row names its school: pages that list their fields leave it
        # out (staff never see it), and without it the service has no school to write to.
        if (
            obj is None
            and request.user.is_superuser
            and self.school_field == "school"
            and "school" not in fields
            and self.fields is not None
        ):
            fields.insert(0, "school")
        return fields

    def get_exclude(self, request: HttpRequest, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.school_field == "school":
            exclude.append("school")
        return exclude

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and request.user.is_superuser and self.school_field == "school":
            fields.append("school")  # moving a row between schools is never allowed
        return fields

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete widgets of other admins search here; keep them inside the school.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        queryset = self._limit(request, queryset)
        if not queryset.ordered:
            # Django leaves the default ordering out of GROUP BY statements (an admin that
            # counts something), and autocomplete pages would come back in any order.
            queryset = queryset.order_by(*self.model._meta.ordering, "pk")
        return queryset, may_have_duplicates


class SchoolScopedInline(SchoolStaffAccessMixin):
    """Mix into an inline of a ``SchoolScopedAdmin``: the school's staff may edit its rows,
    which choose related objects only inside their school."""


class ReadOnlyAdminMixin:
    """Rows written by the system: viewable, never edited or deleted by hand (a hand-made
    delete would skip the services; old rows go by their retention, e.g.
    ``prune_deliveries``)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    list_display = ["id", "kind", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["id", "kind"]
    readonly_fields = [
        "id",
        "kind",
        "status",
        "progress_done",
        "progress_total",
        "params",
        "result",
        "error",
        "created_by",
        "created_by_key",
        "created_at",
        "started_at",
        "finished_at",
    ]
    list_select_related = ["school"]

    @admin.display(description="Progress")
    def progress(self, job: Job) -> str:
        if not job.progress_total:
            return f"{job.progress_done}"
        percent = 100 * job.progress_done // job.progress_total
        return f"{job.progress_done}/{job.progress_total} ({percent}%)"


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    list_display = ["id", "type", "created_at", "dispatched_at"]
    list_filter = ["type"]
    search_fields = ["id", "type"]
    readonly_fields = ["id", "type", "payload", "created_at", "dispatched_at", "dispatch_attempts"]
    list_select_related = ["school"]
    date_hierarchy = "created_at"
