"""Reading a maturity model file (YAML) into a checked, plain definition.

The file format is described at the top of `models_data/reifegradmodell-2026.yaml`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from maturity.errors import ModelFileError

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


class _Mapping(dict[Any, Any]):
    """A YAML mapping that remembers its line and the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int | None:
        return getattr(self, "key_lines", {}).get(key, self.line)


class _StrictLoader(yaml.SafeLoader):
    """PyYAML silently keeps the last of two equal keys; a model file must not."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "Ein Schlüssel muss ein einfacher Wert sein.", key_node.start_mark
            ) from None
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"Schlüssel „{key}“ doppelt (zuerst in Zeile {mapping.key_lines[key]}).",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)

MODEL_FIELDS = frozenset({"key", "version", "title", "description", "levels", "dimensions"})
LEVEL_FIELDS = frozenset({"value", "label", "description"})
DIMENSION_FIELDS = frozenset({"key", "title", "description", "weight", "questions"})
QUESTION_FIELDS = frozenset(
    {"key", "text", "help", "weight", "allow_not_relevant", "levels", "measures"}
)
KEY_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, line: int | None, where: str, message: str) -> None:
        prefix = f"Zeile {line}: " if line else ""
        self.messages.append(f"{prefix}{where}: {message}")


def _line(data: Any, key: Any = None) -> int | None:
    if isinstance(data, _Mapping):
        return data.line if key is None else data.line_of(key)
    return None


def _unknown(data: dict[Any, Any], allowed: frozenset[str], where: str, out: _Problems) -> None:
    for name in data:
        if name not in allowed:
            out.add(
                _line(data, name),
                where,
                f"Unbekanntes Feld „{name}“ (erlaubt: {', '.join(sorted(allowed))}).",
            )


def _text(
    data: dict[str, Any], name: str, where: str, out: _Problems, *, required: bool = True
) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        out.add(_line(data, name), where, f"„{name}“ muss ein Text sein.")
        return ""
    value = str(value).strip()
    if required and not value:
        out.add(_line(data, name), where, f"„{name}“ fehlt.")
    return value


def _key(data: dict[str, Any], where: str, out: _Problems) -> str:
    key = _text(data, "key", where, out)
    if key and not KEY_PATTERN.match(key):
        out.add(
            _line(data, "key"),
            where,
            f"Der Schlüssel „{key}“ darf nur Buchstaben ohne Umlaute, Ziffern, - und _ enthalten.",
        )
    return key


def _weight(data: dict[str, Any], where: str, out: _Problems) -> Decimal:
    raw = data.get("weight", 1)
    try:
        if isinstance(raw, bool):
            raise InvalidOperation
        weight = Decimal(str(raw))
    except InvalidOperation:
        out.add(_line(data, "weight"), where, f"Das Gewicht „{raw}“ ist keine Zahl.")
        return Decimal(1)
    if not weight.is_finite() or weight <= 0 or weight >= 1000:
        out.add(
            _line(data, "weight"),
            where,
            f"Das Gewicht ist {raw}; es muss größer als 0 und kleiner als 1000 sein.",
        )
        return Decimal(1)
    return weight.quantize(Decimal("0.01"))


def _by_level(
    parent: dict[str, Any], expected: range, where: str, name: str, out: _Problems
) -> tuple[str, ...]:
    data = parent.get(name)
    first, last = expected.start, expected.stop - 1
    if not isinstance(data, dict):
        out.add(
            _line(parent, name),
            where,
            f"„{name}“ fehlt oder ist keine Liste der Stufen {first}–{last} mit Text.",
        )
        return ()
    by_level: dict[int, Any] = {}
    for raw_level, text in data.items():
        try:
            level = int(raw_level)
        except (TypeError, ValueError):
            level = -1
        if level not in expected:
            out.add(
                _line(data, raw_level),
                where,
                f"„{name}“: Stufe „{raw_level}“ gibt es nicht (erlaubt: {first}–{last}).",
            )
            continue
        by_level[level] = (raw_level, text)
    texts = []
    for level in expected:
        if level not in by_level:
            out.add(
                _line(parent, name),
                where,
                f"„{name}“ braucht die Stufen {first}–{last}: der Text für Stufe {level} fehlt.",
            )
            texts.append("")
            continue
        raw_level, text = by_level[level]
        value = "" if text is None else str(text).strip()
        if not value:
            out.add(
                _line(data, raw_level),
                where,
                f"„{name}“ braucht die Stufen {first}–{last}: der Text für Stufe {level} ist leer.",
            )
        texts.append(value)
    return tuple(texts)


def _question(data: Any, where: str, line: int | None, out: _Problems) -> QuestionDef | None:
    if not isinstance(data, dict):
        out.add(line, where, "Eine Frage muss ein Eintrag mit Schlüsseln sein.")
        return None
    key = _key(data, where, out)
    where = f"{where} „{key}“"
    _unknown(data, QUESTION_FIELDS, where, out)
    return QuestionDef(
        key=key,
        text=_text(data, "text", where, out),
        help=_text(data, "help", where, out, required=False),
        weight=_weight(data, where, out),
        allow_not_relevant=bool(data.get("allow_not_relevant", False)),
        levels=_by_level(data, LEVELS, where, "levels", out),
        measures=_by_level(data, MEASURE_LEVELS, where, "measures", out),
    )


def _dimension(data: Any, where: str, line: int | None, out: _Problems) -> DimensionDef | None:
    if not isinstance(data, dict):
        out.add(line, where, "Ein Handlungsfeld muss ein Eintrag mit Schlüsseln sein.")
        return None
    key = _key(data, where, out)
    where = f"Handlungsfeld „{key}“"
    _unknown(data, DIMENSION_FIELDS, where, out)
    questions_data = data.get("questions")
    questions: list[QuestionDef] = []
    if not isinstance(questions_data, list) or not questions_data:
        out.add(_line(data, "questions"), where, "Es braucht mindestens eine Frage.")
    else:
        for i, q in enumerate(questions_data, start=1):
            found = _question(q, f"{where}, Frage {i}", _line(data, "questions"), out)
            if found is not None:
                questions.append(found)
    return DimensionDef(
        key=key,
        title=_text(data, "title", where, out),
        description=_text(data, "description", where, out, required=False),
        weight=_weight(data, where, out),
        questions=tuple(questions),
    )


def _levels(data: dict[str, Any], where: str, out: _Problems) -> tuple[dict[str, Any], ...]:
    levels_data = data.get("levels")
    levels = []
    if not isinstance(levels_data, list):
        out.add(_line(data, "levels"), where, "„levels“ braucht die Stufen 0–4 als Liste.")
        return ()
    for level in levels_data:
        if not isinstance(level, dict):
            out.add(_line(data, "levels"), where, "Jede Stufe braucht „value“ und „label“.")
            continue
        _unknown(level, LEVEL_FIELDS, f"{where}, Stufe", out)
        try:
            value = int(level.get("value"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            out.add(_line(level), where, "Eine Stufe braucht einen ganzzahligen „value“.")
            continue
        label = _text(level, "label", f"{where}, Stufe {value}", out)
        description = _text(level, "description", f"{where}, Stufe {value}", out, required=False)
        levels.append({"value": value, "label": label, "description": description})
    if [lv["value"] for lv in levels] != list(LEVELS):
        out.add(
            _line(data, "levels"), where, "„levels“ braucht die Stufen 0–4 in dieser Reihenfolge."
        )
    return tuple(levels)


def parse_model(data: Any) -> ModelDef:
    """Check a model definition; raise ModelFileError with every problem, each a German
    message naming the place (and its line when the data came from `parse_model_text`)."""
    out = _Problems()
    if not isinstance(data, dict):
        raise ModelFileError(["Die Modelldatei muss ein Eintrag mit Schlüsseln sein."])
    where = "Modell"
    _unknown(data, MODEL_FIELDS, where, out)
    dimensions_data = data.get("dimensions")
    dimensions: list[DimensionDef] = []
    if not isinstance(dimensions_data, list) or not dimensions_data:
        out.add(_line(data, "dimensions"), where, "Es braucht mindestens ein Handlungsfeld.")
    else:
        for i, d in enumerate(dimensions_data, 1):
            found = _dimension(d, f"Handlungsfeld {i}", _line(data, "dimensions"), out)
            if found is not None:
                dimensions.append(found)
    keys = [d.key for d in dimensions if d.key]
    question_keys = [q.key for d in dimensions for q in d.questions if q.key]
    for kind, found_keys in (("Handlungsfeld", keys), ("Frage", question_keys)):
        duplicates = sorted({k for k in found_keys if found_keys.count(k) > 1})
        if duplicates:
            out.add(None, where, f"{kind} doppelt: {', '.join(duplicates)}")
    levels = _levels(data, where, out)
    key = _key(data, where, out)
    version = _text(data, "version", where, out)
    title = _text(data, "title", where, out)
    description = _text(data, "description", where, out, required=False)
    if out.messages:
        raise ModelFileError(out.messages)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return ModelDef(
        key=key,
        version=version,
        title=title,
        description=description,
        levels=levels,
        dimensions=tuple(dimensions),
        checksum=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def parse_model_text(text: str) -> ModelDef:
    """Read a model file's text: YAML errors and duplicate keys name their line."""
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f"Zeile {mark.line + 1}: " if mark else ""
        problem = error.problem or "unbekannter Fehler"
        if isinstance(error, yaml.constructor.ConstructorError) and error.context is None:
            raise ModelFileError([f"{line}{problem}"]) from None
        context = f", {error.context}" if error.context else ""
        raise ModelFileError(
            [f"{line}Die Datei ist kein gültiges YAML ({problem}{context})."]
        ) from None
    except yaml.YAMLError as error:
        raise ModelFileError([f"Die Datei ist kein gültiges YAML ({error})."]) from None
    return parse_model(raw)


def parse_model_bytes(content: bytes) -> ModelDef:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ModelFileError(
            [
                f"Die Datei ist nicht UTF-8-kodiert (Byte {error.start + 1}). "
                "Bitte als UTF-8 speichern."
            ]
        ) from None
    return parse_model_text(text)


def read_model_file(path: Path) -> ModelDef:
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ModelFileError([f"Die Modelldatei {path} ist nicht lesbar: {error}"]) from error
    return parse_model_bytes(content)


DEFAULT_MODEL_FILE = Path(__file__).resolve().parent / "models_data" / "reifegradmodell-2026.yaml"
