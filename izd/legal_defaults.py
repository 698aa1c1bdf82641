"""The text a legal page shows until the Kreis has written its own."""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, tuple[str, str]] = {
    "impressum": (
        "Impressum",
        "Anbieter dieses Portals ist der {kreis} – Interkommunales Zentrum für IT und "
        "Digitalisierung.\n\nDie Koordination des Zentrums ergänzt hier Anschrift, "
        "Vertretungsberechtigte, Kontakt und Aufsichtsbehörde.",
    ),
    "datenschutz": (
        "Datenschutzerklärung",
        "Der {kreis} verarbeitet im Portal die Daten, die für die Zusammenarbeit der Kommunen "
        "nötig sind: Name, dienstliche E-Mail-Adresse und Rolle der angemeldeten Personen sowie "
        "die Angaben der Kommunen.\n\nDas Portal setzt nur technisch notwendige Cookies "
        "(Sitzung und Schutz vor Formularmissbrauch) und bindet keine Inhalte Dritter ein.\n\n"
        "Die Koordination des Zentrums ergänzt hier Verantwortliche, Datenschutzbeauftragte, "
        "Rechtsgrundlagen, Speicherdauer und Ihre Rechte.",
    ),
    "barrierefreiheit": (
        "Erklärung zur Barrierefreiheit",
        "Der {kreis} ist bemüht, dieses Portal im Einklang mit dem Hessischen "
        "Behinderten-Gleichstellungsgesetz (HessBGG) und der Barrierefreie-Informationstechnik-"
        "Verordnung (BITV 2.0) barrierefrei zugänglich zu machen.\n\n"
        "Stand der Vereinbarkeit: Das Portal ist weitgehend mit den Anforderungen der WCAG 2.1 "
        "auf Stufe AA vereinbar. Diagramme sind zusätzlich als Tabelle verfügbar.\n\n"
        "Nicht barrierefreie Inhalte: Erzeugte PDF-Dokumente sind noch nicht vollständig "
        "getaggt.\n\n"
        "Erstellung dieser Erklärung: Die Erklärung beruht auf einer Selbstbewertung.\n\n"
        "Feedback und Kontakt: Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? "
        "Schreiben Sie uns an die unten genannte Adresse.\n\n"
        "Durchsetzungsverfahren: Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort "
        "erhalten, können Sie sich an die Durchsetzungs- und Überwachungsstelle für "
        "barrierefreie Informationstechnik des Landes Hessen wenden.",
    ),
}


def default_for(kind: str) -> tuple[str, str]:
    title, body = DEFAULTS[kind]
    return title, body.format(kreis=settings.KREIS_NAME)
