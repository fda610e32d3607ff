"""Ticket events the mail app listens to. Each handler only enqueues a task; the events arrive
after the ticket's transaction has committed (tierdesk.core.events), so a rolled-back change
never mails anybody."""

from __future__ import annotations

from tierdesk.core.events import subscribe
from tierdesk.mail.tasks import (
    notify_appointment_attendees,
    notify_close_reminder,
    notify_followers_of_reply,
    notify_followers_of_status,
    notify_mention,
    notify_public_reply,
    notify_rule_alert,
    notify_status_changed,
    notify_ticket_created,
    notify_ticket_merged,
)
from tierdesk.tickets.events import (
    AppointmentChanged,
    RuleAlertRequested,
    StaffMentioned,
    TicketCloseReminderRequested,
    TicketCreated,
    TicketMerged,
    TicketPublicReplyAdded,
    TicketStatusChanged,
)


@subscribe(TicketCreated)
def on_ticket_created(event: TicketCreated) -> None:
    notify_ticket_created.enqueue(ticket_id=event.ticket_id)


@subscribe(TicketStatusChanged)
def on_ticket_status_changed(event: TicketStatusChanged) -> None:
    # The same transition can happen twice on one ticket; the history row of this change tells
    # a rerun of the task from a new change.
    notify_status_changed.enqueue(
        ticket_id=event.ticket_id,
        old=event.old,
        new=event.new,
        by_id=event.by_id,
        delivery_id=f"history-{event.history_id}",
    )


@subscribe(TicketMerged)
def on_ticket_merged(event: TicketMerged) -> None:
    notify_ticket_merged.enqueue(source_id=event.source_id, target_id=event.target_id, by_id=event.by_id)


@subscribe(TicketPublicReplyAdded)
def on_ticket_public_reply_added(event: TicketPublicReplyAdded) -> None:
    notify_public_reply.enqueue(comment_id=event.comment_id)


@subscribe(RuleAlertRequested)
def on_rule_alert_requested(event: RuleAlertRequested) -> None:
    # One task per person: one failing address must not hold back the others' alerts.
    for user_id in event.recipient_ids:
        notify_rule_alert.enqueue(
            ticket_id=event.ticket_id,
            firing_id=event.firing_id,
            user_id=user_id,
            rule_name=event.rule_name,
            message=event.message,
        )


@subscribe(TicketCloseReminderRequested)
def on_close_reminder_requested(event: TicketCloseReminderRequested) -> None:
    notify_close_reminder.enqueue(ticket_id=event.ticket_id, firing_id=event.firing_id)


@subscribe(StaffMentioned)
def on_staff_mentioned(event: StaffMentioned) -> None:
    # One task per colleague, like the rule alerts.
    for user_id in event.user_ids:
        notify_mention.enqueue(ticket_id=event.ticket_id, comment_id=event.comment_id, user_id=user_id)


# The followers' mails have handlers of their own: a failure there must not cost the requester's.
@subscribe(TicketPublicReplyAdded)
def on_public_reply_for_followers(event: TicketPublicReplyAdded) -> None:
    notify_followers_of_reply.enqueue(ticket_id=event.ticket_id, comment_id=event.comment_id, by_id=event.by_id)


@subscribe(TicketStatusChanged)
def on_status_changed_for_followers(event: TicketStatusChanged) -> None:
    notify_followers_of_status.enqueue(
        ticket_id=event.ticket_id,
        old=event.old,
        new=event.new,
        by_id=event.by_id,
        delivery_id=f"history-{event.history_id}",
    )


@subscribe(AppointmentChanged)
def on_appointment_changed(event: AppointmentChanged) -> None:
    notify_appointment_attendees.enqueue(
        appointment_id=event.appointment_id,
        sequence=event.sequence,
        is_cancelled=event.is_cancelled,
        former_agent_id=event.former_agent_id,
        former_contact_id=event.former_contact_id,
    )
