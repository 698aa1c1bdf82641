"""The committee calendar: importing meetings, and dating and copying the Beratungsfolge of
a year's papers from it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from izd.audit import recording as audit
from roadmap.papers import calendar
from roadmap.papers.models import Committee, Meeting, Paper
from roadmap.papers.services.common import PaperError, format_date
from roadmap.papers.services.consultations import (
    CommitteeSpec,
    _consultations_apply,
    _specs_of,
    check_committees,
    committee_name,
)
from tenants import selectors as tenant_selectors
from tenants.models import Municipality


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


def _resolve_calendar(
    parsed: calendar.ParsedCalendar,
) -> tuple[list[tuple[Committee, date]], list[calendar.LineError]]:
    errors = list(parsed.errors)
    municipalities = list(tenant_selectors.municipality_list())
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
