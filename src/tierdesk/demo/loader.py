"""Loads the demo data set through the domain services, so that numbers, history, priorities and
deadlines are exactly what real use would leave behind.

Idempotent: what exists already (matched by username, organisation name, contact e-mail,
access-note title, and ticket subject within its organisation) is left alone, so a second run adds
nothing. The whole load is one transaction: an error leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.db import transaction

from tierdesk.accounts.choices import STAFF_ROLES
from tierdesk.accounts.models import Contact, Organisation, User
from tierdesk.accounts.services import (
    access_note_set,
    contact_create,
    customer_user_create,
    organisation_create,
    organisation_update,
    staff_user_create,
)
from tierdesk.demo.dataset import ORGANISATIONS, STAFF, TICKETS
from tierdesk.demo.dataset.people import ADMIN, CASE_MANAGER
from tierdesk.demo.errors import DemoDataConflict
from tierdesk.demo.spec import (
    AccessNoteSpec,
    AskSecondLevel,
    Assign,
    Confirm,
    ContactSpec,
    DecideSecondLevel,
    Escalate,
    LogTime,
    Note,
    OrganisationSpec,
    Reopen,
    Reply,
    Resolve,
    StaffSpec,
    Step,
    Take,
    TicketSpec,
    Wait,
    demo_password,
)
from tierdesk.demo.workspace import demo_workspace
from tierdesk.tickets.choices import Channel
from tierdesk.tickets.models import SecondLevelRequest, Ticket
from tierdesk.tickets.permissions import can_work_tickets
from tierdesk.tickets.services import (
    ticket_assign,
    ticket_comment_add,
    ticket_confirm,
    ticket_create,
    ticket_escalate,
    ticket_reopen,
    ticket_request_second_level,
    ticket_resolve,
    ticket_second_level_decide,
    ticket_take,
    ticket_time_log,
    ticket_wait,
)


@dataclass
class LoadReport:
    """How many rows of each kind this run added (all zero on a second run)."""

    users: int = 0
    organisations: int = 0
    contacts: int = 0
    access_notes: int = 0
    tickets: int = 0
    workspace: int = 0  # shared views, custom fields, domains, the assignment policy (workspace.py)

    @property
    def total(self) -> int:
        return sum(getattr(self, field.name) for field in fields(self))


@transaction.atomic
def demo_load() -> LoadReport:
    report = LoadReport()
    users = {spec.username: _staff_user(spec, report) for spec in STAFF}
    admin = users[ADMIN]
    organisations: dict[str, Organisation] = {}
    contacts: dict[str, Contact] = {}
    for organisation_spec in ORGANISATIONS:
        organisation = _organisation(organisation_spec, by=admin, report=report)
        if organisation.case_manager_id is None:
            # The demo has one case manager: the P1 rule alerts them about every customer.
            organisation = organisation_update(
                by=admin, organisation=organisation, case_manager_id=users[CASE_MANAGER].pk
            )
        organisations[organisation.name] = organisation
        for contact_spec in organisation_spec.contacts:
            contact = _contact(contact_spec, organisation, by=admin, report=report)
            contacts[contact_spec.email] = contact
            if contact_spec.login:
                users[contact_spec.login] = _customer_login(contact_spec, contact, report=report)
        for note_spec in organisation_spec.access_notes:
            _access_note(note_spec, organisation, by=admin, report=report)
    for ticket_spec in TICKETS:
        _ticket(ticket_spec, organisations=organisations, contacts=contacts, users=users, report=report)
    report.workspace = demo_workspace(
        admin=admin,
        case_manager=users[CASE_MANAGER],
        contact_addresses={
            organisations[spec.name]: [contact.email for contact in spec.contacts] for spec in ORGANISATIONS
        },
    )
    return report


def _staff_user(spec: StaffSpec, report: LoadReport) -> User:
    existing = User.objects.filter(username=spec.username).first()
    if existing is not None:
        if existing.role not in STAFF_ROLES:
            raise DemoDataConflict(f"The user {spec.username!r} exists and is not a staff member.")
        return existing
    report.users += 1
    return staff_user_create(
        username=spec.username,
        password=demo_password(spec.username),
        role=spec.role,
        level=spec.level,
        first_name=spec.first_name,
        last_name=spec.last_name,
        email=f"{spec.username}@tierdesk.example",
        language=spec.language,
        languages=spec.languages,
        channels=spec.channels,
    )


def _organisation(spec: OrganisationSpec, *, by: User, report: LoadReport) -> Organisation:
    existing = Organisation.objects.filter(name=spec.name).first()
    if existing is not None:
        return existing
    report.organisations += 1
    return organisation_create(by=by, name=spec.name, country=spec.country, language=spec.language, notes=spec.notes)


def _contact(spec: ContactSpec, organisation: Organisation, *, by: User, report: LoadReport) -> Contact:
    existing = organisation.contacts.filter(email=spec.email).first()
    if existing is not None:
        return existing
    report.contacts += 1
    return contact_create(
        by=by,
        organisation=organisation,
        name=spec.name,
        email=spec.email,
        phones=spec.phones,
        language=spec.language,
        is_system_admin=spec.is_system_admin,
    )


def _customer_login(spec: ContactSpec, contact: Contact, *, report: LoadReport) -> User:
    if contact.user is not None:
        return contact.user
    if User.objects.filter(username=spec.login).exists():
        raise DemoDataConflict(f"The username {spec.login!r} belongs to someone other than {spec.name}.")
    report.users += 1
    return customer_user_create(
        contact=contact,
        username=spec.login,
        password=demo_password(spec.login),
        is_customer_admin=spec.is_customer_admin,
    )


def _access_note(spec: AccessNoteSpec, organisation: Organisation, *, by: User, report: LoadReport) -> None:
    if organisation.access_notes.filter(title=spec.title).exists():
        return
    report.access_notes += 1
    access_note_set(by=by, organisation=organisation, title=spec.title, body=spec.body)


def _ticket(
    spec: TicketSpec,
    *,
    organisations: dict[str, Organisation],
    contacts: dict[str, Contact],
    users: dict[str, User],
    report: LoadReport,
) -> None:
    organisation = organisations[spec.organisation]
    if Ticket.objects.filter(organisation=organisation, subject=spec.subject).exists():
        return
    report.tickets += 1
    ticket = ticket_create(
        by=users[spec.opened_by],
        subject=spec.subject,
        description=spec.description,
        organisation=organisation,
        requester=contacts[spec.requester],
        channel=spec.channel,
        urgency=spec.urgency,
        impact=spec.impact,
        tags=spec.tags,
    )
    pending: SecondLevelRequest | None = None
    for step in spec.steps:
        pending = _apply(step, ticket, users=users, pending=pending)


def _apply(
    step: Step, ticket: Ticket, *, users: dict[str, User], pending: SecondLevelRequest | None
) -> SecondLevelRequest | None:
    """Run one step through its service; returns the ticket's pending second-level request."""
    by = users[step.by]
    # Customers act in the portal, staff in the agent UI.
    channel = Channel.WEB if can_work_tickets(by) else Channel.PORTAL
    match step:
        case Take():
            ticket_take(ticket=ticket, by=by, channel=channel)
        case Assign(to=to):
            ticket_assign(ticket=ticket, assignee=users[to], by=by, channel=channel)
        case Reply(text=text):
            ticket_comment_add(ticket=ticket, body=text, by=by, channel=channel)
        case Note(text=text):
            ticket_comment_add(ticket=ticket, body=text, by=by, is_internal=True, channel=channel)
        case LogTime(minutes=minutes, note=note, is_billable=is_billable):
            ticket_time_log(ticket=ticket, minutes=minutes, by=by, note=note, is_billable=is_billable, channel=channel)
        case Escalate():
            ticket_escalate(
                ticket=ticket,
                to_level=step.to_level,
                handover_note=step.handover_note,
                by=by,
                bug_key=step.bug_key,
                bug_url=step.bug_url,
                assignee=users[step.assignee] if step.assignee else None,
                channel=channel,
            )
        case Wait(on=on, note=note):
            ticket_wait(ticket=ticket, on=on, by=by, note=note, channel=channel)
        case Resolve(resolution=resolution):
            ticket_resolve(ticket=ticket, resolution=resolution, by=by, channel=channel)
        case Confirm(note=note):
            ticket_confirm(ticket=ticket, by=by, note=note, channel=channel)
        case Reopen(reason=reason):
            ticket_reopen(ticket=ticket, reason=reason, by=by, channel=channel)
        case AskSecondLevel(reason=reason):
            return ticket_request_second_level(ticket=ticket, reason=reason, by=by, channel=channel)
        case DecideSecondLevel(approve=approve, note=note):
            if pending is None:
                raise LookupError(f"{ticket.subject!r}: a decision needs an AskSecondLevel step before it.")
            ticket_second_level_decide(request=pending, approve=approve, note=note, by=by, channel=channel)
            return None
    return pending
