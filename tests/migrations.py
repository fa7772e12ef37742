"""Running migrations backwards and forwards in a test (for tests of data migrations)."""

from collections.abc import Iterator

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate the test database to ``targets``; the historical models as they are there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def at_migration(targets: list[tuple[str, str]]) -> Iterator[Apps]:
    """The body of a fixture: the database at ``targets`` for the test, then back at the
    latest migrations."""
    yield migrate(targets)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
