"""LearnWorlds-style user roles and saved member segments."""

from django.db import models
from django.db.models.functions import Lower

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel
from apps.schools.models.people import Member


class UserRole(SchoolOwnedModel):
    """A LearnWorlds-style user role: a title over one of the built-in access levels."""

    id = PrefixedIdField(prefix="rol", primary_key=True)
    title = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    role = models.CharField(
        max_length=20,
        choices=Member.Role.choices,
        default=Member.Role.LEARNER,
        help_text="The access level members with this role get.",
    )
    builtin = models.BooleanField(default=False, editable=False)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["title"]
        constraints = [
            # Titles are unique regardless of case, as the services and the admin treat them.
            models.UniqueConstraint("school", Lower("title"), name="schools_userrole_title_ci"),
            models.UniqueConstraint(
                fields=["school", "role"],
                condition=models.Q(builtin=True),
                name="schools_userrole_one_builtin",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Segment(SchoolOwnedModel):
    """A saved filter over the school's members, evaluated in SQL when read."""

    id = PrefixedIdField(prefix="seg", primary_key=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    filters = models.JSONField(default=dict, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("school", Lower("name"), name="schools_segment_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name
