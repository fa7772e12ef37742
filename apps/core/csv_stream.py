"""Streaming a CSV download row by row, whatever the number of rows.

The ``csv`` module writes each row to an object that hands the line back (``Echo``), and
Django streams the lines as they are produced, so an export never holds the whole file in
memory (the pattern of ``apps.schools.admin.domains.domain_users_csv``).
"""

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import StreamingHttpResponse


class Echo:
    """A file-like object whose ``write`` returns what it was given."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str
) -> StreamingHttpResponse:
    """A streamed CSV attachment: ``header``, then each of ``rows`` as it is produced."""
    writer = csv.writer(Echo())

    def lines() -> Iterable[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
