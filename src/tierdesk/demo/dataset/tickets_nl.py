"""Demo tickets of the Dutch haulier Meeuwenhaven Transport (Dutch, and English from its dispatcher)."""

from __future__ import annotations

from tierdesk.demo.dataset.people import AGENT_NL_DE, DEVELOPER, MEEUWENHAVEN, SECOND_LEVEL
from tierdesk.demo.spec import (
    Confirm,
    Escalate,
    LogTime,
    Note,
    Reply,
    Resolve,
    Take,
    TicketSpec,
    Wait,
)
from tierdesk.tickets.choices import Channel, Impact, Level, Urgency, WaitingOn

ANNEKE = "anneke.stroobos@meeuwenhaven.example"
RUUD = "ruud.vanemmerik@meeuwenhaven.example"
DANIEL = "daniel.okafor@meeuwenhaven.example"

TICKETS: tuple[TicketSpec, ...] = (
    TicketSpec(
        organisation=MEEUWENHAVEN,
        requester=ANNEKE,
        opened_by="anneke",
        channel=Channel.PORTAL,
        subject="Vrachtplan start niet op de laptop van een planner",
        description="Sinds de update van gisteren start Vrachtplan niet meer op de laptop van onze planner Joost. "
        "Het venster verschijnt heel even en sluit dan weer. Andere planners hebben er geen last van. "
        "Kunnen jullie meekijken?",
        tags=("vrachtplan", "laptop"),
    ),
    TicketSpec(
        organisation=MEEUWENHAVEN,
        requester=RUUD,
        opened_by=AGENT_NL_DE,
        channel=Channel.PHONE,
        subject="Ritplanning synchroniseert niet met de boordcomputers",
        description="Ruud belt: sinds vanochtend 06:00 komen gewijzigde ritten niet meer aan op de boordcomputers "
        "in de trucks. Opnieuw versturen helpt niet. Ongeveer 40 chauffeurs rijden met de planning van gisteren.",
        urgency=Urgency.HIGH,
        impact=Impact.HIGH,
        tags=("vrachtplan", "telematica"),
        steps=(
            Take(AGENT_NL_DE),
            Note(
                AGENT_NL_DE,
                "Synchronisatiedienst op vp-app01 herstart; de wachtrij blijft op 1.283 berichten staan. "
                "Het logboek meldt 'certificate expired' richting de telematica-gateway.",
            ),
            LogTime(AGENT_NL_DE, 25, "Telefoon en eerste analyse"),
            Escalate(
                AGENT_NL_DE,
                Level.SECOND,
                "Certificaat van de telematica-koppeling lijkt verlopen; de wachtrij loopt na een herstart niet leeg. "
                "40 chauffeurs geraakt, Ruud belt elk uur terug.",
            ),
            Take(SECOND_LEVEL),
            Reply(
                SECOND_LEVEL,
                "Beste Ruud, we hebben de oorzaak gevonden: het certificaat van de koppeling met de boordcomputers "
                "is verlopen. We vervangen het nu en laten binnen een uur weten of de ritten weer doorkomen.",
            ),
            LogTime(SECOND_LEVEL, 40, "Nieuw certificaat aangevraagd en op de testomgeving geïnstalleerd"),
        ),
    ),
    TicketSpec(
        organisation=MEEUWENHAVEN,
        requester=ANNEKE,
        opened_by=AGENT_NL_DE,
        channel=Channel.EMAIL,
        subject="Vrachtbrief-pdf toont btw bij ritten naar België",
        description="Op vrachtbrieven voor ritten van Rotterdam naar Antwerpen staat 21% btw, terwijl daar "
        "'btw verlegd' moet staan. Voorbeeld: rit R-4471. De facturen zelf kloppen wel.",
        urgency=Urgency.MEDIUM,
        impact=Impact.MEDIUM,
        tags=("vrachtplan", "pdf"),
        steps=(
            Take(AGENT_NL_DE),
            Reply(
                AGENT_NL_DE,
                "Dank voor het voorbeeld. We kunnen het met rit R-4471 nabootsen en zoeken uit waar het tarief "
                "vandaan komt.",
            ),
            Escalate(
                AGENT_NL_DE,
                Level.SECOND,
                "Na te bootsen met R-4471: het pdf-sjabloon negeert de btw-code van de rit. Alleen de vrachtbrief "
                "is fout, de facturen kloppen.",
            ),
            Take(SECOND_LEVEL),
            Note(
                SECOND_LEVEL,
                "Sjabloon vrachtbrief_v3 haalt het tarief uit de standaardinstelling in plaats van uit de rit. "
                "De fout zit in het product, niet in de configuratie van de klant.",
            ),
            Escalate(
                SECOND_LEVEL,
                Level.DEVELOPMENT,
                "Fout in het pdf-sjabloon van Vrachtplan 5.2: de btw-code van de rit wordt genegeerd. "
                "Testgeval R-4471 staat in de testomgeving.",
                bug_key="VP-2317",
                bug_url="https://tracker.example/browse/VP-2317",
            ),
            Take(DEVELOPER),
            LogTime(DEVELOPER, 90, "Sjabloon geanalyseerd, fout nagebootst in de testomgeving"),
        ),
    ),
    TicketSpec(
        organisation=MEEUWENHAVEN,
        requester=DANIEL,
        opened_by="daniel",
        channel=Channel.PORTAL,
        subject="Driver tablets cannot download route updates over 4G",
        description="Three of our drivers report that their tablets only receive route updates on the depot Wi-Fi. "
        "On 4G the app keeps saying 'waiting for connection'. Tablets 12, 17 and 23.",
        urgency=Urgency.HIGH,
        impact=Impact.MEDIUM,
        tags=("tablet", "mobile-data"),
        steps=(
            Take(AGENT_NL_DE),
            Reply(
                AGENT_NL_DE,
                "Hello Daniel, could you check whether mobile data is allowed for the Vrachtplan app on these "
                "tablets (Settings > Apps > Vrachtplan > Mobile data)?",
            ),
            Wait(AGENT_NL_DE, WaitingOn.CUSTOMER, "Asked Daniel to check the app's mobile data setting."),
            Reply(
                "daniel",
                "You were right: the last system update switched mobile data off for the app on all three "
                "tablets. It is on again and tablet 12 works already.",
            ),
            LogTime(AGENT_NL_DE, 15, "Guided the dispatcher by phone"),
            Resolve(
                AGENT_NL_DE,
                "The tablet system update had switched off mobile data for the Vrachtplan app. It is switched on "
                "again on tablets 12, 17 and 23, and route updates arrive over 4G.",
            ),
        ),
    ),
    TicketSpec(
        organisation=MEEUWENHAVEN,
        requester=ANNEKE,
        opened_by=AGENT_NL_DE,
        channel=Channel.PHONE,
        subject="Nieuwe chauffeur toevoegen aan Vrachtplan",
        description="Graag een account voor de nieuwe chauffeur Mehmet (begint maandag), met dezelfde rechten als "
        "de andere chauffeurs, en een tablet uit de reservevoorraad.",
        urgency=Urgency.LOW,
        tags=("vrachtplan", "account"),
        steps=(
            Take(AGENT_NL_DE),
            LogTime(AGENT_NL_DE, 20, "Account en tablet ingericht"),
            Resolve(
                AGENT_NL_DE,
                "Account 'mehmet.d' aangemaakt met de rol Chauffeur; reservetablet 31 is gekoppeld en getest.",
            ),
            Confirm("anneke", "Werkt, dank jullie wel!"),
        ),
    ),
)
