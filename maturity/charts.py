"""Server-rendered SVG charts. Each chart has a table beside it for screen readers; the SVG
itself is marked as an image with a short text alternative."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | None]  # 0..100 per axis; None = no value
    css_class: str  # maturity-series-own, -target, -median, -previous
    dashed: bool = False


def _point(cx: float, cy: float, radius: float, index: int, count: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


# Axis labels are set in lines of at most this many characters; at 13 px an average character
# is about 7.5 px wide, so the margins beside the chart leave room for every line.
LABEL_CHARS = 20
CHAR_WIDTH = 7.5
LINE_HEIGHT = 15


def label_lines(label: str, width: int = LABEL_CHARS) -> list[str]:
    """Break a label at spaces (and after hyphens) into lines of at most `width` characters;
    a single longer word keeps its own line."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def radar_svg(labels: Sequence[str], series: Sequence[Series], *, title: str) -> SafeString:
    """A radar (spider) chart, 0 to 100 on every axis. Labels wrap and the canvas is wider than
    the circle, so no label is cut off at the edge."""
    count = len(labels)
    width, size, cx, cy, radius = 760, 600, 380.0, 280.0, 170.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {size}" role="img" '
        f'aria-label="{escape(title)}" class="maturity-radar">',
        f"<title>{escape(title)}</title>",
    ]
    if count < 3:
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
    for ring in (25, 50, 75, 100):
        points = " ".join(
            f"{x:.1f},{y:.1f}"
            for x, y in (_point(cx, cy, radius * ring / 100, i, count) for i in range(count))
        )
        parts.append(f'<polygon points="{points}" class="maturity-grid"/>')
        parts.append(
            f'<text x="{cx + 3:.1f}" y="{cy - radius * ring / 100 + 12:.1f}" '
            f'class="maturity-tick">{ring}</text>'
        )
    for i, label in enumerate(labels):
        x, y = _point(cx, cy, radius, i, count)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" class="maturity-grid"/>')
        lx, ly = _point(cx, cy, radius + 22, i, count)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        lines = label_lines(label)
        # Labels above the centre grow upwards, those below downwards, away from the circle.
        first_y = ly + 4 - (LINE_HEIGHT * (len(lines) - 1) if ly < cy - 10 else 0)
        if abs(ly - cy) <= 10:
            first_y = ly + 4 - LINE_HEIGHT * (len(lines) - 1) / 2
        spans = "".join(
            f'<tspan x="{lx:.1f}" y="{first_y + LINE_HEIGHT * n:.1f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="{anchor}" class="maturity-axis">{spans}</text>')
    for item in series:
        values = [float(v) if v is not None else 0.0 for v in item.values]
        points = " ".join(
            f"{x:.1f},{y:.1f}"
            for x, y in (_point(cx, cy, radius * v / 100, i, count) for i, v in enumerate(values))
        )
        dash = ' stroke-dasharray="6 4"' if item.dashed else ""
        parts.append(
            f'<polygon points="{points}" class="{escape(item.css_class)}"{dash}>'
            f"<title>{escape(item.name)}</title></polygon>"
        )
    # Legend
    for n, item in enumerate(series):
        y = size - 20 - 22 * (len(series) - 1 - n)
        dash = ' stroke-dasharray="6 4"' if item.dashed else ""
        parts.append(
            f'<rect x="20" y="{y - 11}" width="22" height="12" class="{escape(item.css_class)}"'
            f"{dash}/>"
        )
        parts.append(f'<text x="50" y="{y}" class="maturity-legend">{escape(item.name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
