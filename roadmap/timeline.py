"""The quarterly timeline as plain geometry: the template draws it as SVG (page and PDF).

Pure functions, no database: measures in, quarters and bars out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from roadmap.models import quarter_key

LABEL_WIDTH = 250
QUARTER_WIDTH = 52
ROW_HEIGHT = 26
HEADER_HEIGHT = 46
BAR_HEIGHT = 16
LABEL_CHARS = 36


class MeasureLike(Protocol):
    pk: Any
    title: str
    start_quarter: str
    end_quarter: str
    status: str

    def get_status_display(self) -> str: ...


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"

    def next(self) -> Quarter:
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    @classmethod
    def parse(cls, value: str) -> Quarter:
        year, number = quarter_key(value)
        return cls(year, number)


def quarter_label(value: str) -> str:
    return Quarter.parse(value).label


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    result = [first]
    while (result[-1].year, result[-1].number) < (last.year, last.number):
        result.append(result[-1].next())
    return result


@dataclass(frozen=True)
class QuarterColumn:
    key: str
    label: str
    short_label: str
    year: int
    x: int
    text_x: int


@dataclass(frozen=True)
class YearMark:
    year: int
    x: int
    text_x: int


@dataclass(frozen=True)
class Bar:
    measure_id: int | None
    title: str
    short_title: str
    status: str
    status_label: str
    fill: str
    start: str
    end: str
    x: int
    y: int
    width: int
    label_y: int
    row_y: int


@dataclass(frozen=True)
class Timeline:
    """Plain values only, so that a document builder can hand it on as context."""

    quarters: list[QuarterColumn]
    years: list[YearMark]
    bars: list[Bar]
    width: int
    height: int
    description: str
    label_width: int = LABEL_WIDTH
    header_height: int = HEADER_HEIGHT
    row_height: int = ROW_HEIGHT
    grid_bottom: int = HEADER_HEIGHT


# Bar colours per measure status (each ≥ 3:1 against white); the status is also written in the
# bar's tooltip and in the table.
STATUS_FILL = {
    "geplant": "#0b4f8a",
    "in_umsetzung": "#8a4b00",
    "abgeschlossen": "#1d6b35",
    "zurueckgestellt": "#5f6673",
}


def _description(quarters: list[Quarter], count: int) -> str:
    if not quarters:
        return "Zeitplan ohne Maßnahmen."
    return (
        f"Zeitplan der Maßnahmen nach Quartalen von {quarters[0].label} bis "
        f"{quarters[-1].label}: {count} Maßnahmen. Die Tabelle enthält dieselben Angaben."
    )


def _shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_timeline(measures: Sequence[MeasureLike], *, span: Iterable[str] = ()) -> Timeline:
    """Lay out one row per measure over every quarter from the first start to the last end.

    `span` adds quarters that must be shown even without a measure (e.g. the roadmap's years).
    """
    keys = [Quarter.parse(q) for m in measures for q in (m.start_quarter, m.end_quarter)]
    keys += [Quarter.parse(q) for q in span]
    if not keys:
        return Timeline([], [], [], LABEL_WIDTH, HEADER_HEIGHT, _description([], 0))
    ordered = sorted(keys, key=lambda q: (q.year, q.number))
    quarters = quarters_between(ordered[0], ordered[-1])
    index = {q.key: i for i, q in enumerate(quarters)}
    columns = [
        QuarterColumn(
            key=q.key,
            label=q.label,
            short_label=f"Q{q.number}",
            year=q.year,
            x=LABEL_WIDTH + i * QUARTER_WIDTH,
            text_x=LABEL_WIDTH + i * QUARTER_WIDTH + QUARTER_WIDTH // 2,
        )
        for i, q in enumerate(quarters)
    ]
    years: list[YearMark] = []
    for column in columns:
        if not years or years[-1].year != column.year:
            years.append(YearMark(column.year, column.x, column.x + 4))
    bars = []
    for row, measure in enumerate(measures):
        first = index[measure.start_quarter]
        last = index[measure.end_quarter]
        row_y = HEADER_HEIGHT + row * ROW_HEIGHT
        bars.append(
            Bar(
                measure_id=measure.pk,
                title=measure.title,
                short_title=_shorten(measure.title),
                status=measure.status,
                status_label=measure.get_status_display(),
                fill=STATUS_FILL.get(measure.status, "#0b4f8a"),
                start=quarter_label(measure.start_quarter),
                end=quarter_label(measure.end_quarter),
                x=LABEL_WIDTH + first * QUARTER_WIDTH + 2,
                y=row_y + (ROW_HEIGHT - BAR_HEIGHT) // 2,
                width=(last - first + 1) * QUARTER_WIDTH - 4,
                label_y=row_y + ROW_HEIGHT // 2 + 4,
                row_y=row_y,
            )
        )
    width = LABEL_WIDTH + len(quarters) * QUARTER_WIDTH + 1
    height = HEADER_HEIGHT + max(1, len(bars)) * ROW_HEIGHT + 1
    return Timeline(
        columns, years, bars, width, height, _description(quarters, len(bars)),
        grid_bottom=height - 1,
    )  # fmt: skip
