"""Benchmark: decision papers for 29 members.

Run: `.venv/bin/python tests/benchmarks/bench_papers.py`. Works on a throw-away database
(`izd_bench_papers`) that it creates, migrates and drops. Measures

* one paper: build the context and render the PDF in-process;
* the batch for 29 members through a real Celery worker with two threads (fresh rendering);
* the same batch again with nothing changed (every file is reused by its input hash).

The worker consumes a queue of its own, so other sessions on the same Redis do not interfere.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_TEST_NAME", "izd_bench_papers")

import django

django.setup()


from costsharing import services as costsharing_services  # noqa: E402
from izd.models import Document  # noqa: E402
from izd.pdf import render_pdf  # noqa: E402
from izd.schemas import activate_public, tenant_schema  # noqa: E402
from roadmap.papers import services  # noqa: E402
from roadmap.papers.builders import build_paper  # noqa: E402
from roadmap.papers.models import Consultation, Paper, PaperTemplate  # noqa: E402
from roadmap.papers.services import CommitteeSpec  # noqa: E402
from tenants.services import MunicipalityData, kreis_ensure, municipality_create  # noqa: E402
from tests.benchmarks.database import (  # noqa: E402
    bench_database,
    budget_year_by_base_and_population,
)

MEMBERS = 29
YEAR = 2030


def _setup() -> None:
    kreis_ensure(
        name="Benchkreis", ags="06435000", population=400_000, population_date=date(2024, 12, 31)
    )
    towns = [
        municipality_create(
            data=MunicipalityData(
                name=f"Gemeinde {index:02d}",
                ags=f"069970{index:02d}",
                population=5_000 + index * 731,
                population_date=date(2024, 12, 31),
            )
        )
        for index in range(1, MEMBERS + 1)
    ]
    activate_public()
    budget_year_by_base_and_population(YEAR)
    for town in towns:
        with tenant_schema(town):
            costsharing_services.cooperation_save(
                municipality=town, joined_on=date(YEAR, 1, 1), budget_line=f"1.11.{town.ags[-2:]}"
            )
    template = services.template_save(
        PaperTemplate(
            name="Bench",
            subject="Interkommunale Zusammenarbeit im Bereich Digitalisierung",
            facts="[[kommune]] trägt [[anteil_jahr]] von [[nettokosten]].\n\n" * 6,
            resolution="Zustimmung zu [[anteil_jahr]].\nUnterzeichnung der Vereinbarung.",
            attachments="Vereinbarung",
        )
    )
    committees = [
        CommitteeSpec("Gemeindevorstand", Consultation.Role.PRELIMINARY, date(YEAR - 1, 11, 20)),
        CommitteeSpec(
            "Haupt- und Finanzausschuss", Consultation.Role.PRELIMINARY, date(YEAR - 1, 11, 28)
        ),
        CommitteeSpec("Gemeindevertretung", Consultation.Role.DECIDING, date(YEAR - 1, 12, 7)),
    ]
    services.papers_generate(
        template=template, year=YEAR, paper_date=date(YEAR - 1, 11, 1), committees=committees
    )


def _batch() -> tuple[float, int]:
    started = time.perf_counter()
    batch = services.papers_render_batch(year=YEAR, user=None)
    while True:
        documents = list(Document.objects.filter(batch=batch))
        if documents and all(d.is_finished for d in documents):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    failed = [d.error for d in documents if d.status != Document.Status.DONE]
    assert not failed, failed
    return elapsed, sum(1 for d in documents if d.reused)


def main() -> None:
    from config.celery import app
    from tests.workers import thread_worker

    with bench_database():
        t0 = time.perf_counter()
        _setup()
        print(f"Setup ({MEMBERS} Kommunen, Haushalt, Vorlagen): {time.perf_counter() - t0:.1f} s")
        paper = Paper.objects.select_related("municipality").first()
        assert paper is not None
        probe = Document(
            kind=services.KIND,
            schema_name=paper.municipality.schema_name,
            params={"paper_id": paper.pk},
            title="x",
            filename="x.pdf",
        )
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            pdf = render_pdf(build_paper(probe))
            timings.append(time.perf_counter() - started)
        print(
            f"Eine Vorlage (Kontext + PDF, {len(pdf) // 1024} KiB): "
            f"{min(timings):.2f} s (bestes von 3)"
        )

        queue = f"papers-bench-{uuid.uuid4().hex[:8]}"
        router = app.amqp.router
        router.routes = [
            lambda name, *a, **k: {"queue": queue} if name == "izd.tasks.render_document" else None
        ]
        with thread_worker(queue):
            first, reused_first = _batch()
            print(
                f"Stapel {MEMBERS} Vorlagen, 2 Worker-Threads: {first:.1f} s "
                f"({reused_first} wiederverwendet)"
            )
            second, reused_second = _batch()
            print(
                f"Stapel erneut, nichts geändert: {second:.2f} s "
                f"({reused_second} von {MEMBERS} wiederverwendet)"
            )


if __name__ == "__main__":
    main()
