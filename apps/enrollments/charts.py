"""Small SVG charts drawn on the server for the admin (no script, no CDN): bars from
``(label, value)`` pairs. Text is escaped by ``format_html``; numbers are formatted here."""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR = "#417690"  # the admin's own blue
TEXT = "#333"


def column_chart(points: Sequence[tuple[str, int]], *, title: str, height: int = 140) -> SafeString:
    """Vertical bars, one per point, labelled below and valued above."""
    width, gap, top, bottom = 36, 8, 18, 30
    top_value = max((value for _, value in points), default=0) or 1
    plot = height - top - bottom
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>'
        '<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="{}">{}</text>'
        '<text x="{}" y="{}" font-size="9" text-anchor="middle" fill="{}">{}</text>',
        (
            (
                i * (width + gap),
                top + plot - round(plot * value / top_value),
                width,
                round(plot * value / top_value),
                BAR,
                label,
                value,
                i * (width + gap) + width // 2,
                top + plot - round(plot * value / top_value) - 4,
                TEXT,
                value,
                i * (width + gap) + width // 2,
                height - bottom + 14,
                TEXT,
                label,
            )
            for i, (label, value) in enumerate(points)
        ),
    )
    total = max(len(points) * (width + gap), 1)
    return format_html(
        '<svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        title,
        total,
        height,
        total,
        height,
        title,
        bars,
    )


def bar_chart(points: Sequence[tuple[str, int]], *, title: str, of: int) -> SafeString:
    """Horizontal bars, one per point, as a share of ``of`` (a funnel), labelled left."""
    row, label_width, bar_width = 18, 220, 300
    whole = of or 1
    bars = format_html_join(
        "",
        '<text x="0" y="{}" font-size="11" fill="{}">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="12" fill="{}"><title>{}: {}</title></rect>'
        '<text x="{}" y="{}" font-size="10" fill="{}">{}</text>',
        (
            (
                i * row + 12,
                TEXT,
                label[:40],
                label_width,
                i * row + 2,
                round(bar_width * value / whole),
                BAR,
                label,
                value,
                label_width + round(bar_width * value / whole) + 4,
                i * row + 12,
                TEXT,
                value,
            )
            for i, (label, value) in enumerate(points)
        ),
    )
    height = max(len(points) * row, row)
    width = label_width + bar_width + 60
    return format_html(
        '<svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        title,
        width,
        height,
        width,
        height,
        title,
        bars,
    )
