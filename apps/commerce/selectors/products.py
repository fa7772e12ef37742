"""Reads of the products people hold: a user's products and the users of a product."""

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from apps.commerce.models import LIVE_STATUSES, BundleEnrollment, PlanEnrollment, UserSubscription
from apps.commerce.services.products import Product, holdings, live
from apps.enrollments.models import Enrollment, PathEnrollment
from apps.schools.models import Member, School, User


def _item(
    product_id: str, kind: str, title: str, access: Any, expires_at: datetime | None
) -> dict[str, Any]:
    return {
        "id": product_id,
        "type": kind,
        "title": title,
        "access_id": access.pk,
        "granted_at": access.enrolled_at if hasattr(access, "enrolled_at") else access.created_at,
        "expires_at": expires_at,
    }


def user_products(*, school: School, user: User, now: datetime | None = None) -> list[dict]:
    """Every product ``user`` holds now, each once (its earliest grant): courses, paths,
    bundles, plans, subscriptions, in that order and oldest first; five queries whatever
    the count."""
    now = now or timezone.now()
    mine = {"school": school, "user": user}
    items: dict[tuple[str, str], dict[str, Any]] = {}

    def add(kind: str, product_id: str, title: str, access: Any, expires_at: Any) -> None:
        items.setdefault((kind, product_id), _item(product_id, kind, title, access, expires_at))

    courses = Enrollment.objects.filter(live(now), published_course__isnull=False, **mine)
    for row in courses.select_related("course").order_by("enrolled_at", "id"):
        add("course", row.published_course_id, row.course.title, row, row.expires_at)
    paths = PathEnrollment.objects.filter(live(now), published_path__isnull=False, **mine)
    for row in paths.select_related("path").order_by("enrolled_at", "id"):
        add("path", row.published_path_id, row.path.title, row, row.expires_at)
    bundles = BundleEnrollment.objects.filter(active=True, **mine).select_related("bundle")
    for row in bundles.order_by("enrolled_at", "id"):
        add("bundle", row.bundle_id, row.bundle.title, row, None)
    plans = PlanEnrollment.objects.filter(live(now), **mine).select_related("plan")
    for row in plans.order_by("enrolled_at", "id"):
        add("plan", row.plan_id, row.plan.title, row, row.expires_at)
    subscriptions = UserSubscription.objects.filter(status__in=LIVE_STATUSES, **mine)
    for row in subscriptions.select_related("plan").order_by("id"):
        add("subscription", row.plan_id, row.plan.title, row, row.current_period_end)
    return list(items.values())


def product_users(
    *, school: School, queryset: QuerySet[Member], product: Product
) -> QuerySet[Member]:
    """The members who hold ``product`` now, with their user, oldest member first."""
    held = holdings(school=school, product=product).filter(user=OuterRef("user"))
    return queryset.filter(Exists(held)).select_related("user").order_by("id")
