"""Worker memory while importing a large asset: it must stay flat whatever the file's size.

Serves a generated file from a local process (streamed, never held in memory), then in a
fresh Python process for each size imports it through the real import job
(``asset_import_run``: the SSRF-safe fetcher, 1 MiB chunks, Django's file system storage)
on a throwaway SQLite database, and reports that process's peak resident memory. The
baseline is the same import of a 5 MB file in the same run; a flat line means the 500 MB
import peaks within a few MB of it.

``python -m bench.asset_memory [--mb 500]`` prints a Markdown table; the figures are kept in
``bench/results/asset-download-memory.md``.
"""

import argparse
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 1024 * 1024

IMPORT = r"""
import json, resource, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from apps.catalog.models import Asset
from apps.catalog.services.content import asset_create, asset_import_run
from apps.core.models import Job
from apps.schools.services.schools import school_create

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
school, _ = school_create(name="Bench", slug="bench")
asset, job = asset_create(school=school, content_url=sys.argv[1])
asset_import_run(job=Job.objects.get(pk=job.pk))
asset.refresh_from_db()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"state": asset.state, "size": asset.size_bytes, "reason": asset.failure_reason,
                  "before_kb": before, "peak_kb": peak}))
"""


def serve(size: int) -> tuple[http.server.ThreadingHTTPServer, int]:
    """A local server answering GET with ``size`` bytes of video, written in 1 MiB chunks."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            block = b"v" * CHUNK
            left = size
            while left > 0:
                self.wfile.write(block[: min(CHUNK, left)])
                left -= CHUNK

        def log_message(self, format: str, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def measure(size_mb: int) -> dict:
    server, port = serve(size_mb * CHUNK)
    try:
        with tempfile.TemporaryDirectory() as work:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DEBUG": "1",
                "DATABASE_URL": f"sqlite:///{work}/bench.sqlite3",
                "REDIS_URL": "",
                "MEDIA_ROOT": f"{work}/media",
                "CATALOG_IMPORT_ALLOW_HTTP": "1",
                "CATALOG_IMPORT_ALLOW_PRIVATE": "1",
            }
            url = f"http://127.0.0.1:{port}/asset-{size_mb}mb.mp4"
            result = subprocess.run(
                [sys.executable, "-c", IMPORT, url],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=1800,
                check=True,
            )
            return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=500, help="size of the large asset in MiB")
    args = parser.parse_args()
    rows = [("baseline", 5, measure(5)), ("large", args.mb, measure(args.mb))]
    lines = [
        "| import | size | state | peak RSS of the process | growth during the import |",
        "| --- | ---: | --- | ---: | ---: |",
    ]
    for name, mb, found in rows:
        lines.append(
            f"| {name} | {mb} MiB | {found['state']} | {found['peak_kb'] / 1024:.1f} MiB "
            f"| {(found['peak_kb'] - found['before_kb']) / 1024:.1f} MiB |"
        )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
