"""Admin for paths (items inline), bundles, course series, and courses and paths published
on domains. Every save and delete goes through the catalog's services, so staff get the
API's rules and events: adding a published course publishes it (``course.published``),
deleting it unpublishes it (``course.unpublished``)."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from apps.catalog.models import Bundle, CourseSeries, Path, PathItem, PublishedCourse, PublishedPath
from apps.catalog.services import paths as path_services
from apps.catalog.services import publishing as publishing_services
from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline, admin_school
from apps.core.money import MoneyError, format_amount, to_minor_units


def _fields(form, names: list[str]) -> dict:
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


class _SlugOptionalForm(forms.ModelForm):
    """The service makes the slug when it is left empty."""

    slug = forms.SlugField(max_length=100, required=False)


class PathItemForm(forms.ModelForm):
    slug = forms.SlugField(max_length=100, required=False, help_text="Default: the course's.")

    def validate_unique(self) -> None:
        # Positions shift as items are added and moved (the service makes room), so a
        # position another item holds now is not a clash.
        exclude = {*self._get_validation_exclusions(), "order"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as exc:
            self._update_errors(exc)


class PathItemFormSet(forms.BaseInlineFormSet):
    def validate_unique(self) -> None:
        """Only a course twice is a clash; positions are resolved by the service."""
        courses = [
            form.cleaned_data.get("course")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(courses) != len(set(courses)):
            raise forms.ValidationError("A course is in a path once.")


class PathItemInline(SchoolScopedInline, admin.TabularInline):
    model = PathItem
    form = PathItemForm
    formset = PathItemFormSet
    fields = ["order", "course", "slug"]
    ordering = ["order"]
    extra = 1
    verbose_name = "course"
    verbose_name_plural = "courses, in order"


@admin.register(Path)
class PathAdmin(SchoolScopedAdmin):
    """Learning paths (Coursepath's programs); items are added, moved and removed through
    the path services, which keep positions gap-free."""

    form = _SlugOptionalForm
    list_display = ["title", "slug", "item_count", "updated_at"]
    search_fields = ["title", "slug"]
    filter_horizontal = ["labels"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = [
        "id",
        "title",
        "slug",
        "short_description",
        "long_description_html",
        "search_keywords",
        "labels",
        "created_at",
        "updated_at",
    ]
    inlines = [PathItemInline]
    FIELDS = ["title", "slug", "short_description", "long_description_html", "search_keywords"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(items_count=Count("items"))

    @admin.display(description="courses", ordering="items_count")
    def item_count(self, obj: Path) -> int:
        return obj.items_count

    def save_model(self, request: HttpRequest, obj: Path, form, change: bool) -> None:
        fields = _fields(form, self.FIELDS)
        labels = [label.name for label in form.cleaned_data.get("labels", [])]
        if change:
            path_services.path_update(path=obj, labels=labels, **fields)
            return
        path = path_services.path_create(
            school=admin_school(request) or form.cleaned_data.get("school"),
            labels=labels,
            **fields,
        )
        obj.pk, obj.school = path.pk, path.school

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Items are added, moved and removed by the path services (positions stay
        gap-free); a refusal undoes the whole save and shows on the form."""
        path = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for item_form in formset.deleted_forms:
            if not item_form.instance._state.adding:
                path_services.path_item_delete(path_item=item_form.instance)
                formset.deleted_objects.append(item_form.instance)
        for item_form in formset.forms:
            if item_form in formset.deleted_forms or not item_form.has_changed():
                continue
            data = item_form.cleaned_data
            if item_form.instance._state.adding:  # ids are made in Python: pk is set
                formset.new_objects.append(
                    path_services.path_item_create(
                        path=path,
                        course=data["course"],
                        order=data.get("order"),
                        slug=data.get("slug"),
                    )
                )
            else:
                changed = {n: data.get(n) for n in ("order", "slug", "course")}
                path_services.path_item_update(
                    path_item=item_form.instance,
                    **{n: v for n, v in changed.items() if n in item_form.changed_data},
                )

    def delete_with_service(self, request: HttpRequest, obj: Path) -> None:
        """Its items and publications go with it."""
        path_services.path_delete(path=obj)


class BundleForm(forms.ModelForm):
    """A bundle's price as a decimal string in its currency (stored in minor units)."""

    price = forms.CharField(
        required=False,
        max_length=20,
        help_text='In the currency\'s own decimals ("100.00" USD, "500" JPY); empty: not for sale.',
    )

    class Meta:
        model = Bundle
        fields = ["title", "description", "courses", "currency_code"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bundle = self.instance
        if bundle.pk and bundle.price_cents is not None:
            self.initial["price"] = format_amount(bundle.price_cents, bundle.currency_code)

    def clean(self) -> dict:
        data = super().clean()
        amount, currency = (data.get("price") or "").strip(), data.get("currency_code") or ""
        if not amount and not currency:
            data["price_minor"] = None
        elif not amount or not currency:
            self.add_error("price", "Give both the price and its currency, or neither.")
        else:
            try:
                data["price_minor"] = (to_minor_units(amount, currency), currency)
            except MoneyError as exc:
                self.add_error("price", str(exc))
        return data


@admin.register(Bundle)
class BundleAdmin(SchoolScopedAdmin):
    """Bundles of courses with their price (amount and ISO 4217 code, or neither)."""

    form = BundleForm
    list_display = ["title", "price_display", "updated_at"]
    search_fields = ["title"]
    filter_horizontal = ["courses"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = [
        "id",
        "title",
        "description",
        "courses",
        "price",
        "currency_code",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="price")
    def price_display(self, obj: Bundle) -> str:
        if obj.price_cents is None:
            return "-"
        return f"{format_amount(obj.price_cents, obj.currency_code)} {obj.currency_code}"

    def save_model(self, request: HttpRequest, obj: Bundle, form, change: bool) -> None:
        data = form.cleaned_data
        price = data.get("price_minor")
        fields = {"title": data["title"], "description": data.get("description") or ""}
        courses = list(data.get("courses", []))
        if change:
            path_services.bundle_update(bundle=obj, courses=courses, price=price, **fields)
            return
        bundle = path_services.bundle_create(
            school=admin_school(request) or form.cleaned_data.get("school"),
            courses=courses,
            price=price,
            **fields,
        )
        obj.pk, obj.school = bundle.pk, bundle.school

    def delete_with_service(self, request: HttpRequest, obj: Bundle) -> None:
        path_services.bundle_delete(bundle=obj)


@admin.register(CourseSeries)
class CourseSeriesAdmin(SchoolScopedAdmin):
    list_display = ["title", "domain", "updated_at"]
    list_filter = ["domain"]
    list_select_related = ["domain"]
    search_fields = ["title"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = ["id", "domain", "title", "description", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "domain"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: CourseSeries, form, change: bool) -> None:
        fields = _fields(form, ["title", "description"])
        if change:
            publishing_services.course_series_update(course_series=obj, **fields)
            return
        series = publishing_services.course_series_create(
            domain=form.cleaned_data["domain"], **fields
        )
        obj.pk, obj.school = series.pk, series.school

    def delete_with_service(self, request: HttpRequest, obj: CourseSeries) -> None:
        """Its courses stay published, outside any series."""
        publishing_services.course_series_delete(course_series=obj)


@admin.register(PublishedCourse)
class PublishedCourseAdmin(SchoolScopedAdmin):
    """Courses published on domains: adding one publishes the course, deleting one (or the
    "Delete selected" action) unpublishes it, with the events."""

    form = _SlugOptionalForm
    list_display = ["course", "domain", "slug", "hidden", "registration_required"]
    list_filter = ["domain", "hidden"]
    list_select_related = ["course", "domain"]
    search_fields = ["slug", "course__title"]
    autocomplete_fields = ["course_series"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = [
        "id",
        "domain",
        "course",
        "course_series",
        "slug",
        "hidden",
        "registration_required",
        "registration_starts_at",
        "registration_ends_at",
        "timezone",
        "search_keywords",
        "created_at",
        "updated_at",
    ]
    FIELDS = [
        "course_series",
        "slug",
        "hidden",
        "registration_required",
        "registration_starts_at",
        "registration_ends_at",
        "timezone",
        "search_keywords",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "domain", "course"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: PublishedCourse, form, change: bool) -> None:
        fields = _fields(form, self.FIELDS)
        if change:
            publishing_services.published_course_update(published_course=obj, **fields)
            return
        published = publishing_services.course_publish(
            domain=form.cleaned_data["domain"], course=form.cleaned_data["course"], **fields
        )
        obj.pk, obj.school = published.pk, published.school

    def delete_with_service(self, request: HttpRequest, obj: PublishedCourse) -> None:
        """Unpublish: emits ``course.unpublished``."""
        publishing_services.course_unpublish(published_course=obj)


@admin.register(PublishedPath)
class PublishedPathAdmin(SchoolScopedAdmin):
    """Paths published on domains: adding publishes, deleting unpublishes."""

    form = _SlugOptionalForm
    list_display = ["path", "domain", "slug", "hidden"]
    list_filter = ["domain", "hidden"]
    list_select_related = ["path", "domain"]
    search_fields = ["slug", "path__title"]
    autocomplete_fields = ["path"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = ["id", "domain", "path", "slug", "hidden", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "domain", "path"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: PublishedPath, form, change: bool) -> None:
        fields = _fields(form, ["slug", "hidden"])
        if change:
            publishing_services.published_path_update(published_path=obj, **fields)
            return
        published = publishing_services.path_publish(
            domain=form.cleaned_data["domain"], path=form.cleaned_data["path"], **fields
        )
        obj.pk, obj.school = published.pk, published.school

    def delete_with_service(self, request: HttpRequest, obj: PublishedPath) -> None:
        publishing_services.path_unpublish(published_path=obj)
