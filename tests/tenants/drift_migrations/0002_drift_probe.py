from django.db import migrations, models

from tests.migration_operations import indexed_column


class Migration(migrations.Migration):
    """A column with a database default and an index: what a rollback must take away again."""

    dependencies = [("costsharing_municipal", "0001_initial")]

    operations = indexed_column(
        "drift_probe", models.IntegerField(null=True, db_default=7), "costsharing_drift_probe_idx"
    )
