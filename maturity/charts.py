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


def radar_svg(labels: Sequence[str], series: Sequence[Series], *, title: str) -> SafeString:
    """A radar (spider) chart, 0 to 100 on every axis."""
    count = len(labels)
    size, cx, cy, radius = 560, 280.0, 270.0, 170.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" '
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
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" '
            f'class="maturity-axis">{escape(label)}</text>'
        )
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
