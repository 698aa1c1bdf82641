"""The committee calendar: a CSV from Excel dates the year's papers; bad lines store nothing.
Copying one Beratungsfolge to every paper of a year; papers without dates are listed."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from roadmap.papers import calendar, services
from roadmap.papers.models import Consultation, Meeting, Paper
from roadmap.papers.services import CommitteeSpec
from tests.conftest import Portal
from tests.papers.factories import DECIDING, PRE, paper_template

pytestmark = pytest.mark.django_db

YEAR = 2031
UNDATED = [
    CommitteeSpec("Magistrat", PRE),
    CommitteeSpec("Ausschuss für Finanzen", PRE),
    CommitteeSpec("Stadtverordnetenversammlung", DECIDING),
]


def undated_paper(town, year: int = YEAR, committees=None) -> Paper:
    return services.paper_create(
        template=paper_template(f"Kalender {town.pk} {year}"),
        municipality=town,
        year=year,
        paper_date=date(year - 1, 10, 1),
        committees=committees or UNDATED,
    )


def dates_of(paper: Paper) -> list[date | None]:
    return [c.meeting_date for c in Consultation.objects.filter(paper=paper).order_by("position")]


def post_calendar(client, content: bytes, year: int = YEAR, **extra):
    return client.post(
        f"/beschlussvorlagen/jahr/{year}/sitzungskalender/",
        {"datei": SimpleUploadedFile("kalender.csv", content, "text/csv"), **extra},
    )


GOOD = (
    "Kommune;Gremium;Datum\n"
    "06435901;Magistrat;03.11.2030\n"
    "06435901;Magistrat;17.11.2030\n"
    "Testhausen;Ausschuss für Finanzen;24.11.30\n"
    "Testhausen;Stadtverordnetenversammlung;2030-12-04\n"
    "6435902;Magistrat;10.11.2030\n"
    "Beispielstadt;Ausschuss für Finanzen;11.11.2030\n"
    "Beispielstadt;Stadtverordnetenversammlung;01.12.2030\n"
)


@pytest.mark.parametrize(
    ("encoding", "bom", "separator"),
    [("utf-8", True, ";"), ("utf-8", False, ","), ("cp1252", False, ";")],
)
def test_the_calendar_dates_every_paper_in_the_order_of_its_beratungsfolge(
    portal: Portal, client_for, encoding, bom, separator
):
    town_a, town_b = undated_paper(portal.a), undated_paper(portal.b)
    text = GOOD.replace(";", separator)
    content = ("\ufeff" if bom else "").encode() + text.encode(encoding)
    response = post_calendar(client_for(portal.coordinator), content)
    assert response.status_code == 302, response.content.decode()
    assert dates_of(town_a) == [date(2030, 11, 3), date(2030, 11, 24), date(2030, 12, 4)]
    assert dates_of(town_b) == [date(2030, 11, 10), date(2030, 11, 11), date(2030, 12, 1)]
    assert Meeting.objects.filter(committee__municipality=portal.a).count() == 4
    assert services._consultation_rows(town_a)[0]["date"] == "03.11.2030"


def test_a_meeting_before_the_papers_date_or_the_previous_committee_is_not_taken(portal: Portal):
    paper = undated_paper(portal.a)
    csv_text = (
        "Testhausen;Magistrat;15.09.2030\n"  # before the paper's date (01.10.2030)
        "Testhausen;Magistrat;20.11.2030\n"
        "Testhausen;Ausschuss für Finanzen;10.11.2030\n"  # before the Magistrat
        "Testhausen;Ausschuss für Finanzen;27.11.2030\n"
        "Testhausen;Stadtverordnetenversammlung;11.12.2030\n"
    )
    result = services.calendar_import(raw=csv_text.encode(), year=YEAR)
    assert dates_of(paper) == [date(2030, 11, 20), date(2030, 11, 27), date(2030, 12, 11)]
    assert result.meetings == 5 and result.consultations_dated == 3
    assert result.papers_without_dates == 0


def test_dates_entered_by_hand_stay_unless_replacing_is_asked_for(portal: Portal):
    specs = [CommitteeSpec("Magistrat", PRE, date(2030, 12, 20)), *UNDATED[1:]]
    paper = undated_paper(portal.a, committees=specs)
    csv_text = "Testhausen;Magistrat;12.11.2030\nTesthausen;Ausschuss für Finanzen;20.11.2030\n"
    services.calendar_import(raw=csv_text.encode(), year=YEAR)
    # The committee after the Magistrat meets only later than its date: no date taken.
    assert dates_of(paper) == [date(2030, 12, 20), None, None]
    services.calendar_import(raw=csv_text.encode(), year=YEAR, overwrite=True)
    assert dates_of(paper) == [date(2030, 11, 12), date(2030, 11, 20), None]


BAD = (
    "Kommune;Gremium;Datum\n"
    "06435901;Magistrat;03.11.2030\n"
    "Nirgendwo;Magistrat;03.11.2030\n"
    "Testhausen;Bauausschuss;05.11.2030\n"
    "Testhausen;Magistrat;2030/11/03\n"
    "Testhausen;Magistrat;3.11.2030\n"
    "Testhausen;;03.11.2030\n"
)


def test_bad_lines_get_german_errors_with_their_line_and_nothing_is_stored(
    portal: Portal, client_for
):
    paper = undated_paper(portal.a)
    meetings = Meeting.objects.count()
    response = post_calendar(client_for(portal.coordinator), BAD.encode())
    assert response.status_code == 400
    body = response.content.decode()
    assert "Die Datei enthält 5 Fehler – es wurde nichts übernommen" in body
    assert "Zeile 3: Die Kommune „Nirgendwo“ ist nicht bekannt" in body
    assert "Zeile 4: Das Gremium „Bauausschuss“ ist für Testhausen nicht bekannt." in body
    assert (
        "Bekannte Gremien: „Ausschuss für Finanzen“, „Magistrat“, „Stadtverordnetenversammlung“."
        in body
    )
    assert "Zeile 5: Das Datum „2030/11/03“ ist kein gültiges Datum" in body
    assert (
        "Zeile 6: Die Sitzung „Magistrat“ (Testhausen) am 03.11.2030 steht schon in Zeile 2."
        in body
    )
    assert "Zeile 7: Es fehlt: Gremium." in body
    assert Meeting.objects.count() == meetings
    assert dates_of(paper) == [None, None, None]


def test_a_municipality_without_committees_is_told_how_to_get_them(portal: Portal):
    with pytest.raises(services.CalendarError) as error:
        services.calendar_import(raw=b"Beispielstadt;Magistrat;03.11.2030\n", year=YEAR)
    assert "noch kein Gremium bekannt" in str(error.value)


def test_dates_parse_in_the_formats_excel_writes():
    assert calendar.parse_date("31.12.2026") == date(2026, 12, 31)
    assert calendar.parse_date("31.12.26") == date(2026, 12, 31)
    assert calendar.parse_date("2026-12-31") == date(2026, 12, 31)
    assert calendar.parse_date("31/12/2026") is None
    assert calendar.parse_date("32.12.2026") is None


def test_an_empty_file_and_a_missing_file_are_german_400s(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    assert "Die Datei ist leer." in post_calendar(client, b"").content.decode()
    response = client.post(f"/beschlussvorlagen/jahr/{YEAR}/sitzungskalender/", {})
    assert response.status_code == 400
    assert "Bitte eine CSV-Datei auswählen." in response.content.decode()


def test_only_the_coordinator_imports(portal: Portal, client_for):
    response = post_calendar(client_for(portal.centre_treasurer), GOOD.encode())
    assert response.status_code == 403
    assert not Meeting.objects.filter(date=date(2030, 11, 17)).exists()


def test_decided_papers_keep_their_beratungsfolge(portal: Portal):
    paper = undated_paper(portal.a)
    Paper.objects.filter(pk=paper.pk).update(result=Paper.Result.ACCEPTED)
    own = [line for line in GOOD.splitlines() if "Beispielstadt" not in line and "902" not in line]
    services.calendar_import(raw="\n".join(own).encode(), year=YEAR)
    assert dates_of(paper) == [None, None, None]


def test_one_beratungsfolge_is_copied_to_every_paper_with_dates_from_each_calendar(
    portal: Portal, client_for
):
    other = [CommitteeSpec("Gemeindevorstand", PRE), CommitteeSpec("Gemeindevertretung", DECIDING)]
    source, target = undated_paper(portal.a), undated_paper(portal.b, committees=other)
    undated_paper(portal.b, YEAR - 1)  # last year's Beratungsfolge made its committees known
    services.calendar_import(raw=GOOD.encode(), year=YEAR)
    response = client_for(portal.coordinator).post(
        f"/beschlussvorlagen/jahr/{YEAR}/beratungsfolge-uebertragen/", {"vorlage": source.pk}
    )
    assert response.status_code == 302
    rows = list(
        Consultation.objects.filter(paper=target).select_related("committee").order_by("position")
    )
    assert [(c.committee.name, c.role) for c in rows] == [(s.committee, s.role) for s in UNDATED]
    assert [c.meeting_date for c in rows] == [
        date(2030, 11, 10),
        date(2030, 11, 11),
        date(2030, 12, 1),
    ]
    # A single paper can be adjusted afterwards, as before.
    services.consultations_replace(
        paper=target,
        committees=[CommitteeSpec("Magistrat", PRE, date(2030, 11, 10)),
                    CommitteeSpec("Stadtverordnetenversammlung", DECIDING, date(2030, 12, 1))],
    )  # fmt: skip
    assert len(dates_of(target)) == 2


def test_papers_missing_dates_are_listed_with_a_link_to_fix_them(portal: Portal, client_for):
    paper = undated_paper(portal.a)
    dated = undated_paper(
        portal.b,
        committees=[CommitteeSpec("Magistrat", PRE, date(2030, 11, 3)),
                    CommitteeSpec("Stadtverordnetenversammlung", DECIDING, date(2030, 12, 3))],
    )  # fmt: skip
    body = client_for(portal.coordinator).get(f"/beschlussvorlagen/?jahr={YEAR}").content.decode()
    assert "Vorlagen ohne Sitzungsdatum (1)" in body
    assert f'href="/beschlussvorlagen/{paper.pk}/#beratungsfolge"' in body
    assert f"/beschlussvorlagen/{dated.pk}/#beratungsfolge" not in body
