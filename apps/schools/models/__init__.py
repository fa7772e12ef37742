"""The tenant and its people: schools, domains, users, memberships, tags, API keys, domain
users, login tokens, access codes, signup fields, groups, invites, user roles and segments.

A package split by subdomain; every model is importable from ``apps.schools.models``.
"""

from apps.schools.models.access import (
    AccessCode,
    AccessCodePool,
    AccessCodeRedemption,
    DomainUser,
    DurationUnit,
    LoginToken,
)
from apps.schools.models.groups import Group, GroupAccessCodePool, GroupCategory, GroupMembership
from apps.schools.models.invites import Invite
from apps.schools.models.people import ApiKey, Domain, Member, School, Tag, User, UserManager
from apps.schools.models.roles import Segment, UserRole
from apps.schools.models.signup_fields import SignupField, SignupFieldOption, SignupFieldValue

__all__ = [
    "AccessCode",
    "AccessCodePool",
    "AccessCodeRedemption",
    "ApiKey",
    "Domain",
    "DomainUser",
    "DurationUnit",
    "Group",
    "GroupAccessCodePool",
    "GroupCategory",
    "GroupMembership",
    "Invite",
    "LoginToken",
    "Member",
    "School",
    "Segment",
    "SignupField",
    "SignupFieldOption",
    "SignupFieldValue",
    "Tag",
    "User",
    "UserManager",
    "UserRole",
]
