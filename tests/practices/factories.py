"""Test data for the best-practice exchange, always made through the services."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

from roadmap.practices import services
from roadmap.practices.models import Practice, Product
from roadmap.practices.services import PracticeInput
from tenants.models import Municipality, User


def practice_input(**fields: object) -> PracticeInput:
    base = PracticeInput(
        title=f"Praxis {uuid.uuid4().hex[:8]}", summary="Eine kurze Beschreibung.",
        contact_name="Paula Praxis", contact_email="praxis@test.example",
        problem="Ausgangslage", solution="Lösung", result="Ergebnis",
        cost_once=Decimal("1000"), cost_yearly=Decimal("200"), effort_days=Decimal("5"),
        duration_months=3,
    )  # fmt: skip
    return replace(base, **fields)  # type: ignore[arg-type]


def make_practice(
    *,
    author: User,
    municipality: Municipality | None,
    reviewer: User | None = None,
    state: str = "veroeffentlicht",
    **fields: object,
) -> Practice:
    practice = services.practice_create(
        municipality=municipality, data=practice_input(**fields), user=author
    )
    if state in ("eingereicht", "veroeffentlicht"):
        services.practice_submit(practice=practice, user=author)
    if state == "veroeffentlicht":
        assert reviewer is not None
        practice = services.practice_review(practice=practice, user=reviewer, approve=True)
    practice.refresh_from_db()
    return practice


def product(name: str) -> Product:
    return Product.objects.get_or_create(name=name)[0]
