from django.db import migrations, models

from tests.migration_operations import release


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0001_initial")]

    operations = release(
        "invoice_channel",
        "InvoiceRecipient",
        "recipients",
        "costsharing_invoice_chan_idx",
        also=[
            migrations.AlterField(
                model_name="cooperation",
                name="contact_phone",
                field=models.CharField(blank=True, max_length=60, verbose_name="Telefon"),
            )
        ],
    )
