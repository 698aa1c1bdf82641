from django.db import migrations


def from_email(apps, schema_editor):
    """Each municipality's own rows decide: e-mail where an address is known."""
    cooperation = apps.get_model("costsharing_municipal", "Cooperation")
    recipient = apps.get_model("costsharing_municipal", "InvoiceRecipient")
    for row in cooperation.objects.exclude(contact_email=""):
        row.invoice_channel = "email"
        row.save(update_fields=["invoice_channel"])
        recipient.objects.create(cooperation=row, email=row.contact_email)


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0002_invoice_channel")]

    operations = [migrations.RunPython(from_email, migrations.RunPython.noop)]
