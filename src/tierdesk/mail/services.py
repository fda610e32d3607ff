"""Customer notifications: one e-mail to the ticket's requester per ticket event, in their
language, through Django's configured e-mail backend. Staff alerts (rules, @mentions) and the
updates for a ticket's followers (contacts in copy, colleagues) go the same way, one mail and
one NotificationLog key per event and person.

It owns who gets a mail (or why not), what it says and the once-only guard (NotificationLog,
with a lease that lets a rerun send what a killed run had claimed).
It never changes tickets and never shows internal notes."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tierdesk.accounts.models import Contact, User
from tierdesk.core.addresses import absolute_url, mail_domain
from tierdesk.mail.models import NotificationKind, NotificationLog, NotificationState
from tierdesk.tickets.addresses import desk_ticket_url
from tierdesk.tickets.choices import Level, Priority, Status
from tierdesk.tickets.confirmation import confirmation_token
from tierdesk.tickets.models import Comment, Ticket, TicketWatcher
from tierdesk.tickets.permissions import can_act_as_customer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

# Every character that str.splitlines() breaks on: any of them could end a header line in some
# mail software, so none may reach a header.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def header_safe(text: str) -> str:
    """`text` on one line: line breaks and other control characters become spaces, runs of
    whitespace collapse. Django raises BadHeaderError on CR/LF; we never let it get that far."""
    cleaned = "".join(" " if ch in LINE_BREAKS or unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(cleaned.split())


def notification_subject(ticket: Ticket) -> str:
    """`[TD#100042] Printer is offline`: the tag lets replies find their ticket."""
    return f"[{settings.TIERDESK_TICKET_PREFIX}#{ticket.number}] {header_safe(ticket.subject)}"


def portal_ticket_url(ticket: Ticket) -> str:
    """Absolute link to the customer's ticket page. Built from a setting, not reverse(): the
    portal sits above this app, and a mail needs scheme and host that a task has no request for."""
    return absolute_url(f"/portal/tickets/{ticket.number}/")


def confirmation_url(ticket: Ticket) -> str:
    """The signed link that confirms or reopens this resolution without signing in."""
    return absolute_url(f"/portal/answer/{confirmation_token(ticket)}/")


class Recipient(Protocol):
    """Whom a mail goes to: a customer contact, or a staff member (StaffRecipient)."""

    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def language(self) -> str: ...


@dataclass(frozen=True)
class StaffRecipient:
    name: str
    email: str
    language: str


def _language_of(contact: Recipient) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    return contact.language if contact.language in available else settings.LANGUAGE_CODE


def _recipient(ticket: Ticket, *, author_id: int | None, event_key: str) -> Contact | None:
    """The requester if they should get this mail, else None with a log line saying why.

    `author_id` is the user who caused the event; nobody is told about their own action."""
    contact = ticket.requester
    reason = ""
    if contact is None:
        reason = "the ticket has no requester"
    elif not contact.is_active:
        reason = "the requester is inactive"
    elif not contact.email:
        reason = "the requester has no e-mail address"
    elif author_id is not None and contact.user_id == author_id:
        reason = "the requester caused the event"
    else:
        try:
            validate_email(contact.email)
        except ValidationError:
            reason = "the requester's e-mail address is invalid"
    if reason:
        logger.info("ticket %s, %s: no customer mail because %s", ticket.number, event_key, reason)
        return None
    return contact


class NotificationBeingSent(Exception):
    """Another run holds this mail's claim (it may be sending right now): try again at `retry_at`,
    when a claim still held then has outlived its lease and may be taken over."""

    def __init__(self, *, ticket: Ticket, event_key: str, retry_at: datetime) -> None:
        super().__init__(f"ticket {ticket.number}, {event_key}: another run is sending the customer mail")
        self.retry_at = retry_at


def _lease() -> timedelta:
    return timedelta(seconds=settings.TIERDESK_NOTIFICATION_LEASE_SECONDS)


def _claim(
    *,
    ticket: Ticket,
    contact: Recipient,
    kind: NotificationKind,
    event_key: str,
    language: str,
    subject: str,
    message_id: str,
) -> NotificationLog | None:
    """Take the right to send this event's mail, or None when it was sent already. Raises
    NotificationBeingSent while another run's claim is younger than the lease.

    A claim older than the lease belongs to a run that died between claim and "sent" (a killed
    worker, whose task is run again): it is taken over, and the mail goes out under the Message-ID
    of the first claim, so the rare duplicate (the run died after the SMTP server took the mail)
    can be recognised by the receiving side. Each step is its own short write: the network send
    that follows holds no database lock (on SQLite a held write lock would stall every writer for
    as long as the SMTP server talks). docs/adr/0004-notifications-sent-once.md"""
    now = timezone.now()
    fields = {"kind": kind, "recipient": contact.email, "language": language, "subject": subject}
    try:
        with transaction.atomic():
            return NotificationLog.objects.create(
                ticket=ticket, event_key=event_key, message_id=message_id, claimed_at=now, **fields
            )
    except IntegrityError:
        pass
    # The conditional updates let one run win when several try at once.
    rows = NotificationLog.objects.filter(ticket=ticket, event_key=event_key)
    retake = {"state": NotificationState.SENDING, "error": "", "claimed_at": now, **fields}
    if rows.filter(state=NotificationState.FAILED).update(**retake):
        # A failed earlier attempt is retried.
        return rows.get()
    if rows.filter(state=NotificationState.SENDING, claimed_at__lt=now - _lease()).update(**retake):
        logger.warning(
            "ticket %s, %s: customer mail claimed but not sent within the lease; sending it again",
            ticket.number,
            event_key,
        )
        return rows.get()
    log = rows.get()
    if log.state == NotificationState.SENT:
        logger.info("ticket %s, %s: customer mail was sent already", ticket.number, event_key)
        return None
    # SENDING under a live lease (or FAILED just now by its holder): not ours to send yet.
    raise NotificationBeingSent(ticket=ticket, event_key=event_key, retry_at=max(now, log.claimed_at + _lease()))


def _send(
    *,
    ticket: Ticket,
    contact: Recipient,
    kind: NotificationKind,
    event_key: str,
    template: str,
    context: dict[str, object],
) -> NotificationLog | None:
    """Render `template` in the contact's language and send it, once per event key (see `_claim`).

    A failed send marks the row FAILED and re-raises, so the task fails and a retry may send.
    Raises NotificationBeingSent while another run's claim on this mail is within its lease."""
    language = _language_of(contact)
    with translation.override(language):
        # Lazy labels and the template's strings are translated here, in the contact's language.
        body = render_to_string(
            template,
            {
                **context,
                "contact_name": contact.name,
                "reference": ticket.reference,
                "portal_url": portal_ticket_url(ticket),
            },
        )
        content_language = translation.get_language() or language
    subject = notification_subject(ticket)
    domain = mail_domain()  # the domain the threading of replies trusts
    log = _claim(
        ticket=ticket,
        contact=contact,
        kind=kind,
        event_key=event_key,
        language=content_language,
        subject=subject,
        message_id=make_msgid(idstring=f"ticket.{ticket.number}", domain=domain),
    )
    if log is None:
        return None
    message = EmailMessage(
        subject=subject,
        body=body.strip() + "\n",
        to=[formataddr((header_safe(contact.name), contact.email))],
        headers=notification_headers(log=log, ticket=ticket, domain=domain, language=content_language),
    )
    deliver(log, message)
    logger.info("ticket %s, %s: customer mail sent", ticket.number, event_key)
    return log


def notification_headers(*, log: NotificationLog, ticket: Ticket, domain: str, language: str) -> dict[str, str]:
    """The headers every notification about a ticket carries."""
    return {
        # The first claim's id, also when a run that died is taken over (see `_claim`).
        "Message-ID": log.message_id,
        # Every notification of a ticket points at one root id, so mail clients thread them.
        "References": f"<ticket.{ticket.number}@{domain}>",
        # RFC 3834: this is machine-made; well-behaved autoresponders stay quiet...
        "Auto-Submitted": "auto-generated",
        # ...and Exchange needs its own header to skip out-of-office replies.
        "X-Auto-Response-Suppress": "All",
        "Content-Language": language,
    }


def deliver(log: NotificationLog, message: EmailMessage) -> NotificationLog:
    """Send `message` under the claim `log` and record the outcome. A failed send marks the row
    FAILED and re-raises, so the task fails and a retry may send."""
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        # Only while the claim is still ours: a run that took over after our lease ran out owns it.
        NotificationLog.objects.filter(pk=log.pk, claimed_at=log.claimed_at).update(
            state=NotificationState.FAILED, error=repr(exc)[:500]
        )
        raise
    log.state, log.sent_at = NotificationState.SENT, timezone.now()
    log.save(update_fields=["state", "sent_at"])
    return log


def _ticket(ticket_id: int) -> Ticket | None:
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None:
        logger.warning("ticket id %s is gone: no customer mail", ticket_id)
    return ticket


def notification_send_ticket_created(*, ticket_id: int) -> NotificationLog | None:
    """The acknowledgement with the ticket number, whoever opened the ticket (the customer
    in the portal, or staff on the customer's behalf)."""
    ticket = _ticket(ticket_id)
    if ticket is None:
        return None
    event_key = "created"
    contact = _recipient(ticket, author_id=None, event_key=event_key)
    if contact is None:
        return None
    return _send(
        ticket=ticket,
        contact=contact,
        kind=NotificationKind.TICKET_CREATED,
        event_key=event_key,
        template="mail/ticket_created.txt",
        context={"subject": ticket.subject},
    )


def _status_label(value: str) -> StrOrPromise:
    """The lazy label, so that it renders in the contact's language, which is active at
    render time, not now."""
    try:
        return Status(value).label
    except ValueError:
        return value


def notification_send_status_changed(
    *, ticket_id: int, old: str, new: str, by_id: int | None, delivery_id: str
) -> NotificationLog | None:
    """`old` -> `new` in words; a resolution also carries its text and asks the customer to
    confirm or reopen. `delivery_id` names this one event (a ticket may pass the same
    transition many times), so a rerun of the same task is recognised."""
    ticket = _ticket(ticket_id)
    if ticket is None:
        return None
    event_key = f"status:{old}>{new}:{delivery_id}"[:100]
    contact = _recipient(ticket, author_id=by_id, event_key=event_key)
    if contact is None:
        return None
    if new == Status.RESOLVED:
        template = "mail/ticket_resolved.txt"
        # The one-click answer works only while this resolution stands; if the ticket moved on
        # before the worker got here, the mail goes without it.
        answer_url = confirmation_url(ticket) if ticket.status == Status.RESOLVED else ""
        context: dict[str, object] = {"resolution": ticket.resolution, "answer_url": answer_url}
    else:
        template = "mail/status_changed.txt"
        context = {"old_status": _status_label(old), "new_status": _status_label(new)}
    return _send(
        ticket=ticket,
        contact=contact,
        kind=NotificationKind.STATUS_CHANGED,
        event_key=event_key,
        template=template,
        context=context,
    )


def notification_send_public_reply(*, comment_id: int) -> NotificationLog | None:
    """The reply's text and its author's name. Internal notes never leave the desk."""
    comment = Comment.objects.select_related("ticket__requester", "author").filter(pk=comment_id).first()
    if comment is None:
        logger.warning("comment id %s is gone: no customer mail", comment_id)
        return None
    event_key = f"reply:{comment.pk}"
    if comment.is_internal:
        logger.info("ticket %s, %s: internal note, no customer mail", comment.ticket.number, event_key)
        return None
    contact = _recipient(comment.ticket, author_id=comment.author_id, event_key=event_key)
    if contact is None:
        return None
    return _send(
        ticket=comment.ticket,
        contact=contact,
        kind=NotificationKind.PUBLIC_REPLY,
        event_key=event_key,
        template="mail/public_reply.txt",
        context={
            "reply_text": comment.body,
            "author_name": comment.author.display_name if comment.author is not None else None,
        },
    )


def _staff_recipient(user: User | None) -> StaffRecipient | None:
    """Whom a staff mail goes to: an active staff member with an address, else None."""
    if user is None or not user.is_staff_member or not user.email:
        return None
    return StaffRecipient(name=user.display_name, email=user.email, language=user.language)


def notification_send_rule_alert(
    *, ticket_id: int, firing_id: int, user_id: int, rule_name: str, message: str
) -> NotificationLog | None:
    """A rule's alert to one staff member (e.g. the case manager of a P1 nobody answered), in
    their language, once per firing and person."""
    ticket = _ticket(ticket_id)
    recipient = _staff_recipient(User.objects.filter(pk=user_id).first())
    event_key = f"rule:{firing_id}:user:{user_id}"
    if ticket is None or recipient is None:
        logger.info("ticket %s, %s: no alert (recipient gone, not staff or without e-mail)", ticket_id, event_key)
        return None
    return _send(
        ticket=ticket,
        contact=recipient,
        kind=NotificationKind.RULE_ALERT,
        event_key=event_key,
        template="mail/rule_alert.txt",
        context={
            "rule_name": rule_name,
            "message": message,
            "subject": ticket.subject,
            "organisation": ticket.organisation.name,
            "priority": Priority(ticket.priority).label,
            "status": _status_label(ticket.status),
            "level": Level(ticket.level).label,
            "desk_url": desk_ticket_url(ticket),
        },
    )


def notification_send_close_reminder(*, ticket_id: int, firing_id: int) -> NotificationLog | None:
    """Remind the requester that a resolved ticket closes soon unless they answer; nothing when
    the ticket is no longer resolved by the time the worker gets here."""
    ticket = _ticket(ticket_id)
    if ticket is None:
        return None
    event_key = f"reminder:{firing_id}"
    if ticket.status != Status.RESOLVED or ticket.resolved_at is None:
        logger.info("ticket %s, %s: no reminder, the ticket is %s", ticket.number, event_key, ticket.status)
        return None
    contact = _recipient(ticket, author_id=None, event_key=event_key)
    if contact is None:
        return None
    return _send(
        ticket=ticket,
        contact=contact,
        kind=NotificationKind.CLOSE_REMINDER,
        event_key=event_key,
        template="mail/close_reminder.txt",
        context={
            "resolution": ticket.resolution,
            "resolved_on": timezone.localtime(ticket.resolved_at).date(),
            "answer_url": confirmation_url(ticket),
        },
    )


def notification_send_ticket_merged(*, source_id: int, target_id: int, by_id: int | None) -> NotificationLog | None:
    """Tell the requester of a merged ticket where their case goes on (the ticket it was merged
    into), once per merge. Sent about the merged ticket, so it threads with its earlier mails."""
    source, target = _ticket(source_id), _ticket(target_id)
    if source is None or target is None:
        return None
    event_key = f"merged:{target.number}"
    contact = _recipient(source, author_id=by_id, event_key=event_key)
    if contact is None:
        return None
    return _send(
        ticket=source,
        contact=contact,
        kind=NotificationKind.STATUS_CHANGED,
        event_key=event_key,
        template="mail/ticket_merged.txt",
        context={
            "target_reference": target.reference,
            "target_subject": target.subject,
            "target_url": portal_ticket_url(target),
        },
    )


# --- @mentions and followers (watchers) --------------------------------------------------------


def notification_send_mention(*, ticket_id: int, comment_id: int, user_id: int) -> NotificationLog | None:
    """Tell a colleague that an internal note names them, with the note and the desk link, in
    their language, once per note and colleague."""
    comment = Comment.objects.select_related("ticket__organisation", "author").filter(pk=comment_id).first()
    event_key = f"mention:{comment_id}:user:{user_id}"
    user = User.objects.filter(pk=user_id).first()
    recipient = _staff_recipient(user)
    if comment is None or comment.ticket_id != ticket_id or recipient is None or user_id == comment.author_id:
        logger.info(
            "ticket %s, %s: no mention mail (note gone, or recipient not staff or without e-mail)", ticket_id, event_key
        )
        return None
    ticket = comment.ticket
    return _send(
        ticket=ticket,
        contact=recipient,
        kind=NotificationKind.MENTION,
        event_key=event_key,
        template="mail/mention.txt",
        context={
            "author_name": comment.author.display_name if comment.author is not None else None,
            "note_text": comment.body,
            "subject": ticket.subject,
            "organisation": ticket.organisation.name,
            "desk_url": desk_ticket_url(ticket),
        },
    )


@dataclass(frozen=True)
class Follower:
    """One follower to mail about one event: a colleague (user_id) or a contact (contact_id)."""

    user_id: int | None = None
    contact_id: int | None = None

    @property
    def key(self) -> str:
        return f"user:{self.user_id}" if self.user_id is not None else f"contact:{self.contact_id}"


def notification_followers(*, ticket_id: int, author_id: int | None) -> list[Follower]:
    """The followers of a ticket to tell about an event `author_id` caused: not the author, and
    not the requester (who gets the requester's mail). Whether each one still may get it is
    checked again when their own mail is sent."""
    rows = TicketWatcher.objects.filter(ticket_id=ticket_id).select_related("ticket", "contact")
    followers = []
    for row in rows.order_by("created_at", "id"):
        if row.user_id is not None and row.user_id != author_id:
            followers.append(Follower(user_id=row.user_id))
        elif (
            row.contact is not None
            and row.contact_id != row.ticket.requester_id
            and (author_id is None or row.contact.user_id != author_id)
        ):
            followers.append(Follower(contact_id=row.contact_id))
    return followers


@dataclass(frozen=True)
class _FollowerMail:
    recipient: Recipient
    is_staff: bool
    can_open: bool  # a contact who can open the ticket in the portal gets its link


def _colleague_mail(user: User, *, author_id: int | None) -> tuple[_FollowerMail | None, str]:
    staff = _staff_recipient(user)
    if user.pk == author_id:
        return None, "they caused the event"
    if staff is None:
        return None, "they are not active staff with an e-mail address"
    return _FollowerMail(recipient=staff, is_staff=True, can_open=True), ""


def _contact_mail(contact: Contact, ticket: Ticket, *, author_id: int | None) -> tuple[_FollowerMail | None, str]:
    if author_id is not None and contact.user_id == author_id:
        return None, "they caused the event"
    if not contact.is_active or not contact.email:
        return None, "the contact is inactive or has no e-mail address"
    if contact.organisation_id != ticket.organisation_id or contact.pk == ticket.requester_id:
        return None, "the contact is no longer of the ticket's organisation, or is its requester"
    try:
        validate_email(contact.email)
    except ValidationError:
        return None, "the contact's e-mail address is invalid"
    can_open = contact.user is not None and can_act_as_customer(contact.user, ticket)
    return _FollowerMail(recipient=contact, is_staff=False, can_open=can_open), ""


def _follower_mail(
    ticket: Ticket, follower: Follower, *, author_id: int | None, event_key: str
) -> _FollowerMail | None:
    """The follower if they should get this mail, else None with a log line saying why: they
    still follow the ticket, are not the author, a colleague is active staff with an address, a
    contact is active, of the ticket's organisation (it may have changed since), not the
    requester, with a valid address."""
    rows = TicketWatcher.objects.filter(ticket=ticket).select_related("user", "contact__user")
    if follower.user_id is not None:
        rows = rows.filter(user_id=follower.user_id)
    else:
        rows = rows.filter(contact_id=follower.contact_id or 0)
    watcher = rows.first()
    mail: _FollowerMail | None = None
    reason = "the follower is neither a colleague nor a contact"
    if watcher is None:
        reason = "they no longer follow the ticket"
    elif watcher.user is not None:
        mail, reason = _colleague_mail(watcher.user, author_id=author_id)
    elif watcher.contact is not None:
        mail, reason = _contact_mail(watcher.contact, ticket, author_id=author_id)
    if mail is None:
        logger.info("ticket %s, %s: no follower mail because %s", ticket.number, event_key, reason)
    return mail


def _send_to_follower(
    ticket: Ticket, follower: Follower, *, author_id: int | None, event: str, context: dict[str, object]
) -> NotificationLog | None:
    event_key = f"{event}:{follower.key}"
    mail = _follower_mail(ticket, follower, author_id=author_id, event_key=event_key)
    if mail is None:
        return None
    return _send(
        ticket=ticket,
        contact=mail.recipient,
        kind=NotificationKind.WATCHER_UPDATE,
        event_key=event_key,
        template="mail/staff_update.txt" if mail.is_staff else "mail/follower_update.txt",
        context={**context, "can_open": mail.can_open, "desk_url": desk_ticket_url(ticket)},
    )


def notification_send_follower_reply(
    *, comment_id: int, user_id: int | None = None, contact_id: int | None = None
) -> NotificationLog | None:
    """A public reply, to one follower of its ticket. Internal notes never go to followers
    (colleagues named in one hear of it as a mention)."""
    comment = Comment.objects.select_related("ticket__organisation", "author").filter(pk=comment_id).first()
    if comment is None or comment.is_internal:
        logger.info("comment %s: no follower mail (gone or internal)", comment_id)
        return None
    return _send_to_follower(
        comment.ticket,
        Follower(user_id=user_id, contact_id=contact_id),
        author_id=comment.author_id,
        event=f"reply:{comment.pk}",
        context={
            "kind": "reply",
            "reply_text": comment.body,
            "author_name": comment.author.display_name if comment.author is not None else None,
            "subject": comment.ticket.subject,
        },
    )


def notification_send_follower_status(
    *,
    ticket_id: int,
    old: str,
    new: str,
    by_id: int | None,
    delivery_id: str,
    user_id: int | None = None,
    contact_id: int | None = None,
) -> NotificationLog | None:
    """A status change, to one follower; a resolution carries its text (the one-click answer
    stays the requester's)."""
    ticket = Ticket.objects.select_related("organisation", "requester").filter(pk=ticket_id).first()
    if ticket is None:
        logger.warning("ticket id %s is gone: no follower mail", ticket_id)
        return None
    return _send_to_follower(
        ticket,
        Follower(user_id=user_id, contact_id=contact_id),
        author_id=by_id,
        event=f"status:{old}>{new}:{delivery_id}",
        context={
            "kind": "status",
            "old_status": _status_label(old),
            "new_status": _status_label(new),
            "resolution": ticket.resolution if new == Status.RESOLVED else "",
            "subject": ticket.subject,
        },
    )
