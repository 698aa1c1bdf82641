"""The data step of 0002: committee texts become committees, meeting dates meetings.

Consultations with the same text in one municipality share one committee.
"""

from django.db import migrations


def committees_from_text(apps, schema_editor):
    Consultation = apps.get_model("roadmap_papers", "Consultation")
    Committee = apps.get_model("roadmap_papers", "Committee")
    Meeting = apps.get_model("roadmap_papers", "Meeting")
    committees: dict[tuple[int, str], object] = {}
    meetings: dict[tuple[int, object], object] = {}
    for consultation in Consultation.objects.select_related("paper").order_by("pk"):
        name = " ".join(consultation.committee_name.split())[:150] or "Gremium"
        key = (consultation.paper.municipality_id, name)
        if key not in committees:
            committees[key], _created = Committee.objects.get_or_create(
                municipality_id=key[0], name=name
            )
        committee = committees[key]
        consultation.committee = committee
        if consultation.meeting_date is not None:
            meeting_key = (committee.pk, consultation.meeting_date)
            if meeting_key not in meetings:
                meetings[meeting_key], _created = Meeting.objects.get_or_create(
                    committee=committee, date=consultation.meeting_date
                )
            consultation.meeting = meetings[meeting_key]
        consultation.save(update_fields=["committee", "meeting"])


class Migration(migrations.Migration):
    dependencies = [("roadmap_papers", "0002_committees_meetings")]

    operations = [
        migrations.RunPython(committees_from_text, migrations.RunPython.noop),
    ]
