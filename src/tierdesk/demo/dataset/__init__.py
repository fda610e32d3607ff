"""The demo data set: invented staff, customer organisations in the Netherlands, Norway, Poland and
Germany, and tickets in every board column and every language of the user interface."""

from __future__ import annotations

from dataclasses import dataclass

from tierdesk.accounts.choices import Level, Role
from tierdesk.demo.dataset import tickets_de, tickets_nl, tickets_no, tickets_pl
from tierdesk.demo.dataset.people import ORGANISATIONS, STAFF
from tierdesk.demo.spec import TicketSpec, demo_password

TICKETS: tuple[TicketSpec, ...] = (
    *tickets_nl.TICKETS,
    *tickets_no.TICKETS,
    *tickets_pl.TICKETS,
    *tickets_de.TICKETS,
)

LEVEL_NAMES = {Level.FIRST: "first level", Level.SECOND: "second level", Level.DEVELOPMENT: "development"}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    organisation: str = ""  # customers only


def demo_logins() -> list[DemoLogin]:
    """Every login of the data set with its password: staff first, then the customers."""
    logins = [
        DemoLogin(
            role=f"Agent, {LEVEL_NAMES[spec.level]}" if spec.role == Role.AGENT else str(Role(spec.role).label),
            username=spec.username,
            password=demo_password(spec.username),
        )
        for spec in STAFF
    ]
    logins += [
        DemoLogin(
            role=str(Role.CUSTOMER_ADMIN.label if contact.is_customer_admin else Role.CUSTOMER.label),
            username=contact.login,
            password=demo_password(contact.login),
            organisation=organisation.name,
        )
        for organisation in ORGANISATIONS
        for contact in organisation.contacts
        if contact.login
    ]
    return logins


__all__ = ["ORGANISATIONS", "STAFF", "TICKETS", "DemoLogin", "demo_logins"]
