"""A drop-down without a choice yet says so in German ("– bitte wählen –", or "keine" where
nothing is a valid answer), never Django's bare "---------"."""

from __future__ import annotations

import pytest

from tests.conftest import Portal

pytestmark = pytest.mark.django_db

PAGES = {
    "coordinator": (
        "/reifegrad/erhebungen/neu/",
        "/beschlussvorlagen/erzeugen/",
        "/praxis/neu/",
        "/kosten/einwohner/",
    ),
    "centre_treasurer": ("/kosten/2026/nutzung/",),
}


@pytest.mark.parametrize(
    ("role", "path"), [(role, path) for role, paths in PAGES.items() for path in paths]
)
def test_a_select_prompts_in_german(portal: Portal, client_for, role, path):
    response = client_for(getattr(portal, role)).get(path)
    assert response.status_code == 200, path
    page = response.content.decode()
    assert "---------" not in page, path
    assert "– bitte wählen –" in page or ">keine</option>" in page, path
