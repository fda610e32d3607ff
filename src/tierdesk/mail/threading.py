"""Which ticket an incoming mail continues, from its headers.

Our notifications carry Message-IDs like `<…ticket.100042@desk.example>`, point every mail of a
ticket at the root `<ticket.100042@desk.example>` in References, and tag the subject
`[TD#100042]`. A reply names them in In-Reply-To, References and (usually) its subject. The
number found leads to the live ticket: a merged ticket's number to the ticket it was merged into
(tickets.selectors.ticket_by_reference), so replies to mails of a merged ticket reach the merged
conversation.

Only Message-IDs of our own mail domain count: anybody can write `ticket.1@elsewhere` into a
header. Whether the sender may write to the ticket found is the ingest pipeline's decision."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings

from tierdesk.core.addresses import mail_domain
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors import ticket_by_reference

# `<[anything.]ticket.<number>@<domain>>`: the ids `make_msgid(idstring="ticket.N")` and the
# root id of a ticket's thread produce. Numbers stay within a BigIntegerField.
_MESSAGE_ID = re.compile(r"<(?:[^<>@\s]*\.)?ticket\.(\d{1,18})@([^<>@\s]+)>", re.IGNORECASE)


def _subject_tag() -> re.Pattern[str]:
    return re.compile(r"\[" + re.escape(settings.TIERDESK_TICKET_PREFIX) + r"#(\d{1,18})\]", re.IGNORECASE)


def numbers_in_message_ids(header: str, *, domain: str) -> list[int]:
    """The ticket numbers in a header of Message-IDs (In-Reply-To, References), in header order,
    from ids of `domain` only."""
    return [int(number) for number, host in _MESSAGE_ID.findall(header or "") if host.lower() == domain]


def number_in_subject(subject: str) -> int | None:
    match = _subject_tag().search(subject or "")
    return int(match.group(1)) if match else None


def _candidates(*, in_reply_to: str, references: str, subject: str) -> Iterable[int]:
    domain = mail_domain()
    yield from numbers_in_message_ids(in_reply_to, domain=domain)
    # The newest reference is the last one: the mail that was answered, or the nearest to it.
    yield from reversed(numbers_in_message_ids(references, domain=domain))
    tagged = number_in_subject(subject)
    if tagged is not None:
        yield tagged


def ticket_for_reply(*, in_reply_to: str = "", references: str = "", subject: str = "") -> Ticket | None:
    """The live ticket an incoming mail continues, or None for a mail that starts a new one."""
    for number in _candidates(in_reply_to=in_reply_to, references=references, subject=subject):
        ticket = ticket_by_reference(number)
        if ticket is not None:
            return ticket
    return None
