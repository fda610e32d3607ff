"""Who follows a ticket (CC): staff members and customer contacts. The rules for adding and
removing them live in services/watchers.py; the mails they get in the mail app."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tierdesk.accounts.models import Contact
from tierdesk.tickets.models.ticket import Ticket


class TicketWatcher(models.Model):
    """One follower of one ticket: either a staff `user` or a customer `contact` (of the ticket's
    organisation when added), never both. A contact is stored as the contact, not their login:
    contacts without a portal login can be in copy too."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="watched_tickets"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="watched_tickets"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "user"], condition=models.Q(user__isnull=False), name="ticket_watcher_user_unique"
            ),
            models.UniqueConstraint(
                fields=["ticket", "contact"],
                condition=models.Q(contact__isnull=False),
                name="ticket_watcher_contact_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, contact__isnull=True)
                | models.Q(user__isnull=True, contact__isnull=False),
                name="ticket_watcher_user_xor_contact",
            ),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id is not None else f"contact {self.contact_id}"
        return f"{who} watches ticket {self.ticket_id}"
