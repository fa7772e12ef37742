from django.urls import re_path

from apps.core.api.routers import OptionalSlashRouter
from apps.core.api.views import EventLogViewSet, JobViewSet, PingView

router = OptionalSlashRouter()
router.register("jobs", JobViewSet, basename="job")
router.register("event-logs", EventLogViewSet, basename="event-log")

urlpatterns = [
    re_path(r"^ping/?$", PingView.as_view(), name="ping"),
    *router.urls,
]
