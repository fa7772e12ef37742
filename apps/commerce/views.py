"""The public invoice page a signed link opens (no credentials: the token is the key)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework import serializers

from apps.commerce.invoice_links import LinkRefused, payment_for_token
from apps.commerce.invoice_renderings import invoice_of, render_html, render_pdf
from apps.commerce.models import Payment
from apps.commerce.selectors.payments import payment_list
from apps.core.errors import envelope, request_id_of


class InvoiceQuerySerializer(serializers.Serializer):
    """The page's one query parameter: ``format`` (``html`` or ``pdf``)."""

    format = serializers.ChoiceField(choices=["html", "pdf"], required=False)


def invoice_view(request: HttpRequest, token: str, suffix: str = "") -> HttpResponse:
    """The invoice a signed link names, as HTML or (``.pdf`` / ``?format=pdf``) PDF."""

    def refused(status: int, detail: str, code: str) -> JsonResponse:
        body = envelope(detail=detail, code=code, request_id=request_id_of(request))
        return JsonResponse(body, status=status)

    try:
        payment_id = payment_for_token(token)
    except LinkRefused as exc:
        if exc.expired:
            return refused(410, "This invoice link has expired; ask for a new one.", "link_expired")
        return refused(403, "This invoice link is not valid.", "link_invalid")
    payment = (
        payment_list(queryset=Payment.objects.filter(pk=payment_id))
        .select_related("school")
        .filter(invoice_number__isnull=False)
        .first()
    )
    if payment is None:
        return refused(404, "The invoice is no longer available.", "not_found")
    invoice = invoice_of(payment)
    query = InvoiceQuerySerializer(data=request.GET)
    if not query.is_valid():
        return refused(400, "format: html or pdf.", "invalid")
    fmt = query.validated_data.get("format") or ("pdf" if suffix == ".pdf" else "html")
    if fmt == "pdf":
        response = HttpResponse(render_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="invoice-{invoice.number}.pdf"'
    else:
        response = HttpResponse(render_html(invoice), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
