from typing import Any

from django.core.management.base import BaseCommand

from roadmap.practices.services import reminders_send


class Command(BaseCommand):
    help = (
        "Erinnerungen an Austauschtermine der nächsten 24 Stunden per E-Mail senden; wer schon "
        "erinnert wurde, bekommt keine zweite Mail (z. B. stündlich per Cron aufrufen)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders_send()
        self.stdout.write(f"{sent} Erinnerung(en) versendet.")
