"""Creating tickets: number, priority, SLA deadlines, first history row, creation event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import TextChoices
from django.utils.translation import gettext as _

from tierdesk.accounts.models import Contact, Organisation, User
from tierdesk.accounts.permissions import contact_of, is_staff_member
from tierdesk.core.errors import ValidationFailed
from tierdesk.core.events import publish
from tierdesk.tickets import history, sla_clock
from tierdesk.tickets.choices import Channel, HistoryAction, Impact, Status, Urgency
from tierdesk.tickets.errors import TicketActionForbidden
from tierdesk.tickets.events import TicketCreated
from tierdesk.tickets.models import Category, Tag, Ticket
from tierdesk.tickets.rules import priority_from
from tierdesk.tickets.selectors import priority_matrix
from tierdesk.tickets.services.checklists import apply_category_templates
from tierdesk.tickets.services.custom_fields import custom_fields_initial
from tierdesk.tickets.services.numbering import ticket_number_next

MAX_TAGS = 20


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    """Find or create tags by name (lower-cased, trimmed, at most MAX_TAGS)."""
    clean: list[str] = []
    for raw in names:
        name = raw.strip().lower()[:50]
        if name and name not in clean:
            clean.append(name)
    if len(clean) > MAX_TAGS:
        raise ValidationFailed(
            _("At most %(count)d tags.") % {"count": MAX_TAGS}, code="ticket.too_many_tags", field="tags"
        )
    return [Tag.objects.get_or_create(name=name)[0] for name in clean]


def valid_choice(value: Any, choices: type[TextChoices], field: str) -> str:
    """`value` as one of `choices`, or a ValidationFailed naming the field in the user's language."""
    try:
        return str(choices(value))
    except ValueError:
        raise ValidationFailed(
            _("%(value)r is not a valid %(field)s.")
            % {"value": value, "field": getattr(Ticket._meta.get_field(field), "verbose_name", field)},
            code="ticket.invalid_choice",
            field=field,
        ) from None


@transaction.atomic
def ticket_create(
    *,
    by: User,
    subject: str,
    description: str = "",
    organisation: Organisation | None = None,
    requester: Contact | None = None,
    channel: str = Channel.PORTAL,
    urgency: str = Urgency.MEDIUM,
    impact: str = Impact.LOW,
    category: Category | None = None,
    tags: Iterable[str] = (),
    custom_fields: Mapping[str, Any] | None = None,
) -> Ticket:
    """Open a ticket. A customer always opens it for themself in their own organisation;
    staff open it for any contact (a phone call, a mail) or any organisation.

    `custom_fields` (key → value) are checked like `ticket_custom_fields_set` (required, visible,
    types); None (mail, automation) skips them, so a ticket can always be opened."""
    subject = subject.strip()
    if not subject:
        raise ValidationFailed(_("A ticket needs a subject."), code="ticket.subject_required", field="subject")
    urgency = valid_choice(urgency, Urgency, "urgency")
    impact = valid_choice(impact, Impact, "impact")
    channel = valid_choice(channel, Channel, "channel")

    if is_staff_member(by):
        if requester is not None and organisation is not None and requester.organisation_id != organisation.pk:
            raise ValidationFailed(
                _("The requester belongs to another organisation."), code="ticket.requester_mismatch", field="requester"
            )
        if organisation is None:
            if requester is None:
                raise ValidationFailed(
                    _("A ticket needs an organisation or a requester."),
                    code="ticket.organisation_required",
                    field="organisation",
                )
            organisation = requester.organisation
    else:
        contact = contact_of(by)
        if contact is None:
            raise TicketActionForbidden(_("Only staff and customer contacts may open tickets."))
        # Whatever the input said: a customer cannot open tickets for others (mass assignment).
        requester, organisation = contact, contact.organisation

    priority = priority_from(urgency, impact, priority_matrix())
    ticket = Ticket.objects.create(
        number=ticket_number_next(),
        subject=subject[:250],
        description=description,
        organisation=organisation,
        requester=requester,
        channel=channel,
        category=category,
        urgency=urgency,
        impact=impact,
        priority=priority,
        status=Status.NEW,
    )
    # The deadlines run from the creation instant the database row holds.
    sla_clock.start_clock(ticket, ticket.created_at)
    ticket.level_entered_at = ticket.status_changed_at = ticket.created_at
    ticket.save(update_fields=["sla_policy", "level_entered_at", "status_changed_at", *sla_clock.CLOCK_FIELDS])
    tag_rows = tags_from_names(tags)
    if tag_rows:
        ticket.tags.set(tag_rows)
    history.record(ticket=ticket, by=by, channel=channel, action=HistoryAction.CREATED, new=ticket.number)
    if custom_fields is not None:
        custom_fields_initial(ticket=ticket, values=custom_fields, by=by, channel=channel)
    apply_category_templates(ticket=ticket, channel=channel)  # the category's checklist templates
    publish(TicketCreated(ticket_id=ticket.pk, by_id=by.pk, channel=channel))
    return ticket
