"""HTTP endpoint of bulk actions on a selection of tickets (staff): all or nothing.

The answer lists the selection's numbers with their new versions; a refusal by one ticket is
a 409 `bulk.failed` that names it (`number`) and carries its own error (`reason_code`, `reason`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tierdesk.accounts.api_auth import request_channel, require_staff
from tierdesk.accounts.api_base import ERRORS
from tierdesk.tickets import services
from tierdesk.tickets.schemas_bulk import BulkErrorOut, BulkIn, BulkOut, BulkTicketOut
from tierdesk.tickets.services.bulk import BulkFailed

router = Router(tags=["bulk"])


@router.post(
    "/tickets/bulk",
    response={200: BulkOut, **ERRORS, 409: BulkErrorOut},
    summary="Apply one action to up to 100 tickets, all or nothing (staff)",
)
def ticket_bulk_apply(request: HttpRequest, payload: BulkIn) -> Any:
    user = require_staff(request)
    try:
        tickets = services.ticket_bulk_apply(
            by=user,
            numbers=payload.numbers,
            action=payload.action,
            params=payload.params,
            channel=request_channel(request),
        )
    except BulkFailed as error:
        body = BulkErrorOut(
            code=error.code,
            message=str(error.message),
            field=error.field,
            number=error.number,
            reason_code=error.cause_code,
            reason=error.cause_message,
            detail=None,
        )
        return Status(error.http_status, body)
    return BulkOut(action=payload.action, tickets=[BulkTicketOut(number=t.number, version=t.version) for t in tickets])
