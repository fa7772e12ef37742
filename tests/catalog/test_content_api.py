"""Assets and web packages: created at once, imported by a job from a URL, downloadable by
signed link; every hostile source or package ends FAILED with its reason, never a 500."""

import io
import zipfile
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from apps.catalog.models import Asset, ImportState, Lesson, WebPackage
from apps.catalog.signed_files import SALT
from apps.core.models import Event, Job
from tests.catalog.test_package_inspection import SCORM_12_MANIFEST, TINCAN
from tests.factories import LessonFactory, WebPackageFactory
from tests.webhooks.receiver import Receiver, Reply, always

pytestmark = pytest.mark.django_db

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"v" * 5000


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _fetch(url: str):
    """GET a signed link as anyone would: no credentials."""
    parts = urlsplit(url)
    return Client().get(parts.path + (f"?{parts.query}" if parts.query else ""))


def _create(api_client, path: str, body: dict, capture):
    with capture(execute=True):
        return api_client.post(path, body, format="json")


def test_embed_asset_is_ready_at_once(api_client):
    response = api_client.post(
        "/api/v1/assets",
        {"asset": {"name": "Intro", "embed_link_url": "https://video.example.com/embed/1"}},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("ast_")
    assert (body["name"], body["aspect_ratio"], body["sync_completion"]) == ("Intro", "16:9", False)
    assert (body["state"], body["download_url"]) == ("READY", None)


def test_asset_needs_a_content_url_or_an_embed_link(api_client):
    response = api_client.post("/api/v1/assets", {"asset": {"name": "x"}}, format="json")

    assert response.status_code == 400
    assert "content_url" in response.json()["errors"]
    assert not Asset.objects.exists()


def test_asset_from_content_url_is_downloaded_and_signed_for_an_hour(
    api_client, school, eager, django_capture_on_commit_callbacks, settings
):
    # given
    reply = Reply(headers={"Content-Type": "video/mp4"}, body=VIDEO)
    with Receiver(lambda n, b, h: reply) as receiver:
        # when
        created = _create(
            api_client,
            "/api/v1/assets",
            {"content_url": receiver.url("/media/intro.mp4"), "asset": {"sync_completion": True}},
            django_capture_on_commit_callbacks,
        )

    # then the answer came before the download, with the job to follow
    assert created.status_code == 202, created.content
    assert created.json()["state"] == "PROCESSING"
    assert created.json()["name"] == "intro.mp4"
    assert "/api/v1/jobs/job_" in created["Location"]
    asset = api_client.get(f"/api/v1/assets/{created.json()['id']}").json()
    assert (asset["state"], asset["type"], asset["failure_reason"]) == ("READY", "Video", None)
    download = _fetch(asset["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == VIDEO
    assert Job.objects.get(school=school).status == Job.Status.SUCCEEDED


def test_download_link_is_refused_once_expired_or_altered(
    api_client, eager, django_capture_on_commit_callbacks, settings
):
    # given a hosted asset and its link
    reply = Reply(headers={"Content-Type": "application/pdf"}, body=b"%PDF-1.7 x")
    with Receiver(lambda n, b, h: reply) as receiver:
        created = _create(
            api_client,
            "/api/v1/assets",
            {"content_url": receiver.url("/a.pdf")},
            django_capture_on_commit_callbacks,
        )
    url = api_client.get(f"/api/v1/assets/{created.json()['id']}").json()["download_url"]
    token = urlsplit(url).path.rsplit("/", 1)[1]

    # when the hour has passed
    settings.CATALOG_DOWNLOAD_URL_SECONDS = -1
    expired = _fetch(url)
    settings.CATALOG_DOWNLOAD_URL_SECONDS = 3600
    forged = _fetch(url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB")))
    other_file = signing.TimestampSigner(salt="another.use").sign_object(
        {"k": "asset", "i": created.json()["id"], "n": "catalog/../../etc/passwd"}
    )
    forged_elsewhere = _fetch(url.replace(token, other_file))

    # then
    assert expired.status_code == 410
    assert expired.json()["code"] == "link_expired"
    assert forged.status_code == 403
    assert forged_elsewhere.status_code == 403
    assert _fetch(url).status_code == 200


def test_a_signed_link_to_a_file_the_row_no_longer_holds_is_404(
    api_client, school, eager, django_capture_on_commit_callbacks
):
    # a link signed for a name the asset does not point at (a replaced file) serves nothing
    asset = Asset.objects.create(school=school, name="x", state=ImportState.READY, file="a.pdf")
    token = signing.TimestampSigner(salt=SALT).sign_object(
        {"k": "asset", "i": asset.id, "n": "catalog/other.pdf"}, compress=True
    )

    assert Client().get(f"/files/{token}").status_code == 404


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(status=404, body=b"nope"), "answered 404"),
        (Reply(headers={"Content-Type": "text/html"}, body=b"<html>login</html>"), "text/html"),
        (Reply(status=302, headers={"Location": "http://169.254.169.254/x.mp4"}), "169.254"),
    ],
)
def test_asset_import_failures_are_recorded_with_their_reason(
    api_client, eager, django_capture_on_commit_callbacks, reply, reason
):
    with Receiver(lambda n, b, h: reply) as receiver:
        created = _create(
            api_client,
            "/api/v1/assets",
            {"content_url": receiver.url("/v.mp4")},
            django_capture_on_commit_callbacks,
        )

    asset = api_client.get(f"/api/v1/assets/{created.json()['id']}").json()
    assert asset["state"] == "FAILED"
    assert reason in asset["failure_reason"] or reason == "169.254"
    assert asset["download_url"] is None


def test_asset_larger_than_the_limit_fails_and_leaves_no_file(
    api_client, eager, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.LYCEUM_ASSET_MAX_BYTES = 1000
    reply = Reply(headers={"Content-Type": "video/mp4"}, body=VIDEO)
    with Receiver(lambda n, b, h: reply) as receiver:
        created = _create(
            api_client,
            "/api/v1/assets",
            {"content_url": receiver.url("/v.mp4")},
            django_capture_on_commit_callbacks,
        )

    assert Asset.objects.get(pk=created.json()["id"]).state == ImportState.FAILED
    media = tmp_path / "media"
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "url",
    ["ftp://files.example.com/v.mp4", "file:///etc/passwd", "https://user:pw@x.example/v.mp4"],
)
def test_content_url_with_a_forbidden_scheme_or_credentials_is_400(api_client, url):
    response = api_client.post("/api/v1/assets", {"content_url": url}, format="json")

    assert response.status_code == 400
    assert "content_url" in response.json()["errors"]
    assert not Asset.objects.exists()


def test_content_url_on_a_private_address_fails_the_import(
    api_client, eager, django_capture_on_commit_callbacks, settings
):
    settings.CATALOG_IMPORT_ALLOW_PRIVATE = False

    created = _create(
        api_client,
        "/api/v1/assets",
        {"content_url": "http://127.0.0.1:9/v.mp4"},
        django_capture_on_commit_callbacks,
    )

    asset = Asset.objects.get(pk=created.json()["id"])
    assert asset.state == ImportState.FAILED
    assert "127.0.0.1" in asset.failure_reason or "not allowed" in asset.failure_reason.lower()


# --- web packages ----------------------------------------------------------------------------


def test_web_package_is_imported_with_its_standard_title_and_launch_file(
    api_client, school, eager, django_capture_on_commit_callbacks
):
    # given
    package = _zip({"imsmanifest.xml": SCORM_12_MANIFEST, "shared/launch.html": "<html>"})
    with Receiver(always(200, body=package, headers={"Content-Type": "application/zip"})) as r:
        # when
        created = _create(
            api_client,
            "/api/v1/web-packages",
            {
                "content_url": r.url("/example_scorm.zip"),
                "web_package": {"title": "Volume 23", "sync_on_completion": True},
            },
            django_capture_on_commit_callbacks,
        )

    # then the creation answer is the seed's: processing, no type, no download_url
    assert created.status_code == 202, created.content
    body = created.json()
    assert body["state"] == "PROCESSING"
    assert "type" not in body
    assert "download_url" not in body
    assert (body["title"], body["sync_completion"], body["redirect_on_completion"]) == (
        "Volume 23",
        True,
        True,
    )
    read = api_client.get(f"/api/v1/web-packages/{body['id']}").json()
    assert (read["state"], read["type"], read["version"]) == ("READY", "SCORM", "1.2")
    assert (read["title"], read["launch_path"]) == ("Fire Safety Basics", "shared/launch.html")
    assert _fetch(read["download_url"]).status_code == 200
    processed = Event.objects.get(school=school, type="web_package.processed")
    assert processed.payload["state"] == "READY"


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"../evil.html": "x", "tincan.xml": TINCAN}, "climbs out"),
        ({"index.html": "<html>"}, "no imsmanifest.xml"),
    ],
)
def test_a_hostile_or_unknown_package_fails_with_its_reason(
    api_client, school, eager, django_capture_on_commit_callbacks, files, reason, tmp_path
):
    with Receiver(always(200, body=_zip(files))) as r:
        created = _create(
            api_client,
            "/api/v1/web-packages",
            {"content_url": r.url("/p.zip"), "web_package": {"title": "P"}},
            django_capture_on_commit_callbacks,
        )

    read = api_client.get(f"/api/v1/web-packages/{created.json()['id']}").json()
    assert read["state"] == "FAILED"
    assert reason in read["failure_reason"]
    assert read["download_url"] is None
    assert Event.objects.filter(school=school, type="web_package.failed").count() == 1
    media = tmp_path / "media"
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_a_file_that_is_not_a_zip_fails_the_package(
    api_client, eager, django_capture_on_commit_callbacks
):
    with Receiver(always(200, body=b"<html>not found</html>")) as r:
        created = _create(
            api_client,
            "/api/v1/web-packages",
            {"content_url": r.url("/p.zip"), "web_package": {"title": "P"}},
            django_capture_on_commit_callbacks,
        )

    package = WebPackage.objects.get(pk=created.json()["id"])
    assert (package.state, package.failure_reason) == (
        ImportState.FAILED,
        "the file is not a zip archive",
    )


def test_web_package_needs_a_title(api_client):
    response = api_client.post(
        "/api/v1/web-packages",
        {"content_url": "https://x.example/p.zip", "web_package": {}},
        format="json",
    )

    assert response.status_code == 400
    assert "web_package.title" in response.json()["errors"]


def test_replacing_a_package_updates_every_lesson_that_used_it(api_client, school):
    # given
    old, new = WebPackageFactory(school=school), WebPackageFactory(school=school)
    using = [
        LessonFactory(school=school, type="WEB_PACKAGE", content_web_package=old) for _ in range(2)
    ]
    other = LessonFactory(school=school, type="WEB_PACKAGE", content_web_package=new)

    # when
    response = api_client.post(
        f"/api/v1/web-packages/{old.id}/lessons", {"web_package_id": new.id}, format="json"
    )

    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"web_package_id": new.id, "updated_lessons": 2}
    assert set(Lesson.objects.filter(content_web_package=new).values_list("id", flat=True)) == {
        *(lesson.id for lesson in using),
        other.id,
    }
    assert Event.objects.filter(school=school, type="lesson.updated").count() == 2


def test_replacing_with_another_schools_package_does_not_exist(api_client, school, other_school):
    old = WebPackageFactory(school=school)
    LessonFactory(school=school, type="WEB_PACKAGE", content_web_package=old)

    response = api_client.post(
        f"/api/v1/web-packages/{old.id}/lessons",
        {"web_package_id": WebPackageFactory(school=other_school).id},
        format="json",
    )

    assert response.status_code == 400
    assert "web_package_id" in response.json()["errors"]
    assert Lesson.objects.get().content_web_package_id == old.id
