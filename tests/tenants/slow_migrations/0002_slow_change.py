from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="cooperation",
            name="slow_probe",
            field=models.IntegerField(default=1),
            preserve_default=False,
        ),
        # Long enough that the test can see some schemas finished and others not yet.
        migrations.RunSQL("SELECT pg_sleep(0.4)", migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="cooperation",
            index=models.Index(fields=["slow_probe"], name="costsharing_slow_probe_idx"),
        ),
    ]
