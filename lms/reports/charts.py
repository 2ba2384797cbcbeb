"""Small charts drawn on the server as SVG: no JavaScript library, readable without colour.

Every chart has a <title> and text labels with the numbers, so a screen reader (and a
printout in black and white) tells the same story as the colours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Wagtail's admin palette names, so the charts follow light and dark themes.
COLOURS = {
    "completed": "#1d7a45",
    "on_track": "#2e6fb7",
    "due_soon": "#c27c0e",
    "overdue": "#b32e2e",
    "track": "var(--w-color-border-furniture, #e0e0e0)",
    "text": "currentColor",
}


def _svg(width: int, height: int, title: str, body: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every piece of text below goes through escape()
        f'<svg class="report-chart" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet" font-family="inherit">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def stacked_bar(segments: Sequence[tuple[str, str, int]], *, title: str) -> SafeString:
    """One bar split into (key, label, count) parts, with a legend below it."""
    width, bar_height = 600, 28
    total = sum(count for _key, _label, count in segments)
    parts = []
    x = 0.0
    for key, label, count in segments:
        if not count:
            continue
        w = width * count / total
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_height}" '
            f'fill="{COLOURS.get(key, "#888")}"><title>{escape(label)}: {count}</title></rect>'
        )
        x += w
    if not total:
        parts.append(
            f'<rect x="0" y="0" width="{width}" height="{bar_height}" fill="{COLOURS["track"]}"/>'
        )
    legend = []
    lx = 0
    for key, label, count in segments:
        text = f"{label} {count}"
        legend.append(
            f'<rect x="{lx}" y="{bar_height + 12}" width="12" height="12" fill="{COLOURS.get(key, "#888")}"/>'
            f'<text x="{lx + 18}" y="{bar_height + 23}" font-size="14" fill="{COLOURS["text"]}">'
            f"{escape(text)}</text>"
        )
        lx += 30 + 15 * len(text)
    return _svg(width, bar_height + 32, title, "".join(parts + legend))


def horizontal_bars(
    rows: Sequence[tuple[str, int, int]], *, title: str, value_label: str = "%(done)d / %(total)d"
) -> SafeString:
    """(label, done, total) rows as bars of done out of total, e.g. the stage funnel."""
    label_width, bar_width, row_height = 170, 330, 30
    width = label_width + bar_width + 100
    body = []
    for index, (label, done, total) in enumerate(rows):
        y = index * row_height
        share = done / total if total else 0
        shown = label if len(label) <= 12 else label[:11] + "…"
        body.append(
            f'<text x="{label_width - 8}" y="{y + 19}" font-size="14" text-anchor="end" '
            f'fill="{COLOURS["text"]}">{escape(shown)}<title>{escape(label)}</title></text>'
            f'<rect x="{label_width}" y="{y + 5}" width="{bar_width}" height="20" rx="3" '
            f'fill="{COLOURS["track"]}"/>'
            f'<rect x="{label_width}" y="{y + 5}" width="{bar_width * share:.1f}" height="20" '
            f'rx="3" fill="{COLOURS["completed"]}"/>'
            f'<text x="{label_width + bar_width + 8}" y="{y + 19}" font-size="14" '
            f'fill="{COLOURS["text"]}">{escape(value_label % {"done": done, "total": total})}'
            f"</text>"
        )
    return _svg(width, max(row_height * len(rows), row_height), title, "".join(body))


def cumulative_line(series: Sequence[tuple[dt.date, int]], *, total: int, title: str) -> SafeString:
    """Share of all items done over time, as a stepped line from 0 % to today's value."""
    width, height = 600, 220
    left, right, top, bottom = 44, 16, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    if not series or not total:
        return _svg(
            width,
            40,
            title,
            f'<text x="0" y="24" font-size="14" fill="{COLOURS["text"]}">{escape(_("Nothing completed yet."))}</text>',
        )
    first, last = series[0][0], series[-1][0]
    span = max((last - first).days, 1)

    def point(day: dt.date, value: int) -> tuple[float, float]:
        x = left + plot_w * (day - first).days / span
        y = top + plot_h * (1 - value / total)
        return x, y

    body = []
    for percent in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - percent / 100)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{COLOURS["track"]}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{COLOURS["text"]}">{percent}%</text>'
        )
    points = [point(first, 0)]
    previous = 0
    for day, value in series:
        x, _y = point(day, previous)
        points.append((x, point(day, previous)[1]))
        points.append(point(day, value))
        previous = value
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    body.append(
        f'<polyline points="{path}" fill="none" stroke="{COLOURS["on_track"]}" stroke-width="2.5"/>'
    )
    x_last, y_last = points[-1]
    final = round(100 * previous / total)
    body.append(
        f'<circle cx="{x_last:.1f}" cy="{y_last:.1f}" r="4" fill="{COLOURS["on_track"]}"/>'
        f'<text x="{min(x_last, width - right - 40):.1f}" y="{max(y_last - 8, 12):.1f}" '
        f'font-size="13" fill="{COLOURS["text"]}">{final}%</text>'
        f'<text x="{left}" y="{height - 8}" font-size="12" fill="{COLOURS["text"]}">'
        f"{first.isoformat()}</text>"
        f'<text x="{width - right}" y="{height - 8}" font-size="12" text-anchor="end" '
        f'fill="{COLOURS["text"]}">{last.isoformat()}</text>'
    )
    return _svg(width, height, title, "".join(body))
