"""The PDF notice: built, rendered (WeasyPrint) and made a Factur-X invoice (XRECHNUNG)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from costsharing import services
from costsharing.documents import NOTICE_KIND, build_notice, notice_params, notice_title
from costsharing.models import BudgetYear
from izd.documents import context_hash
from izd.models import Document
from izd.pdf import render_pdf
from tests.costsharing.factories import (
    NO_PAPERS,
    centre_treasurer,
    freeze_2023_into_2024,
    issuer,
    load_seed,
)
from tests.pdf_structure import assert_accessible

XSD = Path(facturx.__file__).parent / "xsd_and_schematron" / "facturx-en16931"
FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def seed_notice(seed_towns) -> bytes:
    freeze_2023_into_2024(seed_towns, years=(2023, 2024))
    document = Document(kind=NOTICE_KIND, params=notice_params(seed_towns.focus.pk, 2024))
    return render_pdf(build_notice(document))


@pytest.mark.django_db
def test_seed_notice_pdf_shows_back_charge_current_year_and_total(seed_towns):
    text = pdf_text(seed_notice(seed_towns))
    assert "Bescheid über die Kostenbeteiligung 2024" in text
    assert "8.869,25" in text and "12.826,30" in text and "21.695,55" in text
    assert "periodenfremd" in text
    assert "factur-x.xml" in text  # the notice says where its invoice data are


@pytest.mark.django_db
def test_notice_is_a_factur_x_xrechnung_invoice_whose_xml_validates_against_the_xsd(seed_towns):
    content = seed_notice(seed_towns)
    filename, xml = facturx.get_xml_from_pdf(content, check_xsd=False)
    assert filename == "factur-x.xml"
    tree = etree.fromstring(xml)
    schema = etree.XMLSchema(etree.parse(str(XSD / "Factur-X_EN16931.xsd")))
    assert schema.validate(tree), schema.error_log
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    ns = {
        "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    }
    assert tree.findtext(".//ram:DuePayableAmount", namespaces=ns) == "21695.55"
    assert tree.findtext(".//ram:BuyerReference", namespaces=ns) == seed_towns.focus.leitweg_id

    reader = PdfReader(io.BytesIO(content))
    root: Any = reader.trailer["/Root"]
    xmp = etree.fromstring(root["/Metadata"].get_object().get_data())
    assert xmp.findtext(f".//{{{FX}}}ConformanceLevel") == "XRECHNUNG"
    assert xmp.findtext(f".//{{{FX}}}DocumentFileName") == "factur-x.xml"
    assert xmp.findtext(f".//{{{FX}}}DocumentType") == "INVOICE"
    assert xmp.findtext(f".//{{{PDFAID}}}part") == "3"
    assert "/OutputIntents" in root  # still PDF/A: WeasyPrint's output intent is kept
    (spec,) = [f.get_object() for f in root["/AF"]]
    assert spec["/F"] == "factur-x.xml" and spec["/AFRelationship"] == "/Alternative"
    assert list(reader.attachments) == ["factur-x.xml"]
    assert "Bescheid über die Kostenbeteiligung 2024" in pdf_text(content)


@pytest.mark.django_db
def test_notice_without_leitweg_id_is_a_plain_pdf_a_without_invoice(portal, seed_towns):
    from datetime import date

    from tests.costsharing.factories import budget_year, join

    join(portal.a, date(2020, 1, 1))
    year = budget_year(2026, costs=(("material", "Betrieb", "1000.00"),))
    issuer()
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=year, user=centre_treasurer()
    )
    spec = build_notice(Document(kind=NOTICE_KIND, params=notice_params(portal.a.pk, 2026)))
    assert spec.postprocess is None and spec.context["has_einvoice"] is False
    content = render_pdf(spec)
    assert PdfReader(io.BytesIO(content)).attachments == {}
    assert not any(facturx.get_xml_from_pdf(content, check_xsd=False))
    assert "1.000,00 €" in pdf_text(content)


@pytest.mark.django_db
def test_factur_x_notice_never_reuses_a_plain_rendering(seed_towns):
    load_seed(seed_towns, years=(2024,))
    issuer()
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS,
        budget_year=BudgetYear.objects.get(year=2024),
        user=centre_treasurer(),
    )
    document = Document(kind=NOTICE_KIND, params=notice_params(seed_towns.focus.pk, 2024))
    spec = build_notice(document)
    assert spec.postprocess is not None
    plain = build_notice(document)
    plain.postprocess = None
    assert context_hash(spec) != context_hash(plain)


@pytest.mark.django_db
def test_notice_is_tagged_pdf_a_3a_and_pdf_ua_1_also_as_factur_x_invoice(seed_towns):
    content = seed_notice(seed_towns)
    title = notice_title(seed_towns.focus, 2024)
    found = assert_accessible(content, title=title, tags=("H2", "Table", "TH", "TD"))
    assert "/Row" in found.th_scopes and "/Column" in found.th_scopes
    # the Factur-X library's XMP is kept beside the identification, with its declared schema
    assert found.xmp_value(FX, "DocumentFileName") == "factur-x.xml"
    assert list(PdfReader(io.BytesIO(content)).attachments) == ["factur-x.xml"]
    schemas = {e.text for e in found.xmp.iter("{http://www.aiim.org/pdfa/ns/schema#}namespaceURI")}
    assert {FX, "http://www.aiim.org/pdfua/ns/id/"} <= schemas


@pytest.mark.django_db
def test_a_breakdown_running_onto_the_next_page_repeats_its_header_and_leaves_no_row_alone(
    seed_towns,
):
    freeze_2023_into_2024(seed_towns, years=(2023, 2024))
    document = Document(kind=NOTICE_KIND, params=notice_params(seed_towns.focus.pk, 2024))
    spec = build_notice(document)
    spec.postprocess = None  # the invoice changes nothing of the pages
    # The year's breakdown made long enough to run over a page, its rows told apart by name.
    line = spec.context["lines"][-1]
    rows = [{**item, "label": f"Zeile {n:02d}"} for n, item in enumerate(line["components"] * 6)]
    line["components"] = rows
    pages = [
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(render_pdf(spec))).pages
    ]
    on_page = [[r["label"] for r in rows if r["label"] in text] for text in pages]
    spanned = [n for n, labels in enumerate(on_page) if labels]
    assert len(spanned) >= 2, on_page  # the test's premise: the table runs over a page
    for n in spanned:
        assert "Bestandteil Berechnung Betrag" in pages[n], (n, pages[n][:300])
    assert len(on_page[spanned[-1]]) >= 2, on_page  # the last row never stands alone


@pytest.mark.django_db
def test_an_invoice_xml_outside_the_factur_x_schema_is_refused_and_no_pdf_is_made(seed_towns):
    """The XSD check that factur-x made on every call is made with the schema parsed once."""
    from dataclasses import replace
    from functools import partial

    from costsharing.documents import facturx_embed
    from izd.documents import DocumentError

    freeze_2023_into_2024(seed_towns, years=(2023, 2024))
    spec = build_notice(Document(kind=NOTICE_KIND, params=notice_params(seed_towns.focus.pk, 2024)))
    assert isinstance(spec.postprocess, partial)
    xml = etree.fromstring(spec.postprocess.keywords["xml"])
    ns = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    trade = xml.find(f".//{{{ns}}}ApplicableHeaderTradeSettlement")
    assert trade is not None
    etree.SubElement(trade, f"{{{ns}}}NotInTheSchema").text = "x"
    broken = partial(facturx_embed, xml=etree.tostring(xml), title=spec.title)
    with pytest.raises(DocumentError, match="Factur-X-Schema"):
        render_pdf(replace(spec, postprocess=broken))
    # the schema object stays usable: the valid invoice is embedded afterwards
    assert list(PdfReader(io.BytesIO(render_pdf(spec))).attachments) == ["factur-x.xml"]
