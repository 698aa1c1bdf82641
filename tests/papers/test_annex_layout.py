"""The Kostenbeteiligung annex as printed: its sum row never stands alone on the last page."""

from __future__ import annotations

import dataclasses
import io

from pypdf import PdfReader

from izd.pdf import render_pdf
from roadmap.papers.builders import shares_annex

SUM = "Summe (Nettokosten)"


def _annex(members: int) -> list[str]:
    """The annex's pages as text, for `members` rows."""
    rows = [
        {
            "name": f"Gemeinde {n:03d}",
            "months": 12,
            "population": "12.345",
            "total": "1.234,56 €",
            "grant_credit": "0,00 €",
            "payable": "1.234,56 €",
        }
        for n in range(members)
    ]
    shares = {
        "year": 2030,
        "rows": rows,
        "total": "99.999,99 €",
        "payable_total": "99.999,99 €",
        "net_cost": "99.999,99 €",
        "has_grant_credits": False,
    }
    spec = shares_annex(shares).spec
    # Plain PDF: the layout is what is checked here; the PDF/A finish does not move a line.
    plain = dataclasses.replace(spec, pdf_variant=None)
    return [page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(plain))).pages]


def test_the_sum_row_takes_the_last_rows_with_it_to_a_new_page():
    # Around the number of rows at which the sum row would be the first line of the second page
    # (29 rows fill the first, DejaVu Sans 10 pt on A4): every count keeps the sum with rows.
    page_counts = set()
    for members in range(28, 32):
        pages = _annex(members)
        page_counts.add(len(pages))
        last = pages[-1]
        assert SUM in last, members
        above = last[: last.index(SUM)]
        assert above.count("Gemeinde ") >= 2, (members, len(pages), last)
    # The window straddles a page break, or it would prove nothing.
    assert len(page_counts) > 1, page_counts
