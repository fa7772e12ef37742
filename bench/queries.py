"""Count the SQL queries one request runs, in-process through Django's test client.

Run by bench/run.py as ``python -m bench.queries`` with the benchmark's environment; reads
``[{"name", "method", "path", "body", "headers"}]`` as JSON on stdin and writes
``{name: queries}`` as JSON on stdout. Each request is made twice and the second counted,
so one-off work (connection set-up, ``last_used_at`` writes) is left out.
"""

import json
import os
import sys


def count_queries(requests: list[dict]) -> dict[str, int]:
    """Return the number of SQL queries of a warm request, per request name."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for spec in requests:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in spec["headers"].items()}
        kwargs = {"path": spec["path"], **extra}
        if spec.get("body") is not None:
            kwargs.update(data=json.dumps(spec["body"]), content_type="application/json")
        send = getattr(client, spec["method"].lower())
        send(**kwargs)
        with CaptureQueriesContext(connection) as captured:
            response = send(**kwargs)
        if response.status_code >= 400:
            raise SystemExit(f"{spec['name']}: HTTP {response.status_code} {response.content!r}")
        counts[spec["name"]] = len(captured.captured_queries)
    return counts


def main() -> None:
    """Read the request list on stdin, write the counts on stdout."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    sys.stdout.write(json.dumps(count_queries(json.load(sys.stdin))) + "\n")


if __name__ == "__main__":
    main()
