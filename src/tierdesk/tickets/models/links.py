"""Links between tickets (related, duplicate of, caused by). Parent and child tickets are the
`Ticket.parent` field (ticket.py); the rules for both live in services/links.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tierdesk.tickets.choices_links import LinkKind
from tierdesk.tickets.models.ticket import Ticket


class TicketLink(models.Model):
    """`from_ticket` is <kind> `to_ticket`, e.g. #12 duplicate_of #7.

    Each pair holds a kind once. `related` is symmetric and stored once, from the lower id to
    the higher, so that A-B and B-A are the same row; the directed kinds are shown reversed on
    the other ticket (selectors_links.py). A ticket is a duplicate of one original at most."""

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["from_ticket", "to_ticket", "kind"], name="ticket_link_unique"),
            models.CheckConstraint(condition=~models.Q(from_ticket=models.F("to_ticket")), name="ticket_link_not_self"),
            models.CheckConstraint(
                condition=~models.Q(kind=LinkKind.RELATED) | models.Q(from_ticket__lt=models.F("to_ticket")),
                name="ticket_link_related_stored_once",
            ),
            models.UniqueConstraint(
                fields=["from_ticket"], condition=models.Q(kind=LinkKind.DUPLICATE_OF), name="ticket_link_one_original"
            ),
        ]

    def __str__(self) -> str:
        return f"ticket {self.from_ticket_id} {self.kind} ticket {self.to_ticket_id}"
