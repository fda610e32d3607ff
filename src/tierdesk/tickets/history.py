"""Writers of the append-only ticket history (Saleor's events.py idea): keyword-only, one
function for every kind of row, so that every service records the same shape. Every row also
tells the rules engine what happened (automation/dispatch.py)."""

from __future__ import annotations

from typing import Any

from tierdesk.accounts.models import User
from tierdesk.tickets.automation.dispatch import note_change
from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.models import HistoryEvent, Ticket


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "pk") and not isinstance(value, str):
        return str(getattr(value, "username", None) or value)
    return str(value)


def _row(
    *,
    ticket: Ticket,
    by: User | None,
    channel: str,
    action: HistoryAction,
    field: str,
    old: Any,
    new: Any,
    note: str,
    is_internal: bool,
) -> HistoryEvent:
    return HistoryEvent(
        ticket=ticket,
        actor=by if by is not None and by.pk else None,
        channel=channel,
        action=action,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        note=note,
        is_internal=is_internal,
    )


def record(
    *,
    ticket: Ticket,
    by: User | None,
    channel: str,
    action: HistoryAction,
    field: str = "",
    old: Any = None,
    new: Any = None,
    note: str = "",
    is_internal: bool = False,
) -> HistoryEvent:
    row = _row(
        ticket=ticket,
        by=by,
        channel=channel,
        action=action,
        field=field,
        old=old,
        new=new,
        note=note,
        is_internal=is_internal,
    )
    row.save()
    note_change(ticket.pk, action)  # every recorded change is one the rules may act on
    return row


def record_changes(
    *,
    ticket: Ticket,
    by: User | None,
    channel: str,
    changes: dict[str, tuple[Any, Any]],
    action: HistoryAction = HistoryAction.CHANGED,
    note: str = "",
    is_internal: bool = False,
) -> list[HistoryEvent]:
    """One row per changed field, in a stable order; unchanged fields are skipped."""
    rows = [
        _row(
            ticket=ticket,
            by=by,
            channel=channel,
            action=action,
            field=field,
            old=old,
            new=new,
            note=note,
            is_internal=is_internal,
        )
        for field, (old, new) in changes.items()
        if _text(old) != _text(new)
    ]
    for changed in {row.action for row in rows}:
        note_change(ticket.pk, changed)
    return HistoryEvent.objects.bulk_create(rows)
