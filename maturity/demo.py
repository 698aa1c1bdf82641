"""Demo data for maturity: the model, "Erhebung 2025" (closed) and "Erhebung 2026" (open).

Needs the municipalities from `load_demo_data`. Answers are generated from a fixed seed per
municipality, so every run produces the same, plausible picture: each town has its own profile,
stronger in some dimensions than in others, and a year of progress between the campaigns.
"""

from __future__ import annotations

import random
from datetime import date

from django.db import transaction

from maturity import selectors, services
from maturity.models import Campaign, ModelVersion
from maturity.services import AnswerInput
from maturity.structure import ModelStructure
from tenants.models import Municipality
from tenants.selectors import first_digital_officer

DEMO_HOME_SLUG = "waechtersbach"
CAMPAIGN_2025 = "Erhebung 2025"
CAMPAIGN_2026 = "Erhebung 2026"
SUBMITTED_2026 = 10
STARTED_2026 = 3
SUBMITTED_2025 = 26  # of 29: most towns took part in the finished year


def demo_answers(
    structure: ModelStructure, seed: str, *, progress: float = 0.0, share: float = 1.0
) -> dict[int, AnswerInput]:
    """Plausible answers: a town profile plus a per-dimension strength; `share` answered."""
    profile = random.Random(seed)  # noqa: S311 - demo data, not security
    base = profile.uniform(0.9, 2.6) + progress
    strengths = {d.key: profile.uniform(-0.9, 0.9) for d in structure.dimensions}
    noise = random.Random(f"{seed}-{progress}")  # noqa: S311
    answers: dict[int, AnswerInput] = {}
    for dimension in structure.dimensions:
        for question in dimension.questions:
            if noise.random() > share:
                continue
            if question.allow_not_relevant and noise.random() < 0.12:
                answers[question.id] = AnswerInput(question.id, None, None, not_relevant=True)
                continue
            raw = base + strengths[dimension.key] + noise.uniform(-0.7, 0.7)
            level = max(0, min(4, round(raw)))
            target = min(4, level + noise.choice([0, 1, 1, 1, 2]))
            comment = "Stand laut Dienstbesprechung." if noise.random() < 0.1 else ""
            answers[question.id] = AnswerInput(question.id, level, target, comment=comment)
    return answers


# Who answered, in a campaign: (towns, progress against the town's profile, share of questions
# answered, submitted).
Filled = tuple[list[Municipality], float, float, bool]


def _campaign(
    version: ModelVersion,
    structure: ModelStructure,
    towns: list[Municipality],
    name: str,
    dates: tuple[date, date],
    filled: list[Filled],
) -> Campaign:
    campaign = services.campaign_create(
        name=name,
        start_date=dates[0],
        end_date=dates[1],
        model_version=version,
        municipalities=towns,
    )
    for answering, progress, share, submit in filled:
        for municipality in answering:
            services.answers_import(
                campaign_id=campaign.pk,
                municipality=municipality,
                user=first_digital_officer(municipality),
                values=demo_answers(structure, municipality.slug, progress=progress, share=share),
                submit=submit,
            )
    return campaign


@transaction.atomic
def maturity_demo_load() -> str:
    version, _created = services.model_version_load_shipped()
    if Campaign.objects.filter(name=CAMPAIGN_2026).exists():
        return "Reifegrad-Demodaten sind schon vorhanden."
    members = list(Municipality.objects.members().order_by("name"))
    if not members:
        return "Keine Kommunen vorhanden: bitte zuerst `load_demo_data` ausführen."
    structure = selectors.model_structure(version.pk)
    home = next((m for m in members if m.slug == DEMO_HOME_SLUG), members[0])
    others = [m for m in members if m != home]
    towns = [home, *others]
    finished = _campaign(
        version, structure, towns, CAMPAIGN_2025, (date(2025, 3, 1), date(2025, 6, 30)),
        [(towns[:SUBMITTED_2025], -0.4, 1.0, True)],
    )  # fmt: skip
    services.campaign_close(campaign=finished)
    _campaign(
        version, structure, towns, CAMPAIGN_2026, (date(2026, 3, 1), date(2026, 12, 31)),
        [
            (others[:SUBMITTED_2026], 0.0, 1.0, True),
            # The demo town has started, so that its officer can carry on and see results.
            ([home], 0.0, 0.8, False),
            (others[SUBMITTED_2026 : SUBMITTED_2026 + STARTED_2026 - 1], 0.0, 0.4, False),
        ],
    )  # fmt: skip
    return (
        f"Reifegrad-Demodaten geladen: {CAMPAIGN_2025} (abgeschlossen) und {CAMPAIGN_2026} "
        f"mit {len(members)} Kommunen."
    )
