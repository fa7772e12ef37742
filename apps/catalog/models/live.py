"""Live training: instructors, multi-session events and ILT/VILT sessions of LIVE_TRAINING
lessons (Skilljar's ``ilt-*`` and ``vilt-session-events``)."""

from django.db import models

from apps.core.ids import PrefixedIdField
from apps.core.models import SchoolOwnedModel


class SessionProvider(models.TextChoices):
    """Where a session takes place; only ``calendar`` sessions carry a location or link."""

    CALENDAR = "calendar", "Calendar"
    GOTO_MEETING = "goto.meeting", "GoTo Meeting"
    GOTO_TRAINING = "goto.training", "GoTo Training"
    GOTO_WEBINAR = "goto.webinar", "GoTo Webinar"
    GOTO_WEBCAST = "goto.webcast", "GoTo Webcast"
    WEBEX_MEETING = "webex.meeting", "Webex Meeting"
    WEBEX_WEBINAR = "webex.webinar", "Webex Webinar"
    WEBEX_TRAINING = "webex.training", "Webex Training"
    ZOOM_MEETING = "zoom.meeting", "Zoom Meeting"
    ZOOM_WEBINAR = "zoom.webinar", "Zoom Webinar"


class IltInstructor(SchoolOwnedModel):
    """Who teaches sessions of one provider: recorded when a session names the address."""

    id = PrefixedIdField(prefix="iin", primary_key=True)
    email = models.CharField(max_length=254, help_text="normalize_email(address)")
    email_key = models.CharField(max_length=254, editable=False, help_text="email_key(email)")
    name = models.CharField(max_length=255, blank=True, default="")
    provider = models.CharField(max_length=20, choices=SessionProvider.choices)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "email_key", "provider"], name="catalog_iltinstructor_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.provider})"


class IltMultiSessionEvent(SchoolOwnedModel):
    """Several sessions of a LIVE_TRAINING lesson registered for as one; seats live here."""

    id = PrefixedIdField(prefix="ime", primary_key=True)
    lesson = models.ForeignKey(
        "catalog.Lesson", on_delete=models.CASCADE, related_name="multi_session_events"
    )
    display_name = models.CharField(max_length=255)
    seats_total = models.PositiveIntegerField(null=True, blank=True)

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["id"]
        # The base's names (app_class_sc_cr) would pass the 30-character limit.
        indexes = [
            models.Index(fields=["school", "created_at"], name="catalog_iltmse_sc_cr"),
            models.Index(fields=["school", "updated_at"], name="catalog_iltmse_sc_up"),
        ]

    def __str__(self) -> str:
        return self.display_name


class IltSession(SchoolOwnedModel):
    """One scheduled session of a LIVE_TRAINING lesson, or one part of a multi-session event
    (a ViltSessionEvent in Skilljar's words). ``seats_total`` None = unlimited."""

    id = PrefixedIdField(prefix="ils", primary_key=True)
    lesson = models.ForeignKey(
        "catalog.Lesson",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ilt_sessions",
    )
    multi_session_event = models.ForeignKey(
        IltMultiSessionEvent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    instructor = models.ForeignKey(IltInstructor, on_delete=models.PROTECT, related_name="sessions")
    instructor_email = models.CharField(
        max_length=400, help_text="As given: an address, or 'Name <address>' for calendar"
    )
    provider = models.CharField(
        max_length=20, choices=SessionProvider.choices, default=SessionProvider.CALENDAR
    )
    display_name = models.CharField(max_length=255)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, help_text="An IANA time zone name")
    seats_total = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField(blank=True, default="")
    post_registration_instructions = models.TextField(blank=True, default="")
    location = models.CharField(max_length=500, blank=True, default="")
    event_link = models.URLField(max_length=2000, blank=True, default="")
    tags = models.ManyToManyField("schools.Tag", blank=True, related_name="ilt_sessions")

    class Meta(SchoolOwnedModel.Meta):
        ordering = ["starts_at", "id"]
        indexes = [
            *SchoolOwnedModel.Meta.indexes,
            models.Index(fields=["school", "starts_at"], name="catalog_iltsession_sc_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lesson__isnull=False, multi_session_event__isnull=True)
                | models.Q(lesson__isnull=True, multi_session_event__isnull=False),
                name="catalog_iltsession_one_parent",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="catalog_iltsession_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(multi_session_event__isnull=True)
                | models.Q(seats_total__isnull=True),
                name="catalog_iltsession_child_no_seats",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name
