from django.db import migrations

from tests.migration_operations import release


class Migration(migrations.Migration):
    dependencies = [("costsharing_municipal", "0001_initial")]

    operations = release("channel_a", "RecipientA", "recipients_a", "costsharing_channel_a_idx")
