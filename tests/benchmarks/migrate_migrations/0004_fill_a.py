from django.db import migrations

from tests.migration_operations import channel_from_email


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0003_release_b")]

    operations = [channel_from_email(channel="channel_a", recipient="RecipientA")]
