"""Signup fields of a domain, their options and each member's answers."""

from django.db import models
from django.db.models.functions import Lower

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel
from apps.schools.models.people import Domain, Member, User


class SignupField(SchoolOwnedModel):
    """A question a domain asks at signup; its answers are per member."""

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        SELECT = "select", "Select"
        CHECKBOX = "checkbox", "Checkbox"

    id = PrefixedIdField(prefix="suf", primary_key=True)
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="signup_fields")
    label = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.TEXT)
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["position", "id"]
        constraints = [
            # Labels are unique regardless of case: answers are matched to them so.
            models.UniqueConstraint("domain", Lower("label"), name="schools_signupfield_label_ci"),
        ]

    def __str__(self) -> str:
        return self.label


class SignupFieldOption(SchoolOwnedModel):
    """One choice of a select field; group rules match members by these."""

    id = PrefixedIdField(prefix="sfo", primary_key=True)
    field = models.ForeignKey(SignupField, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint("field", Lower("label"), name="schools_sfoption_label_ci"),
        ]
        indexes = [
            models.Index(fields=["school", "created_at"], name="schools_sfoption_sc_cr"),
            models.Index(fields=["school", "updated_at"], name="schools_sfoption_sc_up"),
        ]

    def __str__(self) -> str:
        return f"{self.field.label}: {self.label}"


class SignupFieldValue(SchoolOwnedModel):
    """A member's answer to a signup field (one per member and field)."""

    id = PrefixedIdField(prefix="sfv", primary_key=True)
    field = models.ForeignKey(SignupField, on_delete=models.CASCADE, related_name="values")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="signup_values")
    # The field's domain and the member's user, kept here so the API's
    # ``domains/{domain_name}/users/{user_id}/signup-fields`` resolves directly.
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    value = models.TextField(blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["field__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["field", "member"], name="schools_sfvalue_unique"),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["field", "value"], name="schools_sfvalue_field_value"),
        ]

    def __str__(self) -> str:
        return f"{self.field_id}={self.value}"
