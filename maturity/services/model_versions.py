"""Loading versions of the maturity model; a stored version never changes."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model

from izd.audit import recording as audit
from maturity.errors import MaturityError
from maturity.loader import DEFAULT_MODEL_FILE, ModelDef, parse_model_bytes, read_model_file
from maturity.models import Dimension, LevelDescriptor, ModelVersion, Question

Stored = TypeVar("Stored", bound=Model)

# What each row takes from the model file's definition, under the same names.
FROM_FILE: dict[type[Model], tuple[str, ...]] = {
    ModelVersion: ("key", "version", "title", "description", "checksum"),
    Dimension: ("key", "title", "description", "weight"),
    Question: ("key", "text", "help", "weight", "allow_not_relevant"),
}


def _stored(model: type[Stored], definition: object, **values: Any) -> Stored:
    """A row of `model` with the definition's values (FROM_FILE) and `values`, checked and
    saved."""
    instance = model(**{name: getattr(definition, name) for name in FROM_FILE[model]}, **values)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def model_version_load(*, definition: ModelDef) -> tuple[ModelVersion, bool]:
    """Store a model version; the same key and version again changes nothing.

    Returns the version and whether it was created. A version is never changed once stored:
    a different content under an existing version number is refused.
    """
    existing = ModelVersion.objects.filter(key=definition.key, version=definition.version).first()
    if existing is not None:
        if existing.checksum != definition.checksum:
            raise MaturityError(
                f"Version {definition.version} von „{definition.key}“ ist schon mit anderem "
                "Inhalt geladen. Eine geladene Version wird nie geändert: bitte die "
                "Versionsnummer in der Datei erhöhen."
            )
        return existing, False
    version = _stored(ModelVersion, definition, levels=list(definition.levels))
    for position, dim in enumerate(definition.dimensions, start=1):
        dimension = _stored(Dimension, dim, model_version=version, position=position)
        for q_position, q in enumerate(dim.questions, start=1):
            question = _stored(Question, q, dimension=dimension, position=q_position)
            descriptors = [
                LevelDescriptor(
                    question=question,
                    level=level,
                    description=q.levels[level],
                    measure=q.measures[level] if level < len(q.measures) else "",
                )
                for level in range(5)
            ]
            for descriptor in descriptors:
                descriptor.full_clean(exclude=["question"])
            LevelDescriptor.objects.bulk_create(descriptors)
    audit.record(
        action="model_version_load",
        kind=audit.Kind.ASSESSMENT,
        summary=f"Reifegradmodell „{version.title}“, Version {version.version} geladen",
        target=version,
        changes=[
            {"field": "Handlungsfelder", "before": "", "after": str(len(definition.dimensions))},
            {"field": "Fragen", "before": "",
             "after": str(sum(len(d.questions) for d in definition.dimensions))},
            {"field": "Prüfsumme", "before": "", "after": version.checksum},
        ],
        municipality=None,
    )  # fmt: skip
    return version, True


@transaction.atomic
def model_version_upload(*, content: bytes) -> tuple[ModelVersion, bool]:
    """Check an uploaded model file completely, then store it in one transaction: a file with
    any problem stores nothing (ModelFileError lists every problem with its line)."""
    return model_version_load(definition=parse_model_bytes(content))


@transaction.atomic
def model_version_load_shipped() -> tuple[ModelVersion, bool]:
    """Store the model version shipped with the portal (as `model_version_load`: loaded once,
    then unchanged); what every demo centre starts with."""
    return model_version_load(definition=read_model_file(DEFAULT_MODEL_FILE))
