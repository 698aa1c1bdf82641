"""The German sentences that explain a member's share: a presenter of the figures that
`costsharing.computation.explain()` gathers (numbers only), formatted through `izd.formats`.

Each sentence names every figure needed to recompute its amount by hand: the component's pot,
the member's weight, the sum of all members' weights and the exact result before rounding.
Notices, their CSV/XLSX and the pages say the same, because they all take their text from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from costsharing.allocation import COMPONENT_LABELS
from costsharing.computation import Explanation, ModulePart, Split
from izd import formats

if TYPE_CHECKING:
    from costsharing.figures import BackCharge

ROUNDING_RULE = (
    "Gerundet wird jede Spalte für sich auf volle Cent nach dem Verfahren der größten Reste "
    "(Hare-Niemeyer): Jede Kommune erhält zunächst ihren auf den Cent abgerundeten genauen "
    "Betrag; die übrigen Cent der Spalte gehen einzeln an die Kommunen mit den größten "
    "abgeschnittenen Resten. Bei gleich großem Rest erhält den Cent zuerst die Kommune, die in "
    "den vorherigen Spalten (Sockelbetrag, Einwohner, Nutzung, Module) seltener aufgerundet "
    "wurde, danach die mit dem kleineren Gemeindeschlüssel. So ergibt jede Spalte genau ihren "
    "Topf und jede Zeile genau die Summe ihrer Bestandteile."
)
GRANT_CREDIT_LABEL = "Fördermittel (feste Aufteilung)"


@dataclass(frozen=True)
class Component:
    """One part of a member's share (Sockelbetrag, Einwohner, …) as a notice shows it."""

    label: str
    amount: Decimal
    text: str


def components(explanations: Iterable[Explanation]) -> tuple[Component, ...]:
    return tuple(Component(label(item), item.amount, text(item)) for item in explanations)


def label(item: Explanation) -> str:
    if item.component == "grant_credit":
        return GRANT_CREDIT_LABEL
    return COMPONENT_LABELS[item.component]


def text(item: Explanation) -> str:
    """The sentence that explains one component of a member's share."""
    if item.component == "modules":
        return _modules_text(item)
    split = item.split
    assert split is not None  # only the modules have one split per module
    net = formats.money(item.net_cost)
    share = _share_sentence(split)
    if item.component == "base":
        return (
            f"{_percent(item.percent)} der Nettokosten von {net} ergeben den "
            f"Sockelbetrag-Topf von {formats.money(split.pot)}. Er wird zu gleichen Teilen je "
            f"Mitgliedsmonat verteilt: Ihre Kommune hat {item.months} von 12 Monaten, alle "
            f"{item.members} Mitglieder zusammen {formats.number(split.total)} "
            f"Mitgliedsmonate. {share}"
        )
    if item.component == "population":
        return (
            f"{_percent(item.percent)} der Nettokosten von {net} ergeben den "
            f"Einwohner-Topf von {formats.money(split.pot)}. Er wird nach Einwohnermonaten "
            f"(Einwohner × Mitgliedsmonate) verteilt: Ihre Kommune "
            f"{formats.number(item.population)} Einwohner{_figure_date(item)} × "
            f"{item.months} Monate = {formats.number(split.weight)}, alle Mitglieder zusammen "
            f"{formats.number(split.total)} Einwohnermonate. {share}"
        )
    if item.component == "usage":
        return (
            f"{_percent(item.percent)} der Nettokosten von {net} ergeben den "
            f"Nutzungs-Topf von {formats.money(split.pot)}. Er wird nach Leistungseinheiten × "
            f"Mitgliedsmonate verteilt: Ihre Kommune {_number(item.usage_units)} Einheiten × "
            f"{item.months} Monate = {_number(split.weight)}, alle Mitglieder zusammen "
            f"{_number(split.total)}. {share}"
        )
    return (  # the grant credit
        f"Fördermittel von {formats.money(split.pot)} werden zu gleichen "
        f"Teilen je Mitgliedsmonat gutgeschrieben: {item.months} von "
        f"{formats.number(split.total)} Mitgliedsmonaten."
    )


def _modules_text(item: Explanation) -> str:
    detail = (
        " ".join(_module_sentence(part, item.months) for part in item.modules)
        if item.modules
        else "Ihre Kommune nimmt an keinem Modul teil."
    )
    return f"{_percent(item.percent)} der Nettokosten tragen die Teilnehmenden der Module. {detail}"


def _module_sentence(part: ModulePart, months: int) -> str:
    split = part.split
    return (
        f"{part.name}: Modulkosten {formats.money(split.pot)}, geteilt je Mitgliedsmonat "
        f"der {part.participants} Teilnehmenden ({months} von "
        f"{formats.number(split.total)} Monaten). {_share_sentence(split)}"
    )


def _share_sentence(split: Split) -> str:
    """ "Genau: 100.000,00 € × 6.474 / 424.364 ≈ 1.525,5771 €, auf Cent gerundet 1.525,58 €." """
    if not split.total:
        return f"Ihr Anteil: {formats.money(split.amount)}."
    quotient = split.pot * split.weight / split.total
    exact = quotient.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    equals = "=" if exact == quotient else "≈"
    return (
        f"Genau: {formats.money(split.pot)} × {_number(split.weight)} / "
        f"{_number(split.total)} {equals} {formats.number(exact, 4)} €, auf Cent gerundet "
        f"{formats.money(split.amount)}."
    )


def _figure_date(item: Explanation) -> str:
    """The reference date of the figure used, said plainly when it differs from the key's."""
    used, key_date = item.figure_date, formats.day(item.key_date)
    if used is None:
        return f" (Stichtag des Schlüssels {key_date})"
    if used == item.key_date:
        return f" (Stichtag {formats.day(used)})"
    return (
        f" (amtliche Zahl zum {formats.day(used)}, der letzten bis zum Stichtag des Schlüssels "
        f"{key_date})"
    )


def _percent(value: Decimal) -> str:
    """A key's percent: two places unless it has more (40.0000 → "40,00 %")."""
    return formats.percent(value, min_places=2)


def _number(value: Decimal) -> str:
    """Units and weights with every place they have, at least two ("1.234,50"), and none
    where those are zero ("14.814")."""
    return formats.exact(value, 2).removesuffix(",00")


# --------------------------------------------------------------------------- back charges


def back_charge_label(charge: BackCharge) -> str:
    """The line of an earlier year's amount settled with this year's notice."""
    if charge.previous_version is None:
        return f"Kostenanteil {charge.for_year} (Nachberechnung, periodenfremd)"
    kind = "Nachberechnung" if charge.amount > 0 else "Erstattung"
    return f"{kind} {charge.for_year} (Korrektur, periodenfremd)"


def back_charge_note(charge: BackCharge) -> str:
    if charge.previous_version is None:
        return f"Anteil für {charge.for_year} laut Verteilung Version {charge.version}."
    return (
        f"Unterschied zwischen Version {charge.version} und Version {charge.previous_version} "
        f"der Verteilung {charge.for_year}: {formats.money(charge.before)} → "
        f"{formats.money(charge.after)}."
    )
