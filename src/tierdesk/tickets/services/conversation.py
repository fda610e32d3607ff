"""What people add to a ticket: public replies, internal notes, attachments, time entries.

A customer's reply to a waiting or resolved ticket moves it back to open; the first public reply
by staff meets the SLA's first-response deadline. An internal note's @mentions make the named
colleagues followers and tell them (StaffMentioned); a public reply's @names mean nothing, so
that nobody outside the desk can page staff by name."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.core.errors import ValidationFailed
from tierdesk.core.events import publish
from tierdesk.tickets import history, sla_clock
from tierdesk.tickets.choices import Channel, HistoryAction, Status
from tierdesk.tickets.errors import AttachmentTooLarge, InvalidTimeEntry, TicketActionForbidden, TransitionNotAllowed
from tierdesk.tickets.events import StaffMentioned, TicketPublicReplyAdded
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import Attachment, Comment, Ticket, TimeEntry
from tierdesk.tickets.permissions import can_act_as_customer, can_work_tickets
from tierdesk.tickets.services.reply_conflict import lock_for_reply
from tierdesk.tickets.services.transitions import open_if_new, require_staff, save_ticket, set_status
from tierdesk.tickets.services.watchers import staff_mentioned_in, watch_mentioned

MAX_COMMENT_LENGTH = 100_000
MAX_MINUTES_PER_ENTRY = 24 * 60


@transaction.atomic
def ticket_comment_add(
    *,
    ticket: Ticket,
    body: str,
    by: User,
    is_internal: bool = False,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
    seen_comment_id: int | None = None,
    confirm_despite_newer: bool = False,
) -> Comment:
    """Add a public reply or (staff only) an internal note.

    With `seen_comment_id` (the newest public reply the author saw), a public reply is refused
    with ReplyConflict when a newer one arrived meanwhile, unless `confirm_despite_newer`."""
    is_agent = can_work_tickets(by)
    if not is_agent and not can_act_as_customer(by, ticket):
        raise TicketActionForbidden(_("You may not reply to this ticket."))
    if is_internal and not is_agent:
        raise TicketActionForbidden(_("Only agents may add internal notes."))
    text = body.strip()
    if not text:
        raise ValidationFailed(_("The reply is empty."), code="comment.empty", field="body")
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationFailed(_("The reply is too long."), code="comment.too_long", field="body")
    ticket = lock_for_reply(
        ticket_id=ticket.pk,
        by=by,
        expected_version=expected_version,
        seen_comment_id=None if is_internal else seen_comment_id,
        confirm_despite_newer=confirm_despite_newer,
    )
    fields: list[str] = []
    if is_agent:
        if not is_internal:
            fields += open_if_new(ticket, by=by, channel=channel)
            now = timezone.now()
            fields += sla_clock.mark_first_response(ticket, now)
            fields += sla_clock.mark_public_update(ticket, now)  # the next update is owed from here
    else:
        if ticket.status == Status.CLOSED:
            raise TransitionNotAllowed(_("This ticket is closed; please open a new one."), code="ticket.closed")
        if ticket.status in (Status.WAITING, Status.RESOLVED):
            action = HistoryAction.REOPENED if ticket.status == Status.RESOLVED else HistoryAction.CHANGED
            fields += set_status(ticket, to=Status.OPEN, by=by, channel=channel, action=action, note=text[:500])
    comment = Comment.objects.create(ticket=ticket, author=by, body=text, is_internal=is_internal, channel=channel)
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=HistoryAction.NOTE_ADDED if is_internal else HistoryAction.COMMENTED,
        new=comment.pk,
        is_internal=is_internal,
    )
    mentioned = staff_mentioned_in(text, author=by) if is_internal else ()
    watch_mentioned(ticket=ticket, user_ids=mentioned, by=by, channel=channel)
    save_ticket(ticket, fields)
    if not is_internal:
        publish(TicketPublicReplyAdded(ticket_id=ticket.pk, comment_id=comment.pk, by_id=by.pk, channel=channel))
    if mentioned:
        publish(StaffMentioned(ticket_id=ticket.pk, comment_id=comment.pk, user_ids=mentioned))
    return comment


def clean_filename(name: str) -> str:
    """The last path component, without control characters, at most 255 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '\\/:*?"<>|').strip(" .")
    return (base or "attachment")[-255:]


@transaction.atomic
def ticket_attachment_add(
    *,
    ticket: Ticket,
    upload: UploadedFile,
    by: User,
    comment: Comment | None = None,
    is_internal: bool = False,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> Attachment:
    is_agent = can_work_tickets(by)
    if not is_agent and not can_act_as_customer(by, ticket):
        raise TicketActionForbidden(_("You may not add files to this ticket."))
    if is_internal and not is_agent:
        raise TicketActionForbidden(_("Only agents may add internal files."))
    limit = settings.TIERDESK_MAX_ATTACHMENT_BYTES
    if upload.size is None or upload.size > limit:
        raise AttachmentTooLarge(
            _("Files may be at most %(size)d MiB.") % {"size": limit // (1024 * 1024)}, field="file"
        )
    if upload.size == 0:
        raise ValidationFailed(_("The file is empty."), code="attachment.empty", field="file")
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    filename = clean_filename(upload.name or "")
    # Stored type is our guess from the cleaned name; downloads are always served as attachments.
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    attachment = Attachment(
        ticket=ticket,
        comment=comment,
        filename=filename,
        content_type=content_type,
        size=upload.size,
        is_internal=is_internal,
        uploaded_by=by,
    )
    attachment.file.save(filename, upload, save=False)
    attachment.save()
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=HistoryAction.ATTACHMENT_ADDED,
        new=filename,
        is_internal=is_internal,
    )
    save_ticket(ticket, [])
    return attachment


@transaction.atomic
def ticket_time_log(
    *,
    ticket: Ticket,
    minutes: int,
    by: User,
    note: str = "",
    is_billable: bool = True,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> TimeEntry:
    require_staff(by)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0 or minutes > MAX_MINUTES_PER_ENTRY:
        raise InvalidTimeEntry(
            _("Minutes must be between 1 and %(max)d.") % {"max": MAX_MINUTES_PER_ENTRY}, field="minutes"
        )
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    entry = TimeEntry.objects.create(
        ticket=ticket, user=by, minutes=minutes, note=note.strip()[:500], is_billable=is_billable
    )
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=HistoryAction.TIME_LOGGED,
        field="minutes",
        new=minutes,
        note=entry.note,
        is_internal=True,
    )
    save_ticket(ticket, [])
    return entry
