"""Checklists inside a ticket: add items, tick them done or reopen them, remove them, copy a
template's items; and managing the templates (administrators and case managers, like macros).

A checklist is internal work: only staff change it (and only staff read it, selectors_checklists).
Each change to a ticket's checklist locks the ticket, checks its version, bumps it, and writes one
internal history row per item. A ticket opened with a category gets the items of the active
templates of that category (and of those for any category) in its creating transaction.

Error codes: checklist.text_required, checklist.text_too_long, checklist.too_many,
checklist.item_not_found (404), checklist.template_forbidden (403), checklist.template_inactive,
checklist.template_name_required, checklist.template_name_too_long, checklist.template_duplicate,
checklist.template_items_required, checklist.field_not_editable; ticket.forbidden (403)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.accounts.permissions import is_case_manager
from tierdesk.core.errors import Forbidden, NotFound, ValidationFailed
from tierdesk.tickets import history
from tierdesk.tickets.choices import Channel, HistoryAction
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import Category, ChecklistItem, ChecklistTemplate, ChecklistTemplateItem, Ticket
from tierdesk.tickets.models.checklists import MAX_ITEM_LENGTH
from tierdesk.tickets.services.transitions import require_staff, save_ticket

# The history rows' field for a change in a ticket's checklist.
CHECKLIST_FIELD = "checklist"
# A checklist is a handful of steps; the cap keeps a runaway client from filling a ticket.
MAX_ITEMS_PER_TICKET = 100
MAX_TEMPLATE_NAME_LENGTH = 100
TEMPLATE_FIELDS = frozenset({"name", "category", "items", "is_active"})


def clean_texts(texts: Iterable[Any], *, field: str = "items") -> list[str]:
    """Item texts, trimmed, each 1 to MAX_ITEM_LENGTH characters (shared by tickets and templates)."""
    if isinstance(texts, str):
        texts = [texts]
    cleaned: list[str] = []
    for raw in texts:
        text = str(raw or "").strip()
        if not text:
            raise ValidationFailed(_("A checklist item needs a text."), code="checklist.text_required", field=field)
        if len(text) > MAX_ITEM_LENGTH:
            raise ValidationFailed(
                _("A checklist item has at most %(count)d characters.") % {"count": MAX_ITEM_LENGTH},
                code="checklist.text_too_long",
                field=field,
            )
        cleaned.append(text)
    if not cleaned:
        raise ValidationFailed(_("A checklist item needs a text."), code="checklist.text_required", field=field)
    return cleaned


def _record(*, ticket: Ticket, by: User | None, channel: str, action: HistoryAction, text: str, note: str = "") -> None:
    removed = action == HistoryAction.CHECKLIST_ITEM_REMOVED
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=action,
        field=CHECKLIST_FIELD,
        old=text if removed else "",
        new="" if removed else text,
        note=note,
        is_internal=True,
    )


def _append(
    *, ticket: Ticket, texts: Sequence[str], by: User | None, channel: str, note: str = ""
) -> list[ChecklistItem]:
    """Add the items after the existing ones (the ticket is locked by the caller)."""
    aggregate = ChecklistItem.objects.filter(ticket=ticket).aggregate(count=Count("pk"), last=Max("position"))
    if aggregate["count"] + len(texts) > MAX_ITEMS_PER_TICKET:
        raise ValidationFailed(
            _("A checklist has at most %(count)d items.") % {"count": MAX_ITEMS_PER_TICKET},
            code="checklist.too_many",
            field="items",
        )
    start = (aggregate["last"] + 1) if aggregate["last"] is not None else 0
    created_by = by if by is not None and by.pk else None
    items = ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(ticket=ticket, text=text, position=start + offset, created_by=created_by)
            for offset, text in enumerate(texts)
        ]
    )
    for text in texts:
        _record(ticket=ticket, by=by, channel=channel, action=HistoryAction.CHECKLIST_ITEM_ADDED, text=text, note=note)
    return items


def _item(ticket: Ticket, item_id: int) -> ChecklistItem:
    item = ChecklistItem.objects.filter(ticket_id=ticket.pk, pk=item_id).first()
    if item is None:
        raise NotFound(_("No such checklist item on this ticket."), code="checklist.item_not_found")
    return item


@transaction.atomic
def ticket_checklist_add(
    *,
    ticket: Ticket,
    texts: Iterable[str],
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> list[ChecklistItem]:
    """Add items, in the given order, at the end of the ticket's checklist (staff only)."""
    require_staff(by)
    cleaned = clean_texts(texts)
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    items = _append(ticket=ticket, texts=cleaned, by=by, channel=channel)
    save_ticket(ticket, [])
    return items


@transaction.atomic
def ticket_checklist_toggle(
    *,
    ticket: Ticket,
    item_id: int,
    done: bool,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> ChecklistItem:
    """Mark an item done (recording who and when) or not done. Asking for the state it is in
    already changes nothing: no history row, no new version (a double click is harmless)."""
    require_staff(by)
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    item = _item(ticket, item_id)
    if item.is_done == done:
        return item
    item.done_at, item.done_by = (timezone.now(), by) if done else (None, None)
    item.save(update_fields=["done_at", "done_by"])
    action = HistoryAction.CHECKLIST_ITEM_DONE if done else HistoryAction.CHECKLIST_ITEM_REOPENED
    _record(ticket=ticket, by=by, channel=channel, action=action, text=item.text)
    save_ticket(ticket, [])
    return item


@transaction.atomic
def ticket_checklist_remove(
    *,
    ticket: Ticket,
    item_id: int,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> None:
    """Remove an item from the ticket's checklist (the history row keeps its text)."""
    require_staff(by)
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    item = _item(ticket, item_id)
    item.delete()
    _record(ticket=ticket, by=by, channel=channel, action=HistoryAction.CHECKLIST_ITEM_REMOVED, text=item.text)
    save_ticket(ticket, [])


def _copy_templates(
    *, ticket: Ticket, templates: Sequence[ChecklistTemplate], by: User | None, channel: str
) -> list[ChecklistItem]:
    """Append the templates' items the checklist does not hold yet (same text exactly), in
    template order; each history row names its template."""
    present = set(ChecklistItem.objects.filter(ticket=ticket).values_list("text", flat=True))
    added: list[ChecklistItem] = []
    for template in templates:
        texts: list[str] = []
        for row in template.items.all():
            if row.text not in present:
                present.add(row.text)
                texts.append(row.text)
        if texts:
            note = _("from template “%(name)s”") % {"name": template.name}
            added += _append(ticket=ticket, texts=texts, by=by, channel=channel, note=note)
    return added


@transaction.atomic
def ticket_checklist_apply_template(
    *,
    ticket: Ticket,
    template: ChecklistTemplate,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> list[ChecklistItem]:
    """Copy an active template's items onto the ticket, skipping texts it has already. Any
    template may be applied by hand, whatever its category. Returns the items added."""
    require_staff(by)
    current = ChecklistTemplate.objects.filter(pk=template.pk, is_active=True).prefetch_related("items").first()
    if current is None:
        raise ValidationFailed(
            _("This checklist template is no longer in use."), code="checklist.template_inactive", field="template"
        )
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    added = _copy_templates(ticket=ticket, templates=[current], by=by, channel=channel)
    save_ticket(ticket, [])
    return added


def apply_category_templates(*, ticket: Ticket, channel: str) -> list[ChecklistItem]:
    """Inside ticket_create's transaction (the new row is the caller's alone): copy the active
    templates of the ticket's category and those for any category. Recorded without an actor:
    the desk did it, not the one who opened the ticket (who may be a customer)."""
    if ticket.category_id is None:
        return []
    templates = list(
        ChecklistTemplate.objects.filter(Q(category_id=ticket.category_id) | Q(category__isnull=True), is_active=True)
        .prefetch_related("items")
        .order_by("name", "id")
    )
    return _copy_templates(ticket=ticket, templates=templates, by=None, channel=channel) if templates else []


# --- managing templates -------------------------------------------------------------------------


def _require_manager(by: User) -> None:
    if not is_case_manager(by):
        raise Forbidden(
            _("Only administrators and case managers may manage checklist templates."),
            code="checklist.template_forbidden",
        )


def _clean_name(name: Any) -> str:
    text = str(name or "").strip()
    if not text:
        raise ValidationFailed(
            _("A checklist template needs a name."), code="checklist.template_name_required", field="name"
        )
    if len(text) > MAX_TEMPLATE_NAME_LENGTH:
        raise ValidationFailed(
            _("A template's name has at most %(count)d characters.") % {"count": MAX_TEMPLATE_NAME_LENGTH},
            code="checklist.template_name_too_long",
            field="name",
        )
    return text


def _clean_items(items: Iterable[Any]) -> list[str]:
    texts = list(items)
    if not texts:
        raise ValidationFailed(
            _("A checklist template needs at least one item."), code="checklist.template_items_required", field="items"
        )
    if len(texts) > MAX_ITEMS_PER_TICKET:
        raise ValidationFailed(
            _("A checklist has at most %(count)d items.") % {"count": MAX_ITEMS_PER_TICKET},
            code="checklist.too_many",
            field="items",
        )
    return clean_texts(texts)


def _save_unique(template: ChecklistTemplate) -> ChecklistTemplate:
    message = _("A checklist template with this name exists already.")
    twins = ChecklistTemplate.objects.filter(name__iexact=template.name)
    if (twins.exclude(pk=template.pk) if template.pk else twins).exists():
        raise ValidationFailed(message, code="checklist.template_duplicate", field="name")
    try:
        # A savepoint: a concurrent twin that passed the check above fails here, not as a 500.
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ValidationFailed(message, code="checklist.template_duplicate", field="name") from None
    return template


def _set_items(template: ChecklistTemplate, texts: Sequence[str]) -> None:
    template.items.all().delete()
    ChecklistTemplateItem.objects.bulk_create(
        [ChecklistTemplateItem(template=template, text=text, position=index) for index, text in enumerate(texts)]
    )


@transaction.atomic
def checklist_template_create(
    *, by: User, name: str, items: Iterable[str], category: Category | None = None, is_active: bool = True
) -> ChecklistTemplate:
    """A new template (administrators and case managers); `category` None means any category."""
    _require_manager(by)
    texts = _clean_items(items)
    template = _save_unique(
        ChecklistTemplate(name=_clean_name(name), category=category, is_active=bool(is_active), created_by=by)
    )
    _set_items(template, texts)
    return template


@transaction.atomic
def checklist_template_update(*, template: ChecklistTemplate, by: User, **changes: Any) -> ChecklistTemplate:
    """Change some of a template's fields: name, category (None: any), items (replaces the list;
    tickets keep the items copied earlier), is_active."""
    _require_manager(by)
    unknown = set(changes) - TEMPLATE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("Cannot change %(fields)s here.") % {"fields": ", ".join(sorted(unknown))},
            code="checklist.field_not_editable",
            field=sorted(unknown)[0],
        )
    # Locked: two managers editing one template at once must not mix their item lists.
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    texts = _clean_items(changes["items"]) if "items" in changes else None
    if "name" in changes:
        template.name = _clean_name(changes["name"])
    if "category" in changes:
        template.category = changes["category"]
    if "is_active" in changes:
        template.is_active = bool(changes["is_active"])
    _save_unique(template)
    if texts is not None:
        _set_items(template, texts)
    return template
