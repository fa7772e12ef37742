"""Groups, their categories, members and linked access code pools."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Lower

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel
from apps.schools.models.access import AccessCodePool
from apps.schools.models.people import Member, User
from apps.schools.models.signup_fields import SignupFieldOption


class GroupCategory(SchoolOwnedModel):
    """A heading groups are filed under."""

    id = PrefixedIdField(prefix="gct", primary_key=True)
    name = models.CharField(max_length=200)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["name"]
        verbose_name_plural = "group categories"
        constraints = [
            models.UniqueConstraint("school", Lower("name"), name="schools_groupcat_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Group(SchoolOwnedModel):
    """A set of members: discounts, access code pools and signup-value rules attach here."""

    id = PrefixedIdField(prefix="grp", primary_key=True)
    name = models.CharField(max_length=200)
    discount_percent = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    category = models.ForeignKey(
        GroupCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    rule_enforce = models.BooleanField(
        default=False, help_text="Members whose signup values match the options join on save."
    )
    rule_require_match_all = models.BooleanField(
        default=False, help_text="Match every option (on) or any option (off)."
    )
    rule_options = models.ManyToManyField(SignupFieldOption, blank=True, related_name="groups")
    members = models.ManyToManyField(
        Member, through="GroupMembership", blank=True, related_name="user_groups"
    )
    access_code_pools = models.ManyToManyField(
        AccessCodePool, through="GroupAccessCodePool", blank=True, related_name="groups"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("school", Lower("name"), name="schools_group_name_ci"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__lte=100), name="schools_group_discount_max"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMembership(SchoolOwnedModel):
    """A member in a group, since ``created_at``."""

    id = PrefixedIdField(prefix="gmb", primary_key=True)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="group_memberships")
    # The member's user, kept here so the API's ``users/{user_id}`` paths resolve directly.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        verbose_name = "group member"
        constraints = [
            models.UniqueConstraint(fields=["group", "member"], name="schools_groupmember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.group_id}"


class GroupAccessCodePool(SchoolOwnedModel):
    """An access code pool whose redeemers join the group."""

    id = PrefixedIdField(prefix="gap", primary_key=True)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="pool_links")
    access_code_pool = models.ForeignKey(
        AccessCodePool, on_delete=models.CASCADE, related_name="group_links"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        verbose_name = "group access code pool"
        constraints = [
            models.UniqueConstraint(
                fields=["group", "access_code_pool"], name="schools_grouppool_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "created_at"], name="schools_grouppool_sc_cr"),
            models.Index(fields=["school", "updated_at"], name="schools_grouppool_sc_up"),
        ]

    def __str__(self) -> str:
        return f"{self.access_code_pool_id} -> {self.group_id}"
