from django.db import migrations


def fill(apps, schema_editor):
    cooperation = apps.get_model("costsharing_municipal", "Cooperation")
    recipient = apps.get_model("costsharing_municipal", "RecipientB")
    for row in cooperation.objects.exclude(contact_email=""):
        row.channel_b = "email"
        row.save(update_fields=["channel_b"])
        recipient.objects.create(cooperation=row, email=row.contact_email)


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0004_fill_a")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
