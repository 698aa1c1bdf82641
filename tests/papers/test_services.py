"""Papers from the cost-sharing figures: the seed paper, numbering, Beratungsfolge, bad input,
decisions and the year's decision status."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from costsharing import services as costsharing_services
from izd.models import Document
from izd.pdf import render_pdf
from roadmap.papers import selectors, services
from roadmap.papers.models import Paper
from roadmap.papers.services import CommitteeSpec, PaperError
from tests.conftest import Portal
from tests.costsharing.factories import NO_PAPERS, centre_treasurer, load_seed
from tests.papers.factories import (
    DECIDING,
    PRE,
    SEED_COMMITTEES,
    decide,
    finished_document,
    paper_for,
    paper_spec,
    paper_template,
    paper_without_figures,
    pdf_text,
    simple_year,
)
from tests.pdf_structure import assert_accessible

pytestmark = pytest.mark.django_db


def _seed_paper(towns) -> Paper:
    years = load_seed(towns)
    user = centre_treasurer()
    # the 2023 share of the town that joined on 1 July is settled with the 2024 notice
    costsharing_services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=years[2023], user=user, settle_in_year=2024
    )
    costsharing_services.allocation_freeze(
        decisions_waiver=NO_PAPERS, budget_year=years[2024], user=user
    )
    services.scheme_save(municipality=towns.focus, prefix="VL", next_number=100)
    return services.paper_create(
        template=paper_template(),
        municipality=towns.focus,
        year=2024,
        paper_date=date(2023, 11, 14),
        committees=SEED_COMMITTEES,
    )


def test_format_money_is_german_with_thousands_separator():
    assert services.format_money(Decimal("21695.55")) == "21.695,55 €"
    assert services.format_money(Decimal("1234567.5")) == "1.234.567,50 €"
    assert services.format_money(Decimal("-8.1")) == "-8,10 €"
    assert services.format_money(Decimal("0")) == "0,00 €"


def test_seed_paper_context_reproduces_vl_100_2023_for_talbruecken(paper_seed_towns):
    paper = _seed_paper(paper_seed_towns)
    assert paper.reference == "VL-100/2023"
    context = services.paper_context(paper)

    assert context["subject"] == "Interkommunale Zusammenarbeit im Bereich Digitalisierung"
    assert [c["committee"] for c in context["consultations"]] == [
        "Magistrat",
        "Haupt- und Finanzausschuss",
        "Stadtverordnetenversammlung",
    ]
    assert [c["role"] for c in context["consultations"]] == [
        "vorberatend",
        "vorberatend",
        "beschließend",
    ]
    finance = context["finance"]
    assert [line["amount"] for line in finance["lines"]] == ["8.869,25 €", "12.826,30 €"]
    assert (
        "2023" in finance["lines"][0]["label"] and "periodenfremd" in finance["lines"][0]["label"]
    )
    assert finance["first_year_total"] == "21.695,55 €"
    assert finance["following"] == "15.555,30 €"
    assert finance["following_year"] == 2025
    # the attachment Kostenbeteiligung: all six members, adding up to the net cost
    shares = context["shares"]
    assert len(shares["rows"]) == 6
    assert shares["total"] == shares["net_cost"] == "88.635,23 €"
    assert [r["total"] for r in shares["rows"] if r["own"]] == ["12.826,30 €"]
    facts = " ".join(context["facts"])
    assert "Nachbelastung für 2023 von 8.869,25 € (periodenfremd)" in facts
    assert "ab 2025 beträgt der Anteil jährlich 15.555,30 €".lower() in facts.lower()
    assert context["resolution"][1] == (
        "Der Kostenbeteiligung von 21.695,55 € im Jahr 2024 und von jährlich 15.555,30 € ab "
        "2025 wird zugestimmt."
    )


def test_seed_paper_pdf_shows_number_committees_and_amounts(paper_seed_towns):
    paper = _seed_paper(paper_seed_towns)
    spec = paper_spec(paper)
    assert spec.pdf_variant == "pdf/a-3a" and spec.lang == "de"
    content = render_pdf(spec)
    text = pdf_text(content)
    for expected in (
        "VL-100/2023",
        "Magistrat",
        "Haupt- und Finanzausschuss",
        "Stadtverordnetenversammlung",
        "8.869,25 €",
        "12.826,30 €",
        "21.695,55 €",
        "15.555,30 €",
        "88.635,23 €",
        "Stadt Auenstein",
        "Seite 1 von",
    ):
        assert expected in text, expected
    found = assert_accessible(
        content, title=spec.title, tags=("H2", "L", "LI", "Table", "TH", "TD")
    )
    assert "/Row" in found.th_scopes and "/Column" in found.th_scopes  # paper head, share table


def test_numbering_runs_per_municipality_and_skips_taken_numbers(portal: Portal):
    services.scheme_save(municipality=portal.a, prefix="DS", next_number=7)
    assert services.reference_next(portal.a, 2030) == "DS-7/2030"
    assert services.reference_next(portal.a, 2030) == "DS-8/2030"
    assert services.reference_next(portal.b, 2030) == "VL-1/2030"
    simple_year(2030, (portal.a,))
    paper_for(portal.a, 2030, paper_template(), reference="DS-9/2030")
    assert services.reference_next(portal.a, 2030) == "DS-10/2030"


def test_same_reference_twice_in_one_municipality_is_refused(portal: Portal):
    simple_year(2030, (portal.a,))
    simple_year(2031, (portal.a,))
    template = paper_template()
    paper_for(portal.a, 2030, template, reference="VL-5/2029")
    with pytest.raises(PaperError, match="Drucksache"):
        paper_for(portal.a, 2031, template, reference="VL-5/2029")


def test_generate_creates_one_paper_per_member_and_keeps_existing(portal: Portal):
    simple_year(2030, (portal.a, portal.b))
    template = paper_template()
    first = services.papers_generate(
        template=template,
        year=2030,
        paper_date=date(2029, 10, 1),
        committees=list(services.DEFAULT_COMMITTEES),
    )
    assert {p.municipality for p in first} >= {portal.a, portal.b}
    again = services.papers_generate(
        template=template,
        year=2030,
        paper_date=date(2029, 10, 1),
        committees=list(services.DEFAULT_COMMITTEES),
    )
    assert again == []


@pytest.mark.parametrize(
    ("committees", "message"),
    [
        (
            [
                CommitteeSpec("Magistrat", PRE, None),
                CommitteeSpec("StVV", DECIDING, date(2030, 1, 5)),
            ],
            "Für das Gremium „Magistrat“ fehlt das Sitzungsdatum.",
        ),
        ([CommitteeSpec("Magistrat", PRE, date(2030, 1, 5))], "genau ein Gremium beschließend"),
        (
            [
                CommitteeSpec("A", DECIDING, date(2030, 1, 5)),
                CommitteeSpec("B", DECIDING, date(2030, 1, 9)),
            ],
            "genau ein Gremium beschließend",
        ),
    ],
)
def test_incomplete_beratungsfolge_cannot_be_rendered(portal: Portal, committees, message):
    simple_year(2030, (portal.a,))
    paper = paper_for(portal.a, 2030, paper_template())
    paper.consultations.all().delete()
    for index, spec in enumerate(committees):
        paper.consultations.create(
            position=index,
            committee=services.committee_for(portal.a, spec.committee),
            role=spec.role,
            meeting_date=spec.meeting_date,
        )
    with pytest.raises(PaperError, match=message):
        services.paper_context(paper)
    with pytest.raises(PaperError, match=message):
        services.paper_render(paper=paper, user=None)
    assert not Document.objects.filter(kind=services.KIND, params__paper_id=paper.pk).exists()


def test_paper_without_figures_names_municipality_and_year(portal: Portal):
    simple_year(2030, (portal.a,))
    template = paper_template()
    paper = paper_for(portal.a, 2030, template)
    paper_b = paper_without_figures(portal.b, 2030, template)
    with pytest.raises(PaperError, match="Für Beispielstadt liegen für 2030 keine Zahlen vor"):
        services.paper_context(paper_b)
    # the batch checks every paper first and requests none
    with pytest.raises(PaperError, match="Für Beispielstadt liegen für 2030 keine Zahlen vor"):
        services.papers_render_batch(year=2030, user=None)
    assert not Document.objects.filter(
        kind=services.KIND, params__paper_id__in=[paper.pk, paper_b.pk]
    ).exists()


def test_following_year_placeholder_without_figures_is_a_clear_error(portal: Portal):
    simple_year(2030, (portal.a,))
    paper = paper_for(portal.a, 2030, paper_template())
    with pytest.raises(PaperError, match="Für Testhausen liegen für 2031 keine Zahlen vor"):
        services.paper_context(paper)


def test_unknown_placeholder_in_template_or_override_is_refused(portal: Portal):
    with pytest.raises(ValidationError, match=r"Unbekannter Platzhalter \[\[betrag\]\]"):
        paper_template(facts="Es kostet [[betrag]].")
    simple_year(2030, (portal.a,))
    paper = paper_for(portal.a, 2030, paper_template(name="Andere"))
    paper.facts_override = "Abweichend [[kommunen]]"
    with pytest.raises(ValidationError, match=r"\[\[kommunen\]\]"):
        services.paper_save(paper)


def test_override_replaces_template_text_for_one_municipality_only(portal: Portal):
    simple_year(2030, (portal.a, portal.b))
    simple_year(2031, ())
    template = paper_template(
        name="Nur 2030",
        facts="Text der Vorlage für [[kommune]].",
        resolution="Zustimmung zu [[anteil_jahr]].",
    )
    paper_a = paper_for(
        portal.a,
        2030,
        template,
        facts_override="Eigener Text für [[kommune]].",
        subject_override="Eigener Betreff",
    )
    paper_b = paper_for(portal.b, 2030, template)
    context_a, context_b = services.paper_context(paper_a), services.paper_context(paper_b)
    assert context_a["facts"] == ["Eigener Text für Testhausen."]
    assert context_a["subject"] == "Eigener Betreff"
    assert context_b["facts"] == ["Text der Vorlage für Beispielstadt."]
    assert context_b["subject"] == template.subject


def test_decision_status_and_year_decided(portal: Portal):
    simple_year(2024, (portal.a, portal.b))
    template = paper_template()
    paper_a = paper_for(portal.a, 2024, template)
    finished_document(paper_a)
    assert selectors.year_decided(2024) is False
    decide(paper_a, Paper.Result.ACCEPTED, date(2023, 12, 7), portal.officer_a)
    rows = {row.municipality_name: row for row in selectors.decisions_for_year(2024)}
    assert rows["Testhausen"].is_decided and rows["Testhausen"].result_label == "angenommen"
    assert rows["Beispielstadt"].result_label == "keine Vorlage"
    assert selectors.year_decided(2024) is False
    paper_b = paper_for(portal.b, 2024, template)
    finished_document(paper_b)
    decide(paper_b, Paper.Result.POSTPONED, date(2023, 12, 8), portal.officer_b)
    assert selectors.year_decided(2024) is False  # vertagt is no decision
    decide(paper_b, Paper.Result.ACCEPTED_AMENDED, date(2024, 1, 20), portal.officer_b)
    assert selectors.year_decided(2024) is True
    assert selectors.year_decided(2099) is False  # no members, no decision


def test_decision_before_the_paper_date_is_refused(portal: Portal):
    simple_year(2030, (portal.a,))
    paper = paper_for(portal.a, 2030, paper_template())
    finished_document(paper)
    with pytest.raises(PaperError, match="nicht vor dem Datum der Vorlage"):
        decide(paper, Paper.Result.ACCEPTED, date(2020, 1, 1), portal.officer_a)


def test_demo_command_is_idempotent_and_creates_papers_for_the_members(portal: Portal):
    from django.core.management import call_command

    from roadmap.papers.management.commands.load_papers_demo import TEMPLATE_NAME

    simple_year(2030, (portal.a, portal.b))
    call_command("load_papers_demo", year=2030, stdout=io.StringIO())
    call_command("load_papers_demo", year=2030, stdout=io.StringIO())
    papers = Paper.objects.filter(year=2030, template__name=TEMPLATE_NAME)
    assert papers.filter(municipality__in=[portal.a, portal.b]).count() == 2
    assert Paper.objects.filter(year=2030, municipality=portal.a).count() == 1


def test_the_demo_template_ensured_again_unchanged_is_not_saved_or_recorded_again():
    from izd.audit.models import AuditEntry
    from roadmap.papers.demo import template_ensure

    first = template_ensure()
    entries = AuditEntry.objects.filter(action="template_save").count()
    again = template_ensure()
    assert again.pk == first.pk
    assert AuditEntry.objects.filter(action="template_save").count() == entries
