from apps.community.api.cohorts import CohortMemberViewSet, CohortViewSet
from apps.community.api.collections import CollectionViewSet
from apps.community.api.comments import CommentViewSet
from apps.community.api.members import SpaceMemberViewSet
from apps.community.api.notifications import NotificationViewSet
from apps.community.api.posts import PostViewSet
from apps.community.api.reactions import ReactionViewSet
from apps.community.api.reports import PostReportViewSet
from apps.community.api.spaces import SpaceViewSet
from apps.core.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("community/collections", CollectionViewSet, basename="community-collection")
router.register("community/spaces", SpaceViewSet, basename="community-space")
router.register(
    r"community/spaces/(?P<space_id>[^/]+)/users",
    SpaceMemberViewSet,
    basename="community-space-user",
)
router.register("me/notifications", NotificationViewSet, basename="notification")
router.register("cohorts", CohortViewSet, basename="cohort")
router.register(
    r"cohorts/(?P<cohort_id>[^/]+)/members", CohortMemberViewSet, basename="cohort-member"
)
router.register("community/posts", PostViewSet, basename="community-post")
router.register(
    r"community/posts/(?P<post_id>[^/]+)/comments",
    CommentViewSet,
    basename="community-post-comment",
)
router.register("community/reports", PostReportViewSet, basename="community-report")
router.register(
    r"community/posts/(?P<post_id>[^/]+)/reactions",
    ReactionViewSet,
    basename="community-post-reaction",
)

urlpatterns = [*router.urls]
