"""The tenant and its people: schools, domains, users, memberships, tags, API keys, domain
users, access codes, signup fields, groups, invites, user roles and segments."""

import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, TimestampedModel


class School(TimestampedModel):
    """The tenant: every school-owned row points here."""

    id = PrefixedIdField(prefix="sch", primary_key=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Domain(SchoolOwnedModel):
    """A site a school's catalog is served on (Skilljar's domain)."""

    class Access(models.TextChoices):
        PUBLIC = "PUBLIC", "Public"
        PRIVATE = "PRIVATE", "Private"

    id = PrefixedIdField(prefix="dom", primary_key=True)
    name = models.CharField(
        max_length=253,
        unique=True,
        validators=[
            RegexValidator(
                r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
                "Enter a lower-case host name such as learn.example.com.",
            )
        ],
    )
    catalog_title = models.TextField(blank=True)
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.PUBLIC)
    access_code_message_html = models.TextField(blank=True)
    marketing_message = models.TextField(blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).strip(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin, TimestampedModel):
    """A person; e-mail is the login and is unique regardless of case.

    What a school knows about the person lives on ``Member``; a platform operator is a
    superuser with no membership.
    """

    id = PrefixedIdField(prefix="usr", primary_key=True)
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can log in to the admin (school staff or platform operator)."
    )
    # Every user token carries the generation it was issued in; "revoke all tokens"
    # increments it, so every earlier token stops working at once.
    token_generation = models.PositiveIntegerField(default=0)
    anonymized_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="schools_user_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["updated_at"], name="schools_user_updated")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class Tag(SchoolOwnedModel):
    """A label a school puts on its members."""

    id = PrefixedIdField(prefix="tag", primary_key=True)
    name = models.CharField(max_length=100)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="schools_tag_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Member(SchoolOwnedModel):
    """A user as one school sees them: the school-owned facts about a person."""

    class Role(models.TextChoices):
        LEARNER = "learner", "Learner"
        INSTRUCTOR = "instructor", "Instructor"
        REPORTER = "reporter", "Reporter"
        ADMIN = "admin", "Admin"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    MAX_METADATA_KEYS = 50

    id = PrefixedIdField(prefix="mem", primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEARNER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    tags = models.ManyToManyField(Tag, blank=True, related_name="members")
    metadata = models.JSONField(default=dict, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    company = models.CharField(max_length=255, blank=True)
    department = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code.")
    suspended_at = models.DateTimeField(null=True, blank=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)
    # A custom LearnWorlds-style role; None means the built-in role named by ``role``.
    user_role = models.ForeignKey(
        "UserRole", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="schools_member_unique_user"),
            models.UniqueConstraint(
                fields=["school", "external_id"],
                condition=~models.Q(external_id=""),
                name="schools_member_unique_external_id",
            ),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["school", "role"], name="schools_member_sc_role"),
            models.Index(fields=["school", "status"], name="schools_member_sc_status"),
            models.Index(fields=["school", "company"], name="schools_member_sc_company"),
            models.Index(fields=["school", "department"], name="schools_member_sc_dept"),
            models.Index(fields=["school", "country"], name="schools_member_sc_country"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.school_id}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class ApiKey(SchoolOwnedModel):
    """A school's secret for server-to-server calls; only its SHA-256 is stored."""

    LIVE_PREFIX = "sk_live_"
    TEST_PREFIX = "sk_test_"

    id = PrefixedIdField(prefix="key", primary_key=True)
    name = models.CharField(max_length=200)
    prefix = models.CharField(max_length=20, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_test = models.BooleanField(default=False)
    scopes = models.JSONField(default=list, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8")).hexdigest()

    @classmethod
    def generate_secret(cls, *, test: bool) -> str:
        return (cls.TEST_PREFIX if test else cls.LIVE_PREFIX) + secrets.token_urlsafe(32)

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.key_hash, self.hash_secret(secret))


# --- domain users and access codes ----------------------------------------------------------


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


# --- signup fields ----------------------------------------------------------------------------


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
            models.UniqueConstraint(fields=["domain", "label"], name="schools_signupfield_label"),
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
            models.UniqueConstraint(fields=["field", "label"], name="schools_sfoption_label"),
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


# --- groups -----------------------------------------------------------------------------------


class GroupCategory(SchoolOwnedModel):
    """A heading groups are filed under."""

    id = PrefixedIdField(prefix="gct", primary_key=True)
    name = models.CharField(max_length=200)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["name"]
        verbose_name_plural = "group categories"
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="schools_groupcat_name"),
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
            models.UniqueConstraint(fields=["school", "name"], name="schools_group_unique_name"),
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


# --- invites ----------------------------------------------------------------------------------


class Invite(SchoolOwnedModel):
    """An invitation to a domain; its link lets the person set a password, once."""

    id = PrefixedIdField(prefix="inv", primary_key=True)
    domain_user = models.ForeignKey(DomainUser, on_delete=models.CASCADE, related_name="invites")
    # The domain user's domain and user, kept here so the API's
    # ``domains/{domain_name}/users/{user_id}/invites`` resolves directly.
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    send_email = models.BooleanField(default=True)
    mail_subject = models.CharField(max_length=255, blank=True)
    mail_body = models.TextField(blank=True)
    mail_action = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]

    def __str__(self) -> str:
        return self.id

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


# --- roles and segments -----------------------------------------------------------------------


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
            models.UniqueConstraint(fields=["school", "title"], name="schools_userrole_title"),
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
            models.UniqueConstraint(fields=["school", "name"], name="schools_segment_name"),
        ]

    def __str__(self) -> str:
        return self.name
