"""Positions 1, 2, … n without gaps or repeats among siblings (a course's lessons, a lesson's
content items), kept so under concurrent moves.

Callers hold a row lock on the parent (``select_for_update``) for the whole transaction, so
two moves in one course run one after the other. Shifting uses two UPDATEs through a high
offset, because a unique (parent, order) constraint is checked row by row on both
PostgreSQL and SQLite and a plain ``order + 1`` would collide halfway. A row whose position
changes counts as changed (``updated_at``), so ``updated_since`` syncs see the new order.
"""

from django.db.models import F, QuerySet
from django.utils import timezone

from apps.catalog.codes import CatalogErrorCode
from apps.core.errors import InvalidInput

_OFFSET = 1_000_000


def _shift(siblings: QuerySet, *, start: int, stop: int | None, by: int) -> None:
    """Add ``by`` to the order of siblings with start <= order (< stop)."""
    rows = siblings.filter(order__gte=start)
    if stop is not None:
        rows = rows.filter(order__lt=stop)
    rows.update(order=F("order") + _OFFSET, updated_at=timezone.now())
    siblings.filter(order__gte=_OFFSET).update(order=F("order") - _OFFSET + by)


def check_position(order: int, *, count: int, adding: bool) -> int:
    """``order`` if it is a position the row can take, else 400 naming ``order``."""
    last = count + 1 if adding else count
    if not 1 <= order <= last:
        raise InvalidInput(
            f"order must be between 1 and {last}.",
            code=CatalogErrorCode.ORDER_OUT_OF_RANGE,
            field="order",
        )
    return order


def make_room(siblings: QuerySet, *, order: int) -> int:
    """Free position ``order`` for a new row (1 to n + 1; omitted = the end)."""
    count = siblings.count()
    check_position(order, count=count, adding=True)
    _shift(siblings, start=order, stop=None, by=1)
    return order


def close_gap(siblings: QuerySet, *, order: int) -> None:
    """Close the gap a removed row left at ``order``."""
    _shift(siblings, start=order + 1, stop=None, by=-1)


def move(siblings: QuerySet, row, *, order: int) -> None:
    """Move ``row`` (one of ``siblings``) to position ``order`` (1 to n), shifting the rest."""
    count = siblings.count()
    check_position(order, count=count, adding=False)
    current = row.order
    if order == current:
        return
    type(row).objects.filter(pk=row.pk).update(order=0)
    if order < current:
        _shift(siblings.exclude(pk=row.pk), start=order, stop=current, by=1)
    else:
        _shift(siblings.exclude(pk=row.pk), start=current + 1, stop=order + 1, by=-1)
    moved_at = timezone.now()
    type(row).objects.filter(pk=row.pk).update(order=order, updated_at=moved_at)
    row.order, row.updated_at = order, moved_at
