"""Writes of lessons (section headings included) and their content items, in order."""

from datetime import datetime
from typing import Any

from django.db import transaction

from apps.catalog.codes import CatalogErrorCode
from apps.catalog.models import (
    Asset,
    ContentItem,
    ContentItemType,
    Course,
    Lesson,
    LessonType,
    Quiz,
    WebPackage,
)
from apps.catalog.services import ordering
from apps.catalog.services.search import published_course_search_refresh
from apps.core.errors import InvalidInput
from apps.core.events import emit
from apps.core.html import sanitize_html

HTML_FIELDS = ("content_html", "description_html", "tooltip_html")

# Which content reference each lesson type may carry.
_REFERENCE_TYPES = {
    "content_asset": {LessonType.ASSET, LessonType.VIDEO},
    "content_quiz": {LessonType.QUIZ},
    "content_web_package": {LessonType.WEB_PACKAGE},
}


def lesson_payload(lesson: Lesson) -> dict[str, Any]:
    """The event data of a lesson."""
    return {
        "id": lesson.id,
        "course_id": lesson.course_id,
        "type": lesson.type,
        "order": lesson.order,
        "title": lesson.title,
    }


def _check_lesson(lesson: Lesson) -> None:
    """400 naming the field when references or the schedule do not fit the lesson's type."""
    for field, types in _REFERENCE_TYPES.items():
        reference = getattr(lesson, field)
        if reference is not None and reference.school_id != lesson.school_id:
            raise InvalidInput(f"{field}_id does not exist.", field=f"{field}_id")
        if getattr(lesson, f"{field}_id") is not None and lesson.type not in types:
            allowed = " or ".join(sorted(types))
            raise InvalidInput(
                f"{field}_id is only for {allowed} lessons, not {lesson.type}.",
                code=CatalogErrorCode.CONTENT_MISMATCH,
                field=f"{field}_id",
            )
    if lesson.drip_days_after_enrollment is not None and lesson.drip_release_at is not None:
        raise InvalidInput(
            "Set drip_days_after_enrollment or drip_release_at, not both.",
            code=CatalogErrorCode.DRIP_CONFLICT,
            field="drip_release_at",
        )
    if lesson.type != LessonType.ASSIGNMENT and (
        lesson.due_at is not None or lesson.allow_late_submissions
    ):
        field = "due_at" if lesson.due_at is not None else "allow_late_submissions"
        raise InvalidInput(
            f"{field} is only for ASSIGNMENT lessons, not {lesson.type}.",
            code=CatalogErrorCode.DUE_DATE_ASSIGNMENT_ONLY,
            field=field,
        )


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    for name in HTML_FIELDS:
        if name in fields:
            fields[name] = sanitize_html(fields[name] or "")
    if fields.get("search_keywords") is None and "search_keywords" in fields:
        fields["search_keywords"] = ""
    return fields


def _locked(course: Course) -> Course:
    """The course row locked for this transaction: moves in one course run one at a time."""
    return Course.objects.select_for_update().get(pk=course.pk)


@transaction.atomic
def lesson_create(
    *,
    course: Course,
    type: str,
    title: str,
    order: int | None = None,
    content_asset: Asset | None = None,
    content_quiz: Quiz | None = None,
    content_web_package: WebPackage | None = None,
    drip_days_after_enrollment: int | None = None,
    drip_release_at: datetime | None = None,
    **fields: Any,
) -> Lesson:
    """Add a lesson at position ``order`` (1 to n + 1, default the end), moving the lessons
    from there on one down."""
    course = _locked(course)
    siblings = Lesson.objects.filter(course=course)
    position = ordering.make_room(siblings, order=order or siblings.count() + 1)
    lesson = Lesson(
        school=course.school,
        course=course,
        type=type,
        title=title,
        order=position,
        content_asset=content_asset,
        content_quiz=content_quiz,
        content_web_package=content_web_package,
        drip_days_after_enrollment=drip_days_after_enrollment,
        drip_release_at=drip_release_at,
        **_clean(fields),
    )
    _check_lesson(lesson)
    lesson.save(force_insert=True)
    course.save(update_fields=["updated_at"])
    emit(course.school, "lesson.created", lesson_payload(lesson))
    published_course_search_refresh(course=course)
    return lesson


@transaction.atomic
def lesson_update(
    *, lesson: Lesson, course: Course | None = None, order: int | None = None, **fields: Any
) -> Lesson:
    """Change the given fields; ``order`` moves the lesson (1 to n), ``course`` moves it to
    another course of the school (at ``order`` there, default its end)."""
    lesson = Lesson.objects.select_related("course").get(pk=lesson.pk)
    source = _locked(lesson.course)
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    if lesson.course_id != source.pk:  # moved by a concurrent request meanwhile
        source = _locked(lesson.course)
    fields = _clean(fields)
    changed = [name for name, value in fields.items() if getattr(lesson, name) != value]
    for name in changed:
        setattr(lesson, name, fields[name])
    _check_lesson(lesson)
    moved = False
    if course is not None and course.pk != source.pk:
        target = _locked(course)
        old_order = lesson.order
        Lesson.objects.filter(pk=lesson.pk).update(order=0)
        ordering.close_gap(
            Lesson.objects.filter(course=source).exclude(pk=lesson.pk), order=old_order
        )
        target_siblings = Lesson.objects.filter(course=target)
        lesson.order = ordering.make_room(
            target_siblings, order=order or target_siblings.count() + 1
        )
        lesson.course = target
        changed += ["course", "order"]
        target.save(update_fields=["updated_at"])
        moved = True
    elif order is not None and order != lesson.order:
        ordering.move(Lesson.objects.filter(course=source), lesson, order=order)
        moved = True
    if changed:
        lesson.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    if changed or moved:
        source.save(update_fields=["updated_at"])
        emit(lesson.school, "lesson.updated", lesson_payload(lesson))
        published_course_search_refresh(course=lesson.course)
        if lesson.course_id != source.pk:
            published_course_search_refresh(course=source)
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson) -> None:
    """Remove a lesson and close the gap it leaves; content items go with it."""
    course = _locked(lesson.course)
    lesson = Lesson.objects.get(pk=lesson.pk)
    order = lesson.order
    lesson.delete()
    ordering.close_gap(Lesson.objects.filter(course=course), order=order)
    course.save(update_fields=["updated_at"])
    published_course_search_refresh(course=course)


def section_create(
    *, course: Course, title: str, order: int | None = None, **fields: Any
) -> Lesson:
    """Add a section heading (a ``SECTION`` lesson) at ``order``, default the end."""
    return lesson_create(course=course, type=LessonType.SECTION, title=title, order=order, **fields)


# --- content items ---------------------------------------------------------------------------

_ITEM_REFERENCES = {"content_asset": ContentItemType.ASSET, "content_quiz": ContentItemType.QUIZ}


def _check_item(item: ContentItem) -> None:
    for field, item_type in _ITEM_REFERENCES.items():
        reference = getattr(item, field)
        if reference is not None and reference.school_id != item.school_id:
            raise InvalidInput(f"{field}_id does not exist.", field=f"{field}_id")
        if getattr(item, f"{field}_id") is not None and item.type != item_type:
            raise InvalidInput(
                f"{field}_id is only for {item_type} content items, not {item.type}.",
                code=CatalogErrorCode.CONTENT_MISMATCH,
                field=f"{field}_id",
            )


def _locked_lesson(lesson: Lesson) -> Lesson:
    return Lesson.objects.select_for_update().get(pk=lesson.pk)


@transaction.atomic
def content_item_create(
    *, lesson: Lesson, header: str, type: str, order: int | None = None, **fields: Any
) -> ContentItem:
    """Add a content item at position ``order`` of its lesson (1 to n + 1, default the end)."""
    lesson = _locked_lesson(lesson)
    siblings = ContentItem.objects.filter(lesson=lesson)
    position = ordering.make_room(siblings, order=order or siblings.count() + 1)
    if "content_html" in fields:
        fields["content_html"] = sanitize_html(fields["content_html"] or "")
    item = ContentItem(
        school=lesson.school, lesson=lesson, header=header, type=type, order=position, **fields
    )
    _check_item(item)
    item.save(force_insert=True)
    return item


@transaction.atomic
def content_item_update(
    *, content_item: ContentItem, order: int | None = None, **fields: Any
) -> ContentItem:
    """Change the given fields; ``order`` moves the item within its lesson (1 to n)."""
    lesson = _locked_lesson(content_item.lesson)
    item = ContentItem.objects.get(pk=content_item.pk)
    if "content_html" in fields:
        fields["content_html"] = sanitize_html(fields["content_html"] or "")
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, fields[name])
    _check_item(item)
    if order is not None and order != item.order:
        ordering.move(ContentItem.objects.filter(lesson=lesson), item, order=order)
    if changed:
        item.save(update_fields=[*changed, "updated_at"])
    return item


@transaction.atomic
def content_item_delete(*, content_item: ContentItem) -> None:
    """Remove a content item and close the gap it leaves."""
    lesson = _locked_lesson(content_item.lesson)
    order = content_item.order
    ContentItem.objects.filter(pk=content_item.pk).delete()
    ordering.close_gap(ContentItem.objects.filter(lesson=lesson), order=order)
