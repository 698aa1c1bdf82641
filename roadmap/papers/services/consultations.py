"""The Beratungsfolge of a paper: committees, their roles and meeting dates, kept in place
(rows keep their ids, which the OParl API shows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from izd.audit import recording as audit
from roadmap.papers.models import Committee, Consultation, Meeting, Paper
from roadmap.papers.services.common import PaperError, _ensure_editable, _record_paper, format_date
from tenants.models import Municipality


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


_ROLES = frozenset(Consultation.Role.values)  # `.values` builds a new list on every call


def check_committees(committees: list[CommitteeSpec], *, need_dates: bool) -> None:
    if not committees:
        raise PaperError("Bitte mindestens ein Gremium in der Beratungsfolge angeben.")
    for spec in committees:
        if not spec.committee.strip():
            raise PaperError("Jedes Gremium der Beratungsfolge braucht einen Namen.")
        if spec.role not in _ROLES:
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
            action="committee_for", kind=audit.Kind.PAPER,
            summary=f"Gremium „{committee.name}“ angelegt", target=committee, fields=("name",),
            municipality=municipality,
        )  # fmt: skip
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


def _specs_of(paper: Paper) -> list[CommitteeSpec]:
    return [
        CommitteeSpec(c.committee.name, c.role, c.meeting_date)
        for c in paper.consultations.select_related("committee").order_by("position", "pk")
    ]
