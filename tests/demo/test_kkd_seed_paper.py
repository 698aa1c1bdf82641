"""Seed 003 in the kkd demo: Drucksache VL-100/2023 of the member town, rendered to PDF."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

# What the coordinator does in the browser (the 2023 papers with the seed's Beratungsfolge),
# then the PDF of Talbrücken's paper, rendered here and read back as text.
PAPER_PDF = """
import io, json
from pypdf import PdfReader
from izd.models import Document
from izd.pdf import render_pdf
from roadmap.papers import services
from roadmap.papers.builders import build_paper
from roadmap.real_demos import kkd_paper_generate
papers = kkd_paper_generate()
paper = next(p for p in papers if p.municipality.slug == "talbruecken")
document = Document(kind=services.KIND, schema_name=paper.municipality.schema_name,
                    params={"paper_id": paper.pk}, title="x", filename="x.pdf")
content = render_pdf(build_paper(document))
text = "\\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
print("@@" + json.dumps({"reference": paper.reference, "papers": len(papers), "text": text}))
"""


def test_kkd_demo_paper_vl_100_2023_shows_the_seed_figures(kkd_demo):
    result = kkd_demo.json(PAPER_PDF)
    assert result["reference"] == "VL-100/2023"
    text = " ".join(result["text"].split())
    for expected in (
        "VL-100/2023",
        "Magistrat", "31.07.2023", "vorberatend",
        "Haupt- und Finanzausschuss", "26.09.2023",
        "Stadtverordnetenversammlung", "28.09.2023", "beschließend",
        "Kompetenzcenter Kommunal Digital",
        "010102", "Zentrale Dienste",
        "21.695,55 €", "8.869,25 €", "12.826,30 €", "15.555,30 €",
        "Die Teilnahme an der interkommunalen Zusammenarbeit",
        "Zur Umsetzung wird der Magistrat ermächtigt",
        "Öffentlich-rechtliche Vereinbarung", "Kostenbeteiligung",
    ):  # fmt: skip
        assert expected in text, expected
    # the Landkreis has 19 municipalities; six share the costs of 2023 (the rest join in 2025)
    assert result["papers"] == 6
    members = kkd_demo.json(
        "import json\nfrom tenants.models import Municipality\n"
        'print("@@" + json.dumps(Municipality.objects.members().count()))'
    )
    assert members == 19
