"""Server-made SVG charts for the trainer's brief: no chart library, prints sharply."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lms.surveys.brief import TopicDemand

WIDTH = 720
LABEL_WIDTH = 250
BAR_HEIGHT = 22
GAP = 12
VALUE_WIDTH = 210


def _short(label: str, limit: int = 16) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def demand_chart_svg(demand: Sequence[TopicDemand]) -> SafeString:
    """Horizontal bars of rank-weighted points, with count and percent of respondents."""
    if not demand:
        return SafeString("")
    top = max((row.points for row in demand), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(demand) * (BAR_HEIGHT + GAP) + GAP
    rows = []
    for number, row in enumerate(demand):
        y = GAP + number * (BAR_HEIGHT + GAP)
        width = max(round(span * row.points / top), 2 if row.points else 0)
        rows.append(
            (
                LABEL_WIDTH - 8,
                y + BAR_HEIGHT * 0.7,
                row.label,
                _short(row.label),
                LABEL_WIDTH,
                y,
                width,
                BAR_HEIGHT,
                LABEL_WIDTH + width + 8,
                y + BAR_HEIGHT * 0.7,
                _("%(points)d pts · %(count)d · %(percent)s%%")
                % {"points": row.points, "count": row.count, "percent": row.percent},
            )
        )
    bars = format_html_join(
        "",
        '<g><text x="{}" y="{}" text-anchor="end" class="label"><title>{}</title>{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="3" class="bar"></rect>'
        '<text x="{}" y="{}" class="value">{}</text></g>',
        rows,
    )
    return format_html(
        '<svg class="demand-chart" role="img" viewBox="0 0 {} {}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg" aria-label="{}">'
        "<style>.label,.value{{font:14px system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;fill:#1c2430}}"
        ".value{{fill:#5b6675}}.bar{{fill:#0b6bcb}}</style>{}</svg>",
        WIDTH,
        height,
        _("Topic demand, weighted by rank"),
        bars,
    )
