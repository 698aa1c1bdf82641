from django.db import migrations


def fill(apps, schema_editor):
    cooperation = apps.get_model("costsharing_municipal", "Cooperation")
    recipient = apps.get_model("costsharing_municipal", "RecipientA")
    for row in cooperation.objects.exclude(contact_email=""):
        row.channel_a = "email"
        row.save(update_fields=["channel_a"])
        recipient.objects.create(cooperation=row, email=row.contact_email)


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0003_release_b")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
