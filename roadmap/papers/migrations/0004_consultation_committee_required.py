"""After the data step: the committee text is gone and every consultation has a committee."""

import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("roadmap_papers", "0003_committees_from_text")]

    operations = [
        migrations.RemoveField(model_name="consultation", name="committee_name"),
        migrations.AlterField(
            model_name="consultation",
            name="committee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="consultations",
                to="roadmap_papers.committee",
                verbose_name="Gremium",
            ),
        ),
        migrations.AlterModelOptions(
            name="consultation",
            options={
                "base_manager_name": "all_objects",
                "default_manager_name": "objects",
                "ordering": ["position", "pk"],
                "verbose_name": "Beratung",
                "verbose_name_plural": "Beratungsfolge",
            },
        ),
        migrations.AlterModelManagers(
            name="consultation",
            managers=[
                ("all_objects", django.db.models.manager.Manager()),
                ("objects", django.db.models.manager.Manager()),
            ],
        ),
    ]
