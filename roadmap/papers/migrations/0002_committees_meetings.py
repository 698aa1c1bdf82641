"""One Committee per municipality and name, one Meeting per committee and day, and
consultations that refer to both and are marked deleted instead of being removed.

The data step turns each consultation's committee text into a reference to its municipality's
committee (the same text gives the same committee) and its meeting date into a meeting.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap_papers", "0001_initial"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Committee",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=150, verbose_name="Gremium")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "municipality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="committees",
                        to="tenants.municipality",
                        verbose_name="Kommune",
                    ),
                ),
            ],
            options={
                "verbose_name": "Gremium",
                "verbose_name_plural": "Gremien",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("municipality", "name"), name="papers_committee_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Meeting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="Sitzungsdatum")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "committee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meetings",
                        to="roadmap_papers.committee",
                        verbose_name="Gremium",
                    ),
                ),
            ],
            options={
                "verbose_name": "Sitzung",
                "verbose_name_plural": "Sitzungen",
                "ordering": ["date", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("committee", "date"), name="papers_meeting_unique"
                    )
                ],
            },
        ),
        migrations.RenameField(
            model_name="consultation", old_name="committee", new_name="committee_name"
        ),
        migrations.AddField(
            model_name="consultation",
            name="committee",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultations",
                to="roadmap_papers.committee",
                verbose_name="Gremium",
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="meeting",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultations",
                to="roadmap_papers.meeting",
                verbose_name="Sitzung",
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="consultation",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="consultation",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
