"""Reading a maturity model file (YAML) into a checked, plain definition.

The file format is described at the top of `models_data/reifegradmodell-2026.yaml`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError

LEVELS = range(5)
MEASURE_LEVELS = range(4)


@dataclass(frozen=True)
class QuestionDef:
    key: str
    text: str
    help: str
    weight: Decimal
    allow_not_relevant: bool
    levels: tuple[str, ...]
    measures: tuple[str, ...]


@dataclass(frozen=True)
class DimensionDef:
    key: str
    title: str
    description: str
    weight: Decimal
    questions: tuple[QuestionDef, ...]


@dataclass(frozen=True)
class ModelDef:
    key: str
    version: str
    title: str
    description: str
    levels: tuple[dict[str, Any], ...]
    dimensions: tuple[DimensionDef, ...]
    checksum: str


def _fail(where: str, message: str) -> ValidationError:
    return ValidationError(f"{where}: {message}")


def _text(data: dict[str, Any], name: str, where: str, *, required: bool = True) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int | float):
        raise _fail(where, f"„{name}“ muss ein Text sein.")
    value = str(value).strip()
    if required and not value:
        raise _fail(where, f"„{name}“ fehlt.")
    return value


def _weight(data: dict[str, Any], where: str) -> Decimal:
    try:
        weight = Decimal(str(data.get("weight", 1)))
    except InvalidOperation as error:
        raise _fail(where, "Das Gewicht ist keine Zahl.") from error
    if not weight.is_finite() or weight <= 0 or weight >= 1000:
        raise _fail(where, "Das Gewicht muss größer als 0 und kleiner als 1000 sein.")
    return weight.quantize(Decimal("0.01"))


def _by_level(data: Any, expected: range, where: str, name: str) -> tuple[str, ...]:
    if not isinstance(data, dict) or sorted(int(k) for k in data) != list(expected):
        raise _fail(
            where, f"„{name}“ braucht genau die Stufen {expected.start}–{expected.stop - 1}."
        )
    texts = tuple(str(data.get(level, data.get(str(level), ""))).strip() for level in expected)
    if not all(texts):
        raise _fail(where, f"„{name}“ enthält einen leeren Text.")
    return texts


def _question(data: Any, where: str) -> QuestionDef:
    if not isinstance(data, dict):
        raise _fail(where, "Eine Frage muss ein Eintrag mit Schlüsseln sein.")
    key = _text(data, "key", where)
    where = f"{where} „{key}“"
    return QuestionDef(
        key=key,
        text=_text(data, "text", where),
        help=_text(data, "help", where, required=False),
        weight=_weight(data, where),
        allow_not_relevant=bool(data.get("allow_not_relevant", False)),
        levels=_by_level(data.get("levels"), LEVELS, where, "levels"),
        measures=_by_level(data.get("measures"), MEASURE_LEVELS, where, "measures"),
    )


def _dimension(data: Any, where: str) -> DimensionDef:
    if not isinstance(data, dict):
        raise _fail(where, "Ein Handlungsfeld muss ein Eintrag mit Schlüsseln sein.")
    key = _text(data, "key", where)
    where = f"Handlungsfeld „{key}“"
    questions_data = data.get("questions")
    if not isinstance(questions_data, list) or not questions_data:
        raise _fail(where, "Es braucht mindestens eine Frage.")
    questions = tuple(
        _question(q, f"{where}, Frage {i}") for i, q in enumerate(questions_data, start=1)
    )
    return DimensionDef(
        key=key,
        title=_text(data, "title", where),
        description=_text(data, "description", where, required=False),
        weight=_weight(data, where),
        questions=questions,
    )


def parse_model(data: Any) -> ModelDef:
    """Check a model definition; raise ValidationError with a German message naming the place."""
    if not isinstance(data, dict):
        raise ValidationError("Die Modelldatei muss ein Eintrag mit Schlüsseln sein.")
    where = "Modell"
    dimensions_data = data.get("dimensions")
    if not isinstance(dimensions_data, list) or not dimensions_data:
        raise _fail(where, "Es braucht mindestens ein Handlungsfeld.")
    dimensions = tuple(
        _dimension(d, f"Handlungsfeld {i}") for i, d in enumerate(dimensions_data, 1)
    )
    keys = [d.key for d in dimensions]
    question_keys = [q.key for d in dimensions for q in d.questions]
    for kind, found in (("Handlungsfeld", keys), ("Frage", question_keys)):
        duplicates = sorted({k for k in found if found.count(k) > 1})
        if duplicates:
            raise _fail(where, f"{kind} doppelt: {', '.join(duplicates)}")
    levels_data = data.get("levels") or []
    levels = tuple(
        {
            "value": int(level["value"]),
            "label": str(level["label"]),
            "description": str(level.get("description", "")),
        }
        for level in levels_data
    )
    if [lv["value"] for lv in levels] != list(LEVELS):
        raise _fail(where, "„levels“ braucht die Stufen 0–4 in dieser Reihenfolge.")
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return ModelDef(
        key=_text(data, "key", where),
        version=_text(data, "version", where),
        title=_text(data, "title", where),
        description=_text(data, "description", where, required=False),
        levels=levels,
        dimensions=dimensions,
        checksum=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def read_model_file(path: Path) -> ModelDef:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValidationError(f"Die Modelldatei {path} ist nicht lesbar: {error}") from error
    return parse_model(raw)


DEFAULT_MODEL_FILE = Path(__file__).resolve().parent / "models_data" / "reifegradmodell-2026.yaml"
