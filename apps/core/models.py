"""Cross-cutting models: base classes, the events outbox, jobs and idempotency records."""

from django.conf import settings
from django.db import models

from apps.core.ids import PrefixedIdField


class TimestampedModel(models.Model):
    """Every model carries ``created_at`` and ``updated_at`` so integrators can sync."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SchoolOwnedModel(TimestampedModel):
    """A row owned by one school (the tenant); indexed for ``updated_since`` syncs."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
        indexes = [
            models.Index(fields=["school", "created_at"], name="%(app_label)s_%(class)s_sc_cr"),
            models.Index(fields=["school", "updated_at"], name="%(app_label)s_%(class)s_sc_up"),
        ]


def school_indexes(prefix: str) -> list[models.Index]:
    """``SchoolOwnedModel``'s two indexes under names made from ``prefix``, for models whose
    app label and class name make the default names longer than 30 characters."""
    return [
        models.Index(fields=["school", "created_at"], name=f"{prefix}_sc_cr"),
        models.Index(fields=["school", "updated_at"], name=f"{prefix}_sc_up"),
    ]


class Event(SchoolOwnedModel):
    """One domain event, written in the same transaction as the change it describes."""

    id = PrefixedIdField(prefix="evt", primary_key=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_attempts = models.PositiveIntegerField(default=0)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["-id"]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["school", "type", "created_at"], name="core_event_sc_type_cr"),
            models.Index(
                fields=["created_at"],
                name="core_event_undispatched",
                condition=models.Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Job(SchoolOwnedModel):
    """Slow work done by a Celery task; the API answers 202 with its URL."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = PrefixedIdField(prefix="job", primary_key=True)
    kind = models.CharField(max_length=100)
    # The read scope an API key needs to see this job (its params and result come from
    # that part of the API, e.g. a user import is read:users).
    scope = models.CharField(max_length=50, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_key = models.ForeignKey(
        "schools.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an ``Idempotency-Key``, kept for 24 hours."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    credential = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    # The path the key was first used on, so reuse elsewhere is named as such (blank on
    # records written before it was kept).
    request_path = models.TextField(blank=True, default="")
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "credential", "key"], name="core_idempotency_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"
