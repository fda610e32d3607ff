"""Ticket numbers: unique, increasing, allocated without races."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from tierdesk.tickets.models import TicketCounter

FIRST_NUMBER = 100001  # the migration seeds the counter at FIRST_NUMBER - 1
COUNTER = "ticket"


def ticket_number_next() -> int:
    """Allocate the next number inside the caller's transaction.

    The UPDATE takes the counter row's lock (PostgreSQL) or the database write lock (SQLite),
    so concurrent creators queue here; a rolled-back transaction gives its number back.
    """
    with transaction.atomic():
        updated = TicketCounter.objects.filter(name=COUNTER).update(value=F("value") + 1)
        if not updated:
            # First ticket ever: create the row; a concurrent first creator hits the unique
            # constraint, and the retry inside a savepoint then finds the row.
            try:
                with transaction.atomic():
                    TicketCounter.objects.create(name=COUNTER, value=FIRST_NUMBER)
                    return FIRST_NUMBER
            except IntegrityError:
                TicketCounter.objects.filter(name=COUNTER).update(value=F("value") + 1)
        return int(TicketCounter.objects.values_list("value", flat=True).get(name=COUNTER))
