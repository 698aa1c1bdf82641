"""The status workflow of a service request, as pure rules (no database).

eingereicht → in Prüfung → angenommen | abgelehnt; angenommen → in Umsetzung → erledigt.
Only the Kreis moves a request along; the municipality may withdraw it while it is still
eingereicht or in Prüfung. No state is skipped.
"""

from __future__ import annotations

from roadmap.models import RequestStatus

S = RequestStatus

KREIS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.IN_REVIEW,),
    S.IN_REVIEW: (S.ACCEPTED, S.REJECTED),
    S.ACCEPTED: (S.IN_PROGRESS,),
    S.IN_PROGRESS: (S.DONE,),
}
MUNICIPALITY_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.WITHDRAWN,),
    S.IN_REVIEW: (S.WITHDRAWN,),
}
REASON_REQUIRED = frozenset({S.REJECTED, S.WITHDRAWN})
OPEN_STATUSES = (S.SUBMITTED, S.IN_REVIEW, S.ACCEPTED, S.IN_PROGRESS)
FINAL_STATUSES = (S.REJECTED, S.DONE, S.WITHDRAWN)

# What the button that moves a request into a status says.
ACTION_LABELS: dict[str, str] = {
    S.IN_REVIEW: "Prüfung beginnen",
    S.ACCEPTED: "Annehmen",
    S.REJECTED: "Ablehnen",
    S.IN_PROGRESS: "Umsetzung beginnen",
    S.DONE: "Als erledigt abschließen",
    S.WITHDRAWN: "Anfrage zurückziehen",
}


def label(status: str) -> str:
    return str(dict(RequestStatus.choices).get(status, status))


def next_statuses(status: str, *, by_kreis: bool) -> tuple[str, ...]:
    table = KREIS_TRANSITIONS if by_kreis else MUNICIPALITY_TRANSITIONS
    return table.get(status, ())


def refusal(current: str, target: str, *, by_kreis: bool) -> str | None:
    """Why the move from `current` to `target` is not allowed, or None when it is."""
    if target not in RequestStatus.values:
        return f"Unbekannter Status „{target}“."
    if current == target:
        return f"Die Anfrage ist bereits „{label(current)}“."
    if target in next_statuses(current, by_kreis=by_kreis):
        return None
    if target in next_statuses(current, by_kreis=not by_kreis):
        if by_kreis:
            return "Nur die Kommune kann ihre Anfrage zurückziehen."
        return f"Nur das Zentrum (Kreis) kann eine Anfrage auf „{label(target)}“ setzen."
    if current in FINAL_STATUSES:
        return (
            f"Die Anfrage ist abgeschlossen („{label(current)}“) und kann nicht mehr "
            "geändert werden."
        )
    return (
        f"Von „{label(current)}“ geht es nicht direkt nach „{label(target)}“: "
        "kein Schritt darf übersprungen werden."
    )
