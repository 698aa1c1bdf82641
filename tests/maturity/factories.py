"""Test data for maturity: small model definitions, campaigns, answers, read-model rows."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from maturity import selectors, services
from maturity.loader import DEFAULT_MODEL_FILE, ModelDef, parse_model, read_model_file
from maturity.models import Campaign, ModelVersion, Participation
from maturity.services import AnswerInput
from maturity.structure import ModelStructure
from tenants.models import Municipality

_ags = itertools.count(1)


def levels_block() -> list[dict[str, Any]]:
    labels = ["nicht begonnen", "initial", "definiert", "etabliert", "optimiert"]
    return [
        {"value": i, "label": label, "description": f"Stufe {i}"} for i, label in enumerate(labels)
    ]


def question_def(key: str, weight: float = 1.0, allow_not_relevant: bool = False) -> dict[str, Any]:
    return {
        "key": key,
        "text": f"Frage {key}?",
        "weight": weight,
        "allow_not_relevant": allow_not_relevant,
        "levels": {i: f"{key} auf Stufe {i}" for i in range(5)},
        "measures": {i: f"Maßnahme {key} von {i} nach {i + 1}" for i in range(4)},
    }


def small_model_data(key: str = "", version: str = "1") -> dict[str, Any]:
    """Two dimensions: "a" (weight 2) with questions a1 (w 1), a2 (w 3, may be not relevant);
    "b" (weight 1) with b1."""
    return {
        "key": key or f"test-{uuid.uuid4().hex[:8]}",
        "version": version,
        "title": "Testmodell",
        "levels": levels_block(),
        "dimensions": [
            {"key": "a", "title": "Feld A", "weight": 2,
             "questions": [question_def("a1", 1), question_def("a2", 3, allow_not_relevant=True)]},
            {"key": "b", "title": "Feld B", "weight": 1, "questions": [question_def("b1", 1)]},
        ],
    }  # fmt: skip


def small_model_def(**kwargs: Any) -> ModelDef:
    return parse_model(small_model_data(**kwargs))


def load_small_model(**kwargs: Any) -> ModelVersion:
    version, _created = services.model_version_load(definition=small_model_def(**kwargs))
    return version


def load_real_model() -> ModelVersion:
    version, _created = services.model_version_load(definition=read_model_file(DEFAULT_MODEL_FILE))
    return version


def make_campaign(
    version: ModelVersion,
    municipalities: list[Municipality],
    *,
    name: str = "",
    start: date = date(2026, 3, 1),
) -> Campaign:
    return services.campaign_create(
        name=name or f"Erhebung Test {uuid.uuid4().hex[:8]}",
        start_date=start,
        end_date=date(start.year, 12, 31),
        model_version=version,
        municipalities=municipalities,
    )


def structure_of(campaign: Campaign) -> ModelStructure:
    return selectors.model_structure(campaign.model_version_id)


def qid(campaign: Campaign, key: str) -> int:
    return next(q.id for q in structure_of(campaign).questions if q.key == key)


def answer_all(
    campaign: Campaign, municipality: Municipality, level: int, *, submit: bool = False, user=None
) -> None:
    values = {
        q.id: AnswerInput(q.id, level, min(4, level + 1)) for q in structure_of(campaign).questions
    }
    services.answers_import(
        campaign_id=campaign.pk, municipality=municipality, user=user, values=values, submit=submit
    )


def fake_municipalities(count: int, prefix: str = "Musterort") -> list[Municipality]:
    """Municipality rows without schemas: enough for pages that read only the read model."""
    rows = []
    for _ in range(count):
        n = next(_ags)
        rows.append(
            Municipality(
                schema_name=f"gem_fake_{uuid.uuid4().hex[:12]}",
                name=f"{prefix} {n:05d}",
                slug=f"fake-{uuid.uuid4().hex[:12]}",
                ags=f"9{n:07d}"[-8:],
                population=1000 + n,
                population_date=date(2024, 12, 31),
            )
        )
    return Municipality.objects.bulk_create(rows)


def fake_results(campaign: Campaign, municipalities: list[Municipality], *, seed: int = 0) -> None:
    """Read-model rows as if the municipalities had submitted."""
    keys = [d.key for d in structure_of(campaign).dimensions]
    total = len(structure_of(campaign).questions)
    rows = []
    for i, municipality in enumerate(municipalities):
        scores = {key: str(Decimal((i * 7 + j * 13 + seed) % 101)) for j, key in enumerate(keys)}
        rows.append(
            Participation(
                campaign=campaign,
                municipality=municipality,
                status=Participation.Status.SUBMITTED,
                dimension_scores=scores,
                target_dimension_scores=scores,
                overall_index=Decimal((i * 11 + seed) % 101),
                target_index=Decimal(100),
                answered_count=total,
                question_count=total,
            )
        )
    Participation.objects.bulk_create(rows)
