"""Comparing two versions of the maturity model, and scoring them on what they share.

Questions and dimensions are matched by their key: a key that stays is the same question, even
when its text changed; a new key is a new question.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from izd import formats
from maturity.structure import DimensionInfo, ModelStructure, QuestionInfo


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemChange:
    key: str
    title: str
    changes: tuple[FieldChange, ...]

    @property
    def weight_changed(self) -> bool:
        return any(c.label == "Gewicht" for c in self.changes)


@dataclass(frozen=True)
class VersionComparison:
    old: ModelStructure
    new: ModelStructure
    dimensions_added: tuple[DimensionInfo, ...]
    dimensions_removed: tuple[DimensionInfo, ...]
    dimensions_changed: tuple[ItemChange, ...]
    questions_added: tuple[QuestionInfo, ...]
    questions_removed: tuple[QuestionInfo, ...]
    questions_changed: tuple[ItemChange, ...]

    @property
    def weights_changed(self) -> tuple[ItemChange, ...]:
        return tuple(
            c for c in self.dimensions_changed + self.questions_changed if c.weight_changed
        )

    @property
    def shared_question_count(self) -> int:
        return len(shared_question_keys(self.old, self.new))

    @property
    def is_empty(self) -> bool:
        return not (
            self.dimensions_added
            or self.dimensions_removed
            or self.dimensions_changed
            or self.questions_added
            or self.questions_removed
            or self.questions_changed
        )


# (label, attribute) of what a comparison shows when it changed, in this order.
DIMENSION_FIELDS = (("Titel", "title"), ("Beschreibung", "description"), ("Gewicht", "weight"))
QUESTION_FIELDS = (("Fragetext", "text"), ("Erläuterung", "help"), ("Gewicht", "weight"))
QUESTION_LAST_FIELDS = (("„Nicht relevant“ erlaubt", "allow_not_relevant"),)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, Decimal):
        return formats.exact(value)
    return str(value)


def _field_changes(
    old: object, new: object, fields: tuple[tuple[str, str], ...]
) -> list[FieldChange]:
    changes = []
    for label, name in fields:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(FieldChange(label, _shown(before), _shown(after)))
    return changes


def _dimension_changes(old: DimensionInfo, new: DimensionInfo) -> tuple[FieldChange, ...]:
    return tuple(_field_changes(old, new, DIMENSION_FIELDS))


def _question_changes(
    old: QuestionInfo, new: QuestionInfo, old_dimension: str, new_dimension: str
) -> tuple[FieldChange, ...]:
    changes = []
    if old_dimension != new_dimension:
        changes.append(FieldChange("Handlungsfeld", old_dimension, new_dimension))
    changes += _field_changes(old, new, QUESTION_FIELDS)
    for level, (before, after) in enumerate(zip(old.levels, new.levels, strict=False)):
        if before != after:
            changes.append(FieldChange(f"Stufe {level}", before, after))
    for level, (before, after) in enumerate(zip(old.measures, new.measures, strict=False)):
        if before != after:
            changes.append(FieldChange(f"Maßnahme {level}→{level + 1}", before, after))
    changes += _field_changes(old, new, QUESTION_LAST_FIELDS)
    return tuple(changes)


def compare(old: ModelStructure, new: ModelStructure) -> VersionComparison:
    old_dims = {d.key: d for d in old.dimensions}
    new_dims = {d.key: d for d in new.dimensions}
    old_questions = {q.key: q for q in old.questions}
    new_questions = {q.key: q for q in new.questions}
    dimension_changes = []
    for key, dimension in new_dims.items():
        if key in old_dims:
            found = _dimension_changes(old_dims[key], dimension)
            if found:
                dimension_changes.append(ItemChange(key, dimension.title, found))
    question_changes = []
    for key, question in new_questions.items():
        if key in old_questions:
            before = old_questions[key]
            found = _question_changes(
                before,
                question,
                old_dims[before.dimension_key].title,
                new_dims[question.dimension_key].title,
            )
            if found:
                question_changes.append(ItemChange(key, question.text, found))
    return VersionComparison(
        old=old,
        new=new,
        dimensions_added=tuple(d for k, d in new_dims.items() if k not in old_dims),
        dimensions_removed=tuple(d for k, d in old_dims.items() if k not in new_dims),
        dimensions_changed=tuple(dimension_changes),
        questions_added=tuple(q for k, q in new_questions.items() if k not in old_questions),
        questions_removed=tuple(q for k, q in old_questions.items() if k not in new_questions),
        questions_changed=tuple(question_changes),
    )


def shared_question_keys(a: ModelStructure, b: ModelStructure) -> frozenset[str]:
    return frozenset(q.key for q in a.questions) & frozenset(q.key for q in b.questions)


def restricted(structure: ModelStructure, keys: frozenset[str]) -> ModelStructure:
    """The structure with only the questions whose key is in `keys`; a dimension left without
    questions stays, so that it scores "no value" rather than disappearing from a table."""
    return replace(
        structure,
        dimensions=tuple(
            replace(d, questions=tuple(q for q in d.questions if q.key in keys))
            for d in structure.dimensions
        ),
    )
