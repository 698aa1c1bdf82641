import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="cooperation",
            name="invoice_channel",
            field=models.CharField(default="post", max_length=20),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="cooperation",
            name="contact_phone",
            field=models.CharField(blank=True, max_length=60, verbose_name="Telefon"),
        ),
        migrations.CreateModel(
            name="InvoiceRecipient",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("email", models.EmailField(max_length=254)),
                (
                    "cooperation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recipients",
                        to="costsharing_municipal.cooperation",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="cooperation",
            index=models.Index(fields=["invoice_channel"], name="costsharing_invoice_chan_idx"),
        ),
    ]
