"""Reads of the products people hold: the product types (``PRODUCT_TYPES``,
``product_resolve``), who holds one now (``holdings``), a user's products and the users
of a product."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from apps.catalog.models import Bundle, PublishedCourse, PublishedPath
from apps.commerce.codes import CommerceErrorCode
from apps.commerce.models import (
    LIVE_STATUSES,
    BundleEnrollment,
    Plan,
    PlanEnrollment,
    SubscriptionPlan,
    UserSubscription,
)
from apps.core.errors import InvalidInput
from apps.enrollments.models import Enrollment, PathEnrollment
from apps.schools.models import Member, School, User

# The product types of the API → the model a ``product_id`` names.
PRODUCT_TYPES: dict[str, type[Model]] = {
    "course": PublishedCourse,
    "path": PublishedPath,
    "bundle": Bundle,
    "plan": Plan,
    "subscription": SubscriptionPlan,
}


@dataclass(frozen=True)
class Product:
    """A product of the school: its API type and the row it is."""

    type: str
    row: Any

    @property
    def id(self) -> str:
        return self.row.pk


def product_resolve(*, school: School, product_type: str, product_id: str) -> Product:
    """The school's product ``product_id`` of ``product_type``; 400 ``product_type_invalid``
    for an unknown type, ``product_id_required`` without an id, ``does_not_exist`` for an id
    that is not one of the school's products of that type (another school's included)."""
    model = PRODUCT_TYPES.get(product_type)
    if model is None:
        raise InvalidInput(
            f"product_type: one of {', '.join(PRODUCT_TYPES)}.",
            code=CommerceErrorCode.PRODUCT_TYPE_INVALID,
            field="product_type",
        )
    if not product_id:
        raise InvalidInput(
            "product_id is required.",
            code=CommerceErrorCode.PRODUCT_ID_REQUIRED,
            field="product_id",
        )
    row = model._default_manager.filter(school=school, pk=product_id).first()
    if row is None:
        raise InvalidInput("product_id does not exist.", code="does_not_exist", field="product_id")
    return Product(product_type, row)


def live(now: datetime | None = None) -> Q:
    """Active rows whose access has not expired at ``now``."""
    now = now or timezone.now()
    return Q(active=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def holdings(*, school: School, product: Product, now: datetime | None = None) -> QuerySet:
    """The rows through which people hold ``product`` now (filter by ``user`` for one)."""
    row, kind = product.row, product.type
    if kind == "course":
        return Enrollment.objects.filter(live(now), school=school, published_course=row)
    if kind == "path":
        return PathEnrollment.objects.filter(live(now), school=school, published_path=row)
    if kind == "bundle":
        return BundleEnrollment.objects.filter(school=school, bundle=row, active=True)
    if kind == "plan":
        return PlanEnrollment.objects.filter(live(now), school=school, plan=row)
    return UserSubscription.objects.filter(school=school, plan=row, status__in=LIVE_STATUSES)


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
