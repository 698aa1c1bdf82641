# Long because the results, matrix and comparison pages share their row builders, and
# splitting them would scatter one page's logic over several modules.
"""What the pages show, built from selectors: plain objects for templates (reads only)."""

from __future__ import annotations

import html
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from maturity import scoring, selectors, versions
from maturity.charts import Series, radar_svg
from maturity.models import Participation
from maturity.municipal.models import Answer, Assessment
from maturity.related import RelatedSection, related_sections
from maturity.structure import DimensionInfo, ModelStructure, QuestionInfo


@dataclass(frozen=True)
class Conflict:
    """The stored answer somebody else saved, and what this person tried to save."""

    theirs: dict[str, str]  # shown
    mine: dict[str, Any]  # raw values, resubmitted by "take mine"
    mine_shown: dict[str, str]
    by: str
    at: datetime
    version: int

    @property
    def lines(self) -> list[tuple[str, str, str]]:
        shown = self.mine_shown
        return [(label, value, shown.get(label, "")) for label, value in self.theirs.items()]


@dataclass(frozen=True)
class LevelOption:
    value: int
    label: str
    description: str


@dataclass
class QuestionRow:
    question: QuestionInfo
    number: str
    options: list[LevelOption]
    answer: Answer | None
    values: dict[str, Any]
    version: int
    message: str = ""
    message_kind: str = ""  # "saved" | "error"
    conflict: Conflict | None = None

    @property
    def answer_id(self) -> str:
        return str(self.answer.pk) if self.answer is not None else ""


def answer_display(structure: ModelStructure, values: dict[str, Any]) -> dict[str, str]:
    def level(value: Any) -> str:
        if value in (None, ""):
            return "keine Angabe"
        return f"{value} – {structure.level_label(int(value))}"

    return {
        "Ist-Stufe": "nicht relevant"
        if values.get("not_relevant")
        else level(values.get("current_level")),
        "Soll-Stufe": "nicht relevant"
        if values.get("not_relevant")
        else level(values.get("target_level")),
        "Kommentar": values.get("comment") or "–",
        "Nachweis": values.get("evidence_url") or "–",
    }


def answer_values_dict(answer: Answer | None) -> dict[str, Any]:
    if answer is None:
        return {"current_level": None, "target_level": None, "not_relevant": False,
                "comment": "", "evidence_url": ""}  # fmt: skip
    return {
        "current_level": answer.current_level,
        "target_level": answer.target_level,
        "not_relevant": answer.not_relevant,
        "comment": answer.comment,
        "evidence_url": answer.evidence_url,
    }


def question_rows(
    structure: ModelStructure, dimension: DimensionInfo, answers: dict[int, Answer]
) -> list[QuestionRow]:
    rows = []
    for question in dimension.questions:
        answer = answers.get(question.id)
        rows.append(
            QuestionRow(
                question=question,
                number=structure.question_number(question.id),
                options=[
                    LevelOption(level.value, level.label, question.levels[level.value])
                    for level in structure.levels
                ],
                answer=answer,
                values=answer_values_dict(answer),
                version=answer.version if answer else 0,
            )
        )
    return rows


def saved_row(structure: ModelStructure, answer: Answer) -> QuestionRow:
    """The row of a just-saved answer for the autosave reply (status line, id and version)."""
    question = structure.question(answer.question_id)
    assert question is not None
    return QuestionRow(
        question=question,
        number=structure.question_number(question.id),
        options=[],
        answer=answer,
        values=answer_values_dict(answer),
        version=answer.version,
        message="gespeichert",
        message_kind="saved",
    )


@dataclass(frozen=True)
class DimensionProgress:
    dimension: DimensionInfo
    answered: int
    total: int

    @property
    def complete(self) -> bool:
        return self.answered == self.total


@dataclass(frozen=True)
class Progress:
    dimensions: list[DimensionProgress]
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    def of(self, key: str) -> DimensionProgress | None:
        return next((d for d in self.dimensions if d.dimension.key == key), None)


def progress(structure: ModelStructure, answers: dict[int, Answer]) -> Progress:
    return progress_of(structure, {qid for qid, a in answers.items() if a.is_answered})


def progress_of(structure: ModelStructure, answered: Set[int]) -> Progress:
    """Progress from the ids of the answered questions."""
    per_dimension = [
        DimensionProgress(d, sum(1 for q in d.questions if q.id in answered), len(d.questions))
        for d in structure.dimensions
    ]
    return Progress(
        per_dimension,
        sum(p.answered for p in per_dimension),
        sum(p.total for p in per_dimension),
    )


@dataclass(frozen=True)
class ResultRow:
    dimension: DimensionInfo
    score: Decimal | None
    target: Decimal | None
    median: Decimal | None
    previous: Decimal | None
    # The score compared with the previous one: on the shared questions only when the two
    # campaigns used different model versions.
    compared: Decimal | None = None

    @property
    def change(self) -> Decimal | None:
        if self.compared is None or self.previous is None:
            return None
        return self.compared - self.previous


@dataclass
class Results:
    participation: Participation
    assessment: Assessment | None
    scores: scoring.Scores
    rows: list[ResultRow]
    benchmark: selectors.Benchmark
    previous: Participation | None
    gaps: list[scoring.Gap]
    chart: str = ""
    series_names: list[str] = field(default_factory=list)
    # Set when the previous campaign used another model version: both sides scored on the
    # questions the two versions share.
    comparison: SharedComparison | None = None
    related: list[RelatedSection] = field(default_factory=list)

    @property
    def previous_overall(self) -> Decimal | None:
        if self.comparison is not None:
            return self.comparison.previous.overall
        return self.previous.overall_index if self.previous is not None else None

    @property
    def overall_change(self) -> Decimal | None:
        if self.comparison is not None:
            current, before = self.comparison.current.overall, self.comparison.previous.overall
            return None if current is None or before is None else current - before
        if self.previous is None or self.previous.overall_index is None:
            return None
        if self.scores.overall is None:
            return None
        return self.scores.overall - self.previous.overall_index


@dataclass(frozen=True)
class SharedComparison:
    """Results of two campaigns on different model versions, on their shared questions."""

    previous_version: str
    current_version: str
    shared: int
    current_total: int
    previous_total: int
    current: scoring.Scores
    previous: scoring.Scores

    @property
    def note(self) -> str:
        return (
            f"Die vorherige Erhebung nutzte die Modellversion {self.previous_version}, diese "
            f"die Version {self.current_version}. Verglichen wird nur auf den {self.shared} "
            f"Fragen, die beide Versionen gemeinsam haben (von {self.current_total} Fragen "
            f"jetzt und {self.previous_total} damals); die Veränderung und die Werte der "
            "vorherigen Erhebung beziehen sich nur auf diese Fragen."
        )


def _shared_comparison(
    structure: ModelStructure,
    answers: dict[int, scoring.AnswerValue],
    previous: Participation,
) -> SharedComparison:
    before_structure = selectors.model_structure(previous.campaign.model_version_id)
    keys = versions.shared_question_keys(structure, before_structure)
    before_assessment = selectors.assessment_get(previous.campaign_id)
    before_answers = selectors.answer_values(selectors.answers_by_question(before_assessment))
    # The previous version's dimensions are matched to today's by key: a dimension that only
    # one version has shows no previous value.
    return SharedComparison(
        previous_version=before_structure.version,
        current_version=structure.version,
        shared=len(keys),
        current_total=len(structure.questions),
        previous_total=len(before_structure.questions),
        current=scoring.score(versions.restricted(structure, keys), answers),
        previous=scoring.score(versions.restricted(before_structure, keys), before_answers),
    )


def results(participation: Participation) -> Results:
    """The municipality's own results: reads its schema and the aggregate, never other rows."""
    campaign = participation.campaign
    structure = selectors.model_structure(campaign.model_version_id)
    assessment = selectors.assessment_get(campaign.pk)
    answers = selectors.answer_values(selectors.answers_by_question(assessment))
    scores = scoring.score(structure, answers)
    bench = selectors.benchmark(campaign)
    previous = selectors.previous_participation(participation)
    previous_scores = selectors.decimal_scores(previous.dimension_scores) if previous else {}
    comparison = None
    if previous is not None and previous.campaign.model_version_id != campaign.model_version_id:
        comparison = _shared_comparison(structure, answers, previous)
        previous_scores = comparison.previous.dimensions
    rows = [
        ResultRow(
            dimension=d,
            score=scores.dimensions[d.key],
            target=scores.target_dimensions[d.key],
            median=bench.medians.get(d.key) if bench.shown else None,
            previous=previous_scores.get(d.key),
            compared=(comparison.current if comparison else scores).dimensions.get(d.key),
        )
        for d in structure.dimensions
    ]
    series = [Series("Ist", [r.score for r in rows], "maturity-series-own")]
    series.append(Series("Soll", [r.target for r in rows], "maturity-series-target", dashed=True))
    if bench.shown:
        series.append(Series("Median im Kreis", [r.median for r in rows], "maturity-series-median"))
    if previous is not None:
        series.append(
            Series(f"Vorherige Erhebung ({previous.campaign.name})",
                   [r.previous for r in rows], "maturity-series-previous", dashed=True)
        )  # fmt: skip
    gaps = scoring.gaps(structure, answers, limit=10)
    chart = radar_svg(
        [d.title for d in structure.dimensions],
        series,
        title="Netzdiagramm der Werte je Handlungsfeld (0 bis 100); die Werte stehen in der "
        "Tabelle daneben.",
    )
    return Results(
        participation=participation,
        assessment=assessment,
        scores=scores,
        rows=rows,
        benchmark=bench,
        previous=previous,
        gaps=gaps,
        comparison=comparison,
        chart=chart,
        series_names=[s.name for s in series],
        related=related_sections(participation.municipality, gaps),
    )


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    numeric: bool
    url: str
    aria_sort: str
    action: str


def sort_columns(overview: selectors.CountyOverview, keep: str = "") -> list[SortColumn]:
    """Header links of the county matrix: a click sorts by that column, a second reverses.

    `keep` is the rest of the query string (search and filters, url-encoded), which sorting
    keeps; the page starts again at the first."""
    columns = [("name", "Kommune", False), ("status", "Status", False),
               ("index", "Gesamtindex", True)]  # fmt: skip
    columns += [(d.key, d.title, True) for d in overview.structure.dimensions]
    result = []
    for key, label, numeric in columns:
        active = overview.sort == key
        # Scores are most useful best-first; names A to Z.
        descending_next = (not overview.descending) if active else numeric
        url = (
            f"?sort={key}" + ("&dir=desc" if descending_next else "") + (f"&{keep}" if keep else "")
        )
        aria = ("descending" if overview.descending else "ascending") if active else "none"
        action = "absteigend sortieren" if descending_next else "aufsteigend sortieren"
        result.append(SortColumn(key, label, numeric, url, aria, action))
    return result


def sort_label(overview: selectors.CountyOverview) -> str:
    return next((c.label for c in sort_columns(overview) if c.key == overview.sort), "Kommune")


_STATUS_HTML = {key: html.escape(label) for key, label in selectors.STATUS_LABELS.items()}


def _matrix_cell(cell: selectors.CountyCell) -> str:
    if cell.level is None:
        return '<td class="num">–</td>'
    return (
        f'<td class="num maturity-cell maturity-level-{cell.level}">{cell.text}'
        f'<span class="visually-hidden"> (Stufe {cell.level})</span></td>'
    )


def matrix_body(overview: selectors.CountyOverview, drilldown_base: str) -> SafeString:
    """The rows of the county matrix as HTML, built here in one pass.

    With thousands of municipalities the matrix has tens of thousands of cells; through the
    template language each cell cost several variable lookups and tags, and rendering took
    seconds. Text from the database (names, slugs) is escaped; everything else is numbers.
    """
    base = html.escape(drilldown_base)
    # The overview shares one cell object per distinct score: each cell's HTML is built once.
    cell_html: dict[int, str] = {}

    def cell_markup(cell: selectors.CountyCell) -> str:
        markup = cell_html.get(id(cell))
        if markup is None:
            markup = cell_html[id(cell)] = _matrix_cell(cell)
        return markup

    parts = []
    for row in overview.rows:
        cells = "".join([cell_markup(cell) for cell in row.cells])
        parts.append(
            f'<tr><th scope="row"><a href="{base}{html.escape(row.slug)}/">'
            f"{html.escape(row.name)}</a></th>"
            f"<td>{_STATUS_HTML[row.status]} ({row.progress_percent} %)</td>"
            f'<td class="num">{row.index_text}</td>{cells}</tr>\n'
        )
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped text and numbers
