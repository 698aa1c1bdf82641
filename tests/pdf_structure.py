"""Reads a PDF's structure tree and metadata, as a screen reader and a PDF/A or PDF/UA checker
would, for the tests of every kind of PDF the portal makes."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# The structure tree is walked the way the post-processing walks it.
from izd.pdf_accessibility import _kids

PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
DC = "http://purl.org/dc/elements/1.1/"


@dataclass
class Structure:
    tags: Counter[str] = field(default_factory=Counter)
    headings: list[int] = field(default_factory=list)  # levels in reading order
    th_scopes: list[str] = field(default_factory=list)
    figure_alts: list[str | None] = field(default_factory=list)
    orphan_mcids: int = 0  # marked content that is neither in the tree nor an artifact
    artifacts: int = 0
    catalog: dict[str, Any] = field(default_factory=dict)
    xmp: Any = None

    def xmp_value(self, namespace: str, name: str) -> str | None:
        element = self.xmp.find(f".//{{{namespace}}}{name}")
        if element is not None:
            return element.text
        for description in self.xmp.iter(
            "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"
        ):
            value = description.get(f"{{{namespace}}}{name}")
            if value is not None:
                return value
        return None


def read_structure(content: bytes) -> Structure:
    reader = PdfReader(io.BytesIO(content))
    root: Any = reader.trailer["/Root"]
    found = Structure(catalog={key: root[key] for key in root})
    metadata = root["/Metadata"].get_object().get_data()
    start, end = metadata.find(b"<x:xmpmeta"), metadata.rfind(b"</x:xmpmeta>")
    found.xmp = etree.fromstring(metadata[start : end + len(b"</x:xmpmeta>")])
    if "/StructTreeRoot" not in root:
        return found
    in_tree: set[int] = set()

    def walk(node: Any) -> None:
        for kid in _kids(node):
            if not isinstance(kid, IndirectObject):
                continue
            element = kid.get_object()
            if not isinstance(element, DictionaryObject) or "/S" not in element:
                continue
            in_tree.add(kid.idnum)
            tag = str(element["/S"])[1:]
            found.tags[tag] += 1
            if re.fullmatch(r"H[1-6]", tag):
                found.headings.append(int(tag[1]))
            if tag == "TH":
                found.th_scopes.append(str(element.get("/A", {}).get("/Scope", "")))
            if tag == "Figure":
                alt = element.get("/Alt")
                found.figure_alts.append(str(alt) if alt is not None else None)
            walk(element)

    walk(root["/StructTreeRoot"].get_object())
    nums: Any = root["/StructTreeRoot"]["/ParentTree"].get_object()["/Nums"]
    for index in range(1, len(nums), 2):
        entry = nums[index].get_object()
        if isinstance(entry, ArrayObject):
            found.orphan_mcids += sum(
                1 for ref in entry if isinstance(ref, IndirectObject) and ref.idnum not in in_tree
            )
    for page in reader.pages:
        data = page.get_contents().get_data()  # type: ignore[union-attr]
        found.artifacts += len(re.findall(rb"/Artifact\s*(?:BMC|<<)", data))
    return found


def assert_accessible(content: bytes, *, title: str, tags: tuple[str, ...] = ()) -> Structure:
    """Tagged PDF/A-3a and PDF/UA-1: structure tree, language, title shown as window title,
    header cells with a scope, figures with a text alternative, page furniture as artifacts."""
    found = read_structure(content)
    catalog = found.catalog
    assert catalog.get("/MarkInfo", {}).get("/Marked") == True, "not a tagged PDF"  # noqa: E712
    assert "/StructTreeRoot" in catalog
    assert str(catalog.get("/Lang", "")).startswith("de"), catalog.get("/Lang")
    assert catalog.get("/ViewerPreferences", {}).get("/DisplayDocTitle") == True  # noqa: E712
    assert "/OutputIntents" in catalog
    assert found.xmp_value(PDFAID, "part") == "3"
    assert found.xmp_value(PDFAID, "conformance") == "A"
    assert found.xmp_value(PDFUAID, "part") == "1"
    xmp_title = found.xmp.find(
        f".//{{{DC}}}title//{{http://www.w3.org/1999/02/22-rdf-syntax-ns#}}li"
    )
    assert xmp_title is not None and xmp_title.text == title
    info = PdfReader(io.BytesIO(content)).metadata
    assert info is not None and info.title == title
    for tag in ("H1", "P", *tags):
        assert found.tags[tag] > 0, f"no {tag} in {dict(found.tags)}"
    assert found.headings and found.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(found.headings, found.headings[1:], strict=False)), (
        f"heading levels skip: {found.headings}"
    )
    if found.tags["Table"]:
        assert found.tags["TH"] > 0, "a table without header cells"
    assert all(scope in ("/Row", "/Column") for scope in found.th_scopes), found.th_scopes
    assert all(found.figure_alts), f"figure without text alternative: {found.figure_alts}"
    assert found.orphan_mcids == 0, "content outside the structure tree that is no artifact"
    assert found.artifacts > 0  # backgrounds, rules and the running header and footer
    return found
