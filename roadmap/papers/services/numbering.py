"""Numbering schemes and the next free Drucksache number of a municipality."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from izd.audit import recording as audit
from roadmap.papers.models import NumberingScheme, Paper
from tenants.models import Municipality


def scheme_for(municipality: Municipality) -> NumberingScheme:
    scheme, created = NumberingScheme.objects.get_or_create(municipality=municipality)
    if created:
        _record_scheme("scheme_for", scheme, {}, "Nummernkreis angelegt")
    return scheme


_SCHEME_FIELDS = ("prefix", "next_number")


def _record_scheme(
    action: str, scheme: NumberingScheme, before: dict[str, Any], summary: str
) -> None:
    audit.record(
        action=action, kind=audit.Kind.PAPER, summary=f"{summary}: {scheme.municipality.name}",
        target=scheme, object_label=f"Nummernkreis {scheme.municipality.name}",
        fields=_SCHEME_FIELDS, before=before, municipality=scheme.municipality,
    )  # fmt: skip


@transaction.atomic
def scheme_save(*, municipality: Municipality, prefix: str, next_number: int) -> NumberingScheme:
    stored = NumberingScheme.objects.select_for_update().filter(municipality=municipality).first()
    scheme = stored or NumberingScheme(municipality=municipality)
    before = audit.snapshot(stored, *_SCHEME_FIELDS)
    scheme.prefix, scheme.next_number = prefix, next_number
    scheme.full_clean()
    scheme.save()
    _record_scheme("scheme_save", scheme, before, "Nummernkreis geändert")
    return scheme


@transaction.atomic
def reference_next(municipality: Municipality, number_year: int) -> str:
    """The next free Drucksache number of the municipality, e.g. VL-100/2023."""
    scheme_for(municipality)
    scheme = NumberingScheme.objects.select_for_update().get(municipality=municipality)
    before = audit.snapshot(scheme, *_SCHEME_FIELDS)
    while True:
        reference = f"{scheme.prefix}-{scheme.next_number}/{number_year}"
        scheme.next_number += 1
        if not Paper.objects.filter(municipality=municipality, reference=reference).exists():
            break
    scheme.save(update_fields=["next_number"])
    _record_scheme("reference_next", scheme, before, f"Drucksachennummer {reference} vergeben")
    return reference
