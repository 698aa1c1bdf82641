"""Writes of the decision papers and the paper context (build step of the PDF).

Every error a person can fix is a `PaperError` with a German message; nothing is saved or
rendered half: a batch checks every paper before it requests a single document.

Long because it still holds the paper context, the rendering and the batch inputs beside the writes
of the papers; they move out with the typed year figures and the one document flow of issue 14,
which other work on the papers is doing now.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from costsharing import selectors as costsharing_selectors
from costsharing.figures import YearFigures
from costsharing.selectors import year_is_frozen
from izd import formats
from izd.audit import recording as audit
from izd.documents import Wanted, document_request, documents_request, new_batch
from izd.errors import validation_message
from izd.exceptions import PortalError
from izd.models import Document
from izd.pdf import templates_fingerprint
from izd.schemas import tenant_schema
from roadmap.papers import calendar, placeholders, selectors
from roadmap.papers.models import (
    Committee,
    Consultation,
    Meeting,
    NumberingScheme,
    Paper,
    PaperTemplate,
)
from tenants.models import Municipality, User

KIND = "papers.beschlussvorlage"
TEMPLATE_NAME = "papers/pdf/beschlussvorlage.html"


class PaperError(PortalError):
    """A paper cannot be made or changed as asked; the message is shown to the user."""


# --------------------------------------------------------------------------- formatting


def format_money(value: Decimal) -> str:
    """German format with thousands separator and two decimals: 21.695,55 €."""
    return formats.money(value)


def format_date(value: date | None) -> str:
    return formats.day(value)


# --------------------------------------------------------------------------- templates


def _validate_texts(**texts: str) -> None:
    errors: dict[str, list[str]] = {}
    for name, text in texts.items():
        try:
            placeholders.validate(text)
        except ValidationError as error:
            errors[name] = list(error.messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def template_save(template: PaperTemplate) -> PaperTemplate:
    _validate_texts(
        subject=template.subject,
        facts=template.facts,
        resolution=template.resolution,
        attachments=template.attachments,
    )
    before = audit.stored_snapshot(template, *_TEMPLATE_FIELDS)
    template.full_clean()
    template.save()
    audit.record(
        action="template_save",
        kind=audit.Kind.PAPER,
        summary=f"Vorlagenmuster „{template.name}“ " + ("geändert" if before else "angelegt"),
        target=template,
        fields=_TEMPLATE_FIELDS,
        before=before,
        municipality=None,
    )
    return template


_TEMPLATE_FIELDS = (
    "name", "subject", "facts", "resolution", "attachments", "office", "file_reference",
)  # fmt: skip


# --------------------------------------------------------------------------- numbering


def scheme_for(municipality: Municipality) -> NumberingScheme:
    scheme, created = NumberingScheme.objects.get_or_create(municipality=municipality)
    if created:
        _record_scheme("scheme_for", scheme, {}, "Nummernkreis angelegt")
    return scheme


_SCHEME_FIELDS = ("prefix", "next_number")


def _record_scheme(
    action: str, scheme: NumberingScheme, before: dict[str, Any], summary: str
) -> None:
    audit.record(
        action=action,
        kind=audit.Kind.PAPER,
        summary=f"{summary}: {scheme.municipality.name}",
        target=scheme,
        object_label=f"Nummernkreis {scheme.municipality.name}",
        fields=_SCHEME_FIELDS,
        before=before,
        municipality=scheme.municipality,
    )


@transaction.atomic
def scheme_save(*, municipality: Municipality, prefix: str, next_number: int) -> NumberingScheme:
    scheme = NumberingScheme.objects.select_for_update().filter(municipality=municipality).first()
    scheme = scheme or NumberingScheme(municipality=municipality)
    before = audit.snapshot(scheme, *_SCHEME_FIELDS) if scheme.pk else {}
    scheme.prefix = prefix
    scheme.next_number = next_number
    scheme.full_clean()
    scheme.save()
    _record_scheme("scheme_save", scheme, before, "Nummernkreis geändert")
    return scheme


@transaction.atomic
def reference_next(municipality: Municipality, number_year: int) -> str:
    """The next free Drucksache number of the municipality, e.g. VL-100/2023."""
    scheme_for(municipality)
    scheme = NumberingScheme.objects.select_for_update().get(municipality=municipality)
    before = audit.snapshot(scheme, *_SCHEME_FIELDS)
    while True:
        reference = f"{scheme.prefix}-{scheme.next_number}/{number_year}"
        scheme.next_number += 1
        if not Paper.objects.filter(municipality=municipality, reference=reference).exists():
            break
    scheme.save(update_fields=["next_number"])
    _record_scheme("reference_next", scheme, before, f"Drucksachennummer {reference} vergeben")
    return reference


# --------------------------------------------------------------------------- papers


@dataclass(frozen=True)
class CommitteeSpec:
    committee: str
    role: str
    meeting_date: date | None = None


DEFAULT_COMMITTEES = (
    CommitteeSpec("Magistrat / Gemeindevorstand", Consultation.Role.PRELIMINARY),
    CommitteeSpec("Haupt- und Finanzausschuss", Consultation.Role.PRELIMINARY),
    CommitteeSpec("Stadtverordnetenversammlung / Gemeindevertretung", Consultation.Role.DECIDING),
)


def check_committees(committees: list[CommitteeSpec], *, need_dates: bool) -> None:
    if not committees:
        raise PaperError("Bitte mindestens ein Gremium in der Beratungsfolge angeben.")
    for spec in committees:
        if not spec.committee.strip():
            raise PaperError("Jedes Gremium der Beratungsfolge braucht einen Namen.")
        if spec.role not in Consultation.Role.values:
            raise PaperError(f"Unbekannte Rolle „{spec.role}“ für {spec.committee}.")
        if need_dates and spec.meeting_date is None:
            raise PaperError(f"Für das Gremium „{spec.committee}“ fehlt das Sitzungsdatum.")
    deciding = [s for s in committees if s.role == Consultation.Role.DECIDING]
    if len(deciding) != 1:
        raise PaperError(
            "In der Beratungsfolge muss genau ein Gremium beschließend sein "
            f"(angegeben: {len(deciding)})."
        )


def committee_name(text: str) -> str:
    """Committee names compare with their spaces collapsed (as the data migration did)."""
    return " ".join(text.split())


def committee_for(municipality: Municipality, name: str) -> Committee:
    """The municipality's committee of that name, created on first use."""
    committee, created = Committee.objects.get_or_create(
        municipality=municipality, name=committee_name(name)
    )
    if created:
        audit.record(
            action="committee_for",
            kind=audit.Kind.PAPER,
            summary=f"Gremium „{committee.name}“ angelegt",
            target=committee,
            fields=("name",),
            municipality=municipality,
        )
    return committee


def _meeting_for(committee: Committee, day: date | None) -> Meeting | None:
    if day is None:
        return None
    meeting, _created = Meeting.objects.get_or_create(committee=committee, date=day)
    return meeting


def _match(existing: list[Consultation], wanted: list[Committee]) -> list[Consultation | None]:
    """Which stored row each wanted row continues: the same committee at the same position
    first, then the same committee anywhere, then whatever stood at that position (a renamed
    committee keeps its consultation)."""
    free = list(existing)
    matched: list[Consultation | None] = [None] * len(wanted)
    rules = (
        lambda c, i, committee: c.committee_id == committee.pk and c.position == i,
        lambda c, i, committee: c.committee_id == committee.pk,
        lambda c, i, committee: c.position == i,
    )
    for rule in rules:
        for index, committee in enumerate(wanted):
            if matched[index] is not None:
                continue
            found = next((c for c in free if rule(c, index, committee)), None)
            if found is not None:
                matched[index] = found
                free.remove(found)
    return matched


def _specs_text(specs: list[CommitteeSpec]) -> list[str]:
    roles = dict(Consultation.Role.choices)
    return [
        f"{s.committee} ({roles.get(s.role, s.role)}"
        + (f", {format_date(s.meeting_date)})" if s.meeting_date else ")")
        for s in specs
    ]


def _consultations_apply(paper: Paper, specs: list[CommitteeSpec], *, action: str = "") -> None:
    """Bring the stored Beratungsfolge to `specs` in place: rows keep their ids, rows that are
    left out are marked deleted. Everything whose OParl view changes is touched. With an
    `action`, the change is recorded in the audit trail under that name."""
    if action:
        before = _specs_text(_specs_of(paper))
        after = _specs_text(specs)
        if before != after:
            _record_paper(
                action,
                paper,
                "Beratungsfolge geändert",
                audit.diff({"c": before}, {"c": after}, labels={"c": "Beratungsfolge"}),
            )
    existing = list(Consultation.objects.filter(paper=paper).order_by("position", "pk"))
    wanted = [committee_for(paper.municipality, spec.committee) for spec in specs]
    touched_committees = {c.committee_id for c in existing} | {c.pk for c in wanted}
    touched_meetings = {c.meeting_id for c in existing if c.meeting_id}
    matched = _match(existing, wanted)
    for index, (spec, committee, current) in enumerate(zip(specs, wanted, matched, strict=True)):
        meeting = _meeting_for(committee, spec.meeting_date)
        if meeting is not None:
            touched_meetings.add(meeting.pk)
        values = {
            "position": index,
            "committee_id": committee.pk,
            "meeting_date": spec.meeting_date,
            "meeting_id": meeting.pk if meeting else None,
            "role": spec.role,
        }
        if current is not None and all(getattr(current, k) == v for k, v in values.items()):
            continue
        consultation = current or Consultation(paper=paper)
        for key, value in values.items():
            setattr(consultation, key, value)
        consultation.full_clean(exclude=["paper", "committee", "meeting"])
        consultation.save()
    kept = {c.pk for c in matched if c is not None}
    gone = [c.pk for c in existing if c.pk not in kept]
    if gone:
        now = timezone.now()
        Consultation.objects.filter(pk__in=gone).update(deleted_at=now, updated_at=now)
    _touch(paper_ids={paper.pk}, committee_ids=touched_committees, meeting_ids=touched_meetings)


def _touch(
    *,
    paper_ids: set[int],
    committee_ids: set[int] | None = None,
    meeting_ids: set[int] | None = None,
) -> None:
    now = timezone.now()
    Paper.objects.filter(pk__in=paper_ids).update(updated_at=now)
    Committee.objects.filter(pk__in=committee_ids or ()).update(updated_at=now)
    Meeting.objects.filter(pk__in=meeting_ids or ()).update(updated_at=now)


def _touch_paper(paper: Paper) -> None:
    """A change of the paper itself (public or not, decision) changes its consultations,
    their agenda items, meetings and committees as the API shows them."""
    live = Consultation.objects.filter(paper=paper)
    live.update(updated_at=timezone.now())
    _touch(
        paper_ids=set(),
        committee_ids=set(live.values_list("committee_id", flat=True)),
        meeting_ids={pk for pk in live.values_list("meeting_id", flat=True) if pk},
    )


@transaction.atomic
def consultations_replace(*, paper: Paper, committees: list[CommitteeSpec]) -> None:
    """Save the Beratungsfolge. Rows are updated in place (matched by committee and position),
    so their ids stay; rows left out are marked deleted."""
    check_committees(committees, need_dates=True)
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    _ensure_editable(paper)
    _consultations_apply(paper, committees, action="consultations_replace")


@transaction.atomic
def paper_create(
    *,
    template: PaperTemplate,
    municipality: Municipality,
    year: int,
    paper_date: date,
    committees: list[CommitteeSpec],
    is_public: bool = True,
    office: str = "",
    file_reference: str = "",
    reference: str = "",
) -> Paper:
    if municipality.is_kreis:
        raise PaperError("Beschlussvorlagen gibt es nur für Kommunen, nicht für den Kreis.")
    if Paper.objects.filter(municipality=municipality, year=year).exists():
        raise PaperError(f"Für {municipality.name} gibt es für {year} schon eine Vorlage.")
    check_committees(committees, need_dates=False)
    paper = Paper(
        template=template,
        municipality=municipality,
        year=year,
        reference=reference or reference_next(municipality, paper_date.year),
        date=paper_date,
        is_public=is_public,
        office=office or template.office,
        file_reference=file_reference or template.file_reference,
    )
    try:
        paper.full_clean()
    except ValidationError as error:
        raise PaperError(validation_message(error)) from None
    paper.save()
    _consultations_apply(paper, committees)
    _record_paper(
        "paper_create",
        paper,
        "Beschlussvorlage angelegt",
        [
            *audit.diff({}, audit.snapshot(paper, *_PAPER_FIELDS), model=Paper),
            *audit.diff({}, {"c": _specs_text(committees)}, labels={"c": "Beratungsfolge"}),
        ],
    )
    return paper


_PAPER_FIELDS = (
    "year", "reference", "date", "is_public", "office", "file_reference", "budget_line",
    "funds_budgeted", "include_maturity", "include_roadmap", "subject_override",
    "facts_override", "resolution_override",
)  # fmt: skip
_DECISION_FIELDS = ("decided_on", "result", "decision_note")


def _record_paper(
    action: str,
    paper: Paper,
    summary: str,
    changes: list[dict[str, str]],
    *,
    kind: str = audit.Kind.PAPER,
    actor: object = audit.UNSET,
) -> None:
    """A paper's entries belong to its municipality: its officers see them too."""
    audit.record(
        action=action,
        kind=kind,
        summary=f"{summary}: {paper.reference}, {paper.municipality.name}",
        target=paper,
        object_label=f"{paper.reference} ({paper.municipality.name}, {paper.year})",
        changes=changes,
        municipality=paper.municipality,
        actor=actor,
    )


@transaction.atomic
def papers_generate(
    *,
    template: PaperTemplate,
    year: int,
    paper_date: date,
    committees: list[CommitteeSpec],
    is_public: bool = True,
    office: str = "",
    file_reference: str = "",
) -> list[Paper]:
    """A paper for every member of the year that has none yet; existing ones stay."""
    check_committees(committees, need_dates=False)
    members = selectors.year_members(year)
    if not members:
        raise PaperError(f"Für {year} sind keine Mitglieder des Zentrums erfasst.")
    existing = set(Paper.objects.filter(year=year).values_list("municipality_id", flat=True))
    return [
        paper_create(
            template=template,
            municipality=municipality,
            year=year,
            paper_date=paper_date,
            committees=committees,
            is_public=is_public,
            office=office,
            file_reference=file_reference,
        )
        for municipality in members
        if municipality.pk not in existing
    ]


# --------------------------------------------------------------------------- calendar


class CalendarError(PaperError):
    """A committee calendar with problems: every problem with its line; nothing was stored."""

    def __init__(self, errors: list[calendar.LineError]) -> None:
        super().__init__(" ".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class CalendarResult:
    meetings: int
    meetings_created: int
    consultations_dated: int
    papers_without_dates: int


def _name_key(name: str) -> str:
    return committee_name(name).casefold()


# {(municipality id, committee name key): meeting dates, ascending}
Calendar = dict[tuple[int, str], list[date]]


def _calendar_of(municipality_ids: set[int]) -> Calendar:
    found: Calendar = {}
    rows = (
        Meeting.objects.filter(committee__municipality_id__in=municipality_ids)
        .values_list("committee__municipality_id", "committee__name", "date")
        .order_by("date")
    )
    for municipality_id, name, day in rows:
        found.setdefault((municipality_id, _name_key(name)), []).append(day)
    return found


def _dated(
    paper: Paper, specs: list[CommitteeSpec], dates: Calendar, *, overwrite: bool
) -> tuple[list[CommitteeSpec], int]:
    """The Beratungsfolge with dates from the municipality's calendar: each committee's first
    meeting on or after the paper's date and the previous committee's meeting, so that the
    order of the Beratungsfolge holds. Returns the specs and how many dates changed."""
    earliest = paper.date
    result = []
    changed = 0
    for spec in specs:
        day = spec.meeting_date
        if day is None or overwrite:
            meetings = dates.get((paper.municipality_id, _name_key(spec.committee)), [])
            found = next((d for d in meetings if d >= earliest), None)
            if found is not None and found != day:
                day = found
                changed += 1
        result.append(CommitteeSpec(spec.committee, spec.role, day))
        if day is not None:
            earliest = max(earliest, day)
    return result, changed


def _specs_of(paper: Paper) -> list[CommitteeSpec]:
    return [
        CommitteeSpec(c.committee.name, c.role, c.meeting_date)
        for c in paper.consultations.select_related("committee").order_by("position", "pk")
    ]


def _resolve_calendar(
    parsed: calendar.ParsedCalendar,
) -> tuple[list[tuple[Committee, date]], list[calendar.LineError]]:
    errors = list(parsed.errors)
    municipalities = list(Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME))
    by_ags = {m.ags: m for m in municipalities}
    by_name: dict[str, list[Municipality]] = {}
    for m in municipalities:
        by_name.setdefault(m.name.casefold(), []).append(m)
    committees: dict[int, dict[str, Committee]] = {}
    for row_committee in Committee.objects.filter(municipality__in=municipalities).order_by("name"):
        committees.setdefault(row_committee.municipality_id, {})[_name_key(row_committee.name)] = (
            row_committee
        )
    seen: dict[tuple[int, date], int] = {}
    resolved: list[tuple[Committee, date]] = []
    for row in parsed.rows:
        text = row.municipality.strip()
        key = "0" + text if re.fullmatch(r"\d{7}", text) else text
        named = by_name.get(text.casefold(), [])
        if key in by_ags:
            municipality = by_ags[key]
        elif len(named) == 1:
            municipality = named[0]
        elif named:
            errors.append(
                calendar.LineError(
                    row.line, f"Der Name „{text}“ ist nicht eindeutig; bitte den AGS angeben."
                )
            )
            continue
        else:
            errors.append(
                calendar.LineError(
                    row.line,
                    f"Die Kommune „{text}“ ist nicht bekannt (AGS oder Name wie in der "
                    "Kommunenliste angeben).",
                )
            )
            continue
        known = committees.get(municipality.pk, {})
        committee = known.get(_name_key(row.committee))
        if committee is None:
            if known:
                names = ", ".join(f"„{c.name}“" for c in known.values())
                hint = f"Bekannte Gremien: {names}."
            else:
                hint = (
                    "Für diese Kommune ist noch kein Gremium bekannt: zuerst die "
                    "Beratungsfolge ihrer Beschlussvorlage anlegen."
                )
            errors.append(
                calendar.LineError(
                    row.line,
                    f"Das Gremium „{row.committee}“ ist für {municipality.name} nicht bekannt. "
                    + hint,
                )
            )
            continue
        if (committee.pk, row.date) in seen:
            errors.append(
                calendar.LineError(
                    row.line,
                    f"Die Sitzung „{committee.name}“ ({municipality.name}) am "
                    f"{format_date(row.date)} steht schon in Zeile {seen[committee.pk, row.date]}.",
                )
            )
            continue
        seen[committee.pk, row.date] = row.line
        resolved.append((committee, row.date))
    errors.sort(key=lambda e: e.line)
    return resolved, errors


@transaction.atomic
def calendar_import(*, raw: bytes, year: int, overwrite: bool = False) -> CalendarResult:
    """Import a committee calendar: its meetings, then the dates of the year's papers.

    All or nothing: a file with any problem (unknown municipality or committee, a date that
    is none, a meeting twice) stores nothing and names every problem with its line. Decided
    papers keep their Beratungsfolge; dates already entered stay unless `overwrite`.
    """
    resolved, errors = _resolve_calendar(calendar.parse(raw))
    if errors:
        raise CalendarError(errors)
    existing = set(
        Meeting.objects.filter(committee__in={c for c, _day in resolved}).values_list(
            "committee_id", "date"
        )
    )
    new = [Meeting(committee=c, date=day) for c, day in resolved if (c.pk, day) not in existing]
    for meeting in new:
        meeting.full_clean(exclude=["committee"])
    Meeting.objects.bulk_create(new)
    municipality_ids = {c.municipality_id for c, _day in resolved}
    dated, missing = _date_papers(year, municipality_ids, overwrite=overwrite)
    audit.record(
        action="calendar_import",
        kind=audit.Kind.PAPER,
        summary=(
            f"Sitzungskalender für {year} eingelesen: {len(resolved)} Sitzungen, "
            f"{len(new)} neu, {dated} Termine in Vorlagen eingetragen"
        ),
        object_type="papers.meeting",
        object_id=str(year),
        object_label=f"Sitzungskalender {year}",
        changes=[{"field": "neue Sitzungen", "before": "", "after": ", ".join(
            str(m) for m in new[:50]
        ) + (" …" if len(new) > 50 else "")}] if new else [],
        municipality=None,
    )  # fmt: skip
    return CalendarResult(
        meetings=len(resolved),
        meetings_created=len(new),
        consultations_dated=dated,
        papers_without_dates=missing,
    )


def _date_papers(year: int, municipality_ids: set[int], *, overwrite: bool) -> tuple[int, int]:
    dates = _calendar_of(municipality_ids)
    dated = 0
    missing = 0
    papers = (
        Paper.objects.select_for_update()
        .filter(year=year, municipality_id__in=municipality_ids)
        .select_related("municipality")
        .order_by("pk")
    )
    for paper in papers:
        specs = _specs_of(paper)
        if paper.is_decided:
            continue
        new_specs, changed = _dated(paper, specs, dates, overwrite=overwrite)
        if changed:
            _consultations_apply(paper, new_specs, action="calendar_import")
            dated += changed
        if any(s.meeting_date is None for s in new_specs):
            missing += 1
    return dated, missing


@transaction.atomic
def consultations_copy(*, source: Paper, year: int) -> int:
    """Give every undecided paper of the year the source paper's Beratungsfolge (committees,
    roles, order). Dates come from each municipality's calendar; where it has none, a date the
    paper already had for the same committee stays. Returns the number of papers changed."""
    template = _specs_of(source)
    check_committees(template, need_dates=False)
    papers = list(
        Paper.objects.select_for_update()
        .filter(year=year)
        .exclude(pk=source.pk)
        .select_related("municipality")
        .order_by("pk")
    )
    dates = _calendar_of({p.municipality_id for p in papers})
    changed = 0
    for paper in papers:
        if paper.is_decided:
            continue
        before = _specs_of(paper)
        kept = {_name_key(s.committee): s.meeting_date for s in before}
        wanted = [
            CommitteeSpec(s.committee, s.role, kept.get(_name_key(s.committee))) for s in template
        ]
        wanted, _count = _dated(paper, wanted, dates, overwrite=True)
        if wanted != before:
            _consultations_apply(paper, wanted, action="consultations_copy")
            changed += 1
    return changed


def validate_overrides(**texts: str) -> None:
    _validate_texts(**texts)


@transaction.atomic
def paper_save(paper: Paper) -> Paper:
    stored = Paper.objects.select_for_update().get(pk=paper.pk)
    _ensure_editable(stored)
    before = audit.snapshot(stored, *_PAPER_FIELDS)
    _validate_texts(
        subject_override=paper.subject_override,
        facts_override=paper.facts_override,
        resolution_override=paper.resolution_override,
    )
    paper.full_clean()
    paper.save()
    _touch_paper(paper)
    _record_paper(
        "paper_save",
        paper,
        "Beschlussvorlage geändert",
        audit.diff(before, audit.snapshot(paper, *_PAPER_FIELDS), model=Paper),
    )
    return paper


# --------------------------------------------------------------------------- decisions


def _ensure_year_open(year: int) -> None:
    """A frozen year's papers and decisions are part of the record: a change needs the centre
    treasurer's correction, which opens the year again and ends as a new version."""
    if year_is_frozen(year):
        raise PaperError(
            f"Die Kostenverteilung {year} ist festgeschrieben; Vorlagen und Beschlüsse dieses "
            "Jahres lassen sich nicht mehr ändern. Für eine Änderung beginnt die Kämmerei des "
            "Zentrums eine Korrektur (neue Version)."
        )


def _ensure_editable(paper: Paper) -> None:
    _ensure_year_open(paper.year)
    if paper.is_decided:
        raise PaperError(
            f"Über {paper.reference} hat der Rat schon entschieden; die Vorlage lässt sich nicht "
            "mehr ändern."
        )


def _has_pdf(paper: Paper) -> bool:
    return Document.objects.filter(
        kind=KIND, params__paper_id=paper.pk, status=Document.Status.DONE
    ).exists()


@transaction.atomic
def decision_record(*, paper: Paper, decided_on: date, result: str, note: str, user: User) -> Paper:
    paper = Paper.objects.select_for_update().get(pk=paper.pk)
    _ensure_year_open(paper.year)
    if not _has_pdf(paper):
        raise PaperError(
            f"Für {paper.reference} gibt es noch kein PDF. Ein Beschluss wird erst erfasst, "
            "wenn dem Rat die Vorlage vorlag: bitte zuerst das PDF erstellen."
        )
    if result not in Paper.Result.values:
        raise PaperError("Bitte ein gültiges Ergebnis wählen.")
    if decided_on < paper.date:
        raise PaperError(
            f"Der Beschluss kann nicht vor dem Datum der Vorlage ({format_date(paper.date)}) "
            "gefasst worden sein."
        )
    if decided_on > timezone.localdate():
        raise PaperError("Das Beschlussdatum darf nicht in der Zukunft liegen.")
    before = audit.snapshot(paper, *_DECISION_FIELDS)
    paper.decided_on = decided_on
    paper.result = result
    paper.decision_note = note.strip()
    paper.decision_recorded_by = user
    paper.decision_recorded_at = timezone.now()
    paper.save()
    _touch_paper(paper)
    _record_paper(
        "decision_record",
        paper,
        "Beschluss erfasst",
        audit.diff(before, audit.snapshot(paper, *_DECISION_FIELDS), model=Paper),
        kind=audit.Kind.DECISION,
        actor=user,
    )
    return paper


# --------------------------------------------------------------------------- the paper context


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _consultation_rows(paper: Paper) -> list[dict[str, Any]]:
    consultations = list(paper.consultations.select_related("committee"))
    specs = [CommitteeSpec(c.committee.name, c.role, c.meeting_date) for c in consultations]
    try:
        check_committees(specs, need_dates=True)
    except PaperError as error:
        raise PaperError(
            f"Drucksache {paper.reference} ({paper.municipality.name}): {error}"
        ) from None
    return [
        {
            "id": c.pk,
            "committee": c.committee.name,
            "date": format_date(c.meeting_date),
            "iso_date": c.meeting_date.isoformat() if c.meeting_date else "",
            "role": c.get_role_display(),
            "authoritative": c.authoritative,
        }
        for c in consultations
    ]


def placeholder_values(paper: Paper, figures: selectors.MemberFigures) -> dict[str, str | None]:
    budget_line = paper.budget_line or figures.budget_line
    return {
        "kommune": paper.municipality.name,
        "jahr": str(paper.year),
        "vorjahr": str(paper.year - 1),
        "folgejahr": str(paper.year + 1),
        "anteil_jahr": format_money(figures.first_year_total),
        "anteil_laufend": format_money(figures.current),
        "nachbelastung_vorjahr": format_money(figures.back_charge_total),
        "anteil_folgejahre": None if figures.following is None else format_money(figures.following),
        "haushaltsstelle": budget_line or "(noch nicht festgelegt)",
        "nettokosten": format_money(figures.net_cost),
        "mitglieder": str(len(figures.shares)),
        "drucksache": paper.reference,
        "kreis": settings.KREIS_NAME,
    }


def _substitute(paper: Paper, field_name: str, text: str, values: dict[str, str | None]) -> str:
    try:
        return placeholders.substitute(text, values)
    except ValidationError as error:
        raise PaperError(
            f"{field_name} von {paper.reference}: {' '.join(error.messages)}"
        ) from None
    except placeholders.MissingValue as missing:
        if missing.args[0] == "anteil_folgejahre":
            raise PaperError(
                f"Für {paper.municipality.name} liegen für {paper.year + 1} keine Zahlen vor "
                f"(Platzhalter [[anteil_folgejahre]] in {field_name})."
            ) from None
        raise PaperError(
            f"Für den Platzhalter [[{missing.args[0]}]] in {field_name} von {paper.reference} "
            "liegt kein Wert vor."
        ) from None


def paper_context(paper: Paper) -> dict[str, Any]:
    """Everything the paper shows, as plain values (strings, lists, dicts).

    Raises PaperError where the paper cannot be made: Beratungsfolge incomplete, no figures,
    an unknown placeholder.
    """
    consultations = _consultation_rows(paper)
    try:
        figures = selectors.member_figures(paper.municipality, paper.year)
    except selectors.FiguresMissing as error:
        raise PaperError(str(error)) from None
    values = placeholder_values(paper, figures)
    template = paper.template
    subject = _substitute(paper, "Bezeichnung", paper.subject_override or template.subject, values)
    facts = _substitute(
        paper, "Sach- und Rechtslage", paper.facts_override or template.facts, values
    )
    resolution = _substitute(
        paper, "Beschlussvorschlag", paper.resolution_override or template.resolution, values
    )
    attachments = _lines(_substitute(paper, "Anlagen", template.attachments, values))
    maturity = roadmap = None
    if paper.include_maturity:
        maturity = selectors.maturity_summary(paper.municipality, paper.year) or {"empty": True}
        attachments.append("Zusammenfassung Digitaler Reifegrad")
    if paper.include_roadmap:
        roadmap = {"measures": selectors.roadmap_excerpt(paper.municipality)}
        attachments.append("Auszug aus der Roadmap")
    # Last: the annex that is the same for every member (a batch typesets it once).
    attachments.append(f"Kostenbeteiligung {paper.year} (alle Mitglieder)")

    finance_lines = [
        {"label": line.label, "amount": format_money(line.amount)} for line in figures.back_charges
    ]
    finance_lines.append(
        {
            "label": f"Kostenanteil {paper.year}"
            + (" (vorläufige Berechnung)" if figures.provisional else ""),
            "amount": format_money(figures.current),
        }
    )
    if figures.shares_total != figures.net_cost:
        raise PaperError(
            f"Die Anteile für {paper.year} ergeben {format_money(figures.shares_total)}, "
            f"nicht die Nettokosten von {format_money(figures.net_cost)}."
        )
    budget_line = paper.budget_line or figures.budget_line
    return {
        "paper": {
            "id": paper.pk,
            "reference": paper.reference,
            "date": format_date(paper.date),
            "year": paper.year,
            "public": "öffentlich" if paper.is_public else "nicht öffentlich",
            "office": paper.office or "–",
            "file_reference": paper.file_reference or "–",
        },
        "municipality": {"name": paper.municipality.name, "ags": paper.municipality.ags},
        "kreis_name": settings.KREIS_NAME,
        "subject": subject,
        "facts": _paragraphs(facts),
        "resolution": _lines(resolution),
        "attachments": attachments,
        "consultations": consultations,
        "finance": {
            "year": paper.year,
            "lines": finance_lines,
            "first_year_total": format_money(figures.first_year_total),
            "has_back_charge": bool(figures.back_charges),
            "following_year": paper.year + 1,
            "following": None if figures.following is None else format_money(figures.following),
            "budget_line": budget_line or "noch nicht festgelegt",
            "funds_budgeted": "Ja" if paper.funds_budgeted else "Nein",
        },
        "shares": {
            "year": paper.year,
            "rows": [
                {
                    "name": row.name,
                    "months": row.months,
                    "population": formats.number(row.population),
                    "total": format_money(row.total),
                    "grant_credit": format_money(row.grant_credit),
                    "payable": format_money(row.payable),
                    "own": row.municipality_id == paper.municipality_id,
                }
                for row in figures.shares
            ],
            "total": format_money(figures.shares_total),
            "payable_total": format_money(figures.payable_total),
            "net_cost": format_money(figures.net_cost),
            "has_grant_credits": figures.has_grant_credits,
        },
        "maturity": maturity,
        "roadmap": roadmap,
        "header_left": f"Drucksache {paper.reference}",
        "header_right": paper.municipality.name,
        "footer_left": f"Beschlussvorlage – {paper.municipality.name}",
    }


def paper_title(paper: Paper) -> str:
    return f"Beschlussvorlage {paper.reference} – {paper.municipality.name}"


def paper_filename(paper: Paper) -> str:
    safe = re.sub(r"[^A-Za-z0-9-]+", "-", paper.reference).strip("-")
    return f"Beschlussvorlage-{safe}-{paper.municipality.slug}.pdf"


# --------------------------------------------------------------------------- rendering


def _request(paper: Paper, user: User | None, batch: uuid.UUID | None) -> Document:
    with tenant_schema(paper.municipality):
        document = document_request(
            kind=KIND,
            params={"paper_id": paper.pk},
            title=paper_title(paper),
            filename=paper_filename(paper),
            created_by_id=user.pk if user else None,
            batch=batch,
        )
    Paper.objects.filter(pk=paper.pk).update(document=document)
    return document


@transaction.atomic
def paper_render(*, paper: Paper, user: User | None) -> Document:
    """Check the paper completely, then request its PDF (sent after commit)."""
    _ensure_year_open(paper.year)
    paper_context(paper)
    document = _request(paper, user, None)
    _record_paper(
        "paper_render", paper, "PDF angefordert", [], kind=audit.Kind.DOCUMENT, actor=user
    )
    return document


@transaction.atomic
def papers_render_batch(*, year: int, user: User | None) -> uuid.UUID:
    """Record the PDFs of every paper of the year as one batch; workers build and render them.

    The request builds no paper context: the year's figures are read once, every paper is
    checked against them and its Beratungsfolge (one query for all); if one cannot be made, the
    error names all that fail and nothing is requested. Papers whose inputs did not change (the
    same fingerprint as a finished PDF) reuse their stored file at once.
    """
    _ensure_year_open(year)
    # Not papers_of_year: its last document per paper is not needed here.
    papers = list(
        Paper.objects.filter(year=year)
        .select_related("municipality", "template")
        .order_by("municipality__name")
    )
    if not papers:
        raise PaperError(f"Für {year} gibt es noch keine Beschlussvorlagen.")
    with costsharing_selectors.shared_year_reads(None):
        state = batch_state(year, papers)
    problems = [p for paper in papers if (p := batch_problem(paper, state))]
    if problems:
        raise PaperError(" ".join(problems))
    batch = new_batch()
    wanted = [
        Wanted(
            kind=KIND,
            schema_name=paper.municipality.schema_name,
            params={"paper_id": paper.pk},
            title=paper_title(paper),
            filename=paper_filename(paper),
            fingerprint=paper_fingerprint(paper, state),
        )
        for paper in papers
    ]
    documents = documents_request(
        wanted=wanted, created_by_id=user.pk if user else None, batch=batch
    )
    _link_documents({p.pk: d.pk for p, d in zip(papers, documents, strict=True)})
    audit.record(
        action="papers_render_batch",
        kind=audit.Kind.DOCUMENT,
        summary=f"PDFs der {len(papers)} Beschlussvorlagen {year} angefordert",
        object_type="papers.paper",
        object_id=str(year),
        object_label=f"Beschlussvorlagen {year}",
        municipality=None,
        actor=user,
    )
    return batch


def _link_documents(documents: dict[int, int]) -> None:
    """Every paper's latest document, in one UPDATE (bulk_update's CASE per row is slow)."""
    table = connection.ops.quote_name(Paper._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS p SET document_id = d.document_id "  # noqa: S608 (model name)
            "FROM unnest(%s::bigint[], %s::bigint[]) AS d(paper_id, document_id) "
            "WHERE p.id = d.paper_id",
            [list(documents), list(documents.values())],
        )


# --------------------------------------------------------------------------- batch inputs


FINGERPRINT_VERSION = "1"  # raise when the paper context changes in a way rows do not show
_TEMPLATE_FILES = (TEMPLATE_NAME, "papers/_paper_body.html", "izd/pdf_base.html")


def _templates_hash() -> str:
    """The PDF templates' sources: a deploy that changes them renders every paper again."""
    return templates_fingerprint(FINGERPRINT_VERSION, *_TEMPLATE_FILES)


@dataclass(frozen=True)
class BatchState:
    """What a batch reads once for all its papers."""

    year: int
    figures: YearFigures
    following: YearFigures | None  # None where the following year has no budget
    consultations: dict[int, list[dict[str, Any]]]
    year_hash: str


def batch_state(year: int, papers: list[Paper]) -> BatchState:
    """The year's figures and every paper's rows, in a fixed number of queries."""
    figures = costsharing_selectors.year_figures(year)
    following: YearFigures | None = costsharing_selectors.year_figures(year + 1)
    if following is not None and not following.budget_exists:
        following = None
    year_hash = hashlib.sha256(
        repr(
            (
                figures.fingerprint,
                following.fingerprint if following else None,
                settings.KREIS_NAME,
                _templates_hash(),
                # each template once (420 papers share one or two)
                sorted(
                    repr(_row_values(t))
                    for t in {p.template_id: p.template for p in papers}.values()
                ),
            )
        ).encode()
    ).hexdigest()
    consultations: dict[int, list[dict[str, Any]]] = {p.pk: [] for p in papers}
    rows = (
        Consultation.objects.filter(paper__in=papers)
        .order_by("paper_id", "position", "pk")
        .values(
            "paper_id",
            "pk",
            "position",
            "role",
            "meeting_date",
            "meeting_id",
            "updated_at",
            "committee__name",
        )
    )
    for row in rows:
        consultations[row["paper_id"]].append(dict(row))
    return BatchState(
        year=year,
        figures=figures,
        following=following,
        consultations=consultations,
        year_hash=year_hash,
    )


def batch_problem(paper: Paper, state: BatchState) -> str:
    """Why the paper cannot be made, as far as the batch's rows show it ("" where it can)."""
    specs = [
        CommitteeSpec(row["committee__name"], row["role"], row["meeting_date"])
        for row in state.consultations[paper.pk]
    ]
    try:
        check_committees(specs, need_dates=True)
    except PaperError as error:
        return f"Drucksache {paper.reference} ({paper.municipality.name}): {error}"
    municipality = paper.municipality
    figures = state.figures
    if not figures.takes_part(municipality.pk):
        reason = figures.note or (
            f"Ihre Kommune ist {paper.year} nicht an der Kostenverteilung beteiligt."
        )
        return str(selectors.missing_figures(municipality, paper.year, reason))
    if figures.standing is None:
        return str(selectors.missing_figures(municipality, paper.year, figures.standing_error))
    texts = (
        paper.subject_override or paper.template.subject,
        paper.facts_override or paper.template.facts,
        paper.resolution_override or paper.template.resolution,
        paper.template.attachments,
    )
    if any("anteil_folgejahre" in text for text in texts) and (
        state.following is None or not state.following.takes_part(municipality.pk)
    ):
        return (
            f"Für {municipality.name} liegen für {paper.year + 1} keine Zahlen vor "
            "(Platzhalter [[anteil_folgejahre]])."
        )
    return ""


def _row_values(instance: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    fields = instance._meta.concrete_fields
    return {f.attname: getattr(instance, f.attname) for f in fields if f.attname not in leave_out}


def paper_fingerprint(paper: Paper, state: BatchState) -> str:
    """A hash of every row the paper's PDF is made from; "" where attachments from maturity or
    the roadmap come in (those papers are always built)."""
    if paper.include_maturity or paper.include_roadmap:
        return ""
    municipality = paper.municipality
    payload = (
        state.year_hash,
        _row_values(paper, leave_out=("document_id",)),  # the last PDF is an output
        paper.template_id,  # the template's rows are part of year_hash
        _row_values(municipality),
        state.consultations[paper.pk],  # the member's billing data are in the year's figures
    )
    return hashlib.sha256(repr(payload).encode()).hexdigest()
