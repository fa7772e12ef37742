"""Writes of assets and web packages: created at once, imported by a job.

Creating one from a ``content_url`` records it as PROCESSING with a Job; the task downloads
the file (``apps.catalog.downloads``) and, for a package, checks and unpacks it
(``apps.catalog.package_inspection``), then marks it READY or FAILED with the reason. A
redelivered task finds the row already finished and does nothing; a retry (the admin's
action) starts a new job. Hosted files are stored under ``catalog/<school>/<id>/<job>/``, so
two attempts never share a name.
"""

import mimetypes
import posixpath
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import get_valid_filename

from apps.catalog import package_inspection
from apps.catalog.codes import CatalogErrorCode
from apps.catalog.downloads import (
    DownloadFailed,
    check_source_url,
    download_to_storage,
    download_to_temporary_file,
)
from apps.catalog.models import Asset, ImportState, Lesson, WebPackage
from apps.catalog.services.lessons import lesson_payload
from apps.core.credentials import Credential
from apps.core.errors import Conflict, InvalidInput
from apps.core.events import emit, emit_many
from apps.core.models import Job
from apps.core.services import job_create, job_fail, job_start, job_succeed
from apps.schools.models import School

ASSET_IMPORT_KIND = "catalog.asset_import"
PACKAGE_IMPORT_KIND = "catalog.web_package_import"

# What an asset may be, by declared content type family; anything else (an HTML error or
# login page, above all) fails the import rather than hosting the wrong file.
_ASSET_TYPES = {
    "video/": "Video",
    "audio/": "Audio",
    "image/": "Image",
    "application/pdf": "PDF",
    "text/plain": "Document",
    "text/csv": "Document",
    "application/msword": "Document",
    "application/vnd.openxmlformats-officedocument.": "Document",
    "application/vnd.ms-": "Document",
    "application/vnd.oasis.opendocument.": "Document",
    "application/zip": "Archive",
}
_UNTYPED = {"", "application/octet-stream", "binary/octet-stream"}


def catalog_storage():
    """Where hosted catalog files go (``STORAGES["default"]``)."""
    return storages["default"]


def _source(url: str) -> str:
    try:
        return check_source_url(url)
    except DownloadFailed as exc:
        raise InvalidInput(
            exc.reason, code=CatalogErrorCode.CONTENT_URL_REFUSED, field="content_url"
        ) from None


def _file_name(url: str, fallback: str) -> str:
    name = posixpath.basename(urlsplit(url).path)
    return get_valid_filename(name)[:100] if name and get_valid_filename(name) else fallback


def asset_content_type(content_type: str, url: str) -> str:
    """The content type to record: the declared one, or guessed from the URL's file name
    when the server did not say (``application/octet-stream``)."""
    if content_type in _UNTYPED:
        return mimetypes.guess_type(urlsplit(url).path)[0] or content_type
    return content_type


def asset_type_for(content_type: str, url: str) -> str:
    """The asset's type label (Video, Audio, Image, PDF, Document, Archive) for a content
    type; DownloadFailed for a type Lyceum does not host."""
    content_type = asset_content_type(content_type, url)
    for prefix, label in _ASSET_TYPES.items():
        if content_type.startswith(prefix):
            return label
    raise DownloadFailed(
        f"The file's content type is {content_type or 'not given'}: not a video, audio, "
        "image or document Lyceum can host."
    )


def _accepted_asset_type(content_type: str, url: str) -> str:
    """Refuse the download before its body is read when the type is not hostable."""
    asset_type_for(content_type, url)
    return asset_content_type(content_type, url)


# --- assets ----------------------------------------------------------------------------------


def _queue(job: Job, task_name: str) -> None:
    from apps.catalog import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(job.id))


def _start_asset_import(asset: Asset, credential: Credential | None) -> Job:
    job = job_create(
        school=asset.school,
        kind=ASSET_IMPORT_KIND,
        scope="read:courses",
        credential=credential,
        params={"asset_id": asset.id},
    )
    _queue(job, "asset_import_task")
    return job


@transaction.atomic
def asset_create(
    *,
    school: School,
    content_url: str | None = None,
    name: str | None = None,
    embed_link_url: str = "",
    aspect_ratio: str = Asset.AspectRatio.WIDE,
    sync_completion: bool = False,
    credential: Credential | None = None,
) -> tuple[Asset, Job | None]:
    """An asset hosted from ``content_url`` (PROCESSING, with the import job) or an embed
    of ``embed_link_url`` (READY at once); at least one of the two is needed."""
    if not content_url and not embed_link_url:
        raise InvalidInput(
            "Give content_url (a file to host) or asset.embed_link_url (a link to embed).",
            code=CatalogErrorCode.ASSET_SOURCE_REQUIRED,
            field="content_url",
        )
    if content_url:
        _source(content_url)
    label = name or _file_name(content_url or embed_link_url, "Asset")
    asset = Asset.objects.create(
        school=school,
        name=label[:255],
        embed_link_url=embed_link_url or "",
        aspect_ratio=aspect_ratio,
        sync_completion=sync_completion,
        content_url=content_url or "",
        type="" if content_url else "Embed",
        state=ImportState.PROCESSING if content_url else ImportState.READY,
    )
    job = _start_asset_import(asset, credential) if content_url else None
    return asset, job


def asset_import_run(*, job: Job) -> Job:
    """Download the asset's file into storage; READY with its type and size, or FAILED
    with the reason. Safe to run twice."""
    asset = Asset.objects.filter(id=job.params["asset_id"], school_id=job.school_id).first()
    if asset is None or asset.state != ImportState.PROCESSING:
        return job_succeed(job=job, result={"asset_id": job.params["asset_id"], "skipped": True})
    job_start(job=job)
    name = f"catalog/{asset.school_id}/{asset.id}/{job.id}/{_file_name(asset.content_url, 'file')}"
    try:
        found = download_to_storage(
            asset.content_url,
            storage=catalog_storage(),
            name=name,
            max_bytes=settings.LYCEUM_ASSET_MAX_BYTES,
            accept=_accepted_asset_type,
        )
    except DownloadFailed as exc:
        Asset.objects.filter(pk=asset.pk).update(
            state=ImportState.FAILED, failure_reason=exc.reason
        )
        return job_fail(job=job, error=exc.reason)
    Asset.objects.filter(pk=asset.pk, state=ImportState.PROCESSING).update(
        state=ImportState.READY,
        failure_reason="",
        file=found.name,
        content_type=found.content_type,
        size_bytes=found.size,
        type=asset_type_for(found.content_type, asset.content_url),
    )
    return job_succeed(job=job, result={"asset_id": asset.id, "size_bytes": found.size})


@transaction.atomic
def asset_import_retry(*, asset: Asset, credential: Credential | None = None) -> Job:
    """Import a FAILED asset again from its ``content_url``."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if asset.state != ImportState.FAILED or not asset.content_url:
        raise InvalidInput("Only a failed import from a content_url can be retried.")
    asset.state, asset.failure_reason = ImportState.PROCESSING, ""
    asset.save(update_fields=["state", "failure_reason", "updated_at"])
    return _start_asset_import(asset, credential)


# --- web packages ----------------------------------------------------------------------------


def web_package_payload(package: WebPackage) -> dict[str, Any]:
    """The event data of a web package."""
    return {
        "id": package.id,
        "title": package.title,
        "type": package.type or None,
        "version": package.version or None,
        "state": package.state,
        "failure_reason": package.failure_reason or None,
    }


def _start_package_import(package: WebPackage, credential: Credential | None) -> Job:
    job = job_create(
        school=package.school,
        kind=PACKAGE_IMPORT_KIND,
        scope="read:courses",
        credential=credential,
        params={"web_package_id": package.id},
    )
    _queue(job, "web_package_import_task")
    return job


@transaction.atomic
def web_package_create(
    *,
    school: School,
    content_url: str,
    title: str,
    redirect_on_completion: bool = True,
    sync_completion: bool = False,
    credential: Credential | None = None,
) -> tuple[WebPackage, Job]:
    """A package to import from ``content_url``: PROCESSING, with its import job."""
    package = WebPackage.objects.create(
        school=school,
        title=title,
        content_url=_source(content_url),
        redirect_on_completion=redirect_on_completion,
        sync_completion=sync_completion,
    )
    return package, _start_package_import(package, credential)


def _package_failed(package: WebPackage, job: Job, reason: str) -> Job:
    with transaction.atomic():
        WebPackage.objects.filter(pk=package.pk).update(
            state=ImportState.FAILED, failure_reason=reason
        )
        package.refresh_from_db()
        emit(package.school, "web_package.failed", web_package_payload(package))
    return job_fail(job=job, error=reason)


def web_package_import_run(*, job: Job) -> Job:
    """Download, check and unpack the package; READY with its standard, title and launch
    file, or FAILED with the reason. Safe to run twice."""
    package = (
        WebPackage.objects.select_related("school")
        .filter(id=job.params["web_package_id"], school_id=job.school_id)
        .first()
    )
    if package is None or package.state != ImportState.PROCESSING:
        return job_succeed(job=job, result={"web_package_id": job.params["web_package_id"]})
    job_start(job=job)
    storage = catalog_storage()
    prefix = f"catalog/{package.school_id}/{package.id}/{job.id}"
    try:
        with download_to_temporary_file(
            package.content_url, max_bytes=settings.LYCEUM_PACKAGE_MAX_DOWNLOAD_BYTES
        ) as (path, _content_type):
            info = package_inspection.inspect_package(path)
            package_inspection.extract_package(path, info, storage=storage, prefix=prefix)
            with open(path, "rb") as archive:
                archive_name = storage.save(f"{prefix}.zip", archive)
    except (DownloadFailed, package_inspection.PackageRejected) as exc:
        return _package_failed(package, job, exc.reason)
    with transaction.atomic():
        WebPackage.objects.filter(pk=package.pk).update(
            state=ImportState.READY,
            failure_reason="",
            type=info.type,
            version=info.version,
            title=info.title or package.title,
            launch_path=info.launch,
            storage_prefix=prefix,
            archive=archive_name,
        )
        package.refresh_from_db()
        emit(package.school, "web_package.processed", web_package_payload(package))
    return job_succeed(job=job, result={"web_package_id": package.id, "files": info.member_count})


@transaction.atomic
def web_package_import_retry(
    *, web_package: WebPackage, credential: Credential | None = None
) -> Job:
    """Import a FAILED package again from its ``content_url``."""
    package = WebPackage.objects.select_for_update().get(pk=web_package.pk)
    if package.state != ImportState.FAILED:
        raise InvalidInput("Only a failed import can be retried.")
    package.state, package.failure_reason = ImportState.PROCESSING, ""
    package.save(update_fields=["state", "failure_reason", "updated_at"])
    return _start_package_import(package, credential)


@transaction.atomic
def web_package_lessons_replace(*, web_package: WebPackage, replacement: WebPackage) -> int:
    """Point every lesson that uses ``web_package`` at ``replacement`` (content items never
    hold packages); ``lesson.updated`` for each. Returns how many lessons changed."""
    lessons = list(
        Lesson.objects.select_for_update().filter(
            school=web_package.school_id, content_web_package=web_package
        )
    )
    if not lessons or replacement.pk == web_package.pk:
        return 0
    Lesson.objects.filter(pk__in=[lesson.pk for lesson in lessons]).update(
        content_web_package=replacement
    )
    emit_many(
        web_package.school,
        "lesson.updated",
        [lesson_payload(lesson) for lesson in lessons],
    )
    return len(lessons)


def import_failed(*, job: Job, reason: str) -> None:
    """Mark the asset or package of an import job FAILED with ``reason`` (the job's task
    stopped on an error the import does not know)."""
    if "asset_id" in job.params:
        Asset.objects.filter(id=job.params["asset_id"], state=ImportState.PROCESSING).update(
            state=ImportState.FAILED, failure_reason=reason
        )
    package = WebPackage.objects.filter(
        id=job.params.get("web_package_id"), state=ImportState.PROCESSING
    ).first()
    if package is not None:
        _package_failed(package, job, reason)


ASSET_FIELDS = ("name", "embed_link_url", "aspect_ratio", "sync_completion")
WEB_PACKAGE_FIELDS = ("title", "redirect_on_completion", "sync_completion")


@transaction.atomic
def asset_update(*, asset: Asset, **fields: Any) -> Asset:
    """Change an asset's name, embed link, aspect ratio or completion sync."""
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    changed = [
        name for name in ASSET_FIELDS if name in fields and getattr(asset, name) != fields[name]
    ]
    for name in changed:
        setattr(asset, name, fields[name])
    if not asset.content_url and not asset.embed_link_url:
        raise InvalidInput(
            "An asset without a hosted file needs embed_link_url.",
            code=CatalogErrorCode.ASSET_SOURCE_REQUIRED,
            field="embed_link_url",
        )
    if changed:
        asset.save(update_fields=[*changed, "updated_at"])
    return asset


@transaction.atomic
def web_package_update(*, web_package: WebPackage, **fields: Any) -> WebPackage:
    """Change a package's title or completion settings."""
    package = WebPackage.objects.select_for_update().get(pk=web_package.pk)
    changed = [
        name
        for name in WEB_PACKAGE_FIELDS
        if name in fields and getattr(package, name) != fields[name]
    ]
    for name in changed:
        setattr(package, name, fields[name])
    if changed:
        package.save(update_fields=[*changed, "updated_at"])
    return package


@transaction.atomic
def asset_delete(*, asset: Asset) -> None:
    """Delete an asset and its hosted file; 409 while a lesson or content item shows it."""
    name = asset.file
    try:
        Asset.objects.filter(pk=asset.pk).delete()
    except ProtectedError:
        raise Conflict(
            "Lessons or content items still show this asset; point them elsewhere first.",
            code=CatalogErrorCode.IN_USE,
        ) from None
    if name:
        transaction.on_commit(lambda: catalog_storage().delete(name))
