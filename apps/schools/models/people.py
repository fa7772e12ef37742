"""The tenant and its people: schools, domains, users, memberships, tags and API keys."""

import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

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
        # School staff manage "users" (members); operators see every person.
        verbose_name = "person"
        verbose_name_plural = "people"
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
        verbose_name = "user"  # what a school's staff call their members
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
