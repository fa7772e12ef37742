"""Admin of seat offerings: staff create an offering and change its number of seats, and
assign people to its seats from the inline, all through the seat services (the API's rules:
never more people than seats, never fewer seats than people). The buyer, offer and people
offered are the staff's own school's. Assignments are not removed by hand (an assignment
is an enrollment already granted)."""

from django.contrib import admin
from django.http import HttpRequest

from apps.commerce.models import SeatAssignment, SeatOffering
from apps.commerce.services import seats as seat_services
from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline, admin_school


class SeatAssignmentInline(SchoolScopedInline, admin.TabularInline):
    """The people on the offering's seats; a new row assigns one more (``seat_assign``)."""

    model = SeatAssignment
    fk_name = "seat_offering"
    extra = 0
    can_delete = False
    fields = ["user", "enrollment", "path_enrollment", "created_at"]
    readonly_fields = ["enrollment", "path_enrollment", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SeatOffering)
class SeatOfferingAdmin(SchoolScopedAdmin):
    """Offerings with their seats used and free, newest first."""

    list_display = ["id", "user", "offer", "seats", "seats_used"]
    list_select_related = ["user", "offer"]
    search_fields = ["id", "user__email", "offer__id", "offer__sku"]
    readonly_fields = ["id", "seats_used", "created_at", "updated_at"]
    fields = ["id", "user", "offer", "seats", "seats_used", "created_at", "updated_at"]
    inlines = [SeatAssignmentInline]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Buyer and offer are what was bought: fixed once the offering exists.
        return [*fields, "user", "offer"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: SeatOffering, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            seat_services.seat_offering_update(offering=obj, seats=data["seats"])
            return
        offering = seat_services.seat_offering_create(
            school=admin_school(request) or data.get("school"),
            user=data["user"],
            offer=data["offer"],
            seats=data["seats"],
        )
        obj.pk, obj.school = offering.pk, offering.school

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """New inline rows are assignments, made by ``seat_assign`` (enrollment included)."""
        made = []
        for inline_form in formset.forms:
            if not inline_form.instance._state.adding or not inline_form.has_changed():
                continue
            user = inline_form.cleaned_data.get("user")
            if user is not None:
                made.append(seat_services.seat_assign(offering=form.instance, user=user)[0])
        # What the admin's change message reads of a saved formset.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = made, [], []
