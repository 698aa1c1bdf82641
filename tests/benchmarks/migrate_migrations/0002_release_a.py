import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="cooperation",
            name="channel_a",
            field=models.CharField(default="post", max_length=20),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="RecipientA",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("email", models.EmailField(max_length=254)),
                (
                    "cooperation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recipients_a",
                        to="costsharing_municipal.cooperation",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="cooperation",
            index=models.Index(fields=["channel_a"], name="costsharing_channel_a_idx"),
        ),
    ]
