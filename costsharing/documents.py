"""Document builders of cost sharing: the PDF notice of a member's share.

A builder runs in the Celery worker; it reads only ids from `document.params` and builds the
plain notice context (costsharing.notices), so the PDF shows exactly what the page shows.
Where an e-invoice can be made, the notice is a ZUGFeRD / Factur-X invoice (profile EN 16931):
the PDF/A-3 carries the XRechnung XML as `factur-x.xml` with the Factur-X XMP metadata, made
from the rendered PDF by the `factur-x` library (`facturx_embed`, the spec's postprocess).
"""

from __future__ import annotations

import contextlib
from functools import partial
from typing import Any

import facturx

from izd.documents import DocumentError, register_builder
from izd.models import Document
from izd.pdf import RenderSpec
from tenants.models import Municipality

NOTICE_KIND = "costsharing.notice"


def notice_params(municipality_id: int, year: int) -> dict[str, Any]:
    return {"municipality_id": municipality_id, "year": year}


def notice_filename(municipality: Municipality, year: int) -> str:
    return f"Kostenbeteiligung-{year}-{municipality.slug}.pdf"


def notice_title(municipality: Municipality, year: int) -> str:
    return f"Bescheid Kostenbeteiligung {year} – {municipality.name}"


def build_notice(document: Document) -> RenderSpec:
    from costsharing.notices import notice_context
    from costsharing.xrechnung import EInvoiceError, invoice_xml

    municipality = Municipality.objects.filter(pk=document.params.get("municipality_id")).first()
    if municipality is None:
        raise DocumentError("Die Kommune gibt es nicht mehr.")
    year = int(document.params["year"])
    context = notice_context(municipality, year)
    xml = None
    with contextlib.suppress(EInvoiceError):  # no Leitweg-ID or nothing final: the notice alone
        xml = invoice_xml(context)
    context["has_einvoice"] = xml is not None
    context["einvoice_filename"] = FACTURX_FILENAME
    title = notice_title(municipality, year)
    return RenderSpec(
        template_name="costsharing/pdf/notice.html",
        context=context,
        title=title,
        filename=notice_filename(municipality, year),
        postprocess=partial(facturx_embed, xml=xml, title=title) if xml is not None else None,
    )


FACTURX_FILENAME = "factur-x.xml"  # the name the Factur-X / ZUGFeRD standard prescribes


def facturx_embed(pdf: bytes, *, xml: bytes, title: str) -> bytes:
    """Make the rendered PDF/A-3 a Factur-X invoice, profile EN 16931 (XRechnung CII).

    Embeds the XML as `factur-x.xml` (relationship Alternative: the PDF shows the same
    invoice) and writes the XMP metadata (PDF/A-3B identification and the Factur-X extension
    schema: document type INVOICE, file name, version, conformance level EN 16931). The XML is
    checked against the EN 16931 XSD on the way; an invalid one raises and nothing is stored.
    """
    return bytes(
        facturx.generate_from_binary(
            pdf,
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=True,
            afrelationship="alternative",
            lang="de-DE",
            pdf_metadata={
                "author": "Interkommunales Zentrum für IT und Digitalisierung",
                "keywords": "Factur-X, ZUGFeRD, XRechnung, Kostenbeteiligung",
                "title": title,
                "subject": title,
            },
        )
    )


def register_document_builders() -> None:
    register_builder(NOTICE_KIND, build_notice)
