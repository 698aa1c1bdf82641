"""Benchmark: the Kreis at 29 and at 420 municipalities, side by side with the ratio.

Run: `.venv/bin/python tests/benchmarks/bench_state.py`. Works on a throw-away database
(`izd_bench_state`) that it creates, migrates and drops. The municipalities come from the
generated fixture `tests/scale.py` (Hessen's population sizes; read-model rows made with bulk
inserts, no schemas: every figure here reads the public schema only). Measures through the
Django test client (the whole request: middleware, view, template):

* the papers batch request (POST), its time and queries (median of five fresh batches);
* the same batch again with nothing changed. The first batch's documents are marked finished
  with one file first (what the workers leave behind; rendering is `bench_papers.py`'s part),
  so this is the whole cost of an unchanged batch: every paper is recognised by its input
  fingerprint in the request and reuses its file, no job is sent;
* the batch's progress page: while it runs (counts only) and when it is finished (the list);
* every Kreis page: time (median of 5) and queries.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.measure import django_for_benchmark

django_for_benchmark("izd_bench_state")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from izd.models import Document  # noqa: E402
from izd.schemas import activate_public  # noqa: E402
from maturity import services as maturity_services  # noqa: E402
from roadmap.papers.models import PaperTemplate  # noqa: E402
from tenants.models import KreisRole, Municipality  # noqa: E402
from tenants.services import kreis_role_grant, user_create  # noqa: E402
from tests import scale  # noqa: E402
from tests.benchmarks.database import (  # noqa: E402
    bench_database,
    bench_kreis_and_template,
    budget_year_by_base_and_population,
)

YEAR = 2030
SIZES = (29, 420)
BATCH_RUNS = 5  # the fresh batch request, median of this many (one alone varies by a third)


def _setup_year() -> tuple[PaperTemplate, int]:
    template = bench_kreis_and_template()
    budget_year_by_base_and_population(YEAR)
    from tests.maturity.factories import load_small_model

    first = scale.members(1, prefix="0698", joined=date(YEAR, 1, 1))
    campaign = maturity_services.campaign_create(
        name="Erhebung Bench",
        start_date=date(YEAR, 3, 1),
        end_date=date(YEAR, 12, 31),
        model_version=load_small_model(),
        municipalities=first,
    )
    scale.papers(first, YEAR, template)
    return template, campaign.pk


def _grow(to: int, prefix: str, template: PaperTemplate, campaign_id: int) -> None:
    from maturity.models import Campaign
    from tests.maturity.factories import fake_results

    missing = to - Municipality.objects.members().count()
    towns = scale.members(missing, prefix=prefix, joined=date(YEAR, 1, 1))
    scale.papers(towns, YEAR, template)
    fake_results(Campaign.objects.get(pk=campaign_id), towns)


def _timed(call: Callable[[], object]) -> tuple[float, int, float, object]:
    """Elapsed ms, queries, the request's own CPU ms (this process; not the database's)."""
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        result = call()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed * 1000, len(queries.captured_queries), cpu * 1000, result


def _page(client: Client, url: str, runs: int = 5) -> tuple[float, int, float]:
    client.get(url, secure=True)  # warm
    times, counts, cpus = [], [], []
    for _ in range(runs):
        elapsed, count, cpu, response = _timed(lambda: client.get(url, secure=True))
        assert response.status_code == 200, (url, response.status_code)  # type: ignore[attr-defined]
        times.append(elapsed)
        counts.append(count)
        cpus.append(cpu)
    return statistics.median(times), max(counts), statistics.median(cpus)


def _batch(client: Client) -> tuple[float, int, float, str]:
    url = f"/beschlussvorlagen/jahr/{YEAR}/stapel/"
    elapsed, count, cpu, response = _timed(lambda: client.post(url, secure=True))
    status = response.status_code  # type: ignore[attr-defined]
    assert status == 302, (status, response.get("Location"), response.content.decode()[:400])  # type: ignore[attr-defined]
    batch = response["Location"].rstrip("/").split("/")[-1]  # type: ignore[index]
    return elapsed, count, cpu, batch


def measure(client: Client, campaign_id: int) -> dict[str, tuple[float, int, float]]:
    figures: dict[str, tuple[float, int, float]] = {}
    # One unmeasured batch first: the first request of a process imports the task modules and
    # fills the template cache, which a coordinator's click on a running server never pays.
    Document.objects.all().delete()
    _batch(client)
    runs = []
    for _ in range(BATCH_RUNS):  # each a fresh batch: no document of the year left
        Document.objects.all().delete()
        runs.append(_batch(client))
    batch = runs[-1][3]
    figures["Stapel Beschlussvorlagen: Anfrage"] = (
        statistics.median(run[0] for run in runs),
        max(run[1] for run in runs),
        statistics.median(run[2] for run in runs),
    )
    status_url = f"/beschlussvorlagen/jahr/{YEAR}/stapel/{batch}/"
    figures["Fortschrittsseite (läuft)"] = _page(client, status_url)
    Document.objects.filter(batch=batch).update(
        status=Document.Status.DONE, progress=100, file="documents/bench.pdf", sha256="0" * 64
    )
    ms, count, cpu, again = _batch(client)
    reused = Document.objects.filter(batch=again, reused=True).count()
    total = Document.objects.filter(batch=again).count()
    assert reused == total, (reused, total)
    figures["Stapel unverändert (ganz)"] = (ms, count, cpu)
    figures["Fortschrittsseite (fertig, Liste)"] = _page(
        client, f"/beschlussvorlagen/jahr/{YEAR}/stapel/{again}/"
    )
    pages = {
        "Kommunenliste": "/kommunen/",
        "Beschlussvorlagen-Übersicht": f"/beschlussvorlagen/?jahr={YEAR}",
        "Anfragen (Triage)": "/roadmap/anfragen/",
        "Beschlüsse-Übersicht": f"/beschlussvorlagen/jahr/{YEAR}/beschluesse/",
        "Kostenbeteiligung Jahr": f"/kosten/{YEAR}/",
        "Reifegrad Kreismatrix": f"/reifegrad/erhebungen/{campaign_id}/uebersicht/",
    }
    for label, url in pages.items():
        figures[label] = _page(client, url)
    return figures


def main() -> None:
    with bench_database():
        template, campaign_id = _setup_year()
        coordinator = user_create(
            email="koordination@bench.example", password="bench-Passwort-1", first_name="K"
        )
        kreis_role_grant(user=coordinator, role=KreisRole.Role.COORDINATOR)
        client = Client(HTTP_HOST=settings.BASE_DOMAIN)
        client.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
        results = {}
        for size, prefix in zip(SIZES, ("0791", "0792"), strict=True):
            started = time.perf_counter()
            _grow(size, prefix, template, campaign_id)
            print(f"Fixture auf {size} Kommunen: {time.perf_counter() - started:.1f} s")
            activate_public()
            results[size] = measure(client, campaign_id)
        small, large = SIZES
        print()
        # CPU: the request's own processor time in this process (the database's not counted);
        # on a machine shared with other work it varies far less than the elapsed time.
        print(f"| Messung | {small} Kommunen | {large} Kommunen | Verhältnis |")
        print("|---|---|---|---|")
        for label in results[small]:
            (ms_s, q_s, cpu_s), (ms_l, q_l, cpu_l) = results[small][label], results[large][label]
            print(
                f"| {label} | {ms_s:.0f} ms (CPU {cpu_s:.0f} ms), {q_s} Abfragen "
                f"| {ms_l:.0f} ms (CPU {cpu_l:.0f} ms), {q_l} Abfragen "
                f"| {ms_l / ms_s:.1f} × Zeit, {cpu_l / max(cpu_s, 0.1):.1f} × CPU, "
                f"{q_l / max(q_s, 1):.2f} × Abfragen |"
            )
        print()


if __name__ == "__main__":
    main()
