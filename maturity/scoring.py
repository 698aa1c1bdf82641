"""Scoring as pure functions: no database, no Django.

A level 0..4 scores level / 4 * 100. A dimension's score is the weighted mean of its questions'
scores; "not relevant" and unanswered questions are left out (a dimension without any counted
answer has no score, not zero). The overall index is the weighted mean of the dimension scores
with the dimension weights. Exact Decimals inside; rounded half-up to one decimal only at the
end, so displayed figures never depend on the order of rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from maturity.structure import DimensionInfo, ModelStructure, QuestionInfo

HUNDRED = Decimal(100)
MAX_LEVEL = 4
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class AnswerValue:
    current_level: int | None
    target_level: int | None = None
    not_relevant: bool = False

    @property
    def counts(self) -> bool:
        return not self.not_relevant and self.current_level is not None

    @property
    def is_answered(self) -> bool:
        return self.not_relevant or self.current_level is not None

    @property
    def effective_target(self) -> int | None:
        """The target, or the current level where no target was given."""
        if not self.counts:
            return None
        return self.target_level if self.target_level is not None else self.current_level


@dataclass(frozen=True)
class Scores:
    dimensions: dict[str, Decimal | None]
    overall: Decimal | None
    target_dimensions: dict[str, Decimal | None]
    target_overall: Decimal | None
    answered: int
    total: int


@dataclass(frozen=True)
class Gap:
    question: QuestionInfo
    dimension: DimensionInfo
    current_level: int
    target_level: int
    measure: str

    @property
    def size(self) -> int:
        return self.target_level - self.current_level

    @property
    def weighted_size(self) -> Decimal:
        return self.size * self.question.weight * self.dimension.weight


def round1(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def level_score(level: int) -> Decimal:
    if not 0 <= level <= MAX_LEVEL:
        raise ValueError(f"level out of range: {level}")
    return Decimal(level) * HUNDRED / MAX_LEVEL


def weighted_mean(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Mean of (value, weight) pairs; None when there is no positive weight."""
    total = Decimal(0)
    weights = Decimal(0)
    for value, weight in pairs:
        total += value * weight
        weights += weight
    if weights <= 0:
        return None
    return total / weights


def dimension_score(
    dimension: DimensionInfo, answers: Mapping[int, AnswerValue], *, target: bool = False
) -> Decimal | None:
    pairs = []
    for question in dimension.questions:
        answer = answers.get(question.id)
        if answer is None or not answer.counts:
            continue
        level = answer.effective_target if target else answer.current_level
        assert level is not None
        pairs.append((level_score(level), question.weight))
    return weighted_mean(pairs)


def overall_index(
    dimension_scores: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]
) -> Decimal | None:
    return weighted_mean(
        (score, weights[key]) for key, score in dimension_scores.items() if score is not None
    )


def score(structure: ModelStructure, answers: Mapping[int, AnswerValue]) -> Scores:
    """Dimension scores and overall index (current and target), rounded to one decimal."""
    weights = {d.key: d.weight for d in structure.dimensions}
    current = {d.key: dimension_score(d, answers) for d in structure.dimensions}
    target = {d.key: dimension_score(d, answers, target=True) for d in structure.dimensions}
    question_ids = {q.id for q in structure.questions}
    return Scores(
        dimensions={key: round1(value) for key, value in current.items()},
        overall=round1(overall_index(current, weights)),
        target_dimensions={key: round1(value) for key, value in target.items()},
        target_overall=round1(overall_index(target, weights)),
        answered=sum(
            1 for qid, answer in answers.items() if qid in question_ids and answer.is_answered
        ),
        total=len(question_ids),
    )


def gaps(
    structure: ModelStructure, answers: Mapping[int, AnswerValue], *, limit: int = 10
) -> list[Gap]:
    """The largest gaps between current and target level, with the measure for the next step.

    Ordered by gap size weighted with question and dimension weight, then by model order.
    """
    found = []
    for dimension in structure.dimensions:
        for question in dimension.questions:
            answer = answers.get(question.id)
            if answer is None or not answer.counts or answer.target_level is None:
                continue
            assert answer.current_level is not None
            if answer.target_level <= answer.current_level:
                continue
            found.append(
                Gap(
                    question=question,
                    dimension=dimension,
                    current_level=answer.current_level,
                    target_level=answer.target_level,
                    measure=question.measure_from(answer.current_level),
                )
            )
    found.sort(key=lambda gap: -gap.weighted_size)  # stable: model order breaks ties
    return found[:limit]


def median(values: Iterable[Decimal]) -> Decimal | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return round1((ordered[middle - 1] + ordered[middle]) / 2)


def level_of_score(value: Decimal | None) -> int | None:
    """The maturity level a score corresponds to (0..4), for colouring: 62.5 → 2."""
    if value is None:
        return None
    return min(MAX_LEVEL, int(value * MAX_LEVEL / HUNDRED))
