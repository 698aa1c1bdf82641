"""The texts the legal pages and the notice's legal note show until the Kreis has written its own.

Every place the Kreis must fill in or check is marked ``[bitte ergänzen: …]`` or
``[bitte prüfen: …]``; the Kreis start page reminds the coordinator while a marker is left.
These are templates to adapt, not legal advice: the Kreis' legal office checks them.
"""

from __future__ import annotations

import re

from django.conf import settings

# A marker the Kreis still has to replace.
PLACEHOLDER = re.compile(r"\[bitte (?:ergänzen|prüfen)\b[^\]]*\]")

DEFAULTS: dict[str, tuple[str, str]] = {
    "impressum": (
        "Impressum",
        "Anbieter dieses Portals\n"
        "{kreis}\n"
        "Interkommunales Zentrum für IT und Digitalisierung\n"
        "[bitte ergänzen: Straße und Hausnummer]\n"
        "[bitte ergänzen: Postleitzahl und Ort]\n\n"
        "Der {kreis} ist eine Körperschaft des öffentlichen Rechts. Er wird gesetzlich vertreten "
        "durch den Kreisausschuss, dieser durch [bitte ergänzen: Name der Landrätin oder des "
        "Landrats].\n\n"
        "Kontakt\n"
        "Telefon: [bitte ergänzen: Telefonnummer]\n"
        "E-Mail: [bitte ergänzen: E-Mail-Adresse des Zentrums]\n\n"
        "Umsatzsteuer-Identifikationsnummer nach § 27a Umsatzsteuergesetz: [bitte ergänzen: "
        "USt-IdNr., oder diesen Absatz löschen, wenn keine vergeben ist]\n\n"
        "Aufsichtsbehörde\n"
        "[bitte ergänzen: Regierungspräsidium Darmstadt, Gießen oder Kassel, mit Anschrift]\n\n"
        "Inhaltlich verantwortlich nach § 18 Absatz 2 Medienstaatsvertrag\n"
        "[bitte ergänzen: Name, Funktion und Anschrift der verantwortlichen Person]\n\n"
        "Haftung für Inhalte und Links\n"
        "Die Inhalte dieses Portals werden mit Sorgfalt erstellt. Für Inhalte, die Kommunen "
        "selbst eintragen, sind die jeweiligen Kommunen verantwortlich. Das Portal verlinkt "
        "externe Seiten nur, wo es für die Zusammenarbeit nötig ist; für deren Inhalte sind "
        "ihre Anbieter verantwortlich.",
    ),
    "datenschutz": (
        "Datenschutzerklärung",
        "Verantwortlicher\n"
        "Verantwortlich für die Verarbeitung personenbezogener Daten in diesem Portal im Sinne "
        "von Artikel 4 Nummer 7 der Datenschutz-Grundverordnung (DSGVO) ist der {kreis}, "
        "[bitte ergänzen: Anschrift, Telefon und E-Mail-Adresse].\n\n"
        "Datenschutzbeauftragte oder Datenschutzbeauftragter\n"
        "[bitte ergänzen: Name oder Funktion und Kontakt der oder des behördlichen "
        "Datenschutzbeauftragten des Kreises]\n\n"
        "Zwecke und Rechtsgrundlagen\n"
        "Das Portal dient der Zusammenarbeit des Kreises und der Städte und Gemeinden im "
        "Interkommunalen Zentrum für IT und Digitalisierung: Selbsteinschätzung des digitalen "
        "Reifegrads, Anfragen an das Zentrum, Roadmap, Beschlussvorlagen und die Verteilung der "
        "Kosten. Die Verarbeitung ist zur Erfüllung dieser öffentlichen Aufgabe erforderlich "
        "(Artikel 6 Absatz 1 Buchstabe e und Absatz 3 DSGVO in Verbindung mit § 3 des Hessischen "
        "Datenschutz- und Informationsfreiheitsgesetzes, HDSIG, und der öffentlich-rechtlichen "
        "Vereinbarung über das Zentrum) [bitte prüfen: Rechtsgrundlagen durch die "
        "Datenschutzbeauftragte oder den Datenschutzbeauftragten].\n\n"
        "Welche Daten verarbeitet werden\n"
        "Von angemeldeten Personen: Name, dienstliche E-Mail-Adresse, Kommune und Rolle, das "
        "Passwort nur als sicherer Hash, Zeitpunkt der Anmeldung und fehlgeschlagene "
        "Anmeldeversuche (Schutz vor Missbrauch). Bei Änderungen an Antworten, Anfragen und "
        "Beschlüssen wird festgehalten, wer sie wann vorgenommen hat. Beim Aufruf jeder Seite "
        "verarbeitet der Server technisch notwendig die IP-Adresse, Datum und Uhrzeit und die "
        "aufgerufene Adresse; diese Protokolle werden nach [bitte ergänzen: Speicherdauer, "
        "z. B. 7 Tagen] gelöscht.\n\n"
        "Cookies\n"
        "Das Portal setzt nur technisch notwendige Cookies: eines für die Sitzung nach der "
        "Anmeldung und eines zum Schutz von Formularen vor Missbrauch (§ 25 Absatz 2 Nummer 2 "
        "des Telekommunikation-Digitale-Dienste-Datenschutz-Gesetzes). Es bindet keine Inhalte "
        "Dritter ein und nutzt keine Analyse- oder Werbedienste.\n\n"
        "Empfänger\n"
        "Eine Kommune sieht ihre eigenen Daten; der Kreis als Träger des Zentrums sieht die "
        "Daten aller Kommunen. Vergleichswerte im Kreis werden erst ab einer Mindestzahl von "
        "Kommunen und ohne Werte einzelner Kommunen gezeigt. Betrieben wird das Portal von "
        "[bitte ergänzen: Rechenzentrum oder Dienstleister als Auftragsverarbeiter nach "
        "Artikel 28 DSGVO, mit Sitz].\n\n"
        "Speicherdauer\n"
        "Konten werden gelöscht, wenn die Person keiner Kommune und keinem Zentrum mehr "
        "angehört, spätestens [bitte ergänzen: Frist]. Beschlussvorlagen, Bescheide und ihre "
        "Berechnungsgrundlagen werden nach den Aufbewahrungsfristen des kommunalen Haushaltsrechts "
        "aufbewahrt [bitte prüfen: Fristen].\n\n"
        "Ihre Rechte\n"
        "Sie haben das Recht auf Auskunft (Artikel 15 DSGVO), Berichtigung (Artikel 16), "
        "Löschung (Artikel 17), Einschränkung der Verarbeitung (Artikel 18) und Widerspruch "
        "(Artikel 21). Wenden Sie sich dazu an die oben genannte Stelle.\n\n"
        "Beschwerde bei der Aufsichtsbehörde\n"
        "Sie können sich bei der Aufsichtsbehörde beschweren: Der Hessische Beauftragte für "
        "Datenschutz und Informationsfreiheit, Postfach 3163, 65021 Wiesbaden, "
        "www.datenschutz.hessen.de [bitte prüfen: Anschrift aktuell?].",
    ),
    "barrierefreiheit": (
        "Erklärung zur Barrierefreiheit",
        "Diese Erklärung zur Barrierefreiheit gilt für das Portal des Interkommunalen Zentrums "
        "für IT und Digitalisierung des {kreis} unter [bitte ergänzen: Adresse des Portals].\n\n"
        "Als öffentliche Stelle im Sinne der Richtlinie (EU) 2016/2102 ist der {kreis} bemüht, "
        "dieses Portal im Einklang mit dem Hessischen Behinderten-Gleichstellungsgesetz "
        "(HessBGG) und der Hessischen Verordnung über barrierefreie Informationstechnik (HVBIT) "
        "barrierefrei zugänglich zu machen.\n\n"
        "Stand der Vereinbarkeit mit den Anforderungen\n"
        "Die Anforderungen ergeben sich aus § 3 Absatz 1 bis 4 und § 4 HVBIT, erlassen auf "
        "Grundlage von § 14 HessBGG. Das Portal ist mit diesen Anforderungen weitgehend "
        "vereinbar (WCAG 2.1, Stufe AA). Seiten werden bei jeder Änderung automatisch mit "
        "axe-core geprüft; Diagramme stehen zusätzlich als Tabelle zur Verfügung.\n\n"
        "Nicht barrierefreie Inhalte\n"
        "[bitte ergänzen: Inhalte, die noch nicht barrierefrei sind, mit Begründung und "
        "barrierefreier Alternative – oder „Keine bekannt.“]\n\n"
        "Erstellung dieser Erklärung\n"
        "Diese Erklärung wurde am [bitte ergänzen: Datum] erstellt. Sie beruht auf einer "
        "Selbstbewertung [bitte prüfen: oder auf einem Prüfbericht, mit Prüfstelle und Datum] "
        "und wurde zuletzt am [bitte ergänzen: Datum] überprüft.\n\n"
        "Feedback und Kontakt (§ 4 Absatz 2 Nummer 2 HVBIT)\n"
        "Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen, oder benötigen Sie Inhalte "
        "in einer barrierefreien Form? Schreiben Sie an die unten genannte Adresse. Wir "
        "antworten innerhalb von sechs Wochen.\n\n"
        "Durchsetzungsverfahren (§ 6 HVBIT)\n"
        "Wenn Sie innerhalb von sechs Wochen keine zufriedenstellende Antwort erhalten, können "
        "Sie bei der Durchsetzungs- und Überwachungsstelle für barrierefreie "
        "Informationstechnik des Landes Hessen ein Durchsetzungsverfahren beantragen. Sie ist "
        "bei der Beauftragten der Hessischen Landesregierung für barrierefreie IT und digitale "
        "Teilhabe angesiedelt (Landeskompetenzzentrum Barrierefreie IT, LBIT, mit Sitz beim "
        "Regierungspräsidium Gießen). Den Antrag stellen Sie online unter "
        "https://lbit.hessen.de/Durchsetzungs-und-Ueberwachungsstelle/"
        "Durchsetzungsverfahren-beantragen. [bitte prüfen: Postanschrift, Telefon und E-Mail "
        "der Durchsetzungsstelle laut lbit.hessen.de ergänzen und den Link prüfen]",
    ),
}

NOTICE_LEGAL_NOTE = (
    "Grundlage der Kostenbeteiligung: Die Kostenbeteiligung beruht auf der "
    "öffentlich-rechtlichen Vereinbarung über das Interkommunale Zentrum für IT und "
    "Digitalisierung vom [bitte ergänzen: Datum der Vereinbarung] nach dem Hessischen Gesetz "
    "über kommunale Gemeinschaftsarbeit (KGG) [bitte prüfen: Paragraf der Vereinbarung über "
    "die Kostenverteilung] und auf dem dort vereinbarten Kostenverteilungsschlüssel. Die "
    "Berechnung ist oben vollständig aufgeschlüsselt.\n\n"
    "Einwendungen gegen die Berechnung richten Sie bitte innerhalb eines Monats nach Zugang "
    "schriftlich an [bitte ergänzen: Stelle und Anschrift]. [bitte prüfen: Ist die "
    "Kostenbeteiligung als Verwaltungsakt festgesetzt, gehört hier stattdessen eine "
    "Rechtsbehelfsbelehrung hin, etwa: „Gegen diesen Bescheid kann innerhalb eines Monats nach "
    "Bekanntgabe Widerspruch erhoben werden. Der Widerspruch ist schriftlich oder zur "
    "Niederschrift bei … einzulegen.“]"
)


def default_for(kind: str) -> tuple[str, str]:
    title, body = DEFAULTS[kind]
    return title, body.format(kreis=settings.KREIS_NAME)


def placeholders_in(text: str) -> list[str]:
    """The markers the Kreis still has to replace, in the order they appear."""
    return PLACEHOLDER.findall(text)
