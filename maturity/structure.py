"""An immutable, in-memory picture of one model version: what forms, scoring and charts need.

A model version never changes once loaded, so a process may keep its structure for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property


@dataclass(frozen=True)
class LevelInfo:
    value: int
    label: str
    description: str


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    key: str
    text: str
    help: str
    weight: Decimal
    allow_not_relevant: bool
    levels: tuple[str, ...]  # descriptor of level 0..4
    measures: tuple[str, ...]  # measure from level n to n + 1, n = 0..3
    dimension_key: str

    def measure_from(self, level: int) -> str:
        return self.measures[level] if 0 <= level < len(self.measures) else ""


@dataclass(frozen=True)
class DimensionInfo:
    id: int
    key: str
    title: str
    description: str
    weight: Decimal
    position: int
    questions: tuple[QuestionInfo, ...]


@dataclass(frozen=True)
class ModelStructure:
    version_id: int
    key: str
    version: str
    title: str
    levels: tuple[LevelInfo, ...]
    dimensions: tuple[DimensionInfo, ...]

    # The lookups below are computed once per structure (the structure never changes).

    @cached_property
    def questions(self) -> tuple[QuestionInfo, ...]:
        return tuple(q for d in self.dimensions for q in d.questions)

    def question(self, question_id: int) -> QuestionInfo | None:
        return self._questions_by_id.get(question_id)

    def dimension(self, key: str) -> DimensionInfo | None:
        return self._dimensions_by_key.get(key)

    def dimension_of(self, question_id: int) -> DimensionInfo | None:
        return self._dimensions_by_question.get(question_id)

    def question_number(self, question_id: int) -> str:
        """The number the assessment shows before a question, "<dimension>.<n>" (e.g. "2.3")."""
        return self._numbers_by_question.get(question_id, "")

    def level_label(self, value: int | None) -> str:
        if value is None:
            return ""
        return next((lv.label for lv in self.levels if lv.value == value), str(value))

    @cached_property
    def _questions_by_id(self) -> dict[int, QuestionInfo]:
        return {q.id: q for q in self.questions}

    @cached_property
    def _numbers_by_question(self) -> dict[int, str]:
        return {
            q.id: f"{d.position}.{n}" for d in self.dimensions
            for n, q in enumerate(d.questions, start=1)
        }  # fmt: skip

    @cached_property
    def _dimensions_by_key(self) -> dict[str, DimensionInfo]:
        return {d.key: d for d in self.dimensions}

    @cached_property
    def _dimensions_by_question(self) -> dict[int, DimensionInfo]:
        return {q.id: d for d in self.dimensions for q in d.questions}
