from django.db import migrations

from tests.migration_operations import channel_from_email


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0002_invoice_channel")]

    operations = [channel_from_email(channel="invoice_channel", recipient="InvoiceRecipient")]
