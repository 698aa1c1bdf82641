"""The roadmap PDF: a builder makes a plain context from ids, the renderer does the rest.

Runs in the Celery worker (izd.documents.document_render); reads only committed data.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from izd import formats
from izd.documents import DocumentError
from izd.models import Document
from izd.pdf import RenderSpec
from roadmap import selectors
from roadmap.timeline import build_timeline, quarter_label
from tenants.models import Municipality

KIND = "roadmap.pdf"


def _number(value: Decimal | None) -> str:
    return "–" if value is None else formats.exact(value)


def roadmap_pdf_context(municipality: Municipality | None) -> dict[str, Any]:
    """Everything the roadmap PDF shows, as plain values."""
    year = timezone.localdate().year
    measures = list(selectors.measure_list(municipality))
    picture = selectors.target_picture()
    timeline = build_timeline(measures, span=[f"{y}-Q1" for y in picture.years[:1]])
    titles = selectors.dimension_titles()
    context: dict[str, Any] = {
        "kreis_name": settings.KREIS_NAME,
        "scope": municipality.name if municipality else settings.KREIS_NAME,
        "for_municipality": municipality is not None,
        "as_of": date_format(timezone.localdate(), "d.m.Y"),
        "target_years": picture.years,
        "target_rows": [
            {
                "title": row.dimension.title,
                "levels": ["–" if lv is None else lv for lv in row.levels],
            }
            for row in picture.rows
        ],
        "timeline": dataclasses.asdict(timeline),
        "groups": [
            {
                "title": group.dimension.title,
                "measures": [
                    {
                        "title": m.title,
                        "description": m.description,
                        "start": quarter_label(m.start_quarter),
                        "end": quarter_label(m.end_quarter),
                        "responsible": m.responsible,
                        "status": m.get_status_display(),
                        "municipalities": [t.name for t in m.municipalities.all()]
                        or ["ganzer Kreis"],
                        "depends_on": [d.title for d in m.depends_on.all()],
                    }
                    for m in group.measures
                ],
            }
            for group in selectors.measures_by_dimension(measures)
        ],
        "gaps": [],
        "gaps_campaign": "",
        "dimension_count": len(titles),
    }
    if municipality is not None:
        gaps = selectors.municipality_gaps(municipality, year)
        context["gaps_campaign"] = gaps.campaign.name if gaps.campaign else ""
        context["gaps"] = [
            {
                "title": row.dimension.title,
                "score": _number(row.score),
                "target": _number(row.target),
                "gap": _number(row.gap),
                "county_target": "–"
                if row.county_target_level is None
                else row.county_target_level,
                "below": row.below_county_target or bool(row.gap),
            }
            for row in gaps.rows
        ]
    return context


def _municipality(document: Document) -> Municipality | None:
    municipality_id = document.params.get("municipality_id")
    if municipality_id is None:
        return None
    municipality = Municipality.objects.members().filter(pk=municipality_id).first()
    if municipality is None:
        raise DocumentError("Die Kommune gibt es nicht mehr.")
    if document.schema_name not in (settings.PUBLIC_SCHEMA_NAME, municipality.schema_name):
        raise DocumentError("Die Roadmap einer anderen Kommune kann hier nicht erstellt werden.")
    return municipality


def title_for(municipality: Municipality | None) -> str:
    scope = municipality.name if municipality else settings.KREIS_NAME
    return f"Roadmap Digitalisierung – {scope}"


def filename_for(municipality: Municipality | None) -> str:
    scope = municipality.slug if municipality else "kreis"
    return f"roadmap-{scope}.pdf"


def build_roadmap_pdf(document: Document) -> RenderSpec:
    municipality = _municipality(document)
    context = roadmap_pdf_context(municipality)
    title = title_for(municipality)
    context.update(header_left=title, header_right=f"Stand {context['as_of']}",
                   footer_left=f"IZD {settings.KREIS_NAME}")  # fmt: skip
    return RenderSpec(
        template_name="roadmap/pdf/roadmap.html",
        context=context,
        title=title,
        filename=filename_for(municipality),
    )
