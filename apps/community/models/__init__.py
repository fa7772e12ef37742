"""The school's community: collections, spaces, their members, and people's notifications.

A package split by subdomain; every model is importable from ``apps.community.models``.
"""

from apps.community.models.cohorts import Cohort, CohortMember
from apps.community.models.notifications import Notification
from apps.community.models.spaces import Collection, Space, SpaceMember

__all__ = ["Collection", "Notification", "Space", "SpaceMember"]
__all__ += ["Cohort", "CohortMember"]
from apps.community.models.posts import Comment, Post, PostReport, Reaction  # noqa: E402

__all__ += ["Comment", "Post", "PostReport", "Reaction"]
