"""The public pages of certificates: verification by id, and renderings by signed link."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.core.errors import envelope, request_id_of
from apps.enrollments.certificate_links import LinkRefused, rendering_for_token
from apps.enrollments.certificate_renderings import CONTENT_TYPES, RENDERERS
from apps.enrollments.selectors.certificates import certificate_public


@require_safe
def certificate_verify(request: HttpRequest, certificate_id: str) -> HttpResponse:
    """Whether a certificate is valid or revoked, with its name, course and date only; an
    unknown id is a 404 page."""
    certificate = certificate_public(certificate_id)
    if certificate is None:
        return render(request, "enrollments/verify_missing.html", status=404)
    response = render(request, "enrollments/verify.html", {"certificate": certificate})
    response["Cache-Control"] = "no-cache"  # a revocation shows at once
    return response


@require_safe
def certificate_download(request: HttpRequest, token: str) -> HttpResponse:
    """The rendering a signed link names, while the link is valid and the certificate too."""

    def _refused(status: int, detail: str, code: str) -> JsonResponse:
        body = envelope(detail=detail, code=code, request_id=request_id_of(request))
        return JsonResponse(body, status=status)

    try:
        certificate_id, fmt = rendering_for_token(token)
    except LinkRefused:
        return _refused(403, "This download link is not valid.", "link_invalid")
    certificate = certificate_public(certificate_id)
    if certificate is None:
        return _refused(404, "The certificate is no longer available.", "not_found")
    if certificate.revoked_at is not None:
        return _refused(410, "This certificate was revoked.", "certificate_revoked")
    response = HttpResponse(RENDERERS[fmt](certificate), content_type=CONTENT_TYPES[fmt])
    filename = f"certificate-{certificate.credential_id}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
