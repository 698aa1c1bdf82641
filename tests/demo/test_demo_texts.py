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


def _figures(back_charges: list) -> object:
    from decimal import Decimal

    from roadmap.papers.selectors import MemberFigures

    return MemberFigures(
        municipality_id=1,
        name="Wächtersbach",
        year=2027,
        current=Decimal("15555.30"),
        back_charges=back_charges,
        following=None,
        budget_line="",
        net_cost=Decimal("100000.00"),
        provisional=False,
    )


def _facts(figures) -> str:
    from roadmap.papers.services.context import share_composition

    values = {name: "X" for name in placeholders.NAMES}
    values |= {"anteil_jahr": "15.555,30 €", "nachbelastung_vorjahr": "0,00 €"}
    values["anteil_zusammensetzung"] = share_composition(figures)
    return placeholders.substitute(demo.FACTS, values)


def test_the_demo_facts_announce_a_back_charge_only_where_there_is_one() -> None:
    from decimal import Decimal

    from roadmap.papers.selectors import ChargeLine

    without = _facts(_figures([]))
    assert "0,00 €" not in without
    assert "15.555,30 €; eine Nachbelastung für frühere Jahre fällt nicht an." in without
    charged = _facts(_figures([ChargeLine("Kostenanteil 2026", 2026, Decimal("8869.25"))]))
    assert "eine Nachbelastung für frühere Jahre (periodenfremd) von 8.869,25 €" in charged
    assert "laufende Anteil von 15.555,30 €" in charged
    refund = _facts(_figures([ChargeLine("Korrektur 2026", 2026, Decimal("-120.00"))]))
    assert "Erstattung für frühere Jahre (periodenfremd) von 120,00 €" in refund
    assert "Nachbelastung" not in refund
