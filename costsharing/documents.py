"""Document builders of cost sharing: the PDF notice of a member's share.

A builder runs in the Celery worker; it reads only ids from `document.params` and builds the
plain notice context (costsharing.notices), so the PDF shows exactly what the page shows.
Where an e-invoice can be made, the notice is a ZUGFeRD / Factur-X invoice in the profile
XRECHNUNG (Factur-X 1.07 / ZUGFeRD 2.3 and later): the PDF/A-3 carries the XRechnung CII XML as
`factur-x.xml`, and its XMP metadata declare the conformance level "XRECHNUNG" that matches the
XML's guideline id. Made from the rendered PDF by the `factur-x` library (`facturx_embed`, the
spec's postprocess), which knows the levels up to EXTENDED only, so the level is set afterwards.
The embedding is a change in the renderer's one pypdf pass (izd.pdf_accessibility): the file is
read and written once, not three times, and the XSD is parsed once per process.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from functools import cache, partial
from importlib import resources
from typing import Any

from facturx import facturx as facturx_module
from lxml import etree
from pypdf import PdfReader, PdfWriter

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
    from costsharing.notices import notice, template_context
    from costsharing.selectors import shared_year_reads
    from costsharing.xrechnung import XRECHNUNG_VERSION, EInvoiceError, invoice_xml

    municipality = Municipality.objects.filter(pk=document.params.get("municipality_id")).first()
    if municipality is None:
        raise DocumentError("Die Kommune gibt es nicht mehr.")
    year = int(document.params["year"])
    # The notices of one batch share the year's allocation: read once per worker process.
    with shared_year_reads(f"notices:{document.batch}" if document.batch else None):
        shown = notice(municipality, year)
    xml = None
    with contextlib.suppress(EInvoiceError):  # no Leitweg-ID or nothing final: the notice alone
        xml = invoice_xml(shown)
    title = notice_title(municipality, year)
    return RenderSpec(
        template_name="costsharing/pdf/notice.html",
        context={
            **template_context(shown),
            "has_einvoice": xml is not None,
            "refund": -shown.total if shown.total < 0 else None,
            "xrechnung_version": XRECHNUNG_VERSION,
            "einvoice_filename": FACTURX_FILENAME,
        },
        title=title,
        filename=notice_filename(municipality, year),
        postprocess=partial(facturx_embed, xml=xml, title=title) if xml is not None else None,
    )


FACTURX_FILENAME = "factur-x.xml"  # the name the Factur-X / ZUGFeRD standard prescribes


def facturx_embed(reader: PdfReader, writer: PdfWriter, *, xml: bytes, title: str) -> None:
    """Make the rendered PDF/A-3 (`reader`, cloned into `writer`) a Factur-X invoice, profile
    XRECHNUNG.

    Embeds the XML as `factur-x.xml` (relationship Alternative: the PDF shows the same
    invoice) and writes the XMP metadata (PDF/A-3B identification and the Factur-X extension
    schema: document type INVOICE, file name, version, conformance level XRECHNUNG). The XML is
    checked against the Factur-X EN 16931 XSD first (XRechnung CII is a subset of it); an
    invalid one raises and nothing is stored.
    """
    _check_facturx_xsd(xml)
    # The library's own embedding, on the writer of the renderer's pass: its public
    # generate_from_binary reads and writes the whole file once more (through a temporary
    # file) and parses the XSD again on every call.
    facturx_module._facturx_update_metadata_add_attachment(
        writer,
        xml,
        {
            "author": "Interkommunales Zentrum für IT und Digitalisierung",
            "keywords": "Factur-X, ZUGFeRD, XRechnung, Kostenbeteiligung",
            "title": title,
            "subject": title,
        },
        "factur-x",
        "en16931",
        lang="de-DE",
        afrelationship="alternative",
    )
    _complete_xmp(writer, rendered=reader, level=FACTURX_XRECHNUNG_LEVEL)


_XSD_LOCK = threading.Lock()


@cache
def _facturx_schema() -> etree.XMLSchema:
    """The Factur-X EN 16931 XSD that factur-x ships, parsed once per process."""
    name = facturx_module.FACTURX_LEVEL2xsd["en16931"]
    path = resources.files("facturx").joinpath("xsd_and_schematron", name)
    return etree.XMLSchema(file=str(path))


def _check_facturx_xsd(xml: bytes) -> None:
    schema = _facturx_schema()
    # One validation at a time: lxml's schema objects are not made for threads (the test
    # suite's worker runs tasks in two threads).
    with _XSD_LOCK:
        valid = schema.validate(etree.fromstring(xml))
        errors = str(schema.error_log.last_error)
    if not valid:
        raise DocumentError(f"Die E-Rechnung entspricht nicht dem Factur-X-Schema: {errors}")


FACTURX_XMP = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
FACTURX_XRECHNUNG_LEVEL = "XRECHNUNG"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFAEXT = "http://www.aiim.org/pdfa/ns/extension/"
PDF_NS = "http://ns.adobe.com/pdf/1.3/"
XMP_NS = "http://ns.adobe.com/xap/1.0/"


def _xmp_of(writer_or_reader: Any) -> tuple[Any, etree._Element]:
    stream = writer_or_reader.root_object["/Metadata"].get_object()
    return stream, etree.fromstring(stream.get_data())


def _properties(xmp: etree._Element) -> dict[str, Any]:
    """Every property of the packet by its qualified name, as element or attribute value."""
    found: dict[str, Any] = {}  # an element, or an attribute's string
    for description in xmp.iter(f"{{{RDF}}}Description"):
        if description.getparent() is None or description.getparent().tag != f"{{{RDF}}}RDF":
            continue  # only top-level descriptions; nested ones are structure values
        for name, value in description.attrib.items():
            if name != f"{{{RDF}}}about":
                found.setdefault(name, value)
        for child in description:
            found.setdefault(child.tag, child)
    return found


def _set(xmp: etree._Element, name: str, value: str) -> None:
    """Give a simple property a value, wherever (and in whichever form) the packet has it."""
    for description in xmp.iter(f"{{{RDF}}}Description"):
        if name in description.attrib:
            description.set(name, value)
            return
        child = description.find(name)
        if child is not None and len(child) == 0:
            child.text = value
            return
    rdf = xmp.find(f"{{{RDF}}}RDF")
    assert rdf is not None
    description = etree.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    etree.SubElement(description, name).text = value


def _xmp_date(pdf_date: str) -> str:
    """D:20261127145556+01'00' (the Info dictionary) as 2026-11-27T14:55:56+01:00 (XMP)."""
    digits = pdf_date.removeprefix("D:")
    stamp = (
        f"{digits[0:4]}-{digits[4:6]}-{digits[6:8]}T{digits[8:10]}:{digits[10:12]}:{digits[12:14]}"
    )
    zone = digits[14:].replace("'", "")
    if zone in ("", "Z"):
        return stamp + "Z"
    return f"{stamp}{zone[:3]}:{zone[3:5] or '00'}"


def _complete_xmp(writer: PdfWriter, *, rendered: PdfReader, level: str) -> None:
    """Finish the XMP packet that factur-x wrote in place of the renderer's.

    Sets the Factur-X conformance level (the library knows none beyond EXTENDED), keeps what
    the renderer declared and factur-x dropped (the PDF/A conformance it produced, PDF/UA
    identification, extension schemas), and makes the packet agree with the Info dictionary
    (Producer, Keywords, dates), as PDF/A asks.
    """
    stream, xmp = _xmp_of(writer)
    _, original = _xmp_of(rendered)
    _set(xmp, f"{{{FACTURX_XMP}}}ConformanceLevel", level)
    mine = _properties(xmp)
    rdf = xmp.find(f"{{{RDF}}}RDF")
    assert rdf is not None
    carried = etree.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    for name, value in _properties(original).items():
        if name in (f"{{{PDFAID}}}part", f"{{{PDFAID}}}conformance"):
            _set(xmp, name, value if isinstance(value, str) else (value.text or ""))
        elif name == f"{{{PDFAEXT}}}schemas" and name in mine:
            bag = mine[name].find(f"{{{RDF}}}Bag")
            for schema in value.iterfind(f"{{{RDF}}}Bag/{{{RDF}}}li"):
                bag.append(copy.deepcopy(schema))
        elif name not in mine:
            if isinstance(value, str):
                namespace = etree.QName(name).namespace
                prefix = {uri: key for key, uri in original.nsmap.items()}.get(namespace)
                for element in original.iter():  # prefixes may be declared further down
                    prefix = prefix or {u: k for k, u in element.nsmap.items()}.get(namespace)
                nsmap = {prefix: namespace} if prefix and namespace else None
                etree.SubElement(carried, name, nsmap=nsmap).text = value
            else:
                carried.append(copy.deepcopy(value))
    if len(carried) == 0:
        rdf.remove(carried)
    for description in rdf.iterfind(f"{{{RDF}}}Description"):
        description.set(f"{{{RDF}}}about", "")  # XMP wants it on every top-level description
    info: dict[str, Any] = dict(writer.metadata or {})
    for key, name in (
        ("/Producer", f"{{{PDF_NS}}}Producer"),
        ("/Keywords", f"{{{PDF_NS}}}Keywords"),
    ):
        if info.get(key):
            _set(xmp, name, str(info[key]))
    for key, name in (
        ("/CreationDate", f"{{{XMP_NS}}}CreateDate"),
        ("/ModDate", f"{{{XMP_NS}}}ModifyDate"),
    ):
        if info.get(key):
            _set(xmp, name, _xmp_date(str(info[key])))
    packet = etree.tostring(xmp, encoding="unicode")
    stream.set_data(
        f'<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n{packet}\n'
        '<?xpacket end="w"?>'.encode()
    )


def register_document_builders() -> None:
    register_builder(NOTICE_KIND, build_notice)
