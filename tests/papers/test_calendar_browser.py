"""In the browser: the coordinator imports a committee calendar and renders every paper of the
year, without editing a single paper."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest

from costsharing.models import BudgetYear
from izd.models import Document
from roadmap.papers import services
from roadmap.papers.models import Meeting, Paper, PaperTemplate
from roadmap.papers.services import CommitteeSpec
from tests.conftest import LiveServer, Portal, sign_in
from tests.costsharing.factories import budget_year, join
from tests.papers.factories import DECIDING, PRE, paper_template, pdf_text

YEAR = 2002  # the worker towns are members 2001–2003 only
TEMPLATE = "Kalender-Browser 2002"
JOINED, LEFT = date(2001, 1, 1), date(2003, 12, 31)
UNDATED = [
    CommitteeSpec("Gemeindevorstand", PRE),
    CommitteeSpec("Haupt- und Finanzausschuss", PRE),
    CommitteeSpec("Gemeindevertretung", DECIDING),
]
CALENDAR = (
    "Kommune;Gremium;Datum\n"
    "06998001;Gemeindevorstand;05.11.2001\n"
    "06998001;Haupt- und Finanzausschuss;19.11.01\n"
    "06998001;Gemeindevertretung;2001-12-06\n"
    "Papierstadt Süd;Gemeindevorstand;06.11.2001\n"
    "Papierstadt Süd;Haupt- und Finanzausschuss;20.11.2001\n"
    "Papierstadt Süd;Gemeindevertretung;13.12.2001\n"
)


@pytest.mark.browser
@pytest.mark.celery
def test_coordinator_imports_a_calendar_and_renders_papers_without_editing_one(
    portal: Portal, live: LiveServer, page, worker_towns, celery_worker, committed
):
    try:
        with committed():
            for town in worker_towns:
                join(town, JOINED, LEFT, budget_line=f"HH-{town.ags}-1")
            for year in (YEAR, YEAR + 1):  # the paper shows the following year's share too
                budget_year(year, staff=(("Leitung", "1.00", "24000.00"),), key=(100, 0, 0, 0))
            template = paper_template(TEMPLATE)
            for town in worker_towns:
                services.paper_create(
                    template=template,
                    municipality=town,
                    year=YEAR,
                    paper_date=date(YEAR - 1, 11, 1),
                    committees=UNDATED,
                )

        sign_in(page, live, portal, portal.coordinator)
        page.wait_for_url(live.url(portal, None, "/"))
        page.goto(live.url(portal, None, f"/beschlussvorlagen/?jahr={YEAR}"))
        assert "Vorlagen ohne Sitzungsdatum (2)" in page.content()

        # Rendering before the calendar is known names the missing dates.
        page.get_by_role("button", name=f"Alle PDFs für {YEAR} erstellen").click()
        assert "fehlt das Sitzungsdatum" in page.content()
        page.go_back()

        page.get_by_role("link", name="Sitzungskalender importieren").click()
        page.get_by_label("Sitzungskalender (CSV)").set_input_files(
            {
                "name": "sitzungskalender.csv",
                "mimeType": "text/csv",
                # As Excel saves "CSV (Trennzeichen-getrennt)" on a German Windows.
                "buffer": CALENDAR.encode("cp1252"),
            }
        )
        page.get_by_role("button", name="Kalender importieren").click()
        page.wait_for_url(re.compile(rf"/beschlussvorlagen/\?jahr={YEAR}$"))
        assert "6 Sitzungsdaten in Beschlussvorlagen eingetragen" in page.content()
        assert "Vorlagen ohne Sitzungsdatum" not in page.content()

        page.get_by_role("button", name=f"Alle PDFs für {YEAR} erstellen").click()
        page.wait_for_url(re.compile(rf"/beschlussvorlagen/jahr/{YEAR}/stapel/[0-9a-f-]{{36}}/$"))
        deadline = time.monotonic() + 180
        while "2 von 2 Vorlagen fertig" not in page.content():
            assert time.monotonic() < deadline, page.inner_text("main")
            time.sleep(1)
            page.reload()
        documents = list(
            Document.objects.filter(kind=services.KIND, batch=Paper.objects.filter(
                template__name=TEMPLATE).first().document.batch)  # type: ignore[union-attr]
        )  # fmt: skip
        assert len(documents) == 2
        assert all(d.status == Document.Status.DONE for d in documents), documents
        south = next(d for d in documents if d.schema_name == worker_towns[1].schema_name)
        with south.file.open("rb") as handle:
            text = pdf_text(handle.read())
        assert "06.11.2001" in text and "20.11.2001" in text and "13.12.2001" in text
    finally:
        with committed():
            Paper.objects.filter(template__name=TEMPLATE).delete()
            PaperTemplate.objects.filter(name=TEMPLATE).delete()
            BudgetYear.objects.filter(year__in=(YEAR, YEAR + 1)).delete()
            Meeting.objects.filter(
                committee__municipality__in=worker_towns, date__year=YEAR - 1
            ).delete()
