"""The page-less endpoints of the catalog: hosted file downloads by signed link (the
catalog's own files and the kinds other apps register in ``signed_files``)."""

import mimetypes
import posixpath

from django.http import FileResponse, HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from apps.catalog.models import Asset, ImportState, WebPackage
from apps.catalog.services.content import catalog_storage
from apps.catalog.signed_files import LinkRefused, file_for_token, registered_file_current
from apps.core.errors import envelope, request_id_of

_FIELDS = {"asset": (Asset, "file"), "web_package": (WebPackage, "archive")}


@require_safe
def download(request: HttpRequest, token: str):
    """Stream the file a signed link names, while the link is valid and the file current."""

    def _refused(status: int, detail: str, code: str) -> JsonResponse:
        body = envelope(detail=detail, code=code, request_id=request_id_of(request))
        return JsonResponse(body, status=status)

    try:
        kind, row_id, name = file_for_token(token)
    except LinkRefused as exc:
        if exc.expired:
            detail = "This download link has expired; read the resource again for a new one."
            return _refused(410, detail, "link_expired")
        return _refused(403, "This download link is not valid.", "link_invalid")
    model, field = _FIELDS.get(kind, (None, None))
    current = (
        model is not None
        and model.objects.filter(id=row_id, state=ImportState.READY, **{field: name}).exists()
    ) or bool(registered_file_current(kind, row_id, name))
    storage = catalog_storage()
    if not current or not storage.exists(name):
        return _refused(404, "The file is no longer available.", "not_found")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        storage.open(name, "rb"),
        as_attachment=True,
        filename=posixpath.basename(name),
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
