# Addresses are stored in lower case from now on, and no two accounts may differ only in case.

import django.core.validators
import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower


def lower_case_addresses(apps, schema_editor):
    User = apps.get_model("tenants", "User")
    Invitation = apps.get_model("tenants", "Invitation")
    clashes = (
        User.objects.annotate(lowered=Lower("email"))
        .values("lowered")
        .annotate(count=models.Count("id"))
        .filter(count__gt=1)
        .values_list("lowered", flat=True)
    )
    if clashes:
        raise RuntimeError(
            "Accounts differ only in the case of their e-mail address; merge or remove them "
            "before migrating: " + ", ".join(sorted(clashes))
        )
    for user in User.objects.exclude(email=Lower("email")).only("email"):
        user.email = user.email.strip().lower()
        user.save(update_fields=["email"])
    for invitation in Invitation.objects.exclude(email=Lower("email")).only("email"):
        invitation.email = invitation.email.strip().lower()
        invitation.save(update_fields=["email"])


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("tenants", "0002_municipality_offboarded_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="municipality",
            name="postal_code",
            field=models.CharField(
                blank=True,
                max_length=5,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[0-9]{5}\\Z", "Die Postleitzahl hat fünf Ziffern."
                    )
                ],
                verbose_name="Postleitzahl",
            ),
        ),
        migrations.RunPython(lower_case_addresses, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="user_email_unique_without_case",
                violation_error_message="Für diese E-Mail-Adresse gibt es schon ein Konto.",
            ),
        ),
    ]
