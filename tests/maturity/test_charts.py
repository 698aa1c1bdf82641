"""The radar chart keeps every axis label inside its canvas, however long the label."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from maturity.charts import CHAR_WIDTH, Series, radar_svg

DIMENSIONS = [
    "Strategie und Steuerung",
    "Organisation und Prozesse",
    "Personal und Kompetenzen",
    "Onlinedienste und OZG",
    "Bürgerservice und Kommunikation",
    "IT-Infrastruktur und Arbeitsplatz",
    "Informationssicherheit und Datenschutz",
    "Daten und Geoinformation",
    "Interkommunale Zusammenarbeit",
]


@pytest.mark.parametrize("count", [3, 6, 9, 12])
def test_no_axis_label_reaches_past_the_edge_of_the_chart(count: int) -> None:
    labels = (DIMENSIONS * 2)[:count]
    svg = str(
        radar_svg(labels, [Series("Eigene Werte", [Decimal(50)] * count, "own")], title="Test")
    )
    width, height = map(float, re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    shown = []
    for anchor, spans in re.findall(
        r'<text text-anchor="(\w+)" class="maturity-axis">(.*?)</text>', svg
    ):
        for x, y, line in re.findall(r'<tspan x="([\d.]+)" y="([\d.]+)">(.*?)</tspan>', spans):
            extent = len(line) * CHAR_WIDTH
            left = {"start": 0, "middle": extent / 2, "end": extent}[anchor]
            assert float(x) - left >= 0, line
            assert float(x) - left + extent <= width, line
            assert 12 <= float(y) <= height, line
            shown.append(line)
    # Every word of every label is shown, nothing is cut.
    assert " ".join(shown).split() == " ".join(labels).split()
