"""The renderer fetches nothing but the portal's own static files."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from izd.pdf import RenderSpec, render_pdf
from tests.pdf_structure import assert_accessible


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_hostile_text_is_shown_escaped_and_fetches_nothing(listener: list[str]):
    port = listener[0].split(":")[1]
    hostile = (
        f'<img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/spy">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/css">'
        ' {{ secret }} {% now "Y" %}'
    )
    pdf = render_pdf(
        RenderSpec("izd/pdf_probe.html", {"heading": "Probe", "text": hostile}, "Probe", "p.pdf")
    )
    text = _text(pdf)
    assert "file:///etc/passwd" in text  # shown as text
    assert "{{ secret }}" in text
    assert "root:x:0:0" not in text
    assert listener[1:] == []


def test_pdf_is_a4_with_title_language_and_embedded_fonts():
    pdf = render_pdf(
        RenderSpec(
            "izd/pdf_probe.html", {"heading": "Überschrift", "text": "Text"}, "Titel", "t.pdf"
        )
    )
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 210
    assert round(float(page.mediabox.height) / 72 * 25.4) == 297
    assert reader.metadata is not None and reader.metadata.title == "Titel"
    assert reader.root_object.get("/Lang") == "de"
    fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    # A subset prefix ("ABCDEF+") means the shipped font is embedded, not merely named.
    assert all("+Portal-Sans" in name for name in names), names
    assert "Seite 1 von 1" in _text(pdf)


def test_postprocess_gets_the_rendered_pdf_and_its_result_is_what_is_stored():
    from pypdf import PdfWriter

    from izd.documents import context_hash

    seen: list[PdfReader] = []

    def keep(reader: PdfReader, writer: PdfWriter) -> None:
        seen.append(reader)
        writer.add_metadata({"/Stamp": "postprocessed"})

    spec = RenderSpec("izd/pdf_probe.html", {"heading": "H", "text": "T"}, "Titel", "t.pdf")
    plain = render_pdf(spec)
    spec.postprocess = keep
    processed = render_pdf(spec)
    # the file as rendered: WeasyPrint's tagging, not yet finished by izd.pdf_accessibility
    assert len(seen) == 1 and seen[0].pdf_header == "%PDF-1.7"
    contents = seen[0].pages[0].get_contents()
    assert contents is not None
    assert b"/Artifact <</Type /Pagination>>" not in contents.get_data()
    info: Any = PdfReader(io.BytesIO(processed)).metadata
    assert info["/Stamp"] == "postprocessed"
    assert "/Stamp" not in (PdfReader(io.BytesIO(plain)).metadata or {})
    assert_accessible(processed, title="Titel")  # the postprocess cannot undo the tagging
    # a spec with a postprocess never reuses a document rendered without it
    assert context_hash(spec) != context_hash(
        RenderSpec("izd/pdf_probe.html", {"heading": "H", "text": "T"}, "Titel", "t.pdf")
    )


def test_probe_pdf_is_tagged_with_running_header_and_footer_as_artifacts():
    spec = RenderSpec("izd/pdf_probe.html", {"heading": "Ü", "text": "Text"}, "Titel", "t.pdf")
    content = render_pdf(spec)
    found = assert_accessible(content, title="Titel")
    assert dict(found.tags) == {"Document": 1, "H1": 1, "P": 1, "Span": 2}
    # header "Titel", footer "IZD-Portal" and "Seite 1 von 1": shown, but not read as content
    assert "Seite 1 von 1" in _text(content)
    assert found.artifacts >= 3


def test_an_untagged_variant_is_left_as_weasyprint_made_it():
    spec = RenderSpec("izd/pdf_probe.html", {"heading": "H", "text": "T"}, "Titel", "t.pdf")
    spec.pdf_variant = "pdf/a-3b"
    content = render_pdf(spec)
    catalog: Any = PdfReader(io.BytesIO(content)).trailer["/Root"]
    assert "/StructTreeRoot" not in catalog


def test_an_amount_never_breaks_before_its_currency_sign():
    # A paragraph whose line breaks fall near the amounts at many widths.
    sentence = "Der Anteil beträgt 21.695,55 € im ersten Jahr und 15.555,30 € in jedem Folgejahr. "
    text = "".join(f"{'x' * n} {sentence}" for n in range(1, 40))
    lines = _text(
        render_pdf(
            RenderSpec("izd/pdf_probe.html", {"heading": "Beträge", "text": text}, "B", "b.pdf")
        )
    ).splitlines()
    assert not [line for line in lines if line.strip().startswith("€")]
    assert text.count("€") == sum(line.count("€") for line in lines)


def test_warm_up_renders_its_document_without_the_database(caplog):
    """What a pool process does when it starts (config.celery). Without a database mark, any
    query would raise here, and the warm-up would log it as its failure."""
    import logging

    from izd.pdf import warm_up

    with caplog.at_level(logging.ERROR, logger="izd.pdf"):
        seconds = warm_up()
    assert seconds > 0
    assert not caplog.records, caplog.text
