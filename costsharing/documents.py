"""Document builders of cost sharing: the PDF notice of a member's share.

A builder runs in the Celery worker; it reads only ids from `document.params` and builds the
plain notice context (costsharing.notices), so the PDF shows exactly what the page shows.
Where an e-invoice can be made, the PDF/A-3 carries the XRechnung XML as an embedded file.
"""

from __future__ import annotations

import contextlib
from typing import Any

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
    attachments = []
    with contextlib.suppress(EInvoiceError):  # no Leitweg-ID or nothing final: the notice alone
        attachments.append(("xrechnung.xml", invoice_xml(context), "text/xml"))
    context["has_einvoice"] = bool(attachments)
    return RenderSpec(
        template_name="costsharing/pdf/notice.html",
        context=context,
        title=notice_title(municipality, year),
        filename=notice_filename(municipality, year),
        attachments=attachments,
    )


def register_document_builders() -> None:
    register_builder(NOTICE_KIND, build_notice)
