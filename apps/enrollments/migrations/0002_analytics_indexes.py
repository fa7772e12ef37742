"""Covering indexes for course and lesson analytics (``selectors/analytics.py``).

On PostgreSQL a course's lesson progress is summed from ``(course_id) INCLUDE (…)`` and a
lesson's from ``(lesson_id) INCLUDE (…)`` without visiting the table; SQLite has no INCLUDE,
and its databases are small, so the indexes are PostgreSQL's only (like the catalog's GIN
indexes, they are not in the models' Meta, where Django would try them everywhere).
"""

from django.db import migrations

COVERING_INDEXES = (
    (
        "enr_lessonprog_course_cover",
        "enrollments_lessonprogress",
        "(course_id) INCLUDE (time_spent_seconds, score, max_score)",
    ),
    (
        "enr_lessonprog_lesson_cover",
        "enrollments_lessonprogress",
        "(lesson_id) INCLUDE (started_at, completed_at, time_spent_seconds, score, max_score, "
        "success_status)",
    ),
)


def create_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns in COVERING_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}")


def drop_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _columns in COVERING_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("enrollments", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
