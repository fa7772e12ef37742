"""Hosted content lessons point at: assets (files or embeds) and web packages (SCORM, xAPI,
AICC), both imported from a URL by a job."""

from django.db import models

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel


class ImportState(models.TextChoices):
    PROCESSING = "PROCESSING", "Processing"
    READY = "READY", "Ready"
    FAILED = "FAILED", "Failed"


class Asset(SchoolOwnedModel):
    """A file hosted by Lyceum (downloaded from ``content_url``) or an embedded link."""

    class AspectRatio(models.TextChoices):
        WIDE = "16:9", "16:9"
        STANDARD = "4:3", "4:3"

    id = PrefixedIdField(prefix="ast", primary_key=True)
    name = models.CharField(max_length=255)
    type = models.CharField(max_length=50, blank=True, default="")
    embed_link_url = models.URLField(max_length=2000, blank=True, default="")
    aspect_ratio = models.CharField(
        max_length=4, choices=AspectRatio.choices, default=AspectRatio.WIDE
    )
    sync_completion = models.BooleanField(default=False)
    content_url = models.URLField(max_length=2000, blank=True, default="")
    state = models.CharField(max_length=20, choices=ImportState.choices, default=ImportState.READY)
    failure_reason = models.TextField(blank=True, default="")
    file = models.CharField(max_length=500, blank=True, default="")
    content_type = models.CharField(max_length=255, blank=True, default="")
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def failure_or_none(self) -> str | None:
        return self.failure_reason or None

    @property
    def embed_or_none(self) -> str | None:
        return self.embed_link_url or None


class WebPackage(SchoolOwnedModel):
    """An e-learning package (zip) imported from ``content_url`` and served from storage."""

    class Type(models.TextChoices):
        SCORM = "SCORM", "SCORM"
        XAPI = "XAPI", "xAPI"
        AICC = "AICC", "AICC"

    id = PrefixedIdField(prefix="wpk", primary_key=True)
    title = models.CharField(max_length=255)
    type = models.CharField(max_length=10, choices=Type.choices, blank=True, default="")
    version = models.CharField(max_length=50, blank=True, default="")
    redirect_on_completion = models.BooleanField(default=True)
    sync_completion = models.BooleanField(default=False)
    content_url = models.URLField(max_length=2000)
    state = models.CharField(
        max_length=20, choices=ImportState.choices, default=ImportState.PROCESSING
    )
    failure_reason = models.TextField(blank=True, default="")
    launch_path = models.CharField(max_length=1000, blank=True, default="")
    storage_prefix = models.CharField(max_length=200, blank=True, default="")
    archive = models.CharField(max_length=500, blank=True, default="")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def failure_or_none(self) -> str | None:
        return self.failure_reason or None

    @property
    def type_or_none(self) -> str | None:
        return self.type or None

    @property
    def version_or_none(self) -> str | None:
        return self.version or None

    @property
    def launch_or_none(self) -> str | None:
        return self.launch_path or None
