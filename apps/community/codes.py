"""Error codes of the community app."""

from enum import StrEnum


class CommunityErrorCode(StrEnum):
    # Adding people to a space: more than ``MAX_USERS_PER_CALL``, or names the school lacks.
    TOO_MANY_USERS = "too_many_users"
    # A space you may see but are not an active member of (its members list, writing in it).
    NOT_SPACE_MEMBER = "not_space_member"
    # Joining a space that takes invitations only, or a private one without its course.
    JOIN_REFUSED = "space_join_refused"
    # Accepting or declining with no pending invitation.
    NO_INVITATION = "no_invitation"
    # Accept, decline and join act for a person's own user token.
    USER_TOKEN_REQUIRED = "user_token_required"
    # A user token acting on another person's membership.
    NOT_OWN_MEMBERSHIP = "not_own_membership"
    # Changing the course of a cohort (its members were enrolled in the one it has).
    COHORT_COURSE_FIXED = "cohort_course_fixed"
    # Changing or deleting another person's post or comment (moderators and staff may).
    NOT_AUTHOR = "not_author"
    # Pinning, hiding, restoring and the report queue: the space's moderators and staff.
    NOT_SPACE_MODERATOR = "not_space_moderator"
    # A body with no text once sanitised (``<p></p>``, only a script).
    BLANK_BODY = "blank_body"
    # A reply to a reply: comments nest one level deep.
    REPLY_TOO_DEEP = "reply_too_deep"
    # A reaction kind outside the fixed set.
    UNKNOWN_REACTION = "unknown_reaction_kind"
    # A tag that is not 1–30 letters, digits, ``-`` or ``_``, or more than 10 tags.
    INVALID_TAG = "invalid_tag"
    # ``author_id`` sent with a user token: a person posts as itself.
    AUTHOR_NOT_ALLOWED = "author_not_allowed"
    # Resolving a report that is no longer open.
    REPORT_CLOSED = "report_closed"
