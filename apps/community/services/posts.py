"""Writes of posts, comments, reactions, pinning, moderation and reports.

Bodies are HTML sanitised like the catalog's (``apps.core.html.sanitize_html``) and must
keep some text once sanitised. ``@mentions`` name a person by their membership of the
space (``@spm_…``, the id the members list shows learners, who never see another person's
``usr_`` id) and notify active members of the post's space only, once per person and
post or comment: editing a body never notifies someone twice. Replies notify the parent
comment's author; hiding a post notifies its author and the people whose open reports it
settles; dismissing a report notifies its reporter. Who may call each service is the
API's to check (``apps.community.selectors.access``).
"""

import re
from collections.abc import Callable
from typing import Any

import nh3
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.community.codes import CommunityErrorCode
from apps.community.models import (
    Comment,
    Notification,
    Post,
    PostReport,
    Reaction,
    Space,
    SpaceMember,
)
from apps.community.services.notifications import notify
from apps.community.services.spaces import register_space_content
from apps.core.errors import ApiError, InvalidInput
from apps.core.events import emit
from apps.core.html import sanitize_html
from apps.schools.models import User

POST_FIELDS = ("title", "body", "tags")
MAX_TAGS = 10
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
# What the API accepts (any letter case, stored lower-case): the schema's pattern.
TAG_INPUT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$"
# A mention is ``@`` and a whole id: a longer or shorter look-alike never matches.
MENTION_PATTERN = re.compile(r"(?<![\w@])@(spm_[0-9a-z]{26})(?![0-9a-z_])")

MENTION_KIND = "post.mention"
REPLY_KIND = "post.reply"
HIDDEN_KIND = "post.hidden"
RESTORED_KIND = "post.restored"
COMMENT_HIDDEN_KIND = "comment.hidden"
COMMENT_RESTORED_KIND = "comment.restored"
REPORT_KIND = "post.report.resolved"


def _space_has_posts(space: Space) -> bool:
    return space.posts.exists()


# Deleting a space that holds posts keeps it, soft-deleted and restorable.
register_space_content(_space_has_posts)


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }


def post_payload(post: Post) -> dict[str, Any]:
    """The event data of a post: where, by whom, what."""
    return {
        "id": post.id,
        "space": {"id": post.space_id, "title": post.space.title},
        "author": _person(post.author),
        "title": post.title,
        "body": post.body,
        "tags": post.tags.split(),
        "created_at": post.created_at.isoformat(),
    }


def comment_payload(comment: Comment) -> dict[str, Any]:
    """The event data of a comment: its post, its parent (a reply), by whom, what."""
    return {
        "id": comment.id,
        "post": {"id": comment.post_id, "space_id": comment.post.space_id},
        "parent_id": comment.parent_id,
        "author": _person(comment.author),
        "body": comment.body,
        "created_at": comment.created_at.isoformat(),
    }


def _body(value: Any, field: str = "body") -> str:
    """The sanitised HTML; 400 ``blank_body`` when no text is left."""
    body = sanitize_html(value if isinstance(value, str) else "")
    if not nh3.clean(body, tags=set()).strip():
        raise InvalidInput(
            f"{field}: may not be blank.", code=CommunityErrorCode.BLANK_BODY, field=field
        )
    return body


def _tags(values: Any) -> str:
    """Tags as stored: lower-case, once each, in the order given, space-separated."""
    tags = list(dict.fromkeys(str(value).strip().lower() for value in values or []))
    if len(tags) > MAX_TAGS or not all(TAG_PATTERN.match(tag) for tag in tags):
        raise InvalidInput(
            f"tags: at most {MAX_TAGS}, each 1 to 30 letters, digits, '-' or '_'.",
            code=CommunityErrorCode.INVALID_TAG,
            field="tags",
        )
    return " ".join(tags)


def _title(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _mention(*, space: Space, body: str, author: User | None, object_id: str, text: str) -> None:
    """Notify the active members of ``space`` that ``body`` mentions, once per ``object_id``."""
    rows = set(MENTION_PATTERN.findall(body))
    if not rows:
        return
    members = SpaceMember.objects.filter(
        space=space, status=SpaceMember.Status.ACTIVE, id__in=rows
    ).select_related("user")
    told = set(
        Notification.objects.filter(kind=MENTION_KIND, object_id=object_id).values_list(
            "user_id", flat=True
        )
    )
    for membership in members:
        person = membership.user
        if person.pk in told or (author is not None and person.pk == author.pk):
            continue
        told.add(person.pk)
        notify(user=person, kind=MENTION_KIND, text=text, object_id=object_id)


def _who(user: User | None) -> str:
    if user is None:
        return "The school"
    return " ".join(part for part in (user.first_name, user.last_name) if part) or "Someone"


def _mention_post(post: Post) -> None:
    _mention(
        space=post.space,
        body=post.body,
        author=post.author,
        object_id=post.id,
        text=f"{_who(post.author)} mentioned you in “{post.title or 'a post'}”.",
    )


@transaction.atomic
def post_create(
    *,
    space: Space,
    author: User | None,
    body: str,
    title: str = "",
    tags: list[str] | None = None,
) -> Post:
    """A new post in ``space`` (``community.post.created``); mentioned members are notified."""
    post = Post(
        school_id=space.school_id,
        space=space,
        author=author,
        title=_title(title),
        body=_body(body),
        tags=_tags(tags),
    )
    post.save(force_insert=True)
    emit(space.school, "community.post.created", post_payload(post))
    _mention_post(post)
    return post


@transaction.atomic
def post_update(*, post: Post, **fields: Any) -> Post:
    """Change the given fields (PUT and PATCH alike); only people newly mentioned are told."""
    unknown = set(fields) - set(POST_FIELDS)
    if unknown:
        raise TypeError(f"post_update() got unexpected fields {sorted(unknown)}")
    clean = {
        "title": _title,
        "body": _body,
        "tags": _tags,
    }
    values = {name: clean[name](value) for name, value in fields.items()}
    changed = [name for name, value in values.items() if getattr(post, name) != value]
    for name in changed:
        setattr(post, name, values[name])
    if changed:
        post.save(update_fields=[*changed, "updated_at"])
    if "body" in changed:
        _mention_post(post)
    return post


@transaction.atomic
def post_delete(*, post: Post) -> None:
    """Remove the post with its comments, reactions and reports."""
    post.delete()


@transaction.atomic
def post_pin(*, post: Post, pinned: bool) -> Post:
    """Pin (first in its space's listing) or unpin; doing it twice changes nothing."""
    if post.is_pinned != pinned:
        post.is_pinned = pinned
        post.pinned_at = timezone.now() if pinned else None
        post.save(update_fields=["is_pinned", "pinned_at", "updated_at"])
    return post


def _reason(value: Any) -> str:
    reason = value.strip() if isinstance(value, str) else ""
    if not reason:
        raise InvalidInput("reason: may not be blank.", code="blank", field="reason")
    return reason


def _set_hidden(
    row: Post | Comment, reason: str | None, kind: str, notice: Callable[[Any], str]
) -> Post | Comment:
    """Hide ``row`` with ``reason`` (None: show it again), under a lock of its row, so two
    moderators doing the same at once change it and notify its author once (``kind``, the
    text ``notice(row)``). Returns the locked row, its author loaded."""
    row = type(row).objects.select_for_update(of=("self",)).select_related("author").get(pk=row.pk)
    hiding = reason is not None
    if row.is_hidden != hiding:
        row.is_hidden, row.hidden_reason = hiding, reason or ""
        row.hidden_at = timezone.now() if hiding else None
        row.save(update_fields=["is_hidden", "hidden_reason", "hidden_at", "updated_at"])
        if row.author is not None:
            post_id = row.pk if isinstance(row, Post) else row.post_id
            notify(user=row.author, kind=kind, text=notice(row), object_id=post_id)
    return row


@transaction.atomic
def post_hide(*, post: Post, reason: str) -> Post:
    """Hide a post from everyone but moderators and staff, with a reason. Its author is
    notified, and its open reports are settled (``hidden``) with their reporters notified."""
    reason = _reason(reason)
    post = _set_hidden(
        post,
        reason,
        HIDDEN_KIND,
        lambda row: f"A moderator hid your post “{row.title or 'untitled'}”: {reason}",
    )
    reports = list(
        PostReport.objects.select_for_update(of=("self",))
        .filter(post=post, status=PostReport.Status.OPEN)
        .select_related("reporter")
    )
    for report in reports:
        _settle(report, PostReport.Status.HIDDEN)
    return post


@transaction.atomic
def post_restore(*, post: Post) -> Post:
    """Show a hidden post again; its author is notified."""
    return _set_hidden(
        post,
        None,
        RESTORED_KIND,
        lambda row: f"Your post “{row.title or 'untitled'}” is visible again.",
    )


def _settle(report: PostReport, status: str) -> None:
    report.status, report.resolved_at = status, timezone.now()
    report.save(update_fields=["status", "resolved_at", "updated_at"])
    outcome = "was hidden" if status == PostReport.Status.HIDDEN else "was reviewed and kept"
    notify(
        user=report.reporter,
        kind=REPORT_KIND,
        text=f"The post you reported {outcome}.",
        object_id=report.post_id,
    )


@transaction.atomic
def report_create(*, post: Post, reporter: User, reason: str = "") -> tuple[PostReport, bool]:
    """The reporter's report of the post, and whether this call made it (one per person
    and post, also under concurrent calls)."""
    reason = reason.strip() if isinstance(reason, str) else ""
    try:
        with transaction.atomic():
            report = PostReport(school_id=post.school_id, post=post, reporter=reporter)
            report.reason = reason
            report.save(force_insert=True)
            return report, True
    except IntegrityError:
        return PostReport.objects.get(post=post, reporter=reporter), False


def _open(report: PostReport) -> PostReport:
    report = (
        PostReport.objects.select_for_update(of=("self",))
        .select_related("reporter", "post")
        .get(pk=report.pk)
    )
    if report.status != PostReport.Status.OPEN:
        raise ApiError(
            "This report is already settled.",
            code=CommunityErrorCode.REPORT_CLOSED,
            status_code=409,
        )
    return report


@transaction.atomic
def report_dismiss(*, report: PostReport) -> PostReport:
    """Keep the post: the report is ``dismissed`` and its reporter notified; 409
    ``report_closed`` when it is no longer open."""
    report = _open(report)
    _settle(report, PostReport.Status.DISMISSED)
    return report


@transaction.atomic
def report_hide(*, report: PostReport, reason: str = "") -> PostReport:
    """Hide the reported post (``post_hide``, with the report's reason unless one is given):
    this and every other open report of the post are settled; 409 when not open."""
    report = _open(report)
    post_hide(post=report.post, reason=(reason or "").strip() or report.reason or "Reported")
    report.refresh_from_db()
    return report


def _check_parent(post: Post, parent: Comment | None) -> None:
    if parent is None:
        return
    if parent.post_id != post.pk:
        raise InvalidInput("parent_id does not exist.", code="does_not_exist", field="parent_id")
    if parent.parent_id is not None:
        raise InvalidInput(
            "parent_id: replies nest one level deep; reply to the top-level comment.",
            code=CommunityErrorCode.REPLY_TOO_DEEP,
            field="parent_id",
        )


@transaction.atomic
def comment_create(
    *, post: Post, author: User | None, body: str, parent: Comment | None = None
) -> Comment:
    """A comment on ``post``, or a reply to one of its top-level comments (400
    ``reply_too_deep`` for a reply to a reply). Emits ``community.comment.created``; a reply
    notifies the parent's author, and mentioned members are notified."""
    _check_parent(post, parent)
    comment = Comment(
        school_id=post.school_id, post=post, parent=parent, author=author, body=_body(body)
    )
    comment.save(force_insert=True)
    emit(post.school, "community.comment.created", comment_payload(comment))
    if parent is not None and parent.author_id and parent.author_id != getattr(author, "pk", None):
        notify(
            user=parent.author,
            kind=REPLY_KIND,
            text=f"{_who(author)} replied to your comment.",
            object_id=post.pk,
        )
    _mention_comment(comment)
    return comment


def _mention_comment(comment: Comment) -> None:
    _mention(
        space=comment.post.space,
        body=comment.body,
        author=comment.author,
        object_id=comment.id,
        text=f"{_who(comment.author)} mentioned you in a comment.",
    )


@transaction.atomic
def comment_update(*, comment: Comment, body: str | None = None) -> Comment:
    """Change a comment's body; only people newly mentioned are told."""
    if body is not None:
        body = _body(body)
        if body != comment.body:
            comment.body = body
            comment.save(update_fields=["body", "updated_at"])
            _mention_comment(comment)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    """Remove a comment with its replies."""
    comment.delete()


@transaction.atomic
def comment_hide(*, comment: Comment, reason: str) -> Comment:
    """Hide a comment from everyone but moderators and staff; its author is notified."""
    reason = _reason(reason)
    notice = f"A moderator hid your comment: {reason}"
    return _set_hidden(comment, reason, COMMENT_HIDDEN_KIND, lambda row: notice)


@transaction.atomic
def comment_restore(*, comment: Comment) -> Comment:
    """Show a hidden comment again; its author is notified."""
    notice = "Your comment is visible again."
    return _set_hidden(comment, None, COMMENT_RESTORED_KIND, lambda row: notice)


def reaction_kind(kind: str) -> str:
    """``kind`` when it is one of the fixed kinds; else 400 ``unknown_reaction_kind``."""
    if kind not in Reaction.Kind.values:
        raise InvalidInput(
            f"kind: one of {', '.join(Reaction.Kind.values)}.",
            code=CommunityErrorCode.UNKNOWN_REACTION,
            field="kind",
        )
    return kind


def reaction_add(*, post: Post, user: User, kind: str) -> tuple[Reaction, bool]:
    """The person's reaction of ``kind`` to the post, and whether this call added it: twice,
    or twice at once, is one row (the unique constraint settles a race)."""
    kind = reaction_kind(kind)
    try:
        with transaction.atomic():
            reaction = Reaction(school_id=post.school_id, post=post, user=user, kind=kind)
            reaction.save(force_insert=True)
            return reaction, True
    except IntegrityError:
        return Reaction.objects.get(post=post, user=user, kind=kind), False


@transaction.atomic
def reaction_remove(*, post: Post, user: User, kind: str) -> bool:
    """Remove the person's reaction of ``kind``; whether there was one."""
    kind = reaction_kind(kind)
    deleted, _ = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
    return bool(deleted)
