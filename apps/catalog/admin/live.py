"""Admin for live training: ILT sessions and multi-session events; saves go through services
(a refusal undoes the save and shows on the form), and a session's rules are also checked
when its form is cleaned, so each refusal shows on its own field."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from apps.catalog.models import IltMultiSessionEvent, IltSession, LessonType
from apps.catalog.services import live as live_services
from apps.core.admin import SchoolScopedAdmin
from apps.core.errors import ApiError
from apps.core.times import time_zone_names
from apps.schools.admin.base import SchoolFormMixin


def _live_lessons(form: forms.ModelForm) -> None:
    """Offer only the LIVE_TRAINING lessons (of the staff's school: the admin narrows it)."""
    if "lesson" in form.fields:
        queryset = form.fields["lesson"].queryset.filter(type=LessonType.LIVE_TRAINING)
        if form.admin_school is not None:
            queryset = queryset.filter(school=form.admin_school)
        form.fields["lesson"].queryset = queryset


def _school_of(form: forms.ModelForm, data: dict):
    """The staff's school; for an operator, the school chosen in the form or the row's."""
    if form.admin_school is not None:
        return form.admin_school
    if data.get("school") is not None:
        return data["school"]
    return form.instance.school if form.instance.school_id else None


class MultiSessionEventForm(forms.ModelForm):
    admin_school = None

    class Meta:
        model = IltMultiSessionEvent
        fields = ["school", "lesson", "display_name", "seats_total"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _live_lessons(self)


@admin.register(IltMultiSessionEvent)
class IltMultiSessionEventAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Multi-session events; saved through ``multi_session_event_create``/``_update``."""

    form = MultiSessionEventForm
    list_display = ["display_name", "lesson", "seats_total", "created_at"]
    search_fields = ["display_name"]
    list_select_related = ["lesson", "school"]

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        fields = {
            name: form.cleaned_data[name] for name in ("lesson", "display_name", "seats_total")
        }
        if change:
            current = IltMultiSessionEvent.objects.get(pk=obj.pk)
            live_services.multi_session_event_update(event=current, **fields)
            return
        event = live_services.multi_session_event_create(
            school=self._school_for(request, obj), **fields
        )
        obj.pk, obj.school = event.pk, event.school


SESSION_FIELDS = [
    "lesson",
    "multi_session_event",
    "display_name",
    "instructor_email",
    "provider",
    "starts_at",
    "ends_at",
    "timezone",
    "seats_total",
    "location",
    "event_link",
    "description",
    "post_registration_instructions",
]


class IltSessionForm(forms.ModelForm):
    """A session; ``tag_names`` holds its tags, comma-separated."""

    admin_school = None
    timezone = forms.ChoiceField(choices=[(name, name) for name in sorted(time_zone_names())])
    tag_names = forms.CharField(
        required=False, label="Tags", help_text="Comma-separated; not for parts of an event."
    )

    class Meta:
        model = IltSession
        fields = ["school", *SESSION_FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _live_lessons(self)
        if self.instance.pk is not None:
            self.initial["tag_names"] = ", ".join(t.name for t in self.instance.tags.all())

    def tags(self) -> list[str]:
        raw = self.cleaned_data.get("tag_names") or ""
        return [name.strip() for name in raw.split(",") if name.strip()]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        school = _school_of(self, data)
        session = IltSession(school=school, **{name: data.get(name) for name in SESSION_FIELDS})
        for name in ("location", "event_link", "description", "post_registration_instructions"):
            setattr(session, name, getattr(session, name) or "")
        try:
            live_services.parse_instructor_email(
                session.instructor_email, provider=session.provider
            )
            if school is not None:
                live_services.ilt_session_check(session, tags=self.tags())
        except ApiError as exc:
            field = exc.field if exc.field in self.fields else None
            field = "tag_names" if exc.field == "tags" else field
            self.add_error(field, str(exc.detail))
        return data


@admin.register(IltSession)
class IltSessionAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """ILT sessions; saved through ``ilt_session_create``/``ilt_session_update``."""

    form = IltSessionForm
    list_display = ["display_name", "starts_at", "ends_at", "provider", "lesson", "instructor"]
    list_filter = ["provider"]
    search_fields = ["display_name", "instructor_email"]
    list_select_related = ["lesson", "instructor", "school"]
    date_hierarchy = "starts_at"

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        """Tags are saved by the service (the form has no many-to-many of its own)."""
        fields = {name: form.cleaned_data[name] for name in SESSION_FIELDS}
        if change:
            current = IltSession.objects.get(pk=obj.pk)
            live_services.ilt_session_update(session=current, tags=form.tags(), **fields)
            return
        session = live_services.ilt_session_create(
            school=self._school_for(request, obj), tags=form.tags(), **fields
        )
        obj.pk, obj.school = session.pk, session.school
