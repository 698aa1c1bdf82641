"""The demos tell what the README promises, and loading them twice changes nothing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

# What a demo database holds, as one JSON line.
MKK_STATE = """
import json
from collections import Counter
from costsharing.models import AllocationVersion, BudgetYear, MemberProfile, UsageRecord
from costsharing.notices import notice
from costsharing.xrechnung import check_ready, invoice_xml
from izd.legal_defaults import placeholders_in
from izd.models import Document
from maturity.models import Campaign, Participation
from roadmap.models import RequestSummary
from roadmap.papers.models import Consultation, Paper
from tenants.models import Municipality, User
from tenants.validators import validate_leitweg_id

members = list(Municipality.objects.members())
home = Municipality.objects.get(slug="waechtersbach")
leitweg_ok = 0
for m in members:
    try:
        validate_leitweg_id(m.leitweg_id)
        leitweg_ok += "DEMO" in m.leitweg_id
    except Exception:
        pass
shown = notice(home, 2025)
check_ready(shown)
xml = invoice_xml(shown)
state = {
    "members": len(members),
    "leitweg_demo_valid": leitweg_ok,
    # Postcode and town for all; the street is left empty where the sources conflict
    # (tenants/demo_data/SOURCES.md), which an XRechnung allows (BT-50 is optional).
    "billing_address": sum(bool(m.postal_code and m.city) for m in members),
    "budget_lines": MemberProfile.objects.exclude(budget_line="").count(),
    "years": {str(y.year): y.status for y in BudgetYear.objects.all()},
    "versions_2025": list(AllocationVersion.objects.filter(budget_year__year=2025)
                          .values_list("decisions_waiver", flat=True)),
    "papers": {str(year): {
        "count": Paper.objects.filter(year=year).count(),
        "decided": Paper.objects.filter(year=year, result="angenommen").count(),
        "undated": Consultation.objects.filter(paper__year=year, meeting_date__isnull=True).count(),
        "pdfs": Document.objects.filter(kind="papers.beschlussvorlage", status="done",
                                        params__paper_id__in=list(Paper.objects.filter(year=year)
                                        .values_list("pk", flat=True))).count(),
    } for year in (2025, 2026)},
    "campaigns": {c.name: [c.status,
                           Participation.objects.filter(campaign=c, status="submitted").count(),
                           Participation.objects.filter(campaign=c, answered_count__gt=0).count()]
                  for c in Campaign.objects.order_by("name")},
    "request_statuses": sorted(set(RequestSummary.objects.values_list("status", flat=True))),
    "notice_2025_provisional": shown.provisional,
    "notice_legal_note": [len(placeholders_in(p)) for p in shown.legal_note],
    "einvoice_has_leitweg": home.leitweg_id.encode() in xml,
    "counts": {
        "papers": Paper.objects.count(),
        "documents": Document.objects.count(),
        "requests": RequestSummary.objects.count(),
        "usage": UsageRecord.objects.count(),
        "versions": AllocationVersion.objects.count(),
        "users": User.objects.count(),
        "consultations": Consultation.objects.count(),
    },
}
print("@@" + json.dumps(state, default=str))
"""


def test_default_demo_tells_the_whole_cycle_and_loads_idempotently(mkk_demo):
    state = mkk_demo.json(MKK_STATE)
    assert state["members"] == 29
    assert state["leitweg_demo_valid"] == 29
    assert state["billing_address"] == 29
    assert state["budget_lines"] == 29
    # 2025 finished: every council decided on a rendered paper, the year is frozen without a
    # waiver; notice and e-invoice are final.
    assert state["years"] == {"2025": "frozen", "2026": "draft"}
    assert state["versions_2025"] == [""]
    p2025, p2026 = state["papers"]["2025"], state["papers"]["2026"]
    assert p2025["count"] == p2025["decided"] == p2025["pdfs"] == 29
    assert p2025["undated"] == 0
    assert state["notice_2025_provisional"] is False
    # the demo's notices carry a worked legal note, not the default's "[bitte ergänzen]"
    assert state["notice_legal_note"] and set(state["notice_legal_note"]) == {0}
    assert state["einvoice_has_leitweg"] is True
    # 2026 in progress: a paper per member with meeting dates, ready to render, none decided
    assert p2026["count"] == 29 and p2026["undated"] == 0 and p2026["decided"] == 0
    assert set(state["request_statuses"]) == {
        "eingereicht", "in_pruefung", "angenommen", "abgelehnt", "in_umsetzung", "erledigt",
        "zurueckgezogen",
    }  # fmt: skip
    submitted_2025 = state["campaigns"]["Erhebung 2025"][1]
    submitted_2026, started_2026 = state["campaigns"]["Erhebung 2026"][1:]
    assert submitted_2025 >= 25
    assert 0 < submitted_2026 < started_2026 <= 29

    mkk_demo.load()
    again = mkk_demo.json(MKK_STATE)
    assert again == state


EGOV6_STATE = """
import json
from costsharing import selectors
from costsharing.models import BudgetYear
rows = {}
for budget_year in BudgetYear.objects.order_by("year"):
    allocation = selectors.allocation_live(budget_year)
    rows[str(budget_year.year)] = {
        row.name: [str(row.total), str(row.grant_credit), str(row.payable)]
        for row in allocation.rows
    }
print("@@" + json.dumps({"rows": rows}))
"""


def test_egov6_demo_shows_what_the_90_percent_grant_takes_off_each_share(egov6_demo):
    from decimal import Decimal

    state = egov6_demo.json(EGOV6_STATE)["rows"]
    assert sorted(state) == ["2025", "2026", "2027"]
    assert len(state["2025"]) == 6
    for name, (total, credit, payable) in state["2025"].items():
        total, credit, payable = Decimal(total), Decimal(credit), Decimal(payable)
        assert credit > 0 and payable == total - credit, name
        # the grant (845.100 EUR) is split equally: each town is credited a sixth
        assert credit == Decimal("140850.00"), name
    for name, (_total, credit, _payable) in state["2027"].items():
        assert Decimal(credit) == 0, name
    egov6_demo.load()
    assert egov6_demo.json(EGOV6_STATE)["rows"] == state
