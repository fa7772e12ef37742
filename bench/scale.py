"""Lists as schools grow: the ``--users 1000000`` scenarios of ``make bench``.

The run's ``demo`` school holds ``--users`` learners. This module adds a second school with
100,000 (``scale-100k``), so the first users page at a million members is compared with the
same page at 100,000 in the same run and database, and mints the cursor of the page 5,000
pages deep in ``demo`` (the one the server would hand out after walking there), so a deep
cursor page is compared with the first page.

Run by the harness as ``python -m bench.scale`` with its environment; prints JSON
``{"key", "cursor"}`` on stdout.
"""

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.run import Measurement

SMALL_SCHOOL = "scale-100k"
SMALL_USERS = 100_000
PAGE_SIZE = 100
DEEP_PAGE = 5_000
FIRST_PAGE = f"/api/v1/users?page_size={PAGE_SIZE}"


def prepare() -> dict[str, str]:
    """Load the 100,000-member school, make its key, and mint the deep cursor of ``demo``."""
    from django.db import connection

    from apps.core.pagination import cursor_for
    from apps.schools.api.views import UserViewSet
    from apps.schools.management.commands.seed_demo import Command as SeedDemo
    from apps.schools.models import Member, School
    from apps.schools.services.schools import api_key_create, school_create

    small, _ = school_create(name="Scale 100k", slug=SMALL_SCHOOL)
    SeedDemo(stderr=sys.stderr)._bulk_learners(small, SMALL_USERS)
    _key, secret = api_key_create(school=small, name="bench", scopes=["*"])
    demo = School.objects.get(slug="demo")
    members = Member.objects.filter(school=demo).order_by("id")
    # The last row of page DEEP_PAGE: the next link of that page continues after it.
    last = members.only("id")[DEEP_PAGE * PAGE_SIZE - 1 : DEEP_PAGE * PAGE_SIZE].get()
    with connection.cursor() as cursor:  # statistics for the rows just loaded
        cursor.execute("ANALYZE")
    return {"key": secret, "cursor": cursor_for(UserViewSet, members, last)}


def runners():
    """The two scenario runners (first page at scale; cursor page deep), sharing one setup."""
    state: dict[str, str] = {}

    def setup(ctx) -> dict[str, str]:
        from bench.run import ROOT, BenchError  # bench.run imports the scenarios

        if not state:
            done = subprocess.run(
                [sys.executable, "-m", "bench.scale"],
                cwd=ROOT,
                env=ctx.env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            if done.returncode != 0:
                raise BenchError(f"bench.scale failed:\n{done.stderr[-3000:]}")
            state.update(json.loads(done.stdout.strip().splitlines()[-1]))
        return state

    def first_page(ctx) -> "Measurement":
        figures = setup(ctx)
        at_scale = ctx.wrk(FIRST_PAGE)
        saved, ctx.api_key = ctx.api_key, figures["key"]
        try:
            at_100k = ctx.wrk(FIRST_PAGE)
        finally:
            ctx.api_key = saved
        at_scale.baseline = at_100k
        return at_scale

    def deep_cursor(ctx) -> "Measurement":
        figures = setup(ctx)
        deep = ctx.wrk(f"{FIRST_PAGE}&cursor={figures['cursor']}")
        deep.baseline = ctx.wrk(FIRST_PAGE)
        return deep

    return first_page, deep_cursor


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    sys.stdout.write(json.dumps(prepare()) + "\n")


if __name__ == "__main__":
    main()
