"""Followers of a ticket (CC): add and remove them, and the followers a note's @mentions add.

Staff add or remove any staff member, or a contact of the ticket's organisation; a customer
follows or stops following only themself, on a ticket they can see. The requester is no
follower: they get every update as the requester already. Each change locks the ticket,
checks its version, and writes a history row: internal for staff followers (customers never
learn which colleagues follow), public for contacts.

Error codes: watcher.target (exactly one of user or contact), watcher.not_staff,
watcher.foreign_contact, watcher.no_email, watcher.is_requester, watcher.exists (409),
watcher.not_found (404); ticket.forbidden (403)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from tierdesk.accounts.models import Contact, User
from tierdesk.accounts.permissions import contact_of
from tierdesk.accounts.selectors import staff_users
from tierdesk.core.errors import Conflict, NotFound, ValidationFailed
from tierdesk.tickets import history
from tierdesk.tickets.choices import Channel, HistoryAction
from tierdesk.tickets.errors import TicketActionForbidden
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.mentions import mention_candidates, resolve_mentions
from tierdesk.tickets.models import Ticket, TicketWatcher
from tierdesk.tickets.permissions import can_act_as_customer, can_work_tickets
from tierdesk.tickets.services.transitions import save_ticket

# The history rows' field for a change in a ticket's followers.
WATCHERS_FIELD = "watchers"


def _target(user: User | None, contact: Contact | None) -> None:
    if (user is None) == (contact is None):
        raise ValidationFailed(_("Name either a colleague or a contact."), code="watcher.target", field="user")


def _check_allowed(*, ticket: Ticket, by: User, user: User | None, contact: Contact | None) -> None:
    """Staff may name anybody; a customer only their own contact, on a ticket they may see."""
    if can_work_tickets(by):
        return
    if not can_act_as_customer(by, ticket):
        raise TicketActionForbidden(_("You may not follow this ticket."))
    own = contact_of(by)
    if user is not None or own is None or contact is None or contact.pk != own.pk:
        raise TicketActionForbidden(_("You can only follow or stop following a ticket yourself."))


def _check_candidate(*, ticket: Ticket, user: User | None, contact: Contact | None) -> None:
    """Who may follow at all: an active staff member, or an active contact of the ticket's
    organisation with an e-mail address who is not its requester."""
    if user is not None and not staff_users().filter(pk=user.pk).exists():
        raise ValidationFailed(_("Only active colleagues can follow as staff."), code="watcher.not_staff", field="user")
    if contact is None:
        return
    if contact.organisation_id != ticket.organisation_id or not contact.is_active:
        raise ValidationFailed(
            _("Only active contacts of %(organisation)s can follow this ticket.")
            % {"organisation": ticket.organisation.name},
            code="watcher.foreign_contact",
            field="contact",
        )
    if not contact.email:
        raise ValidationFailed(
            _("%(name)s has no e-mail address to send the updates to.") % {"name": contact.name},
            code="watcher.no_email",
            field="contact",
        )
    if contact.pk == ticket.requester_id:
        raise ValidationFailed(
            _("%(name)s asked for this ticket and gets its updates already.") % {"name": contact.name},
            code="watcher.is_requester",
            field="contact",
        )


def _name(user: User | None, contact: Contact | None) -> str:
    """How history rows name a follower: a colleague by username, a contact by name."""
    if user is not None:
        return user.username
    return contact.name if contact is not None else ""


def _record(*, ticket: Ticket, by: User, channel: str, action: HistoryAction, user: User | None, name: str) -> None:
    added = action == HistoryAction.WATCHER_ADDED
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=action,
        field=WATCHERS_FIELD,
        old="" if added else name,
        new=name if added else "",
        is_internal=user is not None,
    )


@transaction.atomic
def ticket_watch(
    *,
    ticket: Ticket,
    by: User,
    user: User | None = None,
    contact: Contact | None = None,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> TicketWatcher:
    """Make `user` (staff) or `contact` (customer) a follower of the ticket."""
    _target(user, contact)
    _check_allowed(ticket=ticket, by=by, user=user, contact=contact)
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    _check_candidate(ticket=ticket, user=user, contact=contact)
    rows = TicketWatcher.objects.filter(ticket=ticket)
    if rows.filter(user=user).exists() if user is not None else rows.filter(contact=contact).exists():
        raise Conflict(
            _("%(name)s follows this ticket already.") % {"name": _name(user, contact)},
            code="watcher.exists",
            field="user" if user is not None else "contact",
        )
    watcher = TicketWatcher.objects.create(ticket=ticket, user=user, contact=contact, added_by=by)
    _record(
        ticket=ticket, by=by, channel=channel, action=HistoryAction.WATCHER_ADDED, user=user, name=_name(user, contact)
    )
    save_ticket(ticket, [])
    return watcher


@transaction.atomic
def ticket_unwatch(
    *,
    ticket: Ticket,
    by: User,
    user: User | None = None,
    contact: Contact | None = None,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> None:
    """Remove the follower `user` or `contact` (any follower, also an inactive one, for staff)."""
    _target(user, contact)
    _check_allowed(ticket=ticket, by=by, user=user, contact=contact)
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    rows = TicketWatcher.objects.filter(ticket=ticket)
    deleted, _counts = (rows.filter(user=user) if user is not None else rows.filter(contact=contact)).delete()
    if not deleted:
        raise NotFound(
            _("%(name)s does not follow this ticket.") % {"name": _name(user, contact)}, code="watcher.not_found"
        )
    _record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=HistoryAction.WATCHER_REMOVED,
        user=user,
        name=_name(user, contact),
    )
    save_ticket(ticket, [])


def staff_mentioned_in(text: str, *, author: User) -> tuple[int, ...]:
    """The ids of the active colleagues an internal note by `author` mentions (mentions.py).
    Reads the staff's usernames only when the text has an @name at all; a lowercased name two
    accounts share is nobody's (it could page the wrong person)."""
    if not mention_candidates(text):
        return ()
    staff_ids: dict[str, int] = {}
    shared: set[str] = set()
    for username, pk in staff_users().values_list("username", "pk"):
        name = username.lower()
        if name in staff_ids:
            shared.add(name)
        staff_ids[name] = pk
    for name in shared:
        del staff_ids[name]
    return resolve_mentions(text, staff_ids=staff_ids, author_id=author.pk)


def watch_mentioned(*, ticket: Ticket, user_ids: Sequence[int], by: User, channel: str) -> None:
    """Inside the note's transaction (the ticket locked, saved by the caller): the mentioned
    colleagues who do not follow the ticket yet become followers, each with its history row."""
    following = set(TicketWatcher.objects.filter(ticket=ticket, user_id__in=user_ids).values_list("user_id", flat=True))
    new = [pk for pk in user_ids if pk not in following]
    if not new:
        return
    users = {user.pk: user for user in User.objects.filter(pk__in=new)}
    TicketWatcher.objects.bulk_create(
        [TicketWatcher(ticket=ticket, user_id=pk, added_by=by) for pk in new if pk in users]
    )
    for pk in new:
        if pk in users:
            _record(
                ticket=ticket,
                by=by,
                channel=channel,
                action=HistoryAction.WATCHER_ADDED,
                user=users[pk],
                name=users[pk].username,
            )
