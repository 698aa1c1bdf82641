"""The annex Kostenbeteiligung as text: every member's row of a year, formatted once per year's
figures.

Every paper of a year carries the same annex (its own row is marked in the browser preview
only). The papers of a batch share the year's figures, and with them one object of rows
(`MemberFigures.shares`): formatted here once, not 420 rows again for each of 420 papers. A
single paper reads its own figures, so it formats them afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from izd import formats
from roadmap.papers.selectors import MemberFigures, ShareRow


@dataclass(frozen=True)
class AnnexText:
    """The annex of one year's rows (`source`) as the templates show it."""

    source: Sequence[ShareRow]
    rows: tuple[dict[str, Any], ...]  # every member's row, none marked as the own one
    position: dict[int, int]  # municipality id → index in rows
    totals: dict[str, Any]


_TEXTS: OrderedDict[int, AnnexText] = OrderedDict()
_TEXTS_LOCK = threading.Lock()
KEPT_TEXTS = 4


def annex_text(figures: MemberFigures) -> AnnexText:
    source = figures.shares
    with _TEXTS_LOCK:
        found = _TEXTS.get(id(source))
        # The same object, not a reused id (nor the one empty tuple of other figures).
        if found is not None and found.source is source and source:
            return found
    text = AnnexText(
        source=source,
        rows=tuple(
            {
                "name": row.name,
                "months": row.months,
                "population": formats.number(row.population),
                "total": formats.money(row.total),
                "grant_credit": formats.money(row.grant_credit),
                "payable": formats.money(row.payable),
                "own": False,
            }
            for row in source
        ),
        position={row.municipality_id: index for index, row in enumerate(source)},
        totals={
            "total": formats.money(figures.shares_total),
            "payable_total": formats.money(figures.payable_total),
            "net_cost": formats.money(figures.net_cost),
            "has_grant_credits": figures.has_grant_credits,
        },
    )
    with _TEXTS_LOCK:
        _TEXTS[id(source)] = text  # holds `source`, so its id is not reused while kept
        while len(_TEXTS) > KEPT_TEXTS:
            _TEXTS.popitem(last=False)
    return text
