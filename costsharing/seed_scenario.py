"""Seed scenario: six small towns share an IT centre; figures reproduce a real Hessian paper.

A real Hessian decision paper (Beschlussvorlage) on joining an inter-municipal IT centre
named these figures for the joining town: 8,869.25 EUR back charge for the previous year
(it joined part-way through that year), 12,826.30 EUR for the current year (fee staged: it
takes part in fewer modules while its existing cooperations are integrated), and
15,555.30 EUR a year from the next year on (all modules). This module is a plausible,
invented scenario in which ``costsharing.allocation.allocate`` yields exactly those figures
for "Stadt Talbrücken" (``FOCUS_MEMBER``): 2023, 2024 and 2025.

Everything here is fictitious: the towns, their populations, usage and module costs. The
keys 06999001..06999006 have the form of an AGS, but Hessen has no Regierungsbezirk 9, so
they can never clash with a real municipality.

The story:

* 2023: five towns found the centre on 1 January. Hessen's IKZ grant is 75,000 EUR for
  three partners and 100,000 EUR for more; with five it is 100,000 EUR, booked in the start
  year against a budget that includes one-off set-up costs. Talbrücken joins on 1 July and
  pays 6/12 pro rata. Nothing is billed by use or module yet: key 40 % Sockelbetrag, 60 %
  Einwohner (usage and modules 0 %, so they are skipped).
* 2024: key 30 % Sockelbetrag, 40 % Einwohner, 10 % Nutzung (service hours recorded by the
  centre), 20 % Module. The module pot is split by each module's cost (its weight) among
  "OZG", "Informationssicherheit" and "Geodaten". Talbrücken takes part only in OZG: its
  information security officer (shared with a neighbour) and its GIS (run with the Kreis)
  are existing cooperations that are integrated during 2024. Kinzigau keeps its own GIS
  and never joins Geodaten.
* 2025: same key; Talbrücken takes part in all modules.

How the figures were derived: the structure above (towns, populations at the reference
date, usage, module costs, key) was fixed first, with round, plausible values. Then, for
each year, the net cost was searched cent by cent: ``allocate`` gives Talbrücken exactly
the paper's figure for every net cost in 98,690.88..98,691.03 EUR (2023),
88,635.20..88,635.26 EUR (2024) and 94,297.68..94,297.76 EUR (2025). We took one value of
each range; the budget is net cost plus grants. The net costs are about 89,000 to 99,000
EUR: six towns of about 14,000 inhabitants paying about 15,500 EUR each cannot carry a net
cost of several hundred thousand EUR; with the 2023 grant the budget is just under
200,000 EUR.

Pure data (Decimal, date, str, int), so that demo data, Django-level tests and the pure
tests can all load it. ``net_cost`` is stored for convenience and equals
``budget - sum(grant amounts)``. The figures stand in two tables (the years, and the towns'
participation per year); ``SEED_SCENARIO`` is built from them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

FOCUS_MEMBER = "06999006"

_MODULE_NAMES = {"geo": "Geodaten", "isms": "Informationssicherheit", "ozg": "OZG"}

# year: budget and net cost in EUR, the reference date of the population figures, the key's
# percents (base, population, usage, modules) and each module's weight: its planned annual cost
# in EUR (geo, isms, ozg; none while nothing is billed by module).
_KEY_PARTS = ("base", "population", "usage", "modules")
_YEARS: dict[int, tuple[str, str, date, tuple[int, ...], tuple[int, ...]]] = {
    2023: ("198690.95", "98690.95", date(2022, 6, 30), (40, 60, 0, 0), ()),
    2024: ("88635.23", "88635.23", date(2023, 6, 30), (30, 40, 10, 20), (18500, 28000, 42000)),
    2025: ("94297.72", "94297.72", date(2024, 6, 30), (30, 40, 10, 20), (19500, 30000, 45500)),
}

# Only the start year has a grant: Hessen's IKZ grant for more than three partners.
_GRANTS = {2023: [("IKZ-Förderung des Landes Hessen (mehr als drei Partner)", "100000.00")]}

# year, town (AGS): its population at the year's reference date, the months it was a member,
# the service units the centre recorded and the modules it took part in.
_PARTICIPATION = (
    (2023, "06999001", 14382, 12, "0", ""),
    (2023, "06999002", 13716, 12, "0", ""),
    (2023, "06999003", 15104, 12, "0", ""),
    (2023, "06999004", 12958, 12, "0", ""),
    (2023, "06999005", 14530, 12, "0", ""),
    (2023, "06999006", 13842, 6, "0", ""),
    (2024, "06999001", 14409, 12, "412.5", "geo isms ozg"),
    (2024, "06999002", 13698, 12, "388", "geo isms ozg"),
    (2024, "06999003", 15187, 12, "455.25", "geo isms ozg"),
    (2024, "06999004", 12990, 12, "301", "isms ozg"),
    (2024, "06999005", 14502, 12, "367.75", "geo isms ozg"),
    (2024, "06999006", 13871, 12, "296.5", "ozg"),
    (2025, "06999001", 14451, 12, "398", "geo isms ozg"),
    (2025, "06999002", 13745, 12, "402.5", "geo isms ozg"),
    (2025, "06999003", 15230, 12, "471", "geo isms ozg"),
    (2025, "06999004", 13021, 12, "322.25", "isms ozg"),
    (2025, "06999005", 14566, 12, "380", "geo isms ozg"),
    (2025, "06999006", 13905, 12, "341.75", "geo isms ozg"),
)


def _year(year: int) -> dict[str, Any]:
    budget, net_cost, reference_date, key, weights = _YEARS[year]
    return {
        "budget": Decimal(budget),
        "grants": [
            {"name": name, "amount": Decimal(amount)} for name, amount in _GRANTS.get(year, [])
        ],
        "net_cost": Decimal(net_cost),
        "reference_date": reference_date,
        "key": dict(zip(_KEY_PARTS, map(Decimal, key), strict=True)),
        "module_weights": dict(zip(_MODULE_NAMES, map(Decimal, weights), strict=False)),
        "participation": {
            ags: {
                "population": population,
                "months": months,
                "usage_units": Decimal(units),
                "modules": modules.split(),
            }
            for row_year, ags, population, months, units, modules in _PARTICIPATION
            if row_year == year
        },
    }


SEED_SCENARIO: dict[str, Any] = {
    "centre": {
        "name": "Interkommunales Zentrum für IT und Digitalisierung Kinzigtal",
        "short_name": "IZD Kinzigtal",
    },
    "focus_member": FOCUS_MEMBER,
    # What the decision paper prints for the focus member, per year.
    "expected_shares": {
        2023: Decimal("8869.25"),
        2024: Decimal("12826.30"),
        2025: Decimal("15555.30"),
    },
    "members": [
        {"key": "06999001", "name": "Stadt Auenstein", "joined": date(2023, 1, 1)},
        {"key": "06999002", "name": "Stadt Bergwinden", "joined": date(2023, 1, 1)},
        {"key": "06999003", "name": "Stadt Eichenhain", "joined": date(2023, 1, 1)},
        {"key": "06999004", "name": "Stadt Kinzigau", "joined": date(2023, 1, 1)},
        {"key": "06999005", "name": "Stadt Lindenfeld", "joined": date(2023, 1, 1)},
        {"key": "06999006", "name": "Stadt Talbrücken", "joined": date(2023, 7, 1)},
    ],
    "modules": [{"key": key, "name": name} for key, name in _MODULE_NAMES.items()],
    "years": {year: _year(year) for year in _YEARS},
}

# The scenario's member keys (AGS), typed: what other apps need of the scenario's data.
SEED_MEMBER_KEYS: frozenset[str] = frozenset(member["key"] for member in SEED_SCENARIO["members"])
