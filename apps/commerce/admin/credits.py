"""Admin of training credit codes: staff create codes and change their credits, expiry and
audience through the credit services (the API's rules: an audience is required unless the
code is for everyone, credits already spent stay spent). The group and offer choices are
the staff's own school's (``SchoolScopedAdmin``). There is no Delete: a code that paid for
access is the record of that payment."""

from django.contrib import admin
from django.http import HttpRequest

from apps.commerce.models import TrainingCreditCode
from apps.commerce.services import credits as credit_services
from apps.core.admin import SchoolScopedAdmin, admin_school


@admin.register(TrainingCreditCode)
class TrainingCreditCodeAdmin(SchoolScopedAdmin):
    """Codes with their credits left, expiry and tracking identifier."""

    list_display = [
        "training_credit_code",
        "credits_remaining",
        "credits_total",
        "expires_at",
        "expire_content",
        "tracking_identifier",
    ]
    list_filter = ["expire_content", "available_to_all_students", "available_for_all_offers"]
    search_fields = ["id", "training_credit_code", "tracking_identifier"]
    readonly_fields = ["id", "credits_remaining", "created_at", "updated_at"]
    filter_horizontal = ["student_groups", "offers"]
    fields = [
        "id",
        "training_credit_code",
        "credits_total",
        "credits_remaining",
        "expires_at",
        "expire_content",
        "tracking_identifier",
        "available_to_all_students",
        "student_groups",
        "available_for_all_offers",
        "offers",
        "created_at",
        "updated_at",
    ]
    FIELDS = [
        "credits_total",
        "expires_at",
        "expire_content",
        "tracking_identifier",
        "available_to_all_students",
        "available_for_all_offers",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # The name learners type is fixed once the code exists, as in the API.
        return [*fields, "training_credit_code"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: TrainingCreditCode, form, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in self.FIELDS if name in data}
        groups, offers = list(data.get("student_groups", [])), list(data.get("offers", []))
        if change:
            had_groups = set(obj.student_groups.all())
            had_offers = set(obj.offers.all())
            credit_services.training_credit_code_update(
                code=obj,
                student_groups_add=[g for g in groups if g not in had_groups],
                student_groups_remove=[g for g in had_groups if g not in groups],
                offers_add=[o for o in offers if o not in had_offers],
                offers_remove=[o for o in had_offers if o not in offers],
                **fields,
            )
            return
        code = credit_services.training_credit_code_create(
            school=admin_school(request) or data.get("school"),
            training_credit_code=data["training_credit_code"],
            student_groups=groups,
            offers=offers,
            **fields,
        )
        obj.pk, obj.school = code.pk, code.school
