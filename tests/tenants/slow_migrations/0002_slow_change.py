from django.db import migrations, models

from tests.migration_operations import indexed_column


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0001_initial")]

    operations = indexed_column(
        "slow_probe",
        models.IntegerField(default=1),
        "costsharing_slow_probe_idx",
        preserve_default=False,
        # Long enough that the test can see some schemas finished and others not yet.
        between=[migrations.RunSQL("SELECT pg_sleep(0.4)", migrations.RunSQL.noop)],
    )
