"""The audit trail itself: recording, the list with its filters, CSV, isolation between
municipalities, immutability, retention and the query counts at state scale."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.utils import timezone

from izd.audit import recording
from izd.audit.models import AuditEntry
from izd.audit.services import audit_entries_prune, retention_cutoff
from tenants.models import Municipality
from tests.conftest import PASSWORD, Portal
from tests.scale import members
from tests.statements import page_queries

pytestmark = pytest.mark.django_db


def _entry(
    portal: Portal, *, municipality: Municipality | None, summary: str, **extra
) -> AuditEntry:
    with transaction.atomic():
        return recording.record(
            action=extra.pop("action", "test_change"),
            kind=extra.pop("kind", recording.Kind.MONEY),
            summary=summary,
            object_type=extra.pop("object_type", "test.thing"),
            object_id=extra.pop("object_id", "1"),
            object_label="Ding",
            municipality=municipality,
            actor=extra.pop("actor", portal.coordinator),
            changes=[{"field": "Betrag", "before": "1,00", "after": "2,00"}],
        )


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_the_actor_comes_from_the_request_and_the_municipality_from_the_schema(
    portal: Portal, in_tenant
):
    with recording.acting_as(portal.officer_a), in_tenant(portal.a), transaction.atomic():
        entry = recording.record(action="x", kind=recording.Kind.ASSESSMENT, summary="im Schema")
    assert entry.actor_id == portal.officer_a.pk
    assert "officer_a@test.example" in entry.actor_label
    assert entry.municipality_id == portal.a.pk
    assert entry.municipality_label == portal.a.name
    with transaction.atomic():
        system = recording.record(action="x", kind=recording.Kind.MONEY, summary="im Kreis")
    assert system.actor_id is None and system.actor_label == "System"
    assert system.municipality_id is None


def test_changes_list_only_what_differs_in_german_formats():
    from datetime import date
    from decimal import Decimal

    rows = recording.diff(
        {"amount": Decimal("1234.50"), "day": date(2026, 12, 31), "same": "x", "flag": False},
        {"amount": Decimal("1500.00"), "day": date(2027, 1, 1), "same": "x", "flag": True},
        labels={"amount": "Betrag"},
    )
    assert rows == [
        {"field": "Betrag", "before": "1.234,50", "after": "1.500,00"},
        {"field": "day", "before": "31.12.2026", "after": "01.01.2027"},
        {"field": "flag", "before": "nein", "after": "ja"},
    ]


def test_a_year_field_reads_as_a_year_without_a_thousands_separator():
    rows = recording.diff(
        {"year": None, "settle_in_year": 2025, "population": 1234},
        {"year": 2026, "settle_in_year": 2026, "population": 12345},
    )
    assert [(r["before"], r["after"]) for r in rows] == [
        ("", "2026"),
        ("2025", "2026"),
        ("1.234", "12.345"),
    ]


def test_a_decimal_field_reads_with_its_own_places_whoever_set_it():
    from decimal import Decimal

    from costsharing.models import UsageRecord

    # The database hands back 25.00, a correction form hands over 37: both read as the field
    # keeps them, so one entry does not say "25,00" and the next "37".
    stored = recording.snapshot(UsageRecord(units=Decimal("25.00")), "units")
    typed = recording.snapshot(UsageRecord(units=Decimal("37")), "units")
    assert recording.diff(stored, typed, model=UsageRecord) == [
        {"field": "Leistungseinheiten", "before": "25,00", "after": "37,00"}
    ]
    created = recording.diff({}, {"units": Decimal("8.5")}, model=UsageRecord)
    assert created[0]["after"] == "8,50"


def test_zeros_past_the_cents_are_left_out_of_a_decimal():
    from decimal import Decimal

    assert recording.display(Decimal("30.0000")) == "30,00"
    assert recording.display(Decimal("33.3300")) == "33,33"
    assert recording.display(Decimal("12.3450")) == "12,345"
    assert recording.display(Decimal("0.50")) == "0,50"
    assert recording.display(Decimal("1234.5")) == "1.234,5"


def test_the_coordinator_filters_by_person_municipality_kind_and_period(portal: Portal, client_for):
    _entry(portal, municipality=portal.a, summary="A-Geld", kind=recording.Kind.MONEY)
    _entry(portal, municipality=portal.b, summary="B-Schluessel", kind=recording.Kind.KEY)
    _entry(portal, municipality=None, summary="Kreis-Beschluss", kind=recording.Kind.DECISION,
           actor=portal.centre_treasurer)  # fmt: skip
    client = client_for(portal.coordinator)

    def shown(query: str) -> str:
        response = client.get(f"/protokoll/?{query}")
        assert response.status_code == 200, response.content
        return response.content.decode()

    page = shown(f"kommune={portal.a.pk}")
    assert "A-Geld" in page and "B-Schluessel" not in page
    page = shown("kommune=0")
    assert "Kreis-Beschluss" in page and "A-Geld" not in page and "B-Schluessel" not in page
    page = shown("bereich=key")
    assert "B-Schluessel" in page and "A-Geld" not in page
    page = shown("person=centre_treasurer")
    assert "Kreis-Beschluss" in page and "A-Geld" not in page
    today = timezone.localdate()
    page = shown(f"von={today - timedelta(days=1):%Y-%m-%d}&bis={today:%d.%m.%Y}")
    assert "A-Geld" in page
    page = shown(f"bis={today - timedelta(days=1):%Y-%m-%d}")
    assert "A-Geld" not in page


def test_a_bad_filter_gets_a_german_message_and_a_400(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    response = client.get("/protokoll/?von=gestern")
    assert response.status_code == 400
    assert "Bitte ein Datum wie 31.12.2026 angeben." in response.content.decode()
    response = client.get("/protokoll/?von=2026-12-31&bis=2026-01-01")
    assert response.status_code == 400
    assert "liegt nach" in response.content.decode()
    response = client.get("/protokoll/export.csv?bereich=unbekannt")
    assert response.status_code == 400


def test_the_filter_form_and_page_links_look_like_every_lists(portal: Portal, client_for):
    for n in range(60):
        _entry(portal, municipality=portal.a, summary=f"Eintrag {n}")
    page = client_for(portal.coordinator).get("/protokoll/").content.decode()
    form = re.search(r'<form[^>]*aria-label="Protokoll filtern".*?</form>', page, re.S)
    assert form is not None
    assert 'class="list-form"' in form.group(0).split(">", 1)[0]
    labels = re.findall(r'<p class="list-field[^"]*">\s*<label for="id_(\w+)"', form.group(0))
    assert labels == ["person", "kommune", "bereich", "von", "bis"]
    assert '<p class="list-buttons">' in form.group(0)
    assert '<nav class="pagination" aria-label="Seiten des Protokolls">' in page
    from tenants.services import user_create

    alone = user_create(email=f"einzeln-{uuid.uuid4().hex[:8]}@test.example", password=PASSWORD)
    _entry(portal, municipality=portal.b, summary="Einzeln", actor=alone)
    one = client_for(portal.coordinator).get(f"/protokoll/?person={alone.email}").content.decode()
    assert '<h2 id="protokoll-titel">1 Eintrag</h2>' in one


def test_pages_keep_the_filter_in_their_links(portal: Portal, client_for):
    for n in range(60):
        _entry(portal, municipality=portal.a, summary=f"Eintrag {n}")
    client = client_for(portal.coordinator)
    response = client.get(f"/protokoll/?kommune={portal.a.pk}&bereich=money")
    page = response.content.decode()
    assert f"?kommune={portal.a.pk}&amp;bereich=money&amp;seite=2" in page
    second = client.get(f"/protokoll/?kommune={portal.a.pk}&bereich=money&seite=2").content.decode()
    assert "Seite 2 von" in second


def test_csv_export_keeps_the_filter_and_neutralises_formulas(portal: Portal, client_for):
    _entry(portal, municipality=portal.a, summary='=HYPERLINK("http://evil.example")')
    _entry(portal, municipality=portal.b, summary="B-Eintrag")
    client = client_for(portal.coordinator)
    response = client.get(f"/protokoll/export.csv?kommune={portal.a.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert rows[0][0] == "Zeitpunkt"
    summaries = [row[8] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in summaries
    assert "B-Eintrag" not in summaries
    assert rows[1][9] == "Betrag: 1,00 → 2,00"


def test_a_municipality_sees_its_own_entries_only(portal: Portal, client_for):
    _entry(portal, municipality=portal.a, summary="Nur-A")
    _entry(portal, municipality=portal.b, summary="Nur-B")
    _entry(portal, municipality=None, summary="Nur-Kreis")
    client = client_for(portal.officer_a, portal.a)
    page = client.get("/protokoll/").content.decode()
    assert "Nur-A" in page and "Nur-B" not in page and "Nur-Kreis" not in page
    # The municipality filter does not exist there and cannot widen the scope.
    page = client.get(f"/protokoll/?kommune={portal.b.pk}").content.decode()
    assert "Nur-B" not in page
    summaries = [
        row[8] for row in _csv_rows(client.get(f"/protokoll/export.csv?kommune={portal.b.pk}"))
    ]
    assert "Nur-A" in summaries and "Nur-B" not in summaries and "Nur-Kreis" not in summaries


def test_readers_and_strangers_do_not_see_the_trail(portal: Portal, client_for):
    assert client_for(portal.reader_a, portal.a).get("/protokoll/").status_code == 403
    assert client_for(portal.officer_b, portal.a).get("/protokoll/").status_code == 403
    assert client_for(portal.officer_a).get("/protokoll/").status_code == 403
    assert client_for(portal.coordinator).get("/protokoll/").status_code == 200
    assert client_for(portal.treasurer_a, portal.a).get("/protokoll/").status_code == 200


def test_the_portal_offers_no_way_to_change_an_entry(portal: Portal, client_for):
    entry = _entry(portal, municipality=portal.a, summary="fest")
    client = client_for(portal.coordinator)
    for method in (client.post, client.put, client.delete):
        assert method("/protokoll/").status_code in (403, 405)
    with pytest.raises(RuntimeError):
        entry.summary = "geändert"
        entry.save()


def test_the_database_refuses_updates_and_deletes(portal: Portal):
    entry = _entry(portal, municipality=portal.a, summary="fest")
    for statement in (
        "UPDATE audit_auditentry SET summary = 'geändert' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises((InternalError, ProgrammingError, IntegrityError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
    with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "fest"


def test_retention_prunes_only_entries_older_than_the_cutoff(portal: Portal, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = _entry(portal, municipality=portal.a, summary="alt")
    recent = _entry(portal, municipality=portal.a, summary="neu")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(
            "UPDATE audit_auditentry SET at = now() - interval '40 days' WHERE id = %s", [old.pk]
        )
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    cutoff = retention_cutoff()
    assert cutoff is not None
    assert audit_entries_prune(before=cutoff) >= 1
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(pk=recent.pk).exists()
    prune = AuditEntry.objects.filter(action="audit_entries_prune").latest("at")
    assert "gelöscht" in prune.summary
    # The cut-off is gone with the prune: nothing else may delete afterwards in the transaction.
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        AuditEntry.objects.filter(pk=recent.pk).delete()


def test_retention_zero_keeps_everything(settings):
    settings.AUDIT_RETENTION_DAYS = 0
    assert retention_cutoff() is None


def test_the_prune_command_runs(portal: Portal, settings):
    from django.core.management import call_command

    settings.AUDIT_RETENTION_DAYS = 3650
    out = io.StringIO()
    call_command("prune_audit_trail", stdout=out)
    assert "Protokolleinträge vor dem" in out.getvalue()


def test_the_list_makes_the_same_queries_at_29_and_at_420(portal: Portal, client_for):
    client = client_for(portal.coordinator)
    client.get("/protokoll/")
    counts = {}
    created: list[Municipality] = []
    for size in (29, 420):
        created += members(size - len(created), prefix=f"07{size:02d}"[:4])
        AuditEntry.objects.bulk_create(
            AuditEntry(
                actor_id=portal.coordinator.pk,
                actor_label="Koordination",
                municipality_id=m.pk,
                municipality_label=m.name,
                kind=AuditEntry.Kind.PARTICIPATION,
                action="bulk",
                object_type="test.thing",
                object_id=str(m.pk),
                object_label=m.name,
                summary=f"Eintrag {m.name}",
                changes=[{"field": "a", "before": "1", "after": "2"}],
            )
            for m in created[-(size if size == 29 else size - 29) :]
        )
        url = "/protokoll/?bereich=participation"
        counts[size] = page_queries(client, url, f"{size} Einträge")
    assert len(set(counts.values())) == 1, counts


def test_htmx_gets_only_the_results_and_caches_tell_them_apart(portal: Portal, client_for):
    _entry(portal, municipality=portal.a, summary="Teilantwort")
    client = client_for(portal.coordinator)
    partial = client.get("/protokoll/?bereich=money", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "Teilantwort" in body and "<html" not in body and 'id="protokoll"' in body
    assert "HX-Request" in partial["Vary"]
    full = client.get("/protokoll/?bereich=money").content.decode()
    assert "<html" in full and "Filtern" in full


def test_a_municipality_list_makes_the_same_queries_at_29_and_at_420_entries(
    portal: Portal, client_for
):
    client = client_for(portal.officer_a, portal.a)
    client.get("/protokoll/")
    counts = {}
    made = 0
    for size in (29, 420):
        AuditEntry.objects.bulk_create(
            AuditEntry(
                actor_label="Kommune",
                municipality_id=portal.a.pk,
                municipality_label=portal.a.name,
                kind=AuditEntry.Kind.REQUEST,
                action="bulk",
                object_type="test.thing",
                object_id=str(n),
                object_label=f"Ding {n}",
                summary=f"Zeile {n}",
            )
            for n in range(made, size)
        )
        made = size
        url = "/protokoll/?bereich=request&seite=2"
        counts[size] = page_queries(client, url, f"{size} Einträge")
    assert len(set(counts.values())) == 1, counts
