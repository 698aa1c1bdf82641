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
``budget - sum(grant amounts)``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

FOCUS_MEMBER = "06999006"

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
    "modules": [
        {"key": "geo", "name": "Geodaten"},
        {"key": "isms", "name": "Informationssicherheit"},
        {"key": "ozg", "name": "OZG"},
    ],
    "years": {
        2023: {
            "budget": Decimal("198690.95"),
            "grants": [
                {
                    "name": "IKZ-Förderung des Landes Hessen (mehr als drei Partner)",
                    "amount": Decimal("100000.00"),
                },
            ],
            "net_cost": Decimal("98690.95"),
            "reference_date": date(2022, 6, 30),  # population figures as of this date
            "key": {
                "base": Decimal("40"),
                "population": Decimal("60"),
                "usage": Decimal("0"),
                "modules": Decimal("0"),
            },
            "module_weights": {},
            "participation": {
                "06999001": {
                    "population": 14382,
                    "months": 12,
                    "usage_units": Decimal("0"),
                    "modules": [],
                },
                "06999002": {
                    "population": 13716,
                    "months": 12,
                    "usage_units": Decimal("0"),
                    "modules": [],
                },
                "06999003": {
                    "population": 15104,
                    "months": 12,
                    "usage_units": Decimal("0"),
                    "modules": [],
                },
                "06999004": {
                    "population": 12958,
                    "months": 12,
                    "usage_units": Decimal("0"),
                    "modules": [],
                },
                "06999005": {
                    "population": 14530,
                    "months": 12,
                    "usage_units": Decimal("0"),
                    "modules": [],
                },
                "06999006": {
                    "population": 13842,
                    "months": 6,
                    "usage_units": Decimal("0"),
                    "modules": [],
                },
            },
        },
        2024: {
            "budget": Decimal("88635.23"),
            "grants": [],
            "net_cost": Decimal("88635.23"),
            "reference_date": date(2023, 6, 30),
            "key": {
                "base": Decimal("30"),
                "population": Decimal("40"),
                "usage": Decimal("10"),
                "modules": Decimal("20"),
            },
            # relative weights: the planned annual cost of each module in EUR
            "module_weights": {
                "geo": Decimal("18500"),
                "isms": Decimal("28000"),
                "ozg": Decimal("42000"),
            },
            "participation": {
                "06999001": {
                    "population": 14409,
                    "months": 12,
                    "usage_units": Decimal("412.5"),
                    "modules": ["geo", "isms", "ozg"],
                },
                "06999002": {
                    "population": 13698,
                    "months": 12,
                    "usage_units": Decimal("388"),
                    "modules": ["geo", "isms", "ozg"],
                },
                "06999003": {
                    "population": 15187,
                    "months": 12,
                    "usage_units": Decimal("455.25"),
                    "modules": ["geo", "isms", "ozg"],
                },
                "06999004": {
                    "population": 12990,
                    "months": 12,
                    "usage_units": Decimal("301"),
                    "modules": ["isms", "ozg"],
                },
                "06999005": {
                    "population": 14502,
                    "months": 12,
                    "usage_units": Decimal("367.75"),
                    "modules": ["geo", "isms", "ozg"],
                },
                "06999006": {
                    "population": 13871,
                    "months": 12,
                    "usage_units": Decimal("296.5"),
                    "modules": ["ozg"],
                },
            },
        },
        2025: {
            "budget": Decimal("94297.72"),
            "grants": [],
            "net_cost": Decimal("94297.72"),
            "reference_date": date(2024, 6, 30),
            "key": {
                "base": Decimal("30"),
                "population": Decimal("40"),
                "usage": Decimal("10"),
                "modules": Decimal("20"),
            },
            "module_weights": {
                "geo": Decimal("19500"),
                "isms": Decimal("30000"),
                "ozg": Decimal("45500"),
            },
            "participation": {
                "06999001": {
                    "population": 14451,
                    "months": 12,
                    "usage_units": Decimal("398"),
                    "modules": ["geo", "isms", "ozg"],
                },
                "06999002": {
                    "population": 13745,
                    "months": 12,
                    "usage_units": Decimal("402.5"),
                    "modules": ["geo", "isms", "ozg"],
                },
                "06999003": {
                    "population": 15230,
                    "months": 12,
                    "usage_units": Decimal("471"),
                    "modules": ["geo", "isms", "ozg"],
                },
                "06999004": {
                    "population": 13021,
                    "months": 12,
                    "usage_units": Decimal("322.25"),
                    "modules": ["isms", "ozg"],
                },
                "06999005": {
                    "population": 14566,
                    "months": 12,
                    "usage_units": Decimal("380"),
                    "modules": ["geo", "isms", "ozg"],
                },
                "06999006": {
                    "population": 13905,
                    "months": 12,
                    "usage_units": Decimal("341.75"),
                    "modules": ["geo", "isms", "ozg"],
                },
            },
        },
    },
}

# The scenario's member keys (AGS), typed: what other apps need of the scenario's data.
SEED_MEMBER_KEYS: frozenset[str] = frozenset(member["key"] for member in SEED_SCENARIO["members"])
