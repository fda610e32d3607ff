"""Demo tickets of the Polish accounting office Biuro Rachunkowe Modrzew (Polish)."""

from __future__ import annotations

from tierdesk.demo.dataset.people import AGENT_NO_PL, MODRZEW, SECOND_LEVEL
from tierdesk.demo.spec import (
    AskSecondLevel,
    DecideSecondLevel,
    LogTime,
    Note,
    Reply,
    Resolve,
    Take,
    TicketSpec,
    Wait,
)
from tierdesk.tickets.choices import Channel, Impact, Urgency, WaitingOn

EWA = "ewa.kaczmarczyk@modrzew.example"
MAREK = "marek.zawadka@modrzew.example"

TICKETS: tuple[TicketSpec, ...] = (
    TicketSpec(
        organisation=MODRZEW,
        requester=EWA,
        opened_by="ewa",
        channel=Channel.PORTAL,
        subject="Program księgowy zgłasza błąd bazy danych przy zamknięciu miesiąca",
        description="Przy próbie zamknięcia miesiąca program wyświetla komunikat „Błąd bazy danych 0x80040E14” "
        "i przerywa operację. Termin złożenia deklaracji mija w piątek.",
        urgency=Urgency.HIGH,
        impact=Impact.MEDIUM,
        tags=("księgowość", "baza-danych"),
        steps=(
            AskSecondLevel(
                "ewa",
                "Problem dotyczy bazy danych, a termin mija w piątek. Prosimy o przekazanie zgłoszenia od razu "
                "do drugiej linii wsparcia.",
            ),
        ),
    ),
    TicketSpec(
        organisation=MODRZEW,
        requester=EWA,
        opened_by="ewa",
        channel=Channel.PORTAL,
        subject="Kopia zapasowa serwera nie wykonuje się od trzech dni",
        description="Od poniedziałku codzienna kopia zapasowa serwera kończy się błędem. "
        "W raporcie jest informacja „Brak miejsca na dysku docelowym”.",
        urgency=Urgency.HIGH,
        impact=Impact.MEDIUM,
        tags=("kopia-zapasowa", "serwer"),
        steps=(
            Take(AGENT_NO_PL),
            Reply(
                AGENT_NO_PL,
                "Dzień dobry, sprawdzamy dysk na kopie zapasowe. Czy w ostatnim tygodniu na serwer trafiło dużo "
                "nowych plików, np. skanów dokumentów?",
            ),
            AskSecondLevel(
                "ewa",
                "Serwer od trzech dni nie ma kopii, a nasz administrator jest na urlopie. "
                "Prosimy o pilną pomoc drugiej linii.",
            ),
            DecideSecondLevel(
                AGENT_NO_PL,
                approve=True,
                note="Dysk docelowy jest zapełniony w 98%; trzeba zmienić zasady przechowywania kopii na serwerze "
                "kopii zapasowych. To zadanie dla drugiej linii.",
            ),
            Take(SECOND_LEVEL),
            LogTime(SECOND_LEVEL, 30, "Analiza zasad przechowywania kopii"),
        ),
    ),
    TicketSpec(
        organisation=MODRZEW,
        requester=MAREK,
        opened_by=AGENT_NO_PL,
        channel=Channel.PHONE,
        subject="Wymiana tonera w drukarce w recepcji",
        description="Drukarka w recepcji pokazuje komunikat „Niski poziom tonera: czarny”. "
        "Prosimy o dostarczenie i wymianę tonera.",
        urgency=Urgency.LOW,
        tags=("drukarka",),
        steps=(
            Take(AGENT_NO_PL),
            Reply(AGENT_NO_PL, "Toner jest w drodze, kurier dostarczy go jutro przed południem."),
            LogTime(AGENT_NO_PL, 10, "Zamówienie tonera", is_billable=False),
            Resolve(AGENT_NO_PL, "Toner został dostarczony i wymieniony, strona testowa drukuje się poprawnie."),
        ),
    ),
    TicketSpec(
        organisation=MODRZEW,
        requester=EWA,
        opened_by="ewa",
        channel=Channel.PORTAL,
        subject="Częste przerwy w dostępie do internetu w biurze",
        description="Od kilku dni internet w biurze kilka razy dziennie przestaje działać na kilka minut. "
        "Dotyczy to wszystkich komputerów.",
        impact=Impact.HIGH,
        tags=("internet",),
        steps=(
            Take(AGENT_NO_PL),
            Note(
                AGENT_NO_PL,
                "Router pokazuje utratę synchronizacji łącza światłowodowego, więc problem leży po stronie "
                "operatora. Numer zgłoszenia u operatora: INC-55821.",
            ),
            Wait(AGENT_NO_PL, WaitingOn.THIRD_PARTY, "Czekamy na technika operatora."),
            Reply(
                AGENT_NO_PL,
                "Przerwy wynikają z usterki łącza po stronie operatora. Zgłosiliśmy ją i czekamy na wizytę "
                "technika; damy znać, gdy tylko poznamy termin.",
            ),
        ),
    ),
)
