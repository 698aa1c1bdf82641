from django.db import migrations

from tests.migration_operations import channel_from_email


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0004_fill_a")]

    operations = [channel_from_email(channel="channel_b", recipient="RecipientB")]
