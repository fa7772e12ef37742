"""The tenant and its people: schools, domains, users, memberships, tags and API keys."""

import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models

from apps.core.email_identity import email_key, normalize_email
from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel, TimestampedModel


class School(TimestampedModel):
    """The tenant: every school-owned row points here.

    A school with ``live_school`` set is that school's sandbox: the tenant its test-mode
    (``sk_test_``) keys act on, with rows of its own that live keys never see.
    """

    SANDBOX_SLUG_SUFFIX = "--sandbox"

    id = PrefixedIdField(prefix="sch", primary_key=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)
    live_school = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sandbox",
        editable=False,
        help_text="Set on a sandbox: the live school whose test keys act here.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sandbox(self) -> bool:
        return self.live_school_id is not None

    @property
    def mode(self) -> str:
        """``live`` or ``test``: which kind of key acts on this school."""
        return "test" if self.is_sandbox else "live"


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
    """Accounts; ``create_superuser`` (and ``createsuperuser``) make platform operators,
    accounts of no school."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=normalize_email(email), **extra)
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
        """The platform operator with this e-mail (school accounts are found with their
        school, by ``apps.schools.backends``)."""
        return self.get(school__isnull=True, email_key=email_key(username))


class User(AbstractBaseUser, PermissionsMixin, TimestampedModel):
    """An account: one school's (``school`` set) or a platform operator's (no school).

    The same e-mail in two schools is two accounts, each with its own password, names,
    status and token generation; the e-mail is unique per school, compared through
    ``email_key`` (see ``apps.core.email_identity``). What the school records about the
    account (role, tags, metadata, …) lives on its one ``Member`` row.
    """

    id = PrefixedIdField(prefix="usr", primary_key=True)
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="accounts",
        help_text="Empty for platform operators.",
    )
    email = models.EmailField(max_length=254)
    # The comparison form of ``email``, written on every save; lookups and the unique
    # constraints use it, never a database case rule.
    email_key = models.CharField(max_length=254, editable=False)
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
        # School staff manage "users" (members); operators see every person.
        verbose_name = "person"
        verbose_name_plural = "people"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "email_key"], name="schools_user_school_email_unique"
            ),
            models.UniqueConstraint(
                fields=["email_key"],
                condition=models.Q(school__isnull=True),
                name="schools_user_operator_email_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at"], name="schools_user_updated"),
            models.Index(fields=["email_key"], name="schools_user_email_key"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs) -> None:
        self.email_key = email_key(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)

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
        verbose_name = "user"  # what a school's staff call their members
        ordering = ["id"]
        constraints = [
            # An account belongs to one school, so it has exactly one membership.
            models.UniqueConstraint(fields=["user"], name="schools_member_one_per_account"),
            models.UniqueConstraint(
                fields=["school", "external_id"],
                condition=~models.Q(external_id=""),
                name="schools_member_unique_external_id",
            ),
        ]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            # The users list's order within one school: its first page and every cursor page
            # read 100 index entries however many other schools' members sort before them.
            models.Index(fields=["school", "id"], name="schools_member_sc_id"),
            models.Index(fields=["school", "role"], name="schools_member_sc_role"),
            models.Index(fields=["school", "status"], name="schools_member_sc_status"),
            models.Index(fields=["school", "company"], name="schools_member_sc_company"),
            models.Index(fields=["school", "department"], name="schools_member_sc_dept"),
            models.Index(fields=["school", "country"], name="schools_member_sc_country"),
        ]

    def __str__(self) -> str:
        return str(self.user)

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
