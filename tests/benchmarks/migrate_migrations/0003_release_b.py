from django.db import migrations

from tests.migration_operations import release


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0002_release_a")]

    operations = release("channel_b", "RecipientB", "recipients_b", "costsharing_channel_b_idx")
