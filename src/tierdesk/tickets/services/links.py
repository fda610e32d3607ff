"""Links between tickets and child tickets: link, unlink, create a child, move a ticket under a
parent or take it out. Staff only. Each change locks every ticket it touches in primary-key
order, checks the version of the ticket the caller acted on, and writes a history row on both
sides (internal: the other ticket may belong to another organisation). Resolving a parent
with open children is refused in transitions.py (`ticket_resolve`).

Child tickets go one level deep: a child has no children and a parent has no parent. That
keeps cycles impossible with checks on the two locked rows alone (no walk up a chain that a
concurrent move could change unseen), and "all children done" means all descendants done.

Error codes: link.invalid_kind, link.self, link.exists (409), link.contradicts,
link.one_original, link.not_found (404); ticket.parent_self, ticket.parent_nested,
ticket.parent_inactive, ticket.not_a_child."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from tierdesk.accounts.models import Contact, Organisation, User
from tierdesk.core.errors import Conflict, NotFound, ValidationFailed
from tierdesk.tickets import history
from tierdesk.tickets.choices import Channel, HistoryAction, Status
from tierdesk.tickets.choices_links import LinkKind, LinkRole, opposite_role, stored_as
from tierdesk.tickets.errors import TicketVersionConflict, TransitionNotAllowed
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import Category, Ticket, TicketLink
from tierdesk.tickets.rules import ACTIVE_STATUSES
from tierdesk.tickets.services.create import ticket_create
from tierdesk.tickets.services.transitions import require_staff, save_ticket

# The history rows' field for a change in a ticket's list of children.
CHILDREN_FIELD = "children"


def reference(ticket: Ticket | None) -> str:
    """How history rows name another ticket: "#12" (or "" for none)."""
    return f"#{ticket.number}" if ticket is not None else ""


def _lock_all(expected: Mapping[int, int | None]) -> dict[int, Ticket]:
    """Lock the tickets by id in primary-key order (two writers touching the same pair never
    wait on each other crosswise), each checked against its expected version (None: any)."""
    return {pk: lock_ticket(pk, expected_version=expected[pk]) for pk in sorted(expected)}


def _role(kind: str) -> LinkRole:
    try:
        return LinkRole(kind)
    except ValueError:
        raise ValidationFailed(
            _("%(value)r is not a kind of link; use one of: %(allowed)s.")
            % {"value": kind, "allowed": ", ".join(LinkRole.values)},
            code="link.invalid_kind",
            field="kind",
        ) from None


def _stored_ends(ticket: Ticket, other: Ticket, role: LinkRole) -> tuple[LinkKind, int, int]:
    """The stored kind and (from, to) ids of `ticket` <role> `other`; `related` from the lower id."""
    kind, is_reversed = stored_as(role)
    source, target = (other.pk, ticket.pk) if is_reversed else (ticket.pk, other.pk)
    if kind == LinkKind.RELATED and source > target:
        source, target = target, source
    return kind, source, target


def _record_link(
    *, action: HistoryAction, ticket: Ticket, other: Ticket, role: LinkRole, by: User, channel: str
) -> None:
    """One row on each ticket, each naming the link as that ticket sees it."""
    for side, seen_as, far in ((ticket, role, other), (other, opposite_role(role), ticket)):
        old, new = ("", reference(far)) if action == HistoryAction.LINKED else (reference(far), "")
        history.record(
            ticket=side, by=by, channel=channel, action=action, field=seen_as, old=old, new=new, is_internal=True
        )
        save_ticket(side, [])


@transaction.atomic
def ticket_link_add(
    *,
    ticket: Ticket,
    other: Ticket,
    kind: str,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> TicketLink:
    """Link `ticket` to `other`: "`ticket` is <kind> `other`", kind as seen from `ticket`
    (related, duplicate_of, duplicates, caused_by, caused). Tickets of different organisations
    may be linked (one cause at a provider, its effects at several customers); customers only
    ever see links to tickets they may see."""
    require_staff(by)
    role = _role(kind)
    if ticket.pk == other.pk:
        raise ValidationFailed(_("A ticket cannot be linked to itself."), code="link.self", field="number")
    locked = _lock_all({ticket.pk: expected_version, other.pk: None})
    ticket, other = locked[ticket.pk], locked[other.pk]
    stored, source, target = _stored_ends(ticket, other, role)
    if TicketLink.objects.filter(from_ticket_id=source, to_ticket_id=target, kind=stored).exists():
        raise Conflict(
            _("#%(number)s is linked that way already.") % {"number": other.number}, code="link.exists", field="number"
        )
    if (
        stored != LinkKind.RELATED
        and TicketLink.objects.filter(from_ticket_id=target, to_ticket_id=source, kind=stored).exists()
    ):
        raise ValidationFailed(
            _("The opposite link between #%(one)s and #%(other)s exists; remove it first.")
            % {"one": ticket.number, "other": other.number},
            code="link.contradicts",
            field="kind",
        )
    if stored == LinkKind.DUPLICATE_OF:
        original = TicketLink.objects.filter(from_ticket_id=source, kind=stored).select_related("to_ticket").first()
        if original is not None:
            raise ValidationFailed(
                _("#%(duplicate)s is a duplicate of #%(original)s already; remove that link first.")
                % {"duplicate": locked[source].number, "original": original.to_ticket.number},
                code="link.one_original",
                field="number",
            )
    link = TicketLink.objects.create(from_ticket_id=source, to_ticket_id=target, kind=stored, created_by=by)
    _record_link(action=HistoryAction.LINKED, ticket=ticket, other=other, role=role, by=by, channel=channel)
    return link


@transaction.atomic
def ticket_link_remove(
    *,
    ticket: Ticket,
    other: Ticket,
    kind: str,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> None:
    """Remove the link "`ticket` is <kind> `other`" (kind as seen from `ticket`, as listed on it)."""
    require_staff(by)
    role = _role(kind)
    locked = _lock_all({ticket.pk: expected_version, other.pk: None})
    ticket, other = locked[ticket.pk], locked[other.pk]
    stored, source, target = _stored_ends(ticket, other, role)
    deleted, _counts = TicketLink.objects.filter(from_ticket_id=source, to_ticket_id=target, kind=stored).delete()
    if not deleted:
        raise NotFound(
            _("#%(one)s and #%(other)s are not linked that way.") % {"one": ticket.number, "other": other.number},
            code="link.not_found",
        )
    _record_link(action=HistoryAction.UNLINKED, ticket=ticket, other=other, role=role, by=by, channel=channel)


# --- parents and children -------------------------------------------------------------------


def _check_parent_of(parent: Ticket, child: Ticket | None, *, child_is_active: bool) -> None:
    """May `parent` take a child (`child`, or a new one when None)? One level deep, and an
    active child only under an active parent (a resolved parent has no open children unless an
    agent said so when resolving it)."""
    if child is not None and child.pk == parent.pk:
        raise ValidationFailed(_("A ticket cannot be its own parent."), code="ticket.parent_self", field="number")
    if parent.parent_id is not None:
        raise ValidationFailed(
            _("#%(number)s is a child ticket itself: child tickets go one level deep.") % {"number": parent.number},
            code="ticket.parent_nested",
            field="number",
        )
    if child is not None and child.children.exists():
        raise ValidationFailed(
            _("#%(number)s has child tickets of its own: child tickets go one level deep.") % {"number": child.number},
            code="ticket.parent_nested",
            field="number",
        )
    if child_is_active and parent.status not in ACTIVE_STATUSES:
        raise TransitionNotAllowed(
            _("#%(number)s is %(status)s: reopen it before giving it open child tickets.")
            % {"number": parent.number, "status": Status(parent.status).label},
            code="ticket.parent_inactive",
        )


def _move(*, child: Ticket, old: Ticket | None, new: Ticket | None, by: User, channel: str) -> Ticket:
    """Put the locked `child` under `new` (None: no parent), out of `old`; history on all three."""
    child.parent = new
    history.record(
        ticket=child,
        by=by,
        channel=channel,
        action=HistoryAction.CHANGED,
        field="parent",
        old=reference(old),
        new=reference(new),
        is_internal=True,
    )
    save_ticket(child, ["parent"])
    for parent, action in ((old, HistoryAction.CHILD_REMOVED), (new, HistoryAction.CHILD_ADDED)):
        if parent is None:
            continue
        removed = action == HistoryAction.CHILD_REMOVED
        history.record(
            ticket=parent,
            by=by,
            channel=channel,
            action=action,
            field=CHILDREN_FIELD,
            old=reference(child) if removed else "",
            new="" if removed else reference(child),
            is_internal=True,
        )
        save_ticket(parent, [])
    return child


@transaction.atomic
def ticket_set_parent(
    *,
    ticket: Ticket,
    parent: Ticket | None,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> Ticket:
    """Make `ticket` a child of `parent` (moving it from a parent it had), or, with None, take it
    out of its parent. `expected_version` is the child's. Any organisation's ticket may be a
    child of any other's (a provider-wide outage): staff see both, customers only what is theirs."""
    require_staff(by)
    if parent is not None and parent.pk == ticket.pk:
        raise ValidationFailed(_("A ticket cannot be its own parent."), code="ticket.parent_self", field="number")
    old_parent_id = Ticket.objects.filter(pk=ticket.pk).values_list("parent_id", flat=True).first()
    expected: dict[int, int | None] = {ticket.pk: expected_version}
    for other_id in (old_parent_id, parent.pk if parent is not None else None):
        if other_id is not None:
            expected.setdefault(other_id, None)
    locked = _lock_all(expected)
    child = locked[ticket.pk]
    if child.parent_id != old_parent_id:
        # Moved by someone else between the read and the lock: the old parent is not locked.
        raise TicketVersionConflict(
            _("Ticket %(number)s was moved by someone else meanwhile. Reload it and try again.")
            % {"number": child.number}
        )
    new = locked[parent.pk] if parent is not None else None
    if child.parent_id == (new.pk if new is not None else None):
        return child
    if new is not None:
        _check_parent_of(new, child, child_is_active=child.status in ACTIVE_STATUSES)
    old = locked[old_parent_id] if old_parent_id is not None else None
    return _move(child=child, old=old, new=new, by=by, channel=channel)


@transaction.atomic
def ticket_detach_child(
    *,
    ticket: Ticket,
    child: Ticket,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> Ticket:
    """From the parent's side: take `child` out of `ticket`. `expected_version` is the parent's.
    The child stays as it is otherwise, a ticket of its own."""
    require_staff(by)
    locked = _lock_all({ticket.pk: expected_version} | ({child.pk: None} if child.pk != ticket.pk else {}))
    if child.pk == ticket.pk or locked[child.pk].parent_id != ticket.pk:
        raise ValidationFailed(
            _("#%(child)s is not a child of #%(parent)s.") % {"child": child.number, "parent": ticket.number},
            code="ticket.not_a_child",
            field="child",
        )
    _move(child=locked[child.pk], old=locked[ticket.pk], new=None, by=by, channel=channel)
    return locked[ticket.pk]


@transaction.atomic
def ticket_child_create(
    *,
    parent: Ticket,
    by: User,
    subject: str,
    description: str = "",
    organisation: Organisation | None = None,
    requester: Contact | None = None,
    category: Category | None = None,
    urgency: str | None = None,
    impact: str | None = None,
    tags: Iterable[str] = (),
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> Ticket:
    """Open a new ticket under `parent` (`expected_version` is the parent's) through
    `ticket_create`, so it has its number, SLA clock, history and creation mail like any other.

    Unless given, it takes the parent's organisation, category, urgency and impact, and the
    parent's requester when that contact belongs to the child's organisation."""
    require_staff(by)
    locked = lock_ticket(parent.pk, expected_version=expected_version)
    _check_parent_of(locked, None, child_is_active=True)
    if organisation is None:
        organisation = requester.organisation if requester is not None else locked.organisation
    if requester is None and locked.requester is not None and locked.requester.organisation_id == organisation.pk:
        requester = locked.requester
    child = ticket_create(
        by=by,
        subject=subject,
        description=description,
        organisation=organisation,
        requester=requester,
        channel=channel,
        urgency=urgency or locked.urgency,
        impact=impact or locked.impact,
        category=category if category is not None else locked.category,
        tags=tags,
    )
    # Part of the creation: the new ticket keeps version 1; its history says where it belongs.
    child.parent = locked
    child.save(update_fields=["parent"])
    history.record(
        ticket=child,
        by=by,
        channel=channel,
        action=HistoryAction.CHANGED,
        field="parent",
        new=reference(locked),
        is_internal=True,
    )
    history.record(
        ticket=locked,
        by=by,
        channel=channel,
        action=HistoryAction.CHILD_ADDED,
        field=CHILDREN_FIELD,
        new=reference(child),
        is_internal=True,
    )
    save_ticket(locked, [])
    return child
