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
