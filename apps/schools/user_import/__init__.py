"""Bulk import of people into a domain from CSV (``manage.py import_users``).

Columns: ``email`` (required), ``first_name``, ``last_name``, ``groups`` (group names
separated by ``;``) and any signup field of the domain by its label. The file is read
twice, streaming: the first pass proves it decodes as UTF-8 and parses as CSV (so a broken
file writes nothing), the second validates each row and writes valid rows in batches, each
batch in one transaction with bulk statements. A bad row is skipped whole (never half
written) and reported with its line number; the rest go in. Importing the same file again
changes nothing: people are matched on e-mail, case-insensitively.
"""

from collections.abc import Callable
from pathlib import Path

from apps.schools.models import Domain, School
from apps.schools.user_import.reading import (
    ImportFileError,
    Row,
    parse_row,
    read_layout,
    read_records,
)
from apps.schools.user_import.writing import ImportSummary, Writer

__all__ = ["BATCH_SIZE", "ImportFileError", "ImportSummary", "import_users"]

BATCH_SIZE = 1000


def import_users(
    *,
    school: School,
    domain: Domain,
    path: Path | str,
    create_groups: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import people from a CSV file into ``domain``; see the module docstring.

    Raises ``ImportFileError`` (nothing written) when the file cannot be read as UTF-8 CSV
    or has no ``email`` column. ``progress(done, total)`` is called after every batch.
    """
    path = Path(path)
    if domain.school_id != school.id:
        raise ImportFileError("The domain belongs to another school.")
    total = -1
    header: list[str] | None = None
    for _line, record in read_records(path):  # pass 1: decode and parse everything
        if header is None:
            header = record
        total += 1
    if header is None:
        raise ImportFileError("The file is empty.")
    layout = read_layout(header, domain)
    summary = ImportSummary(total=max(total, 0), ignored_columns=layout.ignored)
    writer = Writer(school=school, domain=domain, create_groups=create_groups, summary=summary)
    seen: dict[str, int] = {}
    batch: list[Row] = []
    done = 0
    records = read_records(path)
    next(records)  # the header
    for line, record in records:  # pass 2: validate and write in batches
        done += 1
        if not any(value.strip() for value in record):
            summary.skipped.append((line, "the row is empty"))
            continue
        row = parse_row(line, record, layout)
        if isinstance(row, str):
            summary.skipped.append((line, row))
            continue
        if row.key in seen:
            summary.skipped.append((line, f"{row.email} already appears on line {seen[row.key]}"))
            continue
        seen[row.key] = line
        batch.append(row)
        if len(batch) >= batch_size:
            writer.write(batch)
            batch = []
            if progress and done < summary.total:
                progress(done, summary.total)
    if batch:
        writer.write(batch)
    if progress:
        progress(done, summary.total)
    summary.skipped.sort()
    return summary
