"""The operations of the test-only migration modules of costsharing_municipal.

tests/tenants/{replay,drift,slow}_migrations and tests/benchmarks/migrate_migrations each follow
the app's real 0001 with changes to its Cooperation model of the kinds a release makes. The
modules declare which changes; the operations are written once here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations, models
from django.db.migrations.operations.base import Operation

APP = "costsharing_municipal"


def indexed_column(
    name: str,
    field: models.Field[Any, Any],
    index: str,
    *,
    preserve_default: bool = True,
    between: Sequence[Operation] = (),
) -> list[Operation]:
    """A new column of Cooperation and an index on it; `between` runs after the column."""
    return [
        migrations.AddField(
            model_name="cooperation", name=name, field=field, preserve_default=preserve_default
        ),
        *between,
        migrations.AddIndex(
            model_name="cooperation", index=models.Index(fields=[name], name=index)
        ),
    ]


def release(
    channel: str, recipient: str, related_name: str, index: str, *, also: Sequence[Operation] = ()
) -> list[Operation]:
    """A release's schema change: a channel column with a default for the existing rows, `also`,
    a new recipient model with a foreign key to Cooperation, an index on the channel."""
    recipients = migrations.CreateModel(
        name=recipient,
        fields=[
            ("id", models.BigAutoField(primary_key=True, serialize=False)),
            ("email", models.EmailField(max_length=254)),
            (
                "cooperation",
                models.ForeignKey(
                    on_delete=models.CASCADE, related_name=related_name, to=f"{APP}.cooperation"
                ),
            ),
        ],
    )
    channel_field = models.CharField(default="post", max_length=20)
    return indexed_column(
        channel, channel_field, index, preserve_default=False, between=[*also, recipients]
    )


def channel_from_email(*, channel: str, recipient: str) -> migrations.RunPython:
    """A data migration over each schema's own rows: e-mail where an address is known, with the
    address as the recipient."""

    def fill(apps: Any, schema_editor: Any) -> None:
        cooperation = apps.get_model(APP, "Cooperation")
        recipients = apps.get_model(APP, recipient)
        for row in cooperation.objects.exclude(contact_email=""):
            setattr(row, channel, "email")
            row.save(update_fields=[channel])
            recipients.objects.create(cooperation=row, email=row.contact_email)

    return migrations.RunPython(fill, migrations.RunPython.noop)
