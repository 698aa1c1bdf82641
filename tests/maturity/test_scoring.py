"""Scoring is pure: these tests need no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from maturity import scoring
from maturity.scoring import AnswerValue
from maturity.structure import DimensionInfo, LevelInfo, ModelStructure, QuestionInfo


def question(qid: int, dim: str, weight: str = "1", allow_nr: bool = False) -> QuestionInfo:
    return QuestionInfo(
        id=qid,
        key=f"q{qid}",
        text=f"Frage {qid}",
        help="",
        weight=Decimal(weight),
        allow_not_relevant=allow_nr,
        levels=tuple(f"L{i}" for i in range(5)),
        measures=tuple(f"M{qid}-{i}" for i in range(4)),
        dimension_key=dim,
    )


def structure() -> ModelStructure:
    a = DimensionInfo(
        1,
        "a",
        "A",
        "",
        Decimal(2),
        1,
        (question(1, "a", "1"), question(2, "a", "3", allow_nr=True)),
    )
    b = DimensionInfo(2, "b", "B", "", Decimal(1), 2, (question(3, "b"),))
    c = DimensionInfo(3, "c", "C", "", Decimal(1), 3, (question(4, "c"),))
    levels = tuple(LevelInfo(i, f"Stufe {i}", "") for i in range(5))
    return ModelStructure(1, "t", "1", "Test", levels, (a, b, c))  # fmt: skip


def test_level_scores_are_a_quarter_of_hundred_per_level():
    assert [scoring.level_score(i) for i in range(5)] == [0, 25, 50, 75, 100]
    with pytest.raises(ValueError):
        scoring.level_score(5)


def test_dimension_score_is_weighted_by_question_weight():
    s = structure()
    answers = {1: AnswerValue(4), 2: AnswerValue(0)}
    # (100 * 1 + 0 * 3) / 4 = 25
    assert scoring.dimension_score(s.dimensions[0], answers) == Decimal(25)


def test_not_relevant_and_unanswered_questions_are_left_out():
    s = structure()
    answers = {1: AnswerValue(3), 2: AnswerValue(None, None, not_relevant=True)}
    assert scoring.dimension_score(s.dimensions[0], answers) == Decimal(75)
    assert scoring.dimension_score(s.dimensions[0], {1: AnswerValue(2)}) == Decimal(50)


def test_empty_dimension_has_no_score_and_does_not_count_as_zero():
    s = structure()
    answers = {1: AnswerValue(4), 2: AnswerValue(4), 3: AnswerValue(0)}
    result = scoring.score(s, answers)
    assert result.dimensions["c"] is None
    # a = 100 (weight 2), b = 0 (weight 1), c left out: 200 / 3 = 66.666… → 66.7
    assert result.overall == Decimal("66.7")


def test_overall_index_uses_dimension_weights():
    s = structure()
    answers = {1: AnswerValue(2), 2: AnswerValue(2), 3: AnswerValue(4), 4: AnswerValue(0)}
    result = scoring.score(s, answers)
    assert result.dimensions == {"a": Decimal("50.0"), "b": Decimal("100.0"), "c": Decimal("0.0")}
    # (50 * 2 + 100 + 0) / 4 = 50
    assert result.overall == Decimal("50.0")


def test_no_answers_give_no_index():
    result = scoring.score(structure(), {})
    assert result.overall is None
    assert result.answered == 0
    assert result.total == 4


def test_rounding_is_half_up_on_the_unrounded_value():
    s = structure()
    # a: (1*25 + 3*50)/4 = 43.75 → 43.8
    result = scoring.score(s, {1: AnswerValue(1), 2: AnswerValue(2)})
    assert result.dimensions["a"] == Decimal("43.8")


def test_target_falls_back_to_current_level_when_not_given():
    s = structure()
    result = scoring.score(s, {1: AnswerValue(1, 3), 2: AnswerValue(2)})
    # target a: (75 * 1 + 50 * 3) / 4 = 56.25 → 56.3
    assert result.target_dimensions["a"] == Decimal("56.3")


def test_answered_counts_not_relevant_but_not_empty_answers():
    s = structure()
    answers = {1: AnswerValue(None), 2: AnswerValue(None, None, True), 3: AnswerValue(0)}
    assert scoring.score(s, answers).answered == 2


def test_gaps_are_ordered_by_weighted_size_and_carry_the_next_measure():
    s = structure()
    answers = {
        1: AnswerValue(0, 2),  # size 2 * w1 * dim 2 = 4
        2: AnswerValue(1, 2),  # size 1 * w3 * dim 2 = 6
        3: AnswerValue(0, 4),  # size 4 * w1 * dim 1 = 4
        4: AnswerValue(3, 3),  # no gap
    }
    gaps = scoring.gaps(s, answers)
    assert [g.question.id for g in gaps] == [2, 1, 3]
    assert gaps[0].measure == "M2-1"
    assert scoring.gaps(s, answers, limit=1)[0].question.id == 2


def test_median_of_even_and_odd_counts():
    assert scoring.median([Decimal(10), Decimal(30), Decimal(20)]) == Decimal(20)
    assert scoring.median([Decimal(10), Decimal(25)]) == Decimal("17.5")
    assert scoring.median([]) is None


@pytest.mark.parametrize(
    ("value", "level"), [("0", 0), ("24.9", 0), ("25", 1), ("62.5", 2), ("99.9", 3), ("100", 4)]
)
def test_score_maps_to_level_for_colouring(value, level):
    assert scoring.level_of_score(Decimal(value)) == level
