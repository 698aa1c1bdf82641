"""The default demo's paper template reads as German for the demo's bare municipality names."""

from __future__ import annotations

from roadmap.papers import demo, placeholders


def test_the_demo_resolution_names_the_municipality_without_a_dangling_article() -> None:
    text = placeholders.substitute(
        demo.RESOLUTION, {"kommune": "Wächtersbach", "anteil_jahr": "1,00 €", "jahr": "2026"}
    )
    first = text.splitlines()[0]
    assert first.startswith("Wächtersbach beteiligt sich weiterhin"), first
    assert "Die Wächtersbach" not in text
