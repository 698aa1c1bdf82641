"""The notices' e-invoices against the official rules (tests/einvoice_rules.py): XRechnung 3.0
in CII and UBL, invoices and credit notes, the Factur-X PDF, and every notice of the demo year.

"Accepted" here is stricter than the KoSIT validator's verdict: no finding at all, neither an
error nor a warning nor an information.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from costsharing import services
from costsharing.documents import NOTICE_KIND, build_notice, notice_params
from costsharing.models import BudgetYear, Grant
from costsharing.notices import Notice, notice
from costsharing.xrechnung import XRECHNUNG_3, invoice_ubl, invoice_xml
from izd.models import Document
from izd.pdf import render_pdf
from tenants.models import Municipality, User
from tests import einvoice_rules as rules
from tests.costsharing.factories import (
    NO_PAPERS,
    budget_year,
    centre_treasurer,
    freeze_2023_into_2024,
    issuer,
    join,
    leitweg_for,
    load_seed,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(rules.rules_dir() is None, reason=rules.missing_rules_message()),
]
D = Decimal
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
PDF_NS = "http://ns.adobe.com/pdf/1.3/"


def assert_accepted(findings: list[rules.Finding]) -> None:
    assert findings == [], "\n".join(str(f) for f in findings)


@pytest.fixture
def seed_2024(seed_towns) -> Notice:
    """The seed case's notice for 2024: a back charge for 2023 and the share for 2024."""
    freeze_2023_into_2024(seed_towns)
    return notice(seed_towns.focus, 2024)


@pytest.fixture
def refund_2025(seed_towns) -> Notice:
    """A grant granted after 2024 was frozen lowers every share; the correction is settled with
    the notice for 2025, which has nothing else to bill: a refund."""
    years = load_seed(seed_towns, years=(2024,))
    issuer()
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=years[2024], user=centre_treasurer()
    )
    services.correction_open(budget_year=years[2024])
    services.grant_add(
        budget_year=years[2024],
        source="Nachträglich bewilligte IKZ-Förderung",
        amount=D("30000.00"),
        pass_on=Grant.PassOn.BY_KEY,
    )
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS,
        budget_year=years[2024],
        user=centre_treasurer(),
        reason="Förderbescheid nachgereicht",
    )
    return notice(seed_towns.focus, 2025)


def test_cii_invoice_passes_d16b_schema_en16931_and_xrechnung_rules(seed_2024):
    xml = invoice_xml(seed_2024)
    assert_accepted(rules.xrechnung_cii_findings(xml))
    # the rules looked at the document (a schematron that matches nothing reports nothing)
    assert rules.fired_rules(xml, "en16931", "cii") > 20
    assert rules.fired_rules(xml, "xrechnung_schematron", "cii") > 5
    tax = etree.fromstring(xml).find(f".//{{{RAM}}}ApplicableHeaderTradeSettlement")
    assert tax is not None
    assert tax.findtext(f"{{{RAM}}}ApplicableTradeTax/{{{RAM}}}RateApplicablePercent") == "0"


def test_ubl_invoice_passes_ubl_schema_en16931_and_xrechnung_rules(seed_2024):
    xml = invoice_ubl(seed_2024)
    assert_accepted(rules.xrechnung_ubl_findings(xml))
    assert rules.fired_rules(xml, "en16931", "ubl") > 20
    root = etree.fromstring(xml)
    assert etree.QName(root).localname == "Invoice"
    assert root.findtext(f"{{{CBC}}}CustomizationID") == XRECHNUNG_3
    assert root.findtext(f".//{{{CBC}}}PayableAmount") == "21695.55"


def test_cii_and_ubl_say_the_same(seed_2024, seed_towns):
    cii = etree.fromstring(invoice_xml(seed_2024))
    ubl = etree.fromstring(invoice_ubl(seed_2024))
    assert cii.findtext(f".//{{{RAM}}}BuyerReference") == seed_towns.focus.leitweg_id
    assert ubl.findtext(f"{{{CBC}}}BuyerReference") == seed_towns.focus.leitweg_id
    cii_lines = [e.text for e in cii.iter(f"{{{RAM}}}LineTotalAmount")][:-1]
    ubl_lines = [e.text for e in ubl.iter(f"{{{CBC}}}LineExtensionAmount")][1:]
    assert cii_lines == ubl_lines == ["8869.25", "12826.30"]


def test_the_rules_reject_what_xrechnung_forbids(seed_2024):
    """The check can fail: without BT-119 the CII is refused (BR-DE-14, as found in issue 10);
    without a Leitweg-ID the UBL is refused (BR-DE-15)."""
    cii = etree.fromstring(invoice_xml(seed_2024))
    for rate in cii.iter(f"{{{RAM}}}RateApplicablePercent"):
        rate.getparent().remove(rate)
    findings = rules.xrechnung_cii_findings(etree.tostring(cii, xml_declaration=True))
    assert [(f.source, f.rule) for f in findings] == [("XRechnung", "BR-DE-14")]

    ubl = etree.fromstring(invoice_ubl(seed_2024))
    reference = ubl.find(f"{{{CBC}}}BuyerReference")
    assert reference is not None
    ubl.remove(reference)
    findings = rules.xrechnung_ubl_findings(etree.tostring(ubl, xml_declaration=True))
    assert "BR-DE-15" in {f.rule for f in findings}


def test_xrechnung_cii_is_also_factur_x_en16931_content(seed_2024):
    """Factur-X's own EN 16931 rules admit only their own guideline id (FX-SCH-A-000556); with
    it, the same XML passes Factur-X's schema and schematron. The PDF therefore declares the
    profile XRECHNUNG, whose rules are KoSIT's."""
    xml = invoice_xml(seed_2024)
    assert [f.rule for f in rules.facturx_en16931_findings(xml)] == ["FX-SCH-A-000556"]
    as_en16931 = xml.replace(XRECHNUNG_3.encode(), b"urn:cen.eu:en16931:2017")
    assert_accepted(rules.facturx_en16931_findings(as_en16931))


def test_refund_is_a_credit_note_in_cii_and_ubl_accepted_by_the_rules(refund_2025):
    assert refund_2025.total < 0
    assert [line.kind for line in refund_2025.lines] == ["back_charge"]
    refund = -refund_2025.total

    cii = invoice_xml(refund_2025)
    assert_accepted(rules.xrechnung_cii_findings(cii))
    root = etree.fromstring(cii)
    assert root.findtext(f".//{{{RAM}}}TypeCode") == "381"
    assert root.findtext(f".//{{{RAM}}}DuePayableAmount") == f"{refund:.2f}"

    ubl = invoice_ubl(refund_2025)
    assert_accepted(rules.xrechnung_ubl_findings(ubl))
    root = etree.fromstring(ubl)
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext(f"{{{CBC}}}CreditNoteTypeCode") == "381"
    assert root.findtext(f".//{{{CBC}}}PayableAmount") == f"{refund:.2f}"
    assert root.findtext(f".//{{{CBC}}}CreditedQuantity") == "1"


def test_refund_notice_pdf_is_a_factur_x_credit_note(refund_2025, seed_towns):
    spec = build_notice(Document(kind=NOTICE_KIND, params=notice_params(seed_towns.focus.pk, 2025)))
    content = render_pdf(spec)
    _, xml = facturx.get_xml_from_pdf(content, check_xsd=False)
    assert_accepted(rules.xrechnung_cii_findings(xml))
    assert etree.fromstring(xml).findtext(f".//{{{RAM}}}TypeCode") == "381"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Erstattung an" in text and "Gutschrift" in text
    assert "Bitte überweisen Sie" not in text


def pdf_xmp(content: bytes) -> etree._Element:
    root: Any = PdfReader(io.BytesIO(content)).trailer["/Root"]
    return etree.fromstring(root["/Metadata"].get_object().get_data())


def test_factur_x_pdf_declares_xrechnung_and_its_xml_passes_the_rules(seed_2024, seed_towns):
    spec = build_notice(Document(kind=NOTICE_KIND, params=notice_params(seed_towns.focus.pk, 2024)))
    content = render_pdf(spec)
    filename, xml = facturx.get_xml_from_pdf(content, check_xsd=False)
    assert filename == "factur-x.xml"
    assert_accepted(rules.xrechnung_cii_findings(xml))
    xmp = pdf_xmp(content)
    # Factur-X 1.07 / ZUGFeRD 2.3: an XRechnung guideline id goes with the level XRECHNUNG
    assert xmp.findtext(f".//{{{FX}}}ConformanceLevel") == "XRECHNUNG"
    assert xmp.findtext(f".//{{{FX}}}DocumentType") == "INVOICE"
    assert xmp.findtext(f".//{{{FX}}}DocumentFileName") == "factur-x.xml"
    assert xmp.findtext(f".//{{{FX}}}Version") == "1.0"
    guideline = etree.fromstring(xml).findtext(
        f".//{{{RAM}}}GuidelineSpecifiedDocumentContextParameter/{{{RAM}}}ID"
    )
    assert guideline == XRECHNUNG_3
    # the Factur-X extension schema still describes the properties (PDF/A-3 needs it)
    names = {e.text for e in xmp.iter("{http://www.aiim.org/pdfa/ns/property#}name")}
    assert {"ConformanceLevel", "DocumentFileName", "DocumentType", "Version"} <= names
    # XMP and Info dictionary agree, as PDF/A asks; the header version is the renderer's
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata is not None
    assert xmp.findtext(f".//{{{PDF_NS}}}Producer") == reader.metadata["/Producer"]
    assert xmp.findtext(f".//{{{PDF_NS}}}Keywords") == reader.metadata["/Keywords"]
    assert reader.pdf_header == "%PDF-1.7"


@pytest.mark.parametrize(
    ("variant", "declared"),
    [
        ("pdf/a-3b", ("3", "B", None)),
        ("pdf/a-3a", ("3", "A", None)),
        ("pdf/ua-1", (None, None, "1")),
    ],
)
def test_factur_x_embedding_keeps_what_the_renderer_declared(variant, declared, seed_2024):
    """factur-x writes its own XMP packet; the PDF/A conformance and PDF/UA part the renderer
    declared survive it (the notice's PDF variant is chosen elsewhere)."""
    from functools import partial

    import weasyprint

    from costsharing.documents import facturx_embed
    from izd.pdf_accessibility import changed_pdf

    rendered = weasyprint.HTML(string="<html lang=de><title>T</title><p>Bescheid</p>").write_pdf(
        pdf_variant=variant
    )
    embed = partial(facturx_embed, xml=invoice_xml(seed_2024), title="T")
    xmp = pdf_xmp(changed_pdf(rendered, embed))
    part, conformance, ua = declared
    pdfaid, pdfuaid = "http://www.aiim.org/pdfa/ns/id/", "http://www.aiim.org/pdfua/ns/id/"
    assert xmp.findtext(f".//{{{pdfaid}}}part") == (part or "3")  # factur-x: PDF/A-3 always
    assert xmp.findtext(f".//{{{pdfaid}}}conformance") == (conformance or "B")
    assert xmp.findtext(f".//{{{pdfuaid}}}part") == ua
    assert xmp.findtext(f".//{{{FX}}}ConformanceLevel") == "XRECHNUNG"


def test_municipal_and_centre_treasurer_download_cii_and_ubl(portal, client_for):
    Municipality.objects.filter(pk=portal.a.pk).update(leitweg_id=leitweg_for(portal.a.ags))
    join(portal.a, date(2024, 1, 1))
    year = budget_year(2026, costs=(("material", "Betrieb", "1000.00"),))
    issuer()
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=year, user=centre_treasurer()
    )
    for user in (portal.treasurer_a, portal.centre_treasurer):
        client = client_for(user, portal.a)
        page = client.get("/kosten/2026/").content.decode()
        assert "anteil.ubl.xml" in page and "anteil.xml" in page
        cii = client.get("/kosten/2026/anteil.xml")
        assert cii.status_code == 200, user
        assert "XRechnung-Kostenbeteiligung-2026" in cii["Content-Disposition"]
        assert_accepted(rules.xrechnung_cii_findings(cii.content))
        ubl = client.get("/kosten/2026/anteil.ubl.xml")
        assert ubl.status_code == 200, user
        assert "XRechnung-UBL-Kostenbeteiligung-2026" in ubl["Content-Disposition"]
        assert_accepted(rules.xrechnung_ubl_findings(ubl.content))
    other = client_for(portal.treasurer_b, portal.a).get("/kosten/2026/anteil.ubl.xml")
    assert other.status_code == 403


def test_every_notice_of_the_demo_year_is_accepted(portal):
    """Load the demo (29 municipalities of the Main-Kinzig-Kreis, cost sharing 2026), freeze
    2026, and check every member's notice in both syntaxes, and two notices as PDF."""
    from costsharing.demo import DEMO_YEAR, costsharing_demo_load
    from tenants.demo import DEMO_MUNICIPALITY_SLUG, demo_data_load

    demo_data_load()
    costsharing_demo_load()
    services.allocation_freeze(
        decisions_waiver=NO_PAPERS,
        budget_year=BudgetYear.objects.get(year=DEMO_YEAR),
        user=User.objects.get(email__startswith="kaemmerei-zentrum@"),
    )
    demo = list(Municipality.objects.members().filter(ags__startswith="064350").order_by("ags"))
    assert len(demo) == 29
    for municipality in demo:
        assert municipality.leitweg_id_is_demo, municipality.name
        shown = notice(municipality, DEMO_YEAR)
        assert shown.total > 0 and shown.billing.budget_line
        assert_accepted(rules.xrechnung_cii_findings(invoice_xml(shown)))
        assert_accepted(rules.xrechnung_ubl_findings(invoice_ubl(shown)))

    for municipality in (Municipality.objects.get(slug=DEMO_MUNICIPALITY_SLUG), demo[0]):
        document = Document(kind=NOTICE_KIND, params=notice_params(municipality.pk, DEMO_YEAR))
        content = render_pdf(build_notice(document))
        _, xml = facturx.get_xml_from_pdf(content, check_xsd=False)
        assert_accepted(rules.xrechnung_cii_findings(xml))
        assert pdf_xmp(content).findtext(f".//{{{FX}}}ConformanceLevel") == "XRECHNUNG"
