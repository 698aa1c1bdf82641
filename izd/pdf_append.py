"""Writes a document in front of a shared part as an incremental update of the part's file.

Joining by copying (izd.pdf_join's copy path) makes qpdf read and write every object of the part
again for every document: at 420 members the Kostenbeteiligung annex has some 4,000 structure
elements, and that took a third of each paper's time in a batch. Here the part's file is taken
as it is, byte for byte, and the document is written after it as an update (ISO 32000-1, 7.5.6):

- the document's objects, renumbered after the part's, with its catalog as the new /Root (its
  language, metadata, output intent, title and structure tree stay the document's);
- its page tree gains the part's page tree as a last kid, so the part's pages follow its own;
- the part's top-level structure elements become children of the document's top element, its
  parent tree entries keep their keys, the document's own keys (pages, annotations) follow them;
- the part's bookmarks go under the document's last one;
- the few objects of the part that must point at the document again (its page tree root, its
  top-level structure elements and bookmarks) are written anew with the same numbers.

PDF/A (ISO 19005-2 and -3) permits incremental updates; what the part no longer uses (its own
catalog, metadata, structure tree root) stays unreferenced in the file. The part is compacted
once per process (object streams, by qpdf) and only read afterwards.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

# A reference to an object of the part inside the document's objects, or any other bytes that
# the writer puts in place: a name no PDF producer writes, replaced when the objects are written.
_MARK = "/izdJoin."
# The tokens of qpdf's unparsed objects that matter here: literal strings (their parentheses are
# always escaped by qpdf) and hex strings are skipped, markers and references are replaced.
_TOKENS = re.compile(
    rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|/izdJoin\.(\d+)|(?<![\w.])(\d+) (\d+) R(?![\w])",
    re.DOTALL,
)


class NotAppendable(ValueError):
    """The document or the part has a shape this writer does not join (the copy path does)."""


@dataclass
class PreparedPart:
    """A shared part as many documents are appended to it: read once per process."""

    data: bytes
    pdf: Pdf
    startxref: int
    xref_stream: bool
    size: int
    pages_root: Any
    page_count: int
    top_kids: list[Any]
    entries: list[tuple[int, Any]]
    next_key: int
    role_map: dict[str, Any]
    outline: list[Any]  # the part's top-level bookmarks
    outline_visible: int  # bookmarks shown when the part's are opened

    def close(self) -> None:
        self.pdf.close()


def as_list(value: Any) -> list[Any]:
    """A PDF value as a list: an array's items, a single object alone, nothing for none."""
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def number_tree(node: Any) -> list[tuple[int, Any]]:
    """The (key, value) pairs of a number tree, leaves and intermediate nodes alike."""
    found: list[tuple[int, Any]] = []
    nums = node.get("/Nums")
    if nums is not None:
        found.extend((int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2))
    for kid in as_list(node.get("/Kids")):
        found.extend(number_tree(kid))
    return found


def top_element(tree: Any) -> Any:
    """The element a document's content hangs under: its single /Document element, else the
    tree root itself."""
    kids = as_list(tree.get("/K"))
    if len(kids) == 1 and isinstance(kids[0], Dictionary) and kids[0].get("/S") == "/Document":
        return kids[0]
    return tree


def _items(node: Any, key: str) -> list[Any]:
    """The children of an outline node, in order."""
    found = []
    item = node.get(key)
    seen: set[tuple[int, int]] = set()
    while item is not None and item.objgen not in seen:
        seen.add(item.objgen)
        found.append(item)
        item = item.get("/Next")
    return found


def saved_compact(pdf: Pdf) -> bytes:
    """`pdf` written with object streams, its streams and metadata as they are."""
    out = io.BytesIO()
    pdf.save(
        out,
        # The metadata stream is the document's own (PDF/A and PDF/UA identification, title):
        # pikepdf must not rewrite it.
        fix_metadata_version=False,
        deterministic_id=True,
        # Streams are compressed already: copied as they are. Object streams (PDF 1.5, allowed
        # by PDF/A-2 and -3) make the hundreds of structure elements a fifth.
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        recompress_flate=False,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return out.getvalue()


def prepare(part: bytes) -> PreparedPart:
    """The part compacted (object streams) and what an append needs to know of it."""
    with Pdf.open(io.BytesIO(part)) as source:
        data = saved_compact(source)
    if not data.endswith(b"\n"):
        data += b"\n"
    tail = data[data.rindex(b"startxref") :].split()
    startxref = int(tail[1])
    pdf = Pdf.open(io.BytesIO(data))
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None or "/ParentTree" not in tree:
        pdf.close()
        raise NotAppendable("untagged part")
    top = top_element(tree)
    kids = [kid for kid in as_list(top.get("/K")) if isinstance(kid, Dictionary)]
    if len(kids) != len(as_list(top.get("/K"))) or not all(kid.is_indirect for kid in kids):
        pdf.close()
        raise NotAppendable("part's top structure holds more than indirect elements")
    entries = number_tree(tree.ParentTree)
    keys = [key for key, _value in entries]
    outlines = pdf.Root.get("/Outlines")
    outline = _items(outlines, "/First") if outlines is not None else []
    return PreparedPart(
        data=data,
        pdf=pdf,
        startxref=startxref,
        xref_stream=not data[startxref:].startswith(b"xref"),
        size=int(pdf.trailer.Size),
        pages_root=pdf.Root.Pages,
        page_count=len(pdf.pages),
        top_kids=kids,
        entries=entries,
        next_key=max(int(tree.get("/ParentTreeNextKey", 0)), max(keys, default=-1) + 1),
        role_map=dict(tree.get("/RoleMap", Dictionary()).items()),
        outline=outline,
        outline_visible=sum(1 + max(int(item.get("/Count", 0)), 0) for item in outline),
    )


class _Writer:
    """The update's objects: the document's (renumbered) and the part's rewritten ones."""

    def __init__(self, part: PreparedPart, document: Pdf) -> None:
        self.part = part
        self.document = document
        self.base = part.size - 1  # the document's object n becomes base + n
        self.raw: list[bytes] = []

    def mark(self, raw: bytes) -> Name:
        self.raw.append(raw)
        return Name(f"{_MARK}{len(self.raw) - 1}")

    def part_ref(self, obj: Any) -> Name:
        number, generation = obj.objgen
        return self.mark(b"%d %d R" % (number, generation))

    def ref(self, obj: Any) -> bytes:
        """A reference to a document object, in the joined file's numbers."""
        return b"%d 0 R" % (self.base + obj.objgen[0])

    def _substitute(self, data: bytes, renumber: bool) -> bytes:
        def replace(match: re.Match[bytes]) -> bytes:
            if match.group(1) is not None:
                return self.raw[int(match.group(1))]
            if match.group(2) is not None and renumber:
                return b"%d 0 R" % (self.base + int(match.group(2)))
            return match.group(0)

        return _TOKENS.sub(replace, data)

    def document_object(self, obj: Any) -> bytes:
        if obj._type_code == pikepdf.ObjectType.stream:
            raw = obj.read_raw_bytes()
            head = Dictionary({k: v for k, v in obj.stream_dict.items() if k != "/Length"})
            head.Length = len(raw)
            return self._substitute(head.unparse(), True) + b"\nstream\n" + raw + b"\nendstream"
        return self._substitute(obj.unparse(resolved=True), True)

    def part_object(self, obj: Any, **changes: bytes) -> bytes:
        """A part's dictionary again, with some keys pointing elsewhere."""
        copy = Dictionary({k: v for k, v in obj.items() if k[1:] not in changes})
        for key, raw in changes.items():
            copy[f"/{key}"] = self.mark(raw)
        return self._substitute(copy.unparse(), False)


def append(document: bytes, part: PreparedPart) -> bytes:
    """The document's pages first, then the part's, as one tagged file."""
    with Pdf.open(io.BytesIO(document)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None or "/ParentTree" not in tree:
            raise NotAppendable("untagged document")
        writer = _Writer(part, pdf)
        rewritten: dict[int, bytes] = {}  # the part's objects written anew, by number
        _join_pages(pdf, writer, rewritten)
        _join_structure(pdf, tree, writer, rewritten)
        _join_outline(pdf, writer, rewritten)
        objects = [
            (writer.base + obj.objgen[0], writer.document_object(obj))
            for obj in pdf.objects
            if obj._type_code != pikepdf.ObjectType.null
        ]
        objects += sorted(rewritten.items())
        trailer = {
            "Root": writer.ref(pdf.Root),
            "ID": writer._substitute(pdf.trailer.ID.unparse(), True)
            if "/ID" in pdf.trailer
            else None,
            "Info": writer.ref(pdf.trailer.Info) if "/Info" in pdf.trailer else None,
        }
    return _write(part, objects, {k: v for k, v in trailer.items() if v is not None})


def _join_pages(pdf: Pdf, writer: _Writer, rewritten: dict[int, bytes]) -> None:
    pages = pdf.Root.Pages
    if "/Parent" in pages:
        raise NotAppendable("page tree root with a parent")
    offset = writer.part.next_key
    for page in pdf.pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in as_list(page.obj.get("/Annots")):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    pages.Kids = Array([*as_list(pages.get("/Kids")), writer.part_ref(writer.part.pages_root)])
    pages.Count = int(pages.Count) + writer.part.page_count
    root = writer.part.pages_root
    rewritten[root.objgen[0]] = writer.part_object(root, Parent=writer.ref(pages))


def _join_structure(pdf: Pdf, tree: Any, writer: _Writer, rewritten: dict[int, bytes]) -> None:
    part = writer.part
    own = number_tree(tree.ParentTree)
    own_next = max(int(tree.get("/ParentTreeNextKey", 0)), max((k for k, _ in own), default=-1) + 1)
    nums: list[Any] = []
    for key, value in part.entries:  # the part's keys stay, its values are the part's objects
        nums += [key, writer.mark(value.unparse())]
    for key, value in own:
        nums += [key + part.next_key, value]
    parent_tree = tree.ParentTree
    if "/Kids" in parent_tree:
        del parent_tree["/Kids"]
    parent_tree.Nums = Array(nums)
    tree.ParentTreeNextKey = part.next_key + own_next
    top = top_element(tree)
    if not top.is_indirect:
        raise NotAppendable("document's top structure element is direct")
    top.K = Array([*as_list(top.get("/K")), *(writer.part_ref(kid) for kid in part.top_kids)])
    for kid in part.top_kids:
        rewritten[kid.objgen[0]] = writer.part_object(kid, P=writer.ref(top))
    if part.role_map:
        mine = tree.get("/RoleMap")
        if mine is None:
            mine = tree.RoleMap = Dictionary()
        for name, role in part.role_map.items():
            if name not in mine:
                mine[name] = Name(str(role))


def _join_outline(pdf: Pdf, writer: _Writer, rewritten: dict[int, bytes]) -> None:
    """The part's bookmarks continue the document's last section (an annex of headings one level
    below the document's title): they go under the document's last bookmark."""
    part = writer.part
    if not part.outline:
        return
    outlines = pdf.Root.get("/Outlines")
    if outlines is None:
        outlines = pdf.Root.Outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    top = _items(outlines, "/First")
    parent = top[-1] if top else outlines
    siblings = _items(parent, "/First")
    first, last = part.outline[0], part.outline[-1]
    if siblings:
        siblings[-1].Next = writer.part_ref(first)
    else:
        parent.First = writer.part_ref(first)
    parent.Last = writer.part_ref(last)
    visible = part.outline_visible
    if parent is outlines:
        outlines.Count = int(outlines.get("/Count", 0)) + visible
    elif int(parent.get("/Count", 0)) < 0:  # closed: the hidden count grows
        parent.Count = int(parent.Count) - visible
    else:
        parent.Count = int(parent.get("/Count", 0)) + visible
        outlines.Count = int(outlines.get("/Count", 0)) + visible
    for item in part.outline:
        changes = {"Parent": writer.ref(parent)}
        if item is first and siblings:
            changes["Prev"] = writer.ref(siblings[-1])
        rewritten[item.objgen[0]] = writer.part_object(item, **changes)
    if "/PageMode" not in pdf.Root:
        pdf.Root.PageMode = Name.UseOutlines


def _write(
    part: PreparedPart, objects: list[tuple[int, bytes]], trailer: dict[str, bytes]
) -> bytes:
    out = bytearray(part.data)
    offsets: dict[int, int] = {}
    for number, body in objects:
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    keys = b"".join(b"/%s %s " % (key.encode(), value) for key, value in trailer.items())
    if part.xref_stream:
        _xref_stream(out, offsets, keys, part.startxref)
    else:
        _xref_table(out, offsets, keys, part.startxref, part.size)
    return bytes(out)


def _runs(numbers: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for number in numbers:
        if runs and runs[-1][-1] + 1 == number:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


def _xref_table(
    out: bytearray, offsets: dict[int, int], keys: bytes, previous: int, part_size: int
) -> None:
    start = len(out)
    out += b"xref\n"
    for run in _runs(sorted(offsets)):
        out += b"%d %d\n" % (run[0], len(run))
        for number in run:
            out += b"%010d 00000 n\r\n" % offsets[number]
    size = max(part_size, max(offsets) + 1)
    out += b"trailer\n<< /Size %d /Prev %d %s>>\n" % (size, previous, keys)
    out += b"startxref\n%d\n%%%%EOF\n" % start


def _xref_stream(out: bytearray, offsets: dict[int, int], keys: bytes, previous: int) -> None:
    number = max(offsets) + 1
    offsets[number] = len(out)
    runs = _runs(sorted(offsets))

    def entry(number: int) -> bytes:  # type 1 (in use), 4-byte offset, generation 0
        return b"\x01" + offsets[number].to_bytes(4, "big") + b"\0\0"

    data = b"".join(entry(n) for run in runs for n in run)
    index = b" ".join(b"%d %d" % (run[0], len(run)) for run in runs)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Index [ %s ] /Prev %d %s/Length %d >>"
        b"\nstream\n" % (number, number + 1, index, previous, keys, len(data))
    )
    out += data + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[number]
