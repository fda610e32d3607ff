"""Demo tickets of the Norwegian offices: Lysefjell Regnskap and Vindkast Arkitekter (Bokmål and English)."""

from __future__ import annotations

from tierdesk.demo.dataset.people import AGENT_NO_PL, LYSEFJELL, SECOND_LEVEL, VINDKAST
from tierdesk.demo.spec import (
    Confirm,
    Escalate,
    LogTime,
    Note,
    Reopen,
    Reply,
    Resolve,
    Take,
    TicketSpec,
    Wait,
)
from tierdesk.tickets.choices import Channel, Impact, Level, Urgency, WaitingOn

KARI = "kari@lysefjell.example"
SILJE = "silje@vindkast.example"
OLIVER = "oliver@vindkast.example"

TICKETS: tuple[TicketSpec, ...] = (
    TicketSpec(
        organisation=LYSEFJELL,
        requester=KARI,
        opened_by="kari",
        channel=Channel.PORTAL,
        subject="Skriveren på kontoret skriver ut blanke sider",
        description="Fargeskriveren i gangen skriver bare ut blanke sider siden i går. "
        "Vi har lagt i nytt papir og slått den av og på.",
        tags=("skriver",),
        steps=(
            Take(AGENT_NO_PL),
            Reply(
                AGENT_NO_PL,
                "Hei Kari! Kan du skrive ut en testside fra skriverens egen meny (Innstillinger > Rapporter > "
                "Testside) og fortelle oss om den også blir blank?",
            ),
            Wait(AGENT_NO_PL, WaitingOn.CUSTOMER, "Venter på testside fra kunden."),
            LogTime(AGENT_NO_PL, 10, "Sjekket utskriftskøen via fjernhjelp"),
        ),
    ),
    TicketSpec(
        organisation=LYSEFJELL,
        requester=KARI,
        opened_by=AGENT_NO_PL,
        channel=Channel.EMAIL,
        subject="Ny medarbeider trenger e-postkonto",
        description="Vi får en ny regnskapsfører, Ingrid, fra den første i neste måned. Hun trenger e-post, "
        "tilgang til fellesmappen «Klienter» og til regnskapsprogrammet.",
        urgency=Urgency.LOW,
        tags=("konto",),
        steps=(
            Take(AGENT_NO_PL),
            LogTime(AGENT_NO_PL, 35, "Konto, lisens og mappetilgang"),
            Resolve(
                AGENT_NO_PL,
                "Kontoen ingrid@lysefjell.example er opprettet, med tilgang til «Klienter» og regnskapsprogrammet. "
                "Et midlertidig passord er sendt til Kari på SMS.",
            ),
            Confirm("kari", "Tusen takk!"),
        ),
    ),
    TicketSpec(
        organisation=LYSEFJELL,
        requester=KARI,
        opened_by="kari",
        channel=Channel.PORTAL,
        subject="VPN-forbindelsen faller ut når jeg jobber hjemmefra",
        description="Når jeg jobber hjemmefra, faller VPN-forbindelsen ut omtrent hvert tiende minutt. Da mister "
        "jeg forbindelsen til regnskapsprogrammet og må logge inn på nytt.",
        tags=("vpn",),
        steps=(
            Take(AGENT_NO_PL),
            Note(
                AGENT_NO_PL,
                "Brannmuren har et tidsavbrudd på 600 sekunder for inaktive tunneler. Satt til 3600 som en test.",
            ),
            LogTime(AGENT_NO_PL, 20, "Gikk gjennom VPN-loggen"),
            Resolve(
                AGENT_NO_PL,
                "Vi har økt tidsavbruddet for VPN-tunnelen på brannmuren. Forbindelsen skal nå holde seg oppe "
                "selv om du er inaktiv en stund.",
            ),
            Reopen("kari", "Det ble bedre, men i dag falt forbindelsen ut to ganger igjen, rett etter klokken 12."),
            Note(
                AGENT_NO_PL,
                "Avbruddene kl. 12.00 og 12.05 faller sammen med en ny DHCP-adresse på ruteren hjemme hos Kari. "
                "Vi ser på ruteren hennes neste gang.",
            ),
        ),
    ),
    TicketSpec(
        organisation=VINDKAST,
        requester=OLIVER,
        opened_by="oliver",
        channel=Channel.PORTAL,
        subject="Rendering workstation crashes when opening large models",
        description="Our rendering workstation WS-07 crashes with a blue screen when we open the full building "
        "model of the Fjordtun project. Smaller models open fine.",
        urgency=Urgency.HIGH,
        tags=("workstation", "cad"),
        steps=(
            Take(AGENT_NO_PL),
            Reply(
                AGENT_NO_PL,
                "Hi Oliver, could you send us the crash dump from C:\\Windows\\Minidump on WS-07? "
                "It tells us which driver fails.",
            ),
            Wait(AGENT_NO_PL, WaitingOn.CUSTOMER, "Waiting for the crash dump."),
        ),
    ),
    TicketSpec(
        organisation=VINDKAST,
        requester=SILJE,
        opened_by="silje",
        channel=Channel.PORTAL,
        subject="Prosjektmappen er skrivebeskyttet",
        description="Jeg kan åpne filene i prosjektmappen «Fjordtun», men ikke lagre endringer. "
        "Kollegene mine har hatt det samme problemet siden i morges.",
        urgency=Urgency.HIGH,
        impact=Impact.MEDIUM,
        tags=("filserver",),
        steps=(
            Take(AGENT_NO_PL),
            Note(
                AGENT_NO_PL,
                "En jobb for sikkerhetskopiering endret rettighetene på mappen i natt. "
                "Gruppen «Arkitekter» mangler skrivetilgang.",
            ),
            LogTime(AGENT_NO_PL, 20, "Rettigheter gjenopprettet"),
            Resolve(
                AGENT_NO_PL,
                "Skrivetilgangen for gruppen «Arkitekter» er gjenopprettet. Du kan lagre i «Fjordtun» igjen.",
            ),
        ),
    ),
    TicketSpec(
        organisation=VINDKAST,
        requester=OLIVER,
        opened_by=AGENT_NO_PL,
        channel=Channel.PHONE,
        subject="Plotter queue stuck after driver update",
        description="Oliver calls: since the plotter driver update on Monday, large-format jobs stay in the queue "
        "as 'spooling' and never print. A4 printing works.",
        urgency=Urgency.HIGH,
        impact=Impact.MEDIUM,
        tags=("plotter", "print-server"),
        steps=(
            Take(AGENT_NO_PL),
            Note(
                AGENT_NO_PL,
                "Driver 7.3 came with the system updates; a rollback to 7.1 has to be done on the print server.",
            ),
            Escalate(
                AGENT_NO_PL,
                Level.SECOND,
                "Plotter jobs hang in spooling since driver 7.3. The print server needs a driver rollback and a "
                "spooler clean-up; the customer has a plan deadline on Friday.",
            ),
            Take(SECOND_LEVEL),
            Reply(
                SECOND_LEVEL,
                "Hi Oliver, we will roll the plotter driver back on the print server tonight after 18:00. "
                "Please hold new large-format jobs until we confirm.",
            ),
        ),
    ),
)
