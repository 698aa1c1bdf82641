import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0002_release_a")]

    operations = [
        migrations.AddField(
            model_name="cooperation",
            name="channel_b",
            field=models.CharField(default="post", max_length=20),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="RecipientB",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("email", models.EmailField(max_length=254)),
                (
                    "cooperation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recipients_b",
                        to="costsharing_municipal.cooperation",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="cooperation",
            index=models.Index(fields=["channel_b"], name="costsharing_channel_b_idx"),
        ),
    ]
