"""Domain users and the access codes that admit people to a domain."""

from django.db import models
from django.utils import timezone

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel
from apps.schools.models.people import Domain, Member, User


class DurationUnit(models.TextChoices):
    DAYS = "DAYS", "Days"
    WEEKS = "WEEKS", "Weeks"
    MONTHS = "MONTHS", "Months"
    YEARS = "YEARS", "Years"


class AccessCodePool(SchoolOwnedModel):
    """A named set of access codes that admit people to a private domain."""

    class Channel(models.TextChoices):
        API = "api", "API"
        ADMIN = "admin", "Admin"
        IMPORT = "import", "Import"

    id = PrefixedIdField(prefix="acp", primary_key=True)
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="access_code_pools")
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    expire_linked_to_domain_membership = models.BooleanField(
        default=False,
        help_text="With an end date set, people who join with a code lose access on that date.",
    )
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.API)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["domain", "name"], name="schools_acpool_dom_name"),
        ]

    def __str__(self) -> str:
        return self.name


class AccessCode(SchoolOwnedModel):
    """One code of a pool; ``use_count`` never exceeds ``max_uses`` (None: unlimited)."""

    id = PrefixedIdField(prefix="acc", primary_key=True)
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="access_codes")
    access_code_pool = models.ForeignKey(
        AccessCodePool, on_delete=models.CASCADE, related_name="codes"
    )
    code = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)
    duration = models.PositiveIntegerField(
        null=True, blank=True, help_text="How long access lasts after redemption."
    )
    duration_unit = models.CharField(
        max_length=10, choices=DurationUnit.choices, default=DurationUnit.MONTHS
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "code"], name="schools_accesscode_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class DomainUser(SchoolOwnedModel):
    """A member's access to one domain (Skilljar's domain user)."""

    id = PrefixedIdField(prefix="dus", primary_key=True)
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="domain_users")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="domain_users")
    # The member's user, kept here so the API's ``users/{user_id}`` paths resolve directly.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=True)
    marketing_optin = models.BooleanField(null=True, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    access_code = models.ForeignKey(
        AccessCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="domain_users"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        verbose_name = "domain user"
        constraints = [
            models.UniqueConstraint(fields=["domain", "member"], name="schools_domainuser_unique"),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["domain", "active", "expires_at"], name="schools_domuser_active"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.domain_id}"

    @property
    def is_active(self) -> bool:
        """Active and not past ``expires_at``; no job has to flip the flag."""
        return self.active and (self.expires_at is None or self.expires_at > timezone.now())


class AccessCodeRedemption(SchoolOwnedModel):
    """Who used which code, once per person and code."""

    id = PrefixedIdField(prefix="acr", primary_key=True)
    code = models.ForeignKey(AccessCode, on_delete=models.CASCADE, related_name="redemptions")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="redemptions")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "member"], name="schools_redemption_unique"),
        ]
        indexes = [
            models.Index(fields=["school", "created_at"], name="schools_redemption_sc_cr"),
            models.Index(fields=["school", "updated_at"], name="schools_redemption_sc_up"),
        ]

    def __str__(self) -> str:
        return f"{self.code_id} by {self.member_id}"


class LoginToken(SchoolOwnedModel):
    """A one-time sign-in secret for one account; only its SHA-256 is stored.

    Spent by setting ``used_at`` in one conditional UPDATE, so two exchanges of the same
    token (even at the same instant) cannot both succeed.
    """

    id = PrefixedIdField(prefix="ltk", primary_key=True)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="login_tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["-id"]
        verbose_name = "login token"

    def __str__(self) -> str:
        return self.id
