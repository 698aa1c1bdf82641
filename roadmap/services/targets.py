"""The target picture: a level per dimension and year."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from izd.audit import recording as audit
from izd.errors import validation_message
from roadmap import selectors
from roadmap.models import TargetLevel
from roadmap.services.errors import RoadmapError


@transaction.atomic
def target_levels_set(*, levels: dict[tuple[str, int], int | None]) -> int:
    """Set the target picture: (dimension key, year) → level; None removes the entry."""
    changed = 0
    rows: list[dict[str, str]] = []
    # The trail names a dimension as the assessment does; its key only goes along as the key.
    titles = selectors.dimension_titles()
    for (dimension_key, year), level in levels.items():
        entry = TargetLevel.objects.filter(dimension_key=dimension_key, year=year).first()
        label = f"Ziel „{titles.get(dimension_key, dimension_key)}“ {year}"
        if level is None:
            if entry is not None:
                rows.append({"field": label, "before": str(entry.level), "after": "",
                             "key": dimension_key})  # fmt: skip
            changed += TargetLevel.objects.filter(dimension_key=dimension_key, year=year).delete()[
                0
            ]
            continue
        entry = entry or TargetLevel(dimension_key=dimension_key, year=year)
        if entry.pk is not None and entry.level == level:
            continue
        rows.append(
            {"field": label, "before": "" if entry.pk is None else str(entry.level),
             "after": str(level), "key": dimension_key}
        )  # fmt: skip
        entry.level = level
        try:
            entry.full_clean()
        except ValidationError as error:
            raise RoadmapError(validation_message(error), 400) from error
        entry.save()
        changed += 1
    if rows:
        audit.record(
            action="target_levels_set", kind=audit.Kind.ROADMAP,
            summary=f"Zielbild geändert ({len(rows)} Ziele)", object_type="roadmap.targetlevel",
            object_id="zielbild", object_label="Zielbild", changes=rows, municipality=None,
        )  # fmt: skip
    return changed
