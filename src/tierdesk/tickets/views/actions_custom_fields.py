"""The ticket page's Custom fields panel: its form's arguments and the one service call it makes
(merged into actions.ACTIONS as "custom_fields")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.tickets.forms_custom_fields import CustomFieldValuesForm, submitted_values
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors_custom_fields import custom_field_states_for_staff
from tierdesk.tickets.services import ticket_custom_fields_set


def custom_fields_kwargs(ticket: Ticket, bound: bool) -> dict[str, Any]:
    # The fields that apply to the ticket as it is now, visible or not, with their values.
    states, values = custom_field_states_for_staff(ticket)
    return {"states": states, "values": values}


def set_custom_fields(request: HttpRequest, ticket: Ticket, data: Mapping[str, Any]) -> str:
    ticket_custom_fields_set(
        ticket=ticket,
        values=submitted_values(data),
        by=cast(User, request.user),  # staff_required lets only staff members reach the page
        expected_version=data["version"],
    )
    return _("Custom fields saved.")


# (form class, perform, form arguments) per action name, as actions.TicketAction takes them.
CUSTOM_FIELD_ACTIONS = {"custom_fields": (CustomFieldValuesForm, set_custom_fields, custom_fields_kwargs)}
