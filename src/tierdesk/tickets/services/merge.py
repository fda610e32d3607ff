"""Merging duplicate tickets into one, and splitting a comment off into a ticket of its own.

A merge moves the whole conversation of the merged ticket (the "source") into the ticket it is
merged into (the "target"): comments and their attachments, time entries, checklist items,
followers, tags, links, child tickets, second-level requests and appointments. The source stays as a
closed husk with `merged_into` pointing at the target: its history stays where it was written
(history is append-only) and the target's history view includes it (selectors.history_for), and its
number keeps leading to the target (selectors.ticket_get_for, the mail threading). The requester
of the source follows the target from then on, so they still see and hear of their case.

Merging shares one conversation between the requesters of both tickets, which is why it is only
allowed within one organisation. Every ticket involved is locked in primary-key order.

Error codes: ticket.merge_self, ticket.merge_merged, ticket.merge_target_closed,
ticket.merge_other_organisation, ticket.merge_nested, ticket.split_not_on_ticket,
ticket.split_merged."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.models import Contact, User
from tierdesk.accounts.permissions import contact_of
from tierdesk.core.errors import ValidationFailed
from tierdesk.core.events import publish
from tierdesk.tickets import history
from tierdesk.tickets.choices import Channel, HistoryAction, Status
from tierdesk.tickets.choices_links import LinkKind
from tierdesk.tickets.errors import TransitionNotAllowed
from tierdesk.tickets.events import TicketMerged
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import (
    Appointment,
    Attachment,
    ChecklistItem,
    Comment,
    RuleTimer,
    SecondLevelRequest,
    Ticket,
    TicketLink,
    TicketWatcher,
    TimeEntry,
)
from tierdesk.tickets.services.create import ticket_create
from tierdesk.tickets.services.links import reference
from tierdesk.tickets.services.transitions import require_staff, save_ticket

# The history rows' field for the merge pointer and for a split-off comment.
MERGED_INTO_FIELD = "merged_into"
SPLIT_FIELD = "comment"
SPLIT_SUBJECT_LENGTH = 120


class MergeNotAllowed(ValidationFailed):
    code = "ticket.merge_not_allowed"


def _refuse(message: str, code: str) -> MergeNotAllowed:
    return MergeNotAllowed(message, code=code, field="target")


def _check_merge(source: Ticket, target: Ticket) -> None:
    for ticket in (source, target):
        if ticket.merged_into_id is not None:
            raise _refuse(
                _("#%(number)s was merged into another ticket already.") % {"number": ticket.number},
                "ticket.merge_merged",
            )
    if target.status == Status.CLOSED:
        raise _refuse(
            _("#%(number)s is closed; reopen it or merge the other way round.") % {"number": target.number},
            "ticket.merge_target_closed",
        )
    if source.organisation_id != target.organisation_id:
        raise _refuse(
            _("Only tickets of the same organisation can be merged: both requesters would see the conversation."),
            "ticket.merge_other_organisation",
        )
    source_has_children = Ticket.objects.filter(parent_id=source.pk).exclude(pk=target.pk).exists()
    if source_has_children and target.parent_id is not None and target.parent_id != source.pk:
        raise _refuse(
            _("#%(source)s has child tickets and #%(target)s is a child itself; child tickets go one level deep.")
            % {"source": source.number, "target": target.number},
            "ticket.merge_nested",
        )


def _move_conversation(source: Ticket, target: Ticket) -> None:
    """Comments, attachments, time and checklist items change ticket, keeping author and time."""
    Comment.objects.filter(ticket_id=source.pk).update(ticket_id=target.pk)
    Attachment.objects.filter(ticket_id=source.pk).update(ticket_id=target.pk)
    TimeEntry.objects.filter(ticket_id=source.pk).update(ticket_id=target.pk)
    SecondLevelRequest.objects.filter(ticket_id=source.pk).update(ticket_id=target.pk)
    Appointment.objects.filter(ticket_id=source.pk).update(ticket_id=target.pk)
    # The source's checklist goes after the target's, in its own order.
    offset = (ChecklistItem.objects.filter(ticket_id=target.pk).aggregate(top=Max("position"))["top"] or 0) + 1
    ChecklistItem.objects.filter(ticket_id=source.pk).update(ticket_id=target.pk, position=F("position") + offset)


def _move_followers(source: Ticket, target: Ticket, by: User) -> None:
    """The source's followers, and its requester, follow the target (each once)."""
    rows = [
        TicketWatcher(ticket_id=target.pk, user_id=w.user_id, contact_id=w.contact_id, added_by_id=w.added_by_id)
        for w in TicketWatcher.objects.filter(ticket_id=source.pk)
    ]
    if source.requester_id is not None and source.requester_id != target.requester_id:
        rows.append(TicketWatcher(ticket_id=target.pk, contact_id=source.requester_id, added_by=by))
    TicketWatcher.objects.bulk_create(rows, ignore_conflicts=True)
    TicketWatcher.objects.filter(ticket_id=source.pk).delete()
    target.tags.add(*source.tags.all())


def _move_links(source: Ticket, target: Ticket) -> None:
    """Links of the source become links of the target. A link between the two goes; one the
    target holds already, or one it cannot hold (a second original), is dropped: the source's
    history still shows it."""
    links = list(TicketLink.objects.filter(Q(from_ticket_id=source.pk) | Q(to_ticket_id=source.pk)))
    TicketLink.objects.filter(pk__in=[link.pk for link in links]).delete()
    # Every moved link has the target at one end: its links are all a moved one can collide with.
    held = set(
        TicketLink.objects.filter(Q(from_ticket_id=target.pk) | Q(to_ticket_id=target.pk)).values_list(
            "from_ticket_id", "to_ticket_id", "kind"
        )
    )
    moved: list[TicketLink] = []
    for link in links:
        ends = [target.pk if end == source.pk else end for end in (link.from_ticket_id, link.to_ticket_id)]
        if ends[0] == ends[1]:
            continue
        if link.kind == LinkKind.RELATED:
            ends.sort()
        elif (ends[1], ends[0], link.kind) in held:
            continue  # the opposite link exists: keeping both would contradict
        moved.append(
            TicketLink(from_ticket_id=ends[0], to_ticket_id=ends[1], kind=link.kind, created_by_id=link.created_by_id)
        )
    # Unique pairs and "one original per duplicate" are unique constraints: conflicts are skipped.
    TicketLink.objects.bulk_create(moved, ignore_conflicts=True)


def _move_children(source: Ticket, target: Ticket) -> list[str]:
    """Children of the source go under the target; returns the target's fields to save."""
    Ticket.objects.filter(parent_id=source.pk).exclude(pk=target.pk).update(parent_id=target.pk)
    if target.parent_id == source.pk:
        target.parent = None
        return ["parent"]
    return []


def _close_as_merged(source: Ticket, target: Ticket) -> list[str]:
    now = timezone.now()
    source.merged_into = target
    source.merged_at = now
    source.status = Status.CLOSED
    source.closed_at = source.closed_at or now
    source.status_changed_at = now
    source.paused_at = None
    source.waiting_on = ""
    source.sla_version += 1  # any SLA check planned for the source finds the plan changed
    RuleTimer.objects.filter(ticket_id=source.pk).delete()
    # Tickets merged into the source earlier now point at the target: one hop, always.
    Ticket.objects.filter(merged_into_id=source.pk).update(merged_into_id=target.pk)
    return [
        *("merged_into", "merged_at", "status", "closed_at", "status_changed_at"),
        *("paused_at", "waiting_on", "sla_version"),
    ]


@transaction.atomic
def ticket_merge(
    *,
    source: Ticket,
    target: Ticket,
    by: User,
    note: str = "",
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> Ticket:
    """Merge `source` into `target` (`expected_version` is the source's) and return the target."""
    require_staff(by)
    if source.pk == target.pk:
        raise _refuse(_("A ticket cannot be merged into itself."), "ticket.merge_self")
    locked = {
        pk: lock_ticket(pk, expected_version=expected_version if pk == source.pk else None)
        for pk in sorted((source.pk, target.pk))
    }
    source, target = locked[source.pk], locked[target.pk]
    _check_merge(source, target)
    _move_conversation(source, target)
    _move_followers(source, target, by)
    _move_links(source, target)
    target_fields = _move_children(source, target)
    source_fields = _close_as_merged(source, target)

    note = note.strip()
    history.record(
        ticket=source,
        by=by,
        channel=channel,
        action=HistoryAction.MERGED,
        field=MERGED_INTO_FIELD,
        new=reference(target),
        note=note,
    )
    history.record(
        ticket=target, by=by, channel=channel, action=HistoryAction.MERGED_FROM, new=reference(source), note=note
    )
    save_ticket(source, source_fields)
    save_ticket(target, target_fields)
    publish(TicketMerged(source_id=source.pk, target_id=target.pk, by_id=by.pk))
    return target


def _split_requester(ticket: Ticket, comment: Comment) -> Contact | None:
    """Who asks in the new ticket: the comment's author when a contact of the ticket's
    organisation wrote it, otherwise the ticket's requester."""
    author_contact = contact_of(comment.author) if comment.author is not None else None
    if author_contact is not None and author_contact.organisation_id == ticket.organisation_id:
        return author_contact
    return ticket.requester


def _split_subject(comment: Comment, subject: str) -> str:
    subject = subject.strip()
    if subject:
        return subject
    first_line = next((line.strip() for line in comment.body.splitlines() if line.strip()), "")
    return first_line[:SPLIT_SUBJECT_LENGTH] or _("Split off from a comment")


@transaction.atomic
def ticket_split_comment(
    *,
    ticket: Ticket,
    comment_id: int,
    by: User,
    subject: str = "",
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> Ticket:
    """Move one comment (with its attachments) of `ticket` into a new ticket of the same
    organisation, category, urgency and impact, linked to it as related; returns the new ticket.
    Its subject is `subject`, or the comment's first line."""
    require_staff(by)
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    if ticket.merged_into_id is not None:
        raise TransitionNotAllowed(
            _("#%(number)s was merged into another ticket; split the comment there.") % {"number": ticket.number},
            code="ticket.split_merged",
        )
    comment = Comment.objects.select_related("author").filter(pk=comment_id, ticket_id=ticket.pk).first()
    if comment is None:
        raise ValidationFailed(
            _("That comment is not on #%(number)s.") % {"number": ticket.number},
            code="ticket.split_not_on_ticket",
            field="comment",
        )
    new = ticket_create(
        by=by,
        subject=_split_subject(comment, subject),
        organisation=ticket.organisation,
        requester=_split_requester(ticket, comment),
        channel=channel,
        urgency=ticket.urgency,
        impact=ticket.impact,
        category=ticket.category,
    )
    Comment.objects.filter(pk=comment.pk).update(ticket_id=new.pk)
    Attachment.objects.filter(comment_id=comment.pk).update(ticket_id=new.pk)
    source, target = sorted((ticket.pk, new.pk))
    TicketLink.objects.create(from_ticket_id=source, to_ticket_id=target, kind=LinkKind.RELATED, created_by=by)
    history.record(
        ticket=ticket, by=by, channel=channel, action=HistoryAction.SPLIT_OFF, field=SPLIT_FIELD, new=reference(new)
    )
    history.record(ticket=new, by=by, channel=channel, action=HistoryAction.SPLIT_FROM, new=reference(ticket))
    save_ticket(ticket, [])
    return new
