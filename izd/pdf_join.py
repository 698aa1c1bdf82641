"""Joins tagged PDF/A documents: a document's own pages, then parts shared by many documents.

A part that is the same for every document of a batch (the Kostenbeteiligung annex of 420 rows
in every decision paper) is typeset once and joined to each document here, page by page, with
its structure tree. Both sides come from `izd.pdf.render_pdf`, so both are tagged PDF/A-3a and
finished to PDF/UA-1; the joined file keeps the first document's catalog (language, metadata,
output intent, title) and gains the part's pages, structure elements and bookmarks:

- the part's top-level structure elements become children of the document's top element (one
  /Document, as PDF/UA wants), keeping their page references (/Pg) to the copied pages;
- the part's parent tree entries (marked content → structure element) are renumbered after the
  document's own keys, and so are the /StructParents of the copied pages and annotations;
- the part's bookmarks follow the document's.

One part (the annex) is appended as it is: the document is written after the part's bytes as an
incremental update (izd.pdf_append), so the part's thousands of objects are neither copied nor
written again per document. Several parts, or shapes the update does not handle, take the copy
below: qpdf (through pikepdf) copies the objects, one copier per source file, so a page and the
structure elements that point at it meet again in the copy.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from izd import pdf_append


def join_pdfs(document: bytes, parts: Sequence[bytes]) -> bytes:
    """The document with every part's pages appended, tagged structure included."""
    if not parts:
        return document
    if len(parts) == 1:
        with _prepared(parts[0]) as prepared:
            if prepared is not None:
                try:
                    return pdf_append.append(document, prepared)
                except pdf_append.NotAppendable:
                    pass  # an untagged document, or a shape only the copy below joins
    with Pdf.open(io.BytesIO(document)) as pdf:
        for part in parts:
            with _opened(part) as other:
                _append(pdf, other)
        return pdf_append.saved_compact(pdf)


# A part is parsed once per process and kept: qpdf reads every object of the source when it
# copies them, and that reading (not the copy) is what would cost per document. qpdf objects
# are not for two threads at once, so a part is used under its lock.
_OPEN: OrderedDict[str, tuple[Pdf, threading.Lock]] = OrderedDict()
_OPEN_LOCK = threading.Lock()
KEPT_PARTS = 4


# A part appended as it is (izd.pdf_append): compacted and read once per process, then only read.
_PREPARED: OrderedDict[str, tuple[pdf_append.PreparedPart | None, threading.Lock]] = OrderedDict()


@contextmanager
def _prepared(part: bytes) -> Iterator[pdf_append.PreparedPart | None]:
    key = hashlib.sha256(part).hexdigest()
    with _OPEN_LOCK:
        entry = _PREPARED.get(key)
        if entry is None:
            try:
                prepared: pdf_append.PreparedPart | None = pdf_append.prepare(part)
            except pdf_append.NotAppendable:
                prepared = None  # joined by copying, every time
            entry = _PREPARED[key] = (prepared, threading.Lock())
            while len(_PREPARED) > KEPT_PARTS:
                dropped = _PREPARED.popitem(last=False)[1][0]
                if dropped is not None:
                    dropped.close()
        _PREPARED.move_to_end(key)
    with entry[1]:
        yield entry[0]


@contextmanager
def _opened(part: bytes) -> Iterator[Pdf]:
    key = hashlib.sha256(part).hexdigest()
    with _OPEN_LOCK:
        entry = _OPEN.get(key)
        if entry is None:
            entry = _OPEN[key] = (Pdf.open(io.BytesIO(part)), threading.Lock())
            while len(_OPEN) > KEPT_PARTS:
                _OPEN.popitem(last=False)[1][0].close()
        _OPEN.move_to_end(key)
    with entry[1]:
        yield entry[0]


def _append(pdf: Pdf, other: Pdf) -> None:
    tree = pdf.Root.get("/StructTreeRoot")
    other_tree = other.Root.get("/StructTreeRoot")
    if (tree is None) != (other_tree is None):
        raise ValueError("Only tagged with tagged (or untagged with untagged) PDFs are joined.")
    first_new = len(pdf.pages)
    offset = 0
    own_entries: list[tuple[int, Any]] = []
    if tree is not None:
        own_entries = pdf_append.number_tree(tree.ParentTree)
        keys = [key for key, _value in own_entries]
        offset = max(int(tree.get("/ParentTreeNextKey", 0)), max(keys, default=-1) + 1)
    pdf.pages.extend(other.pages)  # copies the pages with the part's copier
    if tree is None or other_tree is None:
        _append_outline(pdf, other, first_new)
        return
    for page in pdf.pages[first_new:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in pdf_append.as_list(page.obj.get("/Annots")):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    # One copy of the part's whole tree (its root comes along and is dropped on writing, as
    # nothing refers to it once its elements hang under the document's own top element).
    copied_tree = pdf.copy_foreign(other_tree)
    kids = pdf_append.as_list(pdf_append.top_element(copied_tree).get("/K"))
    entries = pdf_append.number_tree(copied_tree.ParentTree)
    top = pdf_append.top_element(tree)
    top_ref = top if top.is_indirect else None
    for kid in kids:
        if isinstance(kid, Dictionary):
            kid.P = top_ref if top_ref is not None else tree
    top.K = Array([*pdf_append.as_list(top.get("/K")), *kids])
    # The part's entries shifted in place (its arrays of elements are not copied again),
    # the document's own (a few pages) in front: one flat /Nums, keys ascending.
    parent_tree = copied_tree.ParentTree
    if "/Nums" not in parent_tree:  # a part with a deep number tree: flatten it
        parent_tree = pdf.make_indirect(Dictionary(Nums=Array()))
        for key, value in entries:
            parent_tree.Nums.append(key)
            parent_tree.Nums.append(value)
    nums = parent_tree.Nums
    for index in range(0, len(nums), 2):
        nums[index] = int(nums[index]) + offset
    for key, value in reversed(own_entries):
        nums.insert(0, value)
        nums.insert(0, key)
    tree.ParentTree = parent_tree
    part_keys = [key for key, _value in entries]
    tree.ParentTreeNextKey = offset + max(part_keys, default=-1) + 1
    role_map = copied_tree.get("/RoleMap")
    if role_map is not None:
        mine = tree.get("/RoleMap")
        if mine is None:
            tree.RoleMap = role_map
        else:
            for name, role in role_map.items():
                if name not in mine:
                    mine[name] = role
    _append_outline(pdf, other, first_new)


def _append_outline(pdf: Pdf, other: Pdf, first_new: int) -> None:
    """The part's bookmarks after the document's, pointing at the copied pages."""
    pages = {page.obj.objgen: index for index, page in enumerate(other.pages)}
    with other.open_outline() as source:
        items = list(source.root)
    if not items:
        return
    with pdf.open_outline() as outline:
        copies = _copy_items(pdf, items, pages, first_new)
        # The part continues the document's last section (an annex of headings one level
        # below the document's title): its bookmarks go under the document's last one.
        if outline.root:
            outline.root[-1].children.extend(copies)
        else:
            outline.root.extend(copies)
    if "/PageMode" not in pdf.Root:
        pdf.Root.PageMode = Name.UseOutlines


def _copy_items(
    pdf: Pdf, items: list[pikepdf.OutlineItem], pages: dict[tuple[int, int], int], first_new: int
) -> list[pikepdf.OutlineItem]:
    copies = []
    for item in items:
        source = item.destination
        destination: Any = first_new
        if isinstance(source, Array) and len(source) and source[0].is_indirect:
            # the same view (/XYZ left top zoom) on the copied page
            page = pdf.pages[first_new + pages.get(source[0].objgen, 0)].obj
            destination = Array([page, *list(source)[1:]])
        copy = pikepdf.OutlineItem(str(item.title), destination)
        copy.children.extend(_copy_items(pdf, list(item.children), pages, first_new))
        copies.append(copy)
    return copies
