"""Demo tickets of the German engineering office Kastanienhof Ingenieure, CAD users (German)."""

from __future__ import annotations

from tierdesk.demo.dataset.people import AGENT_NL_DE, CASE_MANAGER, DEVELOPER, KASTANIENHOF, SECOND_LEVEL
from tierdesk.demo.spec import (
    Assign,
    Confirm,
    Escalate,
    LogTime,
    Note,
    Reply,
    Resolve,
    Take,
    TicketSpec,
)
from tierdesk.tickets.choices import Channel, Impact, Level, Urgency

KATRIN = "k.lindemeier@kastanienhof.example"
UWE = "u.brandhorst@kastanienhof.example"

TICKETS: tuple[TicketSpec, ...] = (
    TicketSpec(
        organisation=KASTANIENHOF,
        requester=KATRIN,
        opened_by="katrin",
        channel=Channel.PORTAL,
        subject="Stücklisten-Export aus dem CAD liefert falsche Mengen",
        description="Beim Export der Stückliste mit unserem Export-Plugin werden Normteile doppelt gezählt, "
        "wenn sie in einer Baugruppe gespiegelt wurden. Beispiel: Projekt 24-031, Baugruppe „Auflager Nord“.",
        impact=Impact.MEDIUM,
        tags=("cad", "plugin"),
        steps=(
            Take(AGENT_NL_DE),
            Reply(
                AGENT_NL_DE,
                "Guten Tag Frau Lindemeier, danke für das Beispiel. Wir können den Fehler mit der Baugruppe "
                "„Auflager Nord“ nachvollziehen und geben ihn an unsere Spezialisten weiter.",
            ),
            Escalate(
                AGENT_NL_DE,
                Level.SECOND,
                "Reproduzierbar: gespiegelte Normteile erscheinen im Export doppelt. Beispiel ist Projekt 24-031.",
            ),
            Take(SECOND_LEVEL),
            Escalate(
                SECOND_LEVEL,
                Level.DEVELOPMENT,
                "Das Plugin (Version 2.4.1) zählt gespiegelte Instanzen als eigene Teile. Fehler im Code, "
                "kein Konfigurationsproblem.",
                bug_key="CADX-88",
                bug_url="https://tracker.example/browse/CADX-88",
                assignee=DEVELOPER,
            ),
            Note(
                DEVELOPER,
                "Ursache gefunden: gespiegelte Instanzen haben eine eigene ID, und der Export gruppiert nach ID "
                "statt nach Teilenummer. Die Korrektur ist in Arbeit.",
            ),
            LogTime(DEVELOPER, 120, "Fehleranalyse im Export-Plugin"),
        ),
    ),
    TicketSpec(
        organisation=KASTANIENHOF,
        requester=UWE,
        opened_by=AGENT_NL_DE,
        channel=Channel.PHONE,
        subject="CAD-Lizenzserver nicht erreichbar",
        description="Herr Brandhorst ruft an: Seit 8 Uhr kann niemand im Büro das CAD starten, Meldung "
        "„Keine Lizenz verfügbar“. Der Lizenzserver antwortet nicht auf Ping.",
        urgency=Urgency.HIGH,
        impact=Impact.HIGH,
        tags=("cad", "lizenz"),
        steps=(
            Take(AGENT_NL_DE),
            LogTime(AGENT_NL_DE, 15, "Telefonat und Erstprüfung"),
            Escalate(
                AGENT_NL_DE,
                Level.SECOND,
                "Die Lizenzserver-VM läuft laut Hypervisor, antwortet aber nicht. Das ganze Büro "
                "(12 Arbeitsplätze) ist betroffen.",
                assignee=SECOND_LEVEL,
            ),
            Reply(
                SECOND_LEVEL,
                "Guten Tag Herr Brandhorst, wir sind per Fernwartung auf Ihrem Hypervisor und starten die "
                "Lizenzserver-VM gerade kontrolliert neu. Wir melden uns spätestens in 30 Minuten.",
            ),
        ),
    ),
    TicketSpec(
        organisation=KASTANIENHOF,
        requester=KATRIN,
        opened_by="katrin",
        channel=Channel.PORTAL,
        subject="Neuer Arbeitsplatz für eine Werkstudentin",
        description="Zum Monatsersten beginnt eine Werkstudentin bei uns. Bitte einen Arbeitsplatz mit "
        "CAD-Lizenz, E-Mail-Konto und Zugriff auf das Projektlaufwerk einrichten.",
        urgency=Urgency.LOW,
        tags=("arbeitsplatz", "konto"),
        steps=(
            Take(AGENT_NL_DE),
            LogTime(AGENT_NL_DE, 60, "Arbeitsplatz und Konten eingerichtet"),
            Resolve(
                AGENT_NL_DE,
                "Der Arbeitsplatz ist eingerichtet: Notebook mit CAD, Konto lena@kastanienhof.example und Zugriff "
                "auf das Projektlaufwerk P:.",
            ),
            Confirm("katrin", "Alles funktioniert, vielen Dank!"),
        ),
    ),
    TicketSpec(
        organisation=KASTANIENHOF,
        requester=KATRIN,
        opened_by=AGENT_NL_DE,
        channel=Channel.EMAIL,
        subject="3D-Ansicht ruckelt bei großen Baugruppen",
        description="Seit dem Update des Grafiktreibers ruckelt die 3D-Ansicht stark, sobald eine Baugruppe mehr "
        "als etwa 500 Teile hat. Kleinere Modelle laufen flüssig.",
        tags=("cad", "grafik"),
        steps=(Assign(CASE_MANAGER, AGENT_NL_DE),),
    ),
)
