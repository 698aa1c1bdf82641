"""Loading versions of the maturity model; a stored version never changes."""

from __future__ import annotations

from django.db import transaction

from izd.audit import recording as audit
from maturity.errors import MaturityError
from maturity.loader import DEFAULT_MODEL_FILE, ModelDef, parse_model_bytes, read_model_file
from maturity.models import Dimension, LevelDescriptor, ModelVersion, Question


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
    version = ModelVersion(
        key=definition.key,
        version=definition.version,
        title=definition.title,
        description=definition.description,
        levels=list(definition.levels),
        checksum=definition.checksum,
    )
    version.full_clean()
    version.save()
    for position, dim in enumerate(definition.dimensions, start=1):
        dimension = Dimension(
            model_version=version,
            key=dim.key,
            title=dim.title,
            description=dim.description,
            weight=dim.weight,
            position=position,
        )
        dimension.full_clean()
        dimension.save()
        for q_position, q in enumerate(dim.questions, start=1):
            question = Question(
                dimension=dimension,
                key=q.key,
                text=q.text,
                help=q.help,
                weight=q.weight,
                allow_not_relevant=q.allow_not_relevant,
                position=q_position,
            )
            question.full_clean()
            question.save()
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
