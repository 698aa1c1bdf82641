from django.db import migrations, models


class Migration(migrations.Migration):
    """A column with a database default and an index: what a rollback must take away again."""

    dependencies = [("costsharing_municipal", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="cooperation",
            name="drift_probe",
            field=models.IntegerField(null=True, db_default=7),
        ),
        migrations.AddIndex(
            model_name="cooperation",
            index=models.Index(fields=["drift_probe"], name="costsharing_drift_probe_idx"),
        ),
    ]
