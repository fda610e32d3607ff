"""Macros (canned replies), the pure part: the placeholders a body may use, the status changes a
macro may make, and the rendering of a body. No ORM, no clock, no template engine.

Rendering is plain substitution of exactly the names in PLACEHOLDERS, in one pass. A body is
typed by staff and the values come from customers (a ticket's subject, a contact's name), so
neither is ever given to Django's template engine or to str.format: `{{ settings.SECRET_KEY }}`,
`{% load %}`, `{0.__class__}` or an unknown `{name}` come out exactly as typed (security B12),
and a value that itself looks like a placeholder is not expanded again."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _


class MacroStatusChange(models.TextChoices):
    """The status a macro may move a ticket to, after its reply (blank: none)."""

    WAITING_CUSTOMER = "waiting_customer", _("Waiting on the customer")
    WAITING_THIRD_PARTY = "waiting_third_party", _("Waiting on a third party")
    RESOLVED = "resolved", _("Resolved (the text becomes the resolution)")


# The waiting statuses and what ticket_wait calls them.
WAITING_ON: Mapping[str, str] = {
    MacroStatusChange.WAITING_CUSTOMER: "customer",
    MacroStatusChange.WAITING_THIRD_PARTY: "third_party",
}

# The names a body may use between braces (PLACEHOLDER_HELP says what each stands for).
PLACEHOLDERS: tuple[str, ...] = ("customer_name", "ticket_number", "ticket_subject", "agent_name", "organisation")

PLACEHOLDER_HELP = _(
    "Placeholders: {customer_name} (the requester's name), {ticket_number} (the reference, e.g. TD#100042), "
    "{ticket_subject}, {agent_name} (the agent who applies the macro), {organisation}. "
    "Anything else in braces is kept as typed."
)

_PLACEHOLDER = re.compile(r"\{(" + "|".join(map(re.escape, PLACEHOLDERS)) + r")\}")


def render(body: str, values: Mapping[str, str]) -> str:
    """`body` with each known `{placeholder}` replaced by its value ("" when `values` lacks it).

    One regular-expression pass over the body: the replacement texts are not scanned again."""
    return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), "")), body)
