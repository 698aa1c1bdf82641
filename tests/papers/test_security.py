"""Hostile text in a template or an override is shown as text and fetches nothing."""

from __future__ import annotations

import pytest

from izd.pdf import render_pdf
from tests.conftest import Portal
from tests.papers.factories import paper_for, paper_spec, paper_template, pdf_text, simple_year

pytestmark = pytest.mark.django_db


def _hostile(port: str) -> str:
    return (
        f'<img src="file:///etc/passwd"> <img src="http://127.0.0.1:{port}/spy">'
        f' <link rel="stylesheet" href="http://127.0.0.1:{port}/css">'
        f' <style>@import url("http://127.0.0.1:{port}/imp");</style>'
        ' {{ secret }} {% now "Y" %} <script>alert(1)</script>'
    )


def test_hostile_template_and_override_text_is_escaped_in_pdf_and_fetches_nothing(
    portal: Portal, listener: list[str]
):
    port = listener[0].split(":")[1]
    hostile = _hostile(port)
    simple_year(2030, (portal.a,))
    template = paper_template(
        name="Feindlich",
        facts=f"Sachverhalt [[kommune]] {hostile}",
        resolution=hostile,
        attachments=f'<iframe src="http://127.0.0.1:{port}/frame"></iframe>',
    )
    paper = paper_for(
        portal.a,
        2030,
        template,
        subject_override=f"Betreff {hostile}",
        office='<img src="file:///etc/hostname">',
    )
    text = pdf_text(render_pdf(paper_spec(paper)))
    flat = " ".join(text.split())
    assert '<img src="file:///etc/passwd">' in flat  # shown as text
    assert "{{ secret }}" in flat and '{% now "Y" %}' in flat
    assert "<script>alert(1)</script>" in flat
    assert "Sachverhalt Testhausen" in flat
    assert "root:x:0:0" not in text
    assert listener[1:] == []


def test_preview_shows_hostile_text_escaped(portal: Portal, client_for, listener: list[str]):
    port = listener[0].split(":")[1]
    simple_year(2030, (portal.a,))
    template = paper_template(name="Feindlich", facts=_hostile(port), resolution="Zustimmung.")
    paper = paper_for(portal.a, 2030, template)
    response = client_for(portal.coordinator).get(f"/beschlussvorlagen/{paper.pk}/vorschau/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    assert "{{ secret }}" in body
