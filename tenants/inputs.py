"""What a municipality is made of, as the writes of tenants take it (forms, CSV rows, commands)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class MunicipalityData:
    name: str
    ags: str
    population: int
    population_date: date
    slug: str = ""
    leitweg_id: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
