"""Where hosted files go: the file system by default, an S3-compatible bucket when
configured, with download links presigned by the store."""

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

PRESIGN = """
import django
django.setup()
from django.core.files.storage import storages
from apps.catalog.signed_files import download_url
print(type(storages["default"]).__name__)
print(download_url(kind="asset", row_id="ast_1", name="catalog/sch_1/ast_1/job_1/intro.mp4"))
"""


def test_storage_bucket_puts_files_in_s3_with_presigned_one_hour_links():
    # given a bucket configured by environment (presigning needs no network)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "STORAGE_BUCKET": "lyceum-files",
        "STORAGE_ENDPOINT_URL": "https://objects.example.com",
        "STORAGE_REGION": "eu-central-1",
        "STORAGE_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "STORAGE_SECRET_ACCESS_KEY": "secret-example",
    }

    # when
    result = subprocess.run(
        [sys.executable, "-c", PRESIGN],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    # then
    backend, url = result.stdout.strip().splitlines()[-2:]
    assert backend == "S3Storage"
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname) == ("https", "objects.example.com")
    assert parts.path.endswith("/lyceum-files/catalog/sch_1/ast_1/job_1/intro.mp4")
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["3600"]
    assert "X-Amz-Signature" in query


def test_without_a_bucket_files_stay_on_the_file_system():
    assert settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
