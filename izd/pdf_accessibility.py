"""Finishing touches that make WeasyPrint's tagged PDF/A-3a also a PDF/UA-1 document.

WeasyPrint tags headings, paragraphs, lists, tables and figures ('pdf/a-3a' turns its tagging
on) and marks backgrounds and borders as artifacts. Three things it leaves open are closed here,
on the finished file, so that a postprocess (the Factur-X embedding) cannot undo them:

- Running headers and footers (the page margin boxes) are drawn as marked content whose
  structure elements hang in no tree. They become pagination artifacts, as PDF/UA asks for
  page headers and footers.
- Table header cells get a /Scope (Row or Column): a header that a data cell of its own row
  refers to is a row header, every other one a column header. WeasyPrint derived those
  references from the HTML `scope` attribute.
- The XMP metadata identifies the file as PDF/A-3a and PDF/UA-1 (with the extension schema
  PDF/A requires for the pdfuaid namespace). The Factur-X library writes its own XMP with
  conformance B; the tagged file meets level A, so the identification says so.

A change of the document's own (the notice's Factur-X embedding, `RenderSpec.postprocess`) is
made on the same writer first: pypdf reads and writes the whole file in pure Python, a good
part of a small document's CPU, so the file is read once and written once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    StreamObject,
)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
XPACKET_BEGIN = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
XPACKET_END = b'\n<?xpacket end="w"?>'


# A change made on the writer of the one pass (the reader holds the file as rendered).
PdfChange = Callable[[PdfReader, PdfWriter], None]


def finish_accessible_pdf(pdf: bytes, change: PdfChange | None = None) -> bytes:
    """The tagged PDF with artifacts, table scopes and the PDF/A-3a + PDF/UA-1 identification,
    after `change` (made first, so that it cannot undo them).

    A PDF without a structure tree (an untagged variant) gets only the change.
    """
    reader = PdfReader(io.BytesIO(pdf))
    catalog: Any = reader.trailer["/Root"]
    tagged = "/StructTreeRoot" in catalog
    if not tagged and change is None:
        return pdf
    writer = _writer(reader)
    if change is not None:
        change(reader, writer)
    if tagged:
        root: Any = writer.root_object
        tree: Any = root["/StructTreeRoot"].get_object()
        reachable = {ref.idnum for ref in _elements(tree)}
        _margin_content_as_artifacts(writer, tree, reachable)
        _table_header_scopes(tree)
        _identify(writer, root)
        _drop_unreachable(writer)
    return _written(writer)


def changed_pdf(pdf: bytes, change: PdfChange) -> bytes:
    """The PDF with only `change` made (one read, one write), the tagging left as it is."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = _writer(reader)
    change(reader, writer)
    return _written(writer)


def _writer(reader: PdfReader) -> PdfWriter:
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header  # pypdf would write 1.3; the file is PDF 1.7
    return writer


def _drop_unreachable(writer: PdfWriter) -> None:
    """Leave out of the file what nothing reaches from its trailer: the structure elements of
    the margin boxes, the replaced XMP packets. (pypdf's compress_identical_objects does this
    too, but hashes the text of every object and the decoded data of every stream on the way,
    a tenth of a small document's CPU.)"""
    objects: list[Any] = writer._objects
    reached = bytearray(len(objects) + 1)
    pending: list[Any] = [writer.root_object, writer._info, writer._ID]
    for start in (writer.root_object, writer._info):
        reference = getattr(start, "indirect_reference", None)
        if reference is not None:
            reached[reference.idnum] = 1
    while pending:
        value = pending.pop()
        if isinstance(value, DictionaryObject):
            pending.extend(value.values())  # a stream's dictionary too
        elif isinstance(value, ArrayObject):
            pending.extend(value)
        elif isinstance(value, IndirectObject) and value.pdf is writer and not reached[value.idnum]:
            reached[value.idnum] = 1
            pending.append(objects[value.idnum - 1])
    for index in range(len(objects)):
        if not reached[index + 1]:
            objects[index] = None


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
    return list(kids) if isinstance(kids, ArrayObject) else [kids]


def _elements(node: Any) -> Iterator[IndirectObject]:
    """Every structure element reachable from the tree root, as indirect references."""
    for kid in _kids(node):
        if not isinstance(kid, IndirectObject):
            continue
        element = kid.get_object()
        if isinstance(element, DictionaryObject) and "/S" in element:
            yield kid
            yield from _elements(element)


# How WeasyPrint (pydyf) opens a marked-content sequence: `/Span <<\n/MCID 3\n>> BDC`. Text is
# written as hex glyph strings, so this pattern never occurs inside shown text.
MARKED_CONTENT = re.compile(rb"/[A-Za-z]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
PAGINATION_ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def _margin_content_as_artifacts(writer: PdfWriter, tree: Any, reachable: set[int]) -> None:
    nums: Any = tree["/ParentTree"].get_object()["/Nums"]
    for index in range(0, len(nums), 2):
        entry = nums[index + 1].get_object()
        if not isinstance(entry, ArrayObject):
            continue  # an annotation's single parent, not a page's MCID array
        orphans = {
            mcid
            for mcid, ref in enumerate(entry)
            if isinstance(ref, IndirectObject) and ref.idnum not in reachable
        }
        if not orphans:
            continue
        for mcid in orphans:
            entry[mcid] = NullObject()
        page: Any = writer.pages[int(nums[index])]
        stream = page["/Contents"].get_object()
        if not isinstance(stream, StreamObject):
            raise ValueError("Unerwarteter Seiteninhalt im PDF.")

        def as_artifact(match: re.Match[bytes], orphans: set[int] = orphans) -> bytes:
            return PAGINATION_ARTIFACT if int(match.group(1)) in orphans else match.group(0)

        # An encoded stream is compressed again with its FlateDecode filter.
        stream.set_data(MARKED_CONTENT.sub(as_artifact, stream.get_data()))


def _table_header_scopes(tree: Any) -> None:
    for ref in _elements(tree):
        row: Any = ref.get_object()
        if row.get("/S") != "/TR":
            continue
        cells: list[Any] = [
            kid.get_object() for kid in _kids(row) if isinstance(kid, IndirectObject)
        ]
        referenced = {
            str(header)
            for cell in cells
            if cell.get("/S") == "/TD"
            for header in cell.get("/A", {}).get("/Headers", [])
        }
        for cell in cells:
            if cell.get("/S") != "/TH":
                continue
            attributes = cell.get("/A")
            if not isinstance(attributes, DictionaryObject):
                attributes = DictionaryObject({NameObject("/O"): NameObject("/Table")})
                cell[NameObject("/A")] = attributes
            scope = "/Row" if str(cell.get("/ID", "")) in referenced else "/Column"
            attributes[NameObject("/Scope")] = NameObject(scope)


def _identify(writer: PdfWriter, root: Any) -> None:
    existing = root.get("/Metadata")
    data = existing.get_object().get_data() if existing is not None else b""
    xmp = _xmp_with_identification(data)
    stream = DecodedStreamObject()
    stream.set_data(xmp)
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    root[NameObject("/Metadata")] = writer._add_object(stream)


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _xmp_with_identification(data: bytes) -> bytes:
    start, end = data.find(b"<x:xmpmeta"), data.rfind(b"</x:xmpmeta>")
    if start < 0 or end < 0:
        raise ValueError("Die XMP-Metadaten des PDF fehlen.")
    meta = etree.fromstring(data[start : end + len(b"</x:xmpmeta>")])
    rdf = meta.find(_q(RDF, "RDF"))
    assert rdf is not None
    for description in rdf.findall(_q(RDF, "Description")):
        for name in ("part", "conformance"):
            description.attrib.pop(_q(PDFAID, name), None)
            for child in description.findall(_q(PDFAID, name)):
                description.remove(child)
        for child in description.findall(_q(PDFUAID, "part")):
            description.remove(child)
        if len(description) == 0 and list(description.attrib) == [_q(RDF, "about")]:
            rdf.remove(description)

    ids = etree.SubElement(rdf, _q(RDF, "Description"), nsmap={"pdfaid": PDFAID})
    ids.set(_q(RDF, "about"), "")
    etree.SubElement(ids, _q(PDFAID, "part")).text = "3"
    etree.SubElement(ids, _q(PDFAID, "conformance")).text = "A"
    ua = etree.SubElement(rdf, _q(RDF, "Description"), nsmap={"pdfuaid": PDFUAID})
    ua.set(_q(RDF, "about"), "")
    etree.SubElement(ua, _q(PDFUAID, "part")).text = "1"
    _declare_pdfuaid_schema(rdf)
    body = etree.tostring(meta, encoding="utf-8")
    return XPACKET_BEGIN + body + XPACKET_END


def _declare_pdfuaid_schema(rdf: Any) -> None:
    """PDF/A allows XMP properties outside its predefined schemas only when declared."""
    bag = rdf.find(f"{_q(RDF, 'Description')}/{_q(PDFA_EXTENSION, 'schemas')}/{_q(RDF, 'Bag')}")
    if bag is None:
        holder = etree.SubElement(
            rdf,
            _q(RDF, "Description"),
            nsmap={"pdfaExtension": PDFA_EXTENSION, "pdfaSchema": PDFA_SCHEMA,
                   "pdfaProperty": PDFA_PROPERTY},
        )  # fmt: skip
        holder.set(_q(RDF, "about"), "")
        bag = etree.SubElement(
            etree.SubElement(holder, _q(PDFA_EXTENSION, "schemas")), _q(RDF, "Bag")
        )
    for item in bag.findall(_q(RDF, "li")):
        if item.findtext(_q(PDFA_SCHEMA, "namespaceURI")) == PDFUAID:
            return
    schema = etree.SubElement(bag, _q(RDF, "li"))
    schema.set(_q(RDF, "parseType"), "Resource")
    etree.SubElement(schema, _q(PDFA_SCHEMA, "schema")).text = "PDF/UA Universal Accessibility"
    etree.SubElement(schema, _q(PDFA_SCHEMA, "namespaceURI")).text = PDFUAID
    etree.SubElement(schema, _q(PDFA_SCHEMA, "prefix")).text = "pdfuaid"
    properties = etree.SubElement(
        etree.SubElement(schema, _q(PDFA_SCHEMA, "property")), _q(RDF, "Seq")
    )
    prop = etree.SubElement(properties, _q(RDF, "li"))
    prop.set(_q(RDF, "parseType"), "Resource")
    etree.SubElement(prop, _q(PDFA_PROPERTY, "name")).text = "part"
    etree.SubElement(prop, _q(PDFA_PROPERTY, "valueType")).text = "Integer"
    etree.SubElement(prop, _q(PDFA_PROPERTY, "category")).text = "internal"
    etree.SubElement(
        prop, _q(PDFA_PROPERTY, "description")
    ).text = "Indicates which part of ISO 14289 the document conforms to"
