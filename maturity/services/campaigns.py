"""Campaigns: opening, closing, reminding, and the e-mails their participants get."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from izd.mail import mail_after_commit
from maturity import selectors
from maturity.errors import MaturityError
from maturity.models import Campaign, ModelVersion, Participation
from tenants.models import Municipality
from tenants.selectors import portal_url, portal_urls


@transaction.atomic
def campaign_create(
    *,
    name: str,
    start_date: date,
    end_date: date,
    model_version: ModelVersion,
    municipalities: Iterable[Municipality],
) -> Campaign:
    campaign = Campaign(
        name=name, start_date=start_date, end_date=end_date, model_version=model_version
    )
    campaign.full_clean()
    campaign.save()
    question_count = len(selectors.model_structure(model_version.pk).questions)
    participations = [
        Participation(campaign=campaign, municipality=m, question_count=question_count)
        for m in municipalities
        if not m.is_kreis
    ]
    if not participations:
        raise MaturityError("Bitte mindestens eine teilnehmende Kommune auswählen.")
    Participation.objects.bulk_create(participations)
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise MaturityError("Diese Erhebung ist schon abgeschlossen.")
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now()
    campaign.full_clean()
    campaign.save(update_fields=["status", "closed_at"])
    return campaign


@dataclass(frozen=True)
class Reminders:
    """What a round of reminders did: municipalities reminded, e-mails sent, and the
    municipalities that could not be reminded because nobody there is digital officer."""

    municipalities: int
    emails: int
    without_officer: tuple[str, ...]


@transaction.atomic
def campaign_remind(*, campaign: Campaign) -> Reminders:
    """E-mail the digital officers of every municipality that has not submitted yet.

    They are sent once the transaction has committed.
    """
    if not campaign.is_open:
        raise MaturityError("Zu einer abgeschlossenen Erhebung gibt es keine Erinnerungen.")
    pending = list(
        Participation.objects.filter(campaign=campaign)
        .exclude(status=Participation.Status.SUBMITTED)
        .select_related("municipality")
        .order_by("municipality__name")
    )
    emails = selectors.digital_officer_emails([p.municipality_id for p in pending])
    links = portal_urls([p.municipality for p in pending], f"/reifegrad/{campaign.pk}/")
    messages: list[tuple[str, str, list[str]]] = []
    without_officer: list[str] = []
    reminded: list[Participation] = []
    now = timezone.now()
    for participation in pending:
        recipients = emails.get(participation.municipality_id, [])
        if not recipients:
            without_officer.append(participation.municipality.name)
            continue
        link = links[participation.municipality_id]
        status = participation.get_status_display()
        body = (
            f"Guten Tag,\n\nfür {participation.municipality.name} ist die Selbsteinschätzung "
            f"zur Erhebung „{campaign.name}“ noch nicht abgegeben (Stand: {status}, "
            f"{participation.answered_count} von {participation.question_count} Fragen "
            f"beantwortet).\n\nBitte geben Sie sie bis zum "
            f"{date_format(campaign.end_date, 'd.m.Y')} ab:\n{link}\n\n"
            "Mit freundlichen Grüßen\nIhre Koordination des Zentrums"
        )
        messages.append((f"Erinnerung: {campaign.name}", body, recipients))
        participation.reminded_at = now
        reminded.append(participation)
    Participation.objects.bulk_update(reminded, ["reminded_at"])

    for subject, body, recipients in messages:
        mail_after_commit(subject, body, recipients)
    return Reminders(
        municipalities=len(messages),
        emails=sum(len(recipients) for _s, _b, recipients in messages),
        without_officer=tuple(without_officer),
    )


def mail_reopened(campaign: Campaign, municipality: Municipality) -> None:
    """The officers learn that their submission is open again, and where to continue."""
    recipients = selectors.digital_officer_emails([municipality.pk]).get(municipality.pk, [])
    if not recipients:
        return
    link = portal_url(municipality, f"/reifegrad/{campaign.pk}/")
    body = (
        f"Guten Tag,\n\ndie Koordination des Zentrums hat die abgegebene Selbsteinschätzung "
        f"von {municipality.name} zur Erhebung „{campaign.name}“ wieder geöffnet. Sie können "
        f"Ihre Antworten ergänzen oder ändern und sie bis zum "
        f"{date_format(campaign.end_date, 'd.m.Y')} erneut abgeben:\n{link}\n\n"
        "Mit freundlichen Grüßen\nIhre Koordination des Zentrums"
    )
    subject = f"Wieder geöffnet: {campaign.name}"
    mail_after_commit(subject, body, recipients)
