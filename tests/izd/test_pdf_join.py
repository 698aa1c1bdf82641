"""A part shared by many documents is joined with its tagged structure: the result is still a
tagged PDF/A-3a + PDF/UA-1 document whose every marked content hangs in one structure tree."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from izd import documents as izd_documents
from izd.models import Document
from izd.pdf import RenderSpec, SharedPart, render_pdf
from izd.pdf_join import join_pdfs
from tests.pdf_structure import assert_accessible, read_structure

ROWS = 60


def _annex_spec() -> RenderSpec:
    rows = [
        {
            "name": f"Ort {n:03d}",
            "months": 12,
            "population": f"{1000 + n}",
            "total": f"{Decimal(n) * 3:.2f}".replace(".", ",") + " €",
        }
        for n in range(ROWS)
    ]
    return RenderSpec(
        "papers/pdf/kostenbeteiligung.html",
        {
            "shares": {
                "year": 2030,
                "rows": rows,
                "total": "1,00 €",
                "net_cost": "1,00 €",
                "has_grant_credits": False,
            }
        },
        "Anlage",
        "anlage.pdf",
    )


def _main() -> bytes:
    return render_pdf(
        RenderSpec("izd/pdf_probe.html", {"heading": "Vorlage", "text": "Text"}, "Titel", "t.pdf")
    )


def _elements_and_pages(content: bytes) -> tuple[int, set[tuple[int, int]], set[tuple[int, int]]]:
    pdf = pikepdf.open(io.BytesIO(content))
    pages = {page.obj.objgen for page in pdf.pages}
    referenced: set[tuple[int, int]] = set()
    count = 0

    def walk(node: Any) -> None:
        nonlocal count
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                count += 1
                if "/Pg" in kid:
                    referenced.add(kid.Pg.objgen)
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return count, pages, referenced


def test_joined_pdf_keeps_one_valid_structure_tree_and_the_documents_identity():
    main, annex = _main(), render_pdf(_annex_spec())
    joined = join_pdfs(main, [annex])

    found = assert_accessible(joined, title="Titel", tags=("H2", "Table", "TH", "TD"))
    before_main, before_annex = read_structure(main), read_structure(annex)
    assert found.tags["TR"] == before_main.tags["TR"] + before_annex.tags["TR"] > ROWS
    assert found.headings == [1, 2]  # the annex's heading follows the document's title
    assert found.orphan_mcids == 0
    reader = PdfReader(io.BytesIO(joined))
    assert len(reader.pages) == len(PdfReader(io.BytesIO(main)).pages) + len(
        PdfReader(io.BytesIO(annex)).pages
    )
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Ort 000" in text and f"Ort {ROWS - 1:03d}" in text

    pdf = pikepdf.open(io.BytesIO(joined))
    tree = pdf.Root.StructTreeRoot
    nums = tree.ParentTree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    parents = sorted(int(page.obj.StructParents) for page in pdf.pages)
    assert keys == parents == list(range(len(pdf.pages)))  # one entry per page, none twice
    assert int(tree.ParentTreeNextKey) == len(pdf.pages)
    (document,) = list(tree.K)
    assert document.S == "/Document"  # one top element, as PDF/UA wants
    count, pages, referenced = _elements_and_pages(joined)
    assert referenced <= pages  # every element points at a page of this file
    assert count > ROWS * 3
    with pdf.open_outline() as outline:
        (title,) = list(outline.root)
        assert str(title.title) == "Vorlage"
        assert [str(item.title) for item in title.children] == ["Anlage: Kostenbeteiligung 2030"]


def test_the_part_is_appended_as_it_is_and_the_joined_file_reads_without_problems():
    """The part's bytes come first, unchanged: its thousands of objects are not written again
    per document (izd.pdf_append), and qpdf finds nothing to repair in the update."""
    from izd import pdf_append

    main, annex = _main(), render_pdf(_annex_spec())
    part = pdf_append.prepare(annex)
    try:
        joined = join_pdfs(main, [annex])
        assert joined.startswith(part.data)
        assert len(joined) - len(part.data) < 2 * len(main)  # the document and a few objects
        part_keys = part.next_key
    finally:
        part.close()
    with pikepdf.open(io.BytesIO(joined)) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert str(pdf.docinfo.Title) == "Titel"
        assert int(pdf.pages[0].obj.StructParents) == part_keys  # after the part's keys
    # Appending twice to the same part (a batch's second paper) gives the same file.
    assert join_pdfs(main, [annex]) == joined


@pytest.mark.django_db
def test_a_shared_part_is_typeset_once_stored_and_joined_to_each_document():
    izd_documents._PART_BYTES.clear()
    part = SharedPart(kind="test.anlage", spec=_annex_spec())
    spec = RenderSpec(
        "izd/pdf_probe.html", {"heading": "Vorlage", "text": "Text"}, "Titel", "t.pdf"
    )
    spec.shared_parts = [part]
    first = render_pdf(spec)
    izd_documents._PART_BYTES.clear()  # another worker process: reads the stored part
    second = render_pdf(spec)
    stored = Document.objects.filter(kind="test.anlage")
    assert stored.count() == 1
    assert stored.get().fingerprint == izd_documents.shared_key(part)
    for content in (first, second):
        assert_accessible(content, title="Titel", tags=("H2", "Table", "TH"))
        pages = PdfReader(io.BytesIO(content)).pages
        assert "Ort 000" in "\n".join(page.extract_text() for page in pages)
    # The part is part of the document's input hash: another annex, another hash.
    other = RenderSpec(spec.template_name, spec.context, spec.title, spec.filename)
    other.shared_parts = [
        SharedPart(
            kind="test.anlage",
            spec=RenderSpec(
                "izd/pdf_probe.html", {"heading": "Andere Anlage", "text": "x"}, "A", "a.pdf"
            ),
        )
    ]
    assert izd_documents.context_hash(other) != izd_documents.context_hash(spec)
