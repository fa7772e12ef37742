"""Demo content apps add to the demo school (``manage.py seed_demo``, run by ``make run``).

An app registers ``fn(school)`` in its ``AppConfig.ready``; ``seed_demo`` calls every one in
``INSTALLED_APPS`` order once the demo school and its people exist, so the schools app never
imports the apps above it. Each function must be idempotent (a second run adds nothing).
"""

from collections.abc import Callable

_seeders: list[Callable] = []
_scale_seeders: list[Callable] = []


def register_demo(seeder: Callable) -> None:
    """Add ``seeder(school)`` to the demo setup."""
    if seeder not in _seeders:
        _seeders.append(seeder)


def demo_seeders() -> list[Callable]:
    return list(_seeders)


def register_demo_scale(seeder: Callable) -> None:
    """Add ``seeder(school, *, courses, enrollments, out)`` to ``seed_demo --courses M
    --enrollments K``: bulk data at scale (benchmarks, load tests), in bulk inserts."""
    if seeder not in _scale_seeders:
        _scale_seeders.append(seeder)


def demo_scale_seeders() -> list[Callable]:
    return list(_scale_seeders)
