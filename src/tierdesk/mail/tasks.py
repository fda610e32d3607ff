"""Background jobs of the mail app: thin wrappers that take ids and scalars, call one service,
and are safe to run twice (the service's NotificationLog guard sends once). A task that finds its
mail claimed by another run that may still be sending runs itself again when that claim's lease
ends, so a mail claimed by a worker that was killed is not lost."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django_tasks import task
from django_tasks.base import Task

from tierdesk.mail.appointments import appointment_attendees, notification_send_appointment
from tierdesk.mail.models import NotificationLog
from tierdesk.mail.services import (
    NotificationBeingSent,
    notification_followers,
    notification_send_close_reminder,
    notification_send_follower_reply,
    notification_send_follower_status,
    notification_send_mention,
    notification_send_public_reply,
    notification_send_rule_alert,
    notification_send_status_changed,
    notification_send_ticket_created,
    notification_send_ticket_merged,
)

logger = logging.getLogger(__name__)


def _sent_or_later(
    again: Task[..., int | None], send: Callable[..., NotificationLog | None], **kwargs: Any
) -> int | None:
    """The NotificationLog id of the mail `send(**kwargs)` sent, or None; while another run holds
    the mail, `again` (this task) is enqueued with the same `kwargs` to run when that run's lease ends."""
    try:
        log = send(**kwargs)
    except NotificationBeingSent as busy:
        if not again.get_backend().supports_defer:
            # Only the in-process backends (tests) cannot defer; there the holder is this process.
            logger.info("%s; not sending", busy)
            return None
        logger.info("%s; trying again at %s", busy, busy.retry_at.isoformat())
        again.using(run_after=busy.retry_at).enqueue(**kwargs)
        return None
    return log.pk if log is not None else None


@task()
def notify_ticket_created(ticket_id: int) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    return _sent_or_later(notify_ticket_created, notification_send_ticket_created, ticket_id=ticket_id)


@task()
def notify_status_changed(ticket_id: int, old: str, new: str, by_id: int | None, delivery_id: str) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    return _sent_or_later(
        notify_status_changed,
        notification_send_status_changed,
        ticket_id=ticket_id,
        old=old,
        new=new,
        by_id=by_id,
        delivery_id=delivery_id,
    )


@task()
def notify_ticket_merged(source_id: int, target_id: int, by_id: int | None) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    return _sent_or_later(
        notify_ticket_merged, notification_send_ticket_merged, source_id=source_id, target_id=target_id, by_id=by_id
    )


@task()
def notify_public_reply(comment_id: int) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    return _sent_or_later(notify_public_reply, notification_send_public_reply, comment_id=comment_id)


@task()
def notify_rule_alert(ticket_id: int, firing_id: int, user_id: int, rule_name: str, message: str) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    return _sent_or_later(
        notify_rule_alert,
        notification_send_rule_alert,
        ticket_id=ticket_id,
        firing_id=firing_id,
        user_id=user_id,
        rule_name=rule_name,
        message=message,
    )


@task()
def notify_close_reminder(ticket_id: int, firing_id: int) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    return _sent_or_later(
        notify_close_reminder, notification_send_close_reminder, ticket_id=ticket_id, firing_id=firing_id
    )


@task()
def notify_mention(ticket_id: int, comment_id: int, user_id: int) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    return _sent_or_later(
        notify_mention, notification_send_mention, ticket_id=ticket_id, comment_id=comment_id, user_id=user_id
    )


@task()
def notify_followers_of_reply(ticket_id: int, comment_id: int, by_id: int | None) -> int:
    """Enqueue one mail task per follower (one failing address must not hold back the others).
    Safe to run twice: each mail is sent once. Returns how many were enqueued."""
    followers = notification_followers(ticket_id=ticket_id, author_id=by_id)
    for follower in followers:
        notify_follower_reply.enqueue(comment_id=comment_id, user_id=follower.user_id, contact_id=follower.contact_id)
    return len(followers)


@task()
def notify_follower_reply(comment_id: int, user_id: int | None, contact_id: int | None) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    return _sent_or_later(
        notify_follower_reply,
        notification_send_follower_reply,
        comment_id=comment_id,
        user_id=user_id,
        contact_id=contact_id,
    )


@task()
def notify_followers_of_status(ticket_id: int, old: str, new: str, by_id: int | None, delivery_id: str) -> int:
    """Enqueue one mail task per follower; returns how many were enqueued."""
    followers = notification_followers(ticket_id=ticket_id, author_id=by_id)
    for follower in followers:
        notify_follower_status.enqueue(
            ticket_id=ticket_id,
            old=old,
            new=new,
            by_id=by_id,
            delivery_id=delivery_id,
            user_id=follower.user_id,
            contact_id=follower.contact_id,
        )
    return len(followers)


@task()
def notify_follower_status(
    ticket_id: int,
    old: str,
    new: str,
    by_id: int | None,
    delivery_id: str,
    user_id: int | None,
    contact_id: int | None,
) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    return _sent_or_later(
        notify_follower_status,
        notification_send_follower_status,
        ticket_id=ticket_id,
        old=old,
        new=new,
        by_id=by_id,
        delivery_id=delivery_id,
        user_id=user_id,
        contact_id=contact_id,
    )


@task()
def notify_appointment(
    appointment_id: int, sequence: int, is_cancelled: bool, user_id: int | None, contact_id: int | None
) -> int | None:
    """An appointment's invitation or cancellation to one person; returns the NotificationLog id,
    or None when nothing was sent."""
    return _sent_or_later(
        notify_appointment,
        notification_send_appointment,
        appointment_id=appointment_id,
        sequence=sequence,
        is_cancelled=is_cancelled,
        user_id=user_id,
        contact_id=contact_id,
    )


@task()
def notify_appointment_attendees(
    appointment_id: int,
    sequence: int,
    is_cancelled: bool,
    former_agent_id: int | None = None,
    former_contact_id: int | None = None,
) -> int:
    """Enqueue one invitation task per person (one failing address must not hold back the others):
    the contact and the agent, and a cancellation for an agent or contact the change replaced.
    Safe to run twice: each mail is sent once. Returns how many were enqueued."""
    attendees = appointment_attendees(
        appointment_id=appointment_id,
        is_cancelled=is_cancelled,
        former_agent_id=former_agent_id,
        former_contact_id=former_contact_id,
    )
    for attendee in attendees:
        notify_appointment.enqueue(
            appointment_id=appointment_id,
            sequence=sequence,
            is_cancelled=attendee.is_cancelled,
            user_id=attendee.user_id,
            contact_id=attendee.contact_id,
        )
    return len(attendees)
