"""Many municipalities: as read-model rows, cheaply (no schemas, bulk inserts only), or
onboarded for real (`onboarded`: record, schema, domain, audit entry).

Shared by the query-count tests (29 against 420 rows) and the benchmarks. Populations follow
Hessen's distribution: a handful of large cities, many towns of 2,000 to 15,000.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from django.conf import settings

from costsharing.models import MemberProfile
from roadmap.papers.models import Committee, Consultation, Paper, PaperTemplate
from tenants.inputs import MunicipalityData
from tenants.models import Domain, Municipality

# Hessen's largest cities (rounded, 2023) lead; the rest is drawn to match the state's shape.
LARGE_CITIES = (
    ("Frankfurt am Main", 773_000),
    ("Wiesbaden", 283_000),
    ("Kassel", 201_000),
    ("Darmstadt", 162_000),
    ("Offenbach am Main", 131_000),
    ("Hanau", 101_000),
    ("Gießen", 92_000),
    ("Marburg", 77_000),
    ("Fulda", 69_000),
    ("Rüsselsheim am Main", 66_000),
)


def populations(count: int, seed: int = 420) -> list[int]:
    """`count` populations shaped like Hessen's 420 municipalities (deterministic)."""
    rng = random.Random(seed)
    sizes = [size for _name, size in LARGE_CITIES[: max(0, count // 40)]]
    while len(sizes) < count:
        draw = rng.random()
        if draw < 0.08:
            sizes.append(rng.randint(800, 2_000))
        elif draw < 0.80:
            sizes.append(int(rng.lognormvariate(8.85, 0.5)) // 10 * 10 + 2_000)
        elif draw < 0.95:
            sizes.append(rng.randint(15_000, 35_000))
        else:
            sizes.append(rng.randint(35_000, 65_000))
    return [min(size, 900_000) for size in sizes[:count]]


STATE_SIZE = 420


def municipality_data(start: int, stop: int, *, prefix: str = "069") -> list[MunicipalityData]:
    """Municipalities number `start` to `stop - 1` of the state fixture (AGS `prefix` + five
    digits): the same names and populations whichever slice is asked for."""
    sizes = populations(max(STATE_SIZE, stop))
    names = [name for name, _size in LARGE_CITIES[: max(STATE_SIZE, stop) // 40]]
    return [
        MunicipalityData(
            name=names[n] if n < len(names) else f"Gemeinde {prefix}{n:05d}",
            ags=f"{prefix}{n:05d}",
            population=sizes[n],
            population_date=date(2024, 12, 31),
        )
        for n in range(start, stop)
    ]


def onboarded(start: int, stop: int, *, prefix: str = "069") -> list[Municipality]:
    """Onboard municipalities `start` to `stop - 1` of the state fixture at once, as the CSV
    import does (tenants.onboarding: a few connections side by side)."""
    from tenants.services import municipality_create_many

    result = municipality_create_many(data=municipality_data(start, stop, prefix=prefix))
    assert not result.failures, [f.message for f in result.failures[:5]]
    return result.created


def _numbers(prefix: str, count: int) -> Iterator[tuple[int, str]]:
    for n in range(count):
        yield n, f"{prefix}{n:04d}"


def members(
    count: int, *, prefix: str = "0799", joined: date = date(2000, 1, 1), domains: bool = True
) -> list[Municipality]:
    """`count` member municipalities (AGS `prefix` + 4 digits) with a cost-sharing profile."""
    sizes = populations(count)
    created = Municipality.objects.bulk_create(
        Municipality(
            schema_name=f"gem_{ags}",
            name=f"Ort {ags}",
            slug=f"ort-{ags}",
            ags=ags,
            population=sizes[n],
            population_date=date(2024, 12, 31),
        )
        for n, ags in _numbers(prefix, count)
    )
    if domains:
        Domain.objects.bulk_create(
            Domain(domain=f"{m.slug}.{settings.BASE_DOMAIN}", tenant=m, is_primary=True)
            for m in created
        )
    MemberProfile.objects.bulk_create(
        MemberProfile(municipality=m, joined_on=joined, budget_line=f"HH-{m.ags}") for m in created
    )
    return created


def papers(
    towns: list[Municipality], year: int, template: PaperTemplate, *, decided: bool = False
) -> list[Paper]:
    """A paper with a complete Beratungsfolge for every town (bulk inserts)."""
    created = Paper.objects.bulk_create(
        Paper(
            template=template,
            municipality=town,
            year=year,
            reference=f"VL-{n + 1}/{year - 1}",
            date=date(year - 1, 11, 1),
            office=template.office,
            file_reference=template.file_reference,
            **(
                {"decided_on": date(year - 1, 12, 8), "result": Paper.Result.ACCEPTED}
                if decided
                else {}
            ),
        )
        for n, town in enumerate(towns)
    )
    names = (
        ("Gemeindevorstand", Consultation.Role.PRELIMINARY),
        ("Haupt- und Finanzausschuss", Consultation.Role.PRELIMINARY),
        ("Gemeindevertretung", Consultation.Role.DECIDING),
    )
    committees = Committee.objects.bulk_create(
        Committee(municipality=town, name=name) for town in towns for name, _role in names
    )
    by_town = {(c.municipality_id, c.name): c for c in committees}
    Consultation.objects.bulk_create(
        Consultation(
            paper=paper,
            committee=by_town[(paper.municipality_id, name)],
            position=position,
            role=role,
            meeting_date=date(year - 1, 11, 20 + position * 4),
        )
        for paper in created
        for position, (name, role) in enumerate(names)
    )
    return created
