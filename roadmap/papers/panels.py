"""Start page panels of the decision papers: a municipality's papers awaiting its council's
decision, and for the centre each year's papers rendered and decided."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from izd.formats import day, year
from izd.models import Document
from roadmap.papers.models import Consultation, Paper
from tenants.models import Membership
from tenants.start_panels import PanelItem, StartContext, StartPanel, link_for

SHOWN_PAPERS = 5
SHOWN_YEARS = 3
DECIDING_ROLES = (Membership.Role.DIGITAL_OFFICER, Membership.Role.TREASURER)


def municipal_panel(context: StartContext) -> StartPanel | None:
    """The municipality's papers with a PDF whose council has not decided yet (two queries)."""
    if context.municipality is None:
        return None
    access = context.access
    if not link_for(access, "papers:municipal_list"):
        return None
    deciding = Consultation.objects.filter(role=Consultation.Role.DECIDING).select_related(
        "committee"
    )
    papers = list(
        Paper.objects.filter(
            municipality=context.municipality, document__status=Document.Status.DONE
        )
        .exclude(result__in=Paper.FINAL_RESULTS)
        .prefetch_related(Prefetch("consultations", queryset=deciding, to_attr="deciding"))
        .order_by("-year", "-date")[:SHOWN_PAPERS]
    )
    if not papers:
        return None
    may_record = access.has_municipality_role(*DECIDING_ROLES)
    items = []
    for paper in papers:
        meeting = next((c for c in paper.deciding if c.meeting_date), None)
        if paper.result == Paper.Result.POSTPONED:
            value = _("vertagt, Beschluss steht aus")
        elif meeting is not None:
            value = _("%(committee)s am %(date)s") % {
                "committee": meeting.committee.name,
                "date": day(meeting.meeting_date),
            }
        else:
            value = _("Beschluss steht aus")
        if may_record:
            value = _("%(state)s – Beschluss erfassen") % {"state": value}
        items.append(
            PanelItem(
                _("%(reference)s (Haushaltsjahr %(year)s)")
                % {"reference": paper.reference, "year": year(paper.year)},
                value,
                link_for(access, "papers:municipal_paper", paper.pk),
            )
        )
    return StartPanel(title=_("Beschlussvorlagen vor dem Rat"), items=tuple(items), order=40)


def kreis_panel(context: StartContext) -> StartPanel | None:
    """For the centre: per year the papers made, rendered and decided, and those still lacking
    a meeting date (two queries, whatever the number of members)."""
    if context.municipality is not None:
        return None
    access = context.access
    if not link_for(access, "papers:home"):
        return None
    rows = list(
        Paper.objects.values("year")
        .annotate(
            total=Count("pk"),
            rendered=Count("pk", filter=Q(document__status=Document.Status.DONE)),
            decided=Count("pk", filter=Q(result__in=Paper.FINAL_RESULTS)),
        )
        .order_by("-year")[:SHOWN_YEARS]
    )
    if not rows:
        return None
    undated = Consultation.objects.filter(paper=OuterRef("pk"), meeting_date__isnull=True)
    missing = dict(
        Paper.objects.filter(year__in=[row["year"] for row in rows])
        .exclude(result__in=Paper.FINAL_RESULTS)
        .filter(Exists(undated))
        .values_list("year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    items = []
    for row in rows:
        text = _("%(total)d Vorlagen, %(rendered)d als PDF, %(decided)d entschieden") % row
        if missing.get(row["year"]):
            text += ngettext(
                "; %(n)d ohne Sitzungsdatum", "; %(n)d ohne Sitzungsdatum", missing[row["year"]]
            ) % {"n": missing[row["year"]]}
        url = link_for(access, "papers:home", query=f"jahr={row['year']}")
        items.append(PanelItem(year(row["year"]), text, url))
    return StartPanel(title=_("Beschlussvorlagen"), items=tuple(items), order=25)
