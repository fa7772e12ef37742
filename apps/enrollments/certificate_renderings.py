"""A certificate as a PDF (reportlab), a PNG (Pillow) and an SVG (a Django template, so
every text is escaped), all from one layout: A4 landscape, the text centred.

The texts are the ones fixed on the certificate when it was issued; the fonts are the
Bitstream Vera faces reportlab ships, so the three renderings look alike on any host.
"""

import io
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import reportlab
from django.template.loader import render_to_string
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from apps.enrollments.models import Certificate

WIDTH, HEIGHT = landscape(A4)  # points: 841.9 x 595.3
PNG_SCALE = 2  # pixels per point
FONTS = Path(reportlab.__file__).parent / "fonts"
BODY_WIDTH = 70  # characters per body line
INK = "#1f2a44"
MUTED = "#5b6478"
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "svg": "image/svg+xml"}


@dataclass(frozen=True)
class Line:
    """One centred line: its text, size in points, weight and baseline from the top."""

    text: str
    size: float
    bold: bool
    y: float
    color: str = INK


def layout(certificate: Certificate) -> list[Line]:
    """The lines of the certificate, top to bottom."""
    lines = [
        Line(certificate.title, 30, True, 130),
        Line("awarded to", 13, False, 180, MUTED),
        Line(certificate.user_name, 26, True, 222),
        Line(certificate.course_title, 17, False, 262),
    ]
    y = 310.0
    for paragraph in certificate.body.splitlines() or [""]:
        for text in textwrap.wrap(paragraph, BODY_WIDTH) or [""]:
            lines.append(Line(text, 12, False, y, MUTED))
            y += 18
            if y > 450:  # the footer's room: a longer body is cut, never drawn over it
                break
    issued = certificate.issued_at.date().isoformat()
    lines.append(Line(f"Issued {issued} · Credential {certificate.credential_id}", 10, False, 500))
    if certificate.signature_name:
        lines.append(Line(certificate.signature_name, 13, True, 540))
    if certificate.revoked_at is not None:
        lines.append(Line("REVOKED", 14, True, 80, "#b42318"))
    return lines


def _font_file(bold: bool) -> Path:
    return FONTS / ("VeraBd.ttf" if bold else "Vera.ttf")


@cache
def _pdf_fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont("LyceumVera", str(_font_file(False))))
    pdfmetrics.registerFont(TTFont("LyceumVeraBd", str(_font_file(True))))
    return "LyceumVera", "LyceumVeraBd"


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page PDF."""
    regular, bold = _pdf_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT), pageCompression=1)
    page.setTitle(certificate.title)
    page.setStrokeColor(INK)
    page.setLineWidth(3)
    page.rect(24, 24, WIDTH - 48, HEIGHT - 48)
    for line in layout(certificate):
        page.setFont(bold if line.bold else regular, line.size)
        page.setFillColor(line.color)
        page.drawCentredString(WIDTH / 2, HEIGHT - line.y, line.text)
    page.showPage()
    page.save()
    return buffer.getvalue()


@cache
def _png_font(size: float, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_font_file(bold)), round(size * PNG_SCALE))


def render_png(certificate: Certificate) -> bytes:
    """The certificate as a PNG image (two pixels per point)."""
    size = (round(WIDTH * PNG_SCALE), round(HEIGHT * PNG_SCALE))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    inset = 24 * PNG_SCALE
    draw.rectangle(
        (inset, inset, size[0] - inset, size[1] - inset), outline=INK, width=3 * PNG_SCALE
    )
    for line in layout(certificate):
        draw.text(
            (size[0] / 2, line.y * PNG_SCALE),
            line.text,
            font=_png_font(line.size, line.bold),
            fill=line.color,
            anchor="ms",  # middle, baseline: centred like the PDF's drawCentredString
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def render_svg(certificate: Certificate) -> bytes:
    """The certificate as an SVG document (texts escaped by the template engine)."""
    return render_to_string(
        "enrollments/certificate.svg",
        {
            "width": WIDTH,
            "height": HEIGHT,
            "frame": (WIDTH - 48, HEIGHT - 48),
            "lines": layout(certificate),
            "ink": INK,
        },
    ).encode()


RENDERERS = {"pdf": render_pdf, "png": render_png, "svg": render_svg}
