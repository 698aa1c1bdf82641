"""What a municipality is made of, as the writes of tenants take it (forms, CSV rows, commands)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

OPTIONAL_TEXTS = ("slug", "leitweg_id", "street", "postal_code", "city")


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

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> MunicipalityData:
        """From a form's cleaned data or a command's options, which name the fields alike: the
        optional texts may be missing or None; a Leitweg-ID is kept in capitals."""
        texts = {name: values.get(name) or "" for name in OPTIONAL_TEXTS}
        texts["leitweg_id"] = texts["leitweg_id"].upper()
        return cls(
            name=values["name"],
            ags=values["ags"],
            population=values["population"],
            population_date=values["population_date"],
            **texts,
        )
