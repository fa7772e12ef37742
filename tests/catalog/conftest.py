import pytest


@pytest.fixture(autouse=True)
def _hosted_files(settings, tmp_path):
    """Hosted files go to a fresh directory; imports may fetch from the test's own
    loopback server (http, 127.0.0.1), as the SSRF rules allow only in tests."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CATALOG_IMPORT_ALLOW_HTTP = True
    settings.CATALOG_IMPORT_ALLOW_PRIVATE = True
