"""The OParl 1.1 export validates against the OParl schema files (draft-07)."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlparse

import pytest
from jsonschema.exceptions import ValidationError as SchemaError

from tests.conftest import Portal
from tests.papers.factories import finished_document, paper_for, paper_template, simple_year
from tests.papers.oparl_schema import SCHEMA_DIR, validator

pytestmark = pytest.mark.django_db


def _export(portal: Portal, client_for) -> tuple[dict[str, Any], Any]:
    simple_year(2030, (portal.a,))
    paper = paper_for(portal.a, 2030, paper_template())
    finished_document(paper, b"%PDF-1.7 Beschlussvorlage")
    response = client_for(portal.coordinator).get(f"/beschlussvorlagen/{paper.pk}/oparl.json")
    assert response.status_code == 200
    return response.json(), paper


def test_schema_folder_is_found_beside_the_repository():
    assert (SCHEMA_DIR / "Paper.json").is_file(), SCHEMA_DIR


def test_paper_export_validates_against_oparl_1_1(portal: Portal, client_for):
    data, paper = _export(portal, client_for)
    validator("Paper.json").validate(data)
    assert data["type"] == "https://schema.oparl.org/1.1/Paper"
    assert data["paperType"] == "Beschlussvorlage"
    assert data["reference"] == paper.reference
    assert data["date"] == paper.date.isoformat()
    assert data["auxiliaryFile"] == []
    main = data["mainFile"]
    paper.document.refresh_from_db()
    assert main["sha512Checksum"] == paper.document.sha512
    assert main["size"] == len(b"%PDF-1.7 Beschlussvorlage")
    assert main["mimeType"] == "application/pdf"
    assert [(c["role"], c["authoritative"]) for c in data["consultation"]] == [
        ("Vorberatung", False),
        ("Vorberatung", False),
        ("Beschlussfassung", True),
    ]
    assert all(len(c["organization"]) == 1 for c in data["consultation"])


def test_embedded_objects_are_checked_so_a_broken_file_fails(portal: Portal, client_for):
    data, _paper = _export(portal, client_for)
    broken = copy.deepcopy(data)
    del broken["mainFile"]["accessUrl"]
    with pytest.raises(SchemaError, match="accessUrl"):
        validator("Paper.json").validate(broken)
    broken = copy.deepcopy(data)
    broken["consultation"][0]["authoritative"] = "ja"
    with pytest.raises(SchemaError):
        validator("Paper.json").validate(broken)
    broken = copy.deepcopy(data)
    broken["mainFile"]["downloadUrl"] = "keine-url"
    with pytest.raises(SchemaError):
        validator("Paper.json").validate(broken)


def test_linked_objects_answer_with_valid_oparl(portal: Portal, client_for):
    data, _paper = _export(portal, client_for)
    client = client_for(portal.coordinator)
    for url, schema in (
        (data["consultation"][2]["id"], "Consultation.json"),
        (data["consultation"][2]["organization"][0], "Organization.json"),
        (data["mainFile"]["id"], "File.json"),
        (data["id"], "Paper.json"),
    ):
        response = client.get(urlparse(url).path)
        assert response.status_code == 200, url
        validator(schema).validate(response.json())
        assert response.json()["id"] == url


def test_municipality_exports_its_own_paper_with_its_own_urls(portal: Portal, client_for):
    simple_year(2030, (portal.a, portal.b))
    paper = paper_for(portal.a, 2030, paper_template())
    finished_document(paper)
    response = client_for(portal.officer_a, portal.a).get(
        f"/beschlussvorlagen/{paper.pk}/oparl.json"
    )
    assert response.status_code == 200
    data = response.json()
    validator("Paper.json").validate(data)
    assert urlparse(data["mainFile"]["accessUrl"]).hostname == portal.host(portal.a)
    # Beispielstadt's people, on their own subdomain, do not get Testhausen's paper
    other = client_for(portal.officer_b, portal.b).get(f"/beschlussvorlagen/{paper.pk}/oparl.json")
    assert other.status_code == 404
