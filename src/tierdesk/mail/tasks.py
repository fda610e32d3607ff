"""Background jobs of the mail app: thin wrappers that take ids and scalars, call one service,
and are safe to run twice (the service's NotificationLog guard sends at most once)."""

from __future__ import annotations

from django_tasks import task

from tierdesk.mail.services import (
    notification_send_public_reply,
    notification_send_status_changed,
    notification_send_ticket_created,
)


@task()
def notify_ticket_created(ticket_id: int) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    log = notification_send_ticket_created(ticket_id=ticket_id)
    return log.pk if log is not None else None


@task()
def notify_status_changed(ticket_id: int, old: str, new: str, by_id: int | None, delivery_id: str) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    log = notification_send_status_changed(ticket_id=ticket_id, old=old, new=new, by_id=by_id, delivery_id=delivery_id)
    return log.pk if log is not None else None


@task()
def notify_public_reply(comment_id: int) -> int | None:
    """Returns the NotificationLog id, or None when nothing was sent."""
    log = notification_send_public_reply(comment_id=comment_id)
    return log.pk if log is not None else None
